// Text formatting for the GUI: byte sizes ("1.5 MiB"), addresses (0xc000012000), counts
// ("200,000"), and axis ticks for byte-valued plots. Pure functions, no ImGui.
#pragma once

#include <cstdint>
#include <string>

namespace gui {

// Binary units, at most one decimal, trailing ".0" dropped: 0 B, 48 B, 1.5 KiB, 64 MiB, 1.2 GiB.
std::string FormatBytes(uint64_t bytes);
// Exact figure with the unit: "1,572,864 B" (for tooltips next to a rounded FormatBytes).
std::string FormatBytesExact(uint64_t bytes);
// Go's %p style: lowercase hex, 0x prefix, no padding: 0xc000012000.
std::string FormatAddr(uint64_t addr);
// Thousands separated by commas: 200,000.
std::string FormatCount(uint64_t n);
// part/whole as a percentage with one decimal ("37.5%"); "-" when whole is 0.
std::string FormatPercent(uint64_t part, uint64_t whole);

// A tick step for a byte axis covering [0, maxValue] with at most maxTicks intervals: a power of two
// times 1, so labels are round in binary units (..., 256 KiB, 512 KiB, 1 MiB, 2 MiB, ...). >= 1.
uint64_t ByteAxisStep(uint64_t maxValue, int maxTicks);
// A tick step for a count axis (event indices): 1, 2 or 5 times a power of ten. >= 1.
uint64_t CountAxisStep(uint64_t range, int maxTicks);

} // namespace gui
