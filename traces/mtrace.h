// Importer for glibc's mtrace() log (MALLOC_TRACE=file). Format and pitfalls:
// shared/reference/trace-formats.md §2; policies in README.md "Importing mtrace and ltrace".
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <memory>
#include <string_view>

namespace traces {

// True if `head` starts like an mtrace log: its first line is "= Start".
bool sniffMtrace(std::string_view head);

// A streaming reader: `+` → alloc, `-` → free, a `<`/`>` pair → free old + alloc new, `!` (failed
// realloc) and `(nil)` results dropped. No threads (all thread 0) and no times in this format.
// The summary compares the live set at the end with what glibc's `mtrace` perl script would list
// under "Memory not freed". Throws TraceError naming the file and line on impossible records.
std::unique_ptr<EventStream> openMtrace(std::unique_ptr<ByteSource> src);

} // namespace traces
