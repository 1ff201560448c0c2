// heaptrack's own analyzer, heaptrack_print, as an independent check of a heaptrack import: its
// summary lines (allocation calls, peak, leaked) set beside ours in ImportSummary::comparisons.
// heaptrack_print reads interpreted files only and rounds bytes to 2 decimals with K = 1000 B;
// "total memory leaked" leaves out leaks matched by its built-in suppressions, which it reports
// as "suppressed leaks" — our live bytes at the end are the sum of the two.
#pragma once

#include "traces/event_stream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace traces {

struct HeaptrackPrintFigures {
  uint64_t allocations = 0; // "calls to allocation functions: N"
  std::string peak;         // "peak heap memory consumption: 4.81M"
  std::string leaked;       // "total memory leaked: 413.68K"
  std::string suppressed;   // "suppressed leaks: 3.81K"; empty when it prints none
};

// Bytes as heaptrack_print writes them: "40B", "5.49K", "4.81M" (divide by 1000 while > 1000).
std::string formatHeaptrackBytes(uint64_t bytes);

// The figures from heaptrack_print's standard output; nullopt if its summary lines are missing.
std::optional<HeaptrackPrintFigures> parseHeaptrackPrintOutput(std::string_view text);

// Appends the three comparisons (allocations exactly; peak and leaked as heaptrack rounds them).
void addHeaptrackPrintComparisons(const HeaptrackPrintFigures& theirs, ImportSummary& s);

// Runs heaptrack_print (from PATH) on `path`, an interpreted heaptrack file whose import produced
// `s`, and adds its figures to `s`. heaptrack_print reads the whole file again, so this roughly
// doubles the import time: callers ask for it. False (with *why) when it cannot: not an
// interpreted file, standard input, a compressed file whose name heaptrack_print would misread
// (it picks the decompressor by extension), heaptrack_print missing or failing.
bool compareWithHeaptrackPrint(const std::string& path, ImportSummary& s, std::string* why);

} // namespace traces
