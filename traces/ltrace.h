// Importer for ltrace output of the malloc family (ltrace 0.7.3: -f, -t/-tt/-ttt, -o or stderr).
// Format and pitfalls: shared/reference/trace-formats.md §3; policies in README.md
// "Importing mtrace and ltrace".
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <memory>
#include <string_view>

namespace traces {

// True if most lines of `head` parse as ltrace lines and at least one is a call of the malloc
// family (malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc, memalign,
// valloc, pvalloc).
bool sniffLtrace(std::string_view head);

// A streaming reader. Calls split by other threads (`<unfinished ...>` / `<... f resumed>`) are
// paired per thread; an allocation takes effect when its call returns, a free when it is made.
// Threads are numbered 0, 1, 2, ... in the order of their first event. Times (-t/-tt/-ttt) become
// nanoseconds since the first time stamp. Lines it does not recognise, and calls whose values
// cannot be real (ltrace's misattributed PLT slots), are skipped and counted; numbers that do not
// fit in 64 bits and impossible thread ids or times throw TraceError naming the file and line.
std::unique_ptr<EventStream> openLtrace(std::unique_ptr<ByteSource> src);

} // namespace traces
