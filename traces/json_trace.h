// The native JSON trace format, version 1: human-writable, for lessons and small traces.
// Design essay: sim/malloc.h; formats: ARCHITECTURE.md §4.
//
//   {"format": "spanscope-trace", "version": 1,
//    "meta": {"name": "...", "description": "...", "source": "...",
//             "config": {"gomaxprocs": 1, "liveness": "gc", "gogc": 100, "tiny": true}},
//    "events": [
//      {"op": "alloc", "id": 1, "size": 33, "noscan": true, "thread": 0, "time": 120},
//      {"op": "free", "id": 1},
//      {"op": "gc"}, {"op": "readmemstats"},
//      {"op": "annotate", "text": "Now the mcache's span for class 5 is full..."}]}
//
// Schema (strict where a typo would change what replays, lenient elsewhere):
//   * "format" must be "spanscope-trace" and "version" must be 1; "events" must be an array.
//     Other top-level keys and unknown keys inside "meta" are ignored (and not written back).
//   * "meta" and every key in it are optional. meta.config keys: gomaxprocs (1..1024), liveness
//     ("gc" | "immediate"), gogc (integer, negative or "off" = GC off), tiny (bool), memory_limit
//     (GOMEMLIMIT bytes, 0 = none), scavenger (bool); any other
//     key in meta.config is an error. meta.go_version: the Go release that recorded the trace
//     ("go1.24.3"; must read "[go]1.N..."): 1.23 and later replay under the go1.26 profile.
//   * Events: "op" is one of alloc, free, gc, readmemstats, annotate, free_os_memory, go_start,
//     stack_grow, go_exit.
//       alloc: id (integer >= 0, required), size (integer 0..2^48, required), noscan (bool,
//              default true), thread (0..2^32-1, default 0), time (ns, integer, optional)
//       free:  id (required), thread, time
//       gc, readmemstats: time (optional)
//       annotate: text (string, required)
//       free_os_memory: time (optional) — debug.FreeOSMemory()
//       go_start, go_exit: id (goroutine id, required, kept as written), thread, time
//       stack_grow: id, size (the new stack's bytes, a power of 2, required), thread, time
//     Any other key in an event is an error.
//   * Ids are any non-negative integers; they are remapped to dense ids in order of first
//     appearance. A free of an id that no earlier alloc used, an alloc of a live id and a second
//     free of an id are not load errors: the engine reports them at replay, with the event index
//     and the trace's own id (spanscope-cli exit status 1).
//
// Errors are one line: "<path>: line L, column C: <what>" for JSON syntax errors, and
// "<path>: event #N: <what>" (N counts from 0, as replay does) or "<path>: <where>: <what>" for
// schema errors. The loader never returns a partly loaded trace.
#pragma once

#include "traces/json_io.h"
#include "traces/trace.h"

#include <optional>
#include <string>

namespace traces {

inline constexpr const char* kTraceFormat = "spanscope-trace";
inline constexpr int kTraceVersion = 1;
inline constexpr uint64_t kMaxEventSize = uint64_t{1} << 48; // larger sizes are "absurd"
// Whole-text limits of a JSON trace (it is parsed in memory; big traces belong in the binary
// format): at most 1 GiB of text, and a compressed one at most 100 times its compressed bytes once
// past 16 MiB (a zstd "bomb" of a few KB would otherwise expand to gigabytes).
inline constexpr size_t kMaxJsonTraceBytes = size_t{1} << 30;
inline constexpr size_t kMaxJsonTraceRatio = 100;
inline constexpr size_t kJsonTraceRatioFloor = size_t{16} << 20;

std::optional<Trace> loadJsonTrace(const std::string& path, std::string* error);
// The same from text already in memory; `name` stands for the path in messages.
std::optional<Trace> parseJsonTrace(const std::string& text, const std::string& name, std::string* error);

// The trace as JSON text (one event per line, original ids). Loading it gives identical events.
std::string traceToJson(const Trace& t);
// Writes traceToJson(t) to `path` atomically: to "<path>.tmp.<pid>" first, then rename.
bool writeJsonTraceAtomic(const Trace& t, const std::string& path, std::string* error);

} // namespace traces
