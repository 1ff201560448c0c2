// Text formatting for the GUI: the figures of app/report/units.h under the app's names, and axis
// ticks for the plots. Pure functions, no ImGui.
#pragma once

#include "app/report/units.h"

#include <cstdint>
#include <string>

namespace gui {

// Figures read as they do in the CLI and the reports: app/report/units.h formats them all.
using report::FormatBytes;
using report::FormatBytesExact;
using report::FormatCount;
// Go's %p style: lowercase hex, 0x prefix, no padding: 0xc000012000.
inline std::string FormatAddr(uint64_t addr) { return report::hexAddr(addr); }
// part/whole as a percentage with one decimal ("37.5%"); "-" when whole is 0.
inline std::string FormatPercent(uint64_t part, uint64_t whole) { return report::percent(part, whole); }

// A tick step for a byte axis covering [0, maxValue] with at most maxTicks intervals: a power of two
// times 1, so labels are round in binary units (..., 256 KiB, 512 KiB, 1 MiB, 2 MiB, ...). >= 1.
uint64_t ByteAxisStep(uint64_t maxValue, int maxTicks);
// A tick step for a count axis (event indices): 1, 2 or 5 times a power of ten. >= 1.
uint64_t CountAxisStep(uint64_t range, int maxTicks);

} // namespace gui
