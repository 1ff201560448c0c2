// The binary cache of a trace in another format: the app reads big traces in place through the
// binary format's block index (traces/binary_trace.h), so a heaptrack, mtrace, ltrace, Go or
// recorder trace is converted once, on its first open, into
// <cache dir>/<XXH64 of the file's bytes>.sst and read from there afterwards. Keyed by content, so
// a changed file gets a new cache and a renamed one keeps its own. Native JSON traces are not
// cached: they name objects by the file's own ids, which the binary format does not keep.
#pragma once

#include "traces/event_stream.h"

#include <atomic>
#include <string>

namespace traces {

// $SPANSCOPE_CACHE_DIR if set, else $XDG_CACHE_HOME/spanscope, else $HOME/.cache/spanscope.
std::string traceCacheDir();

// XXH64 of the file's bytes as 16 hex digits. Throws TraceError naming the file if it cannot be
// read; stops early (returning "") once *cancel is set.
std::string contentHash(const std::string& path, const std::atomic<bool>* cancel = nullptr);

// Where the cache of `path` lives: traceCacheDir() + "/" + contentHash(path) + ".sst" ("" if cancelled).
std::string binaryCachePath(const std::string& path, const std::atomic<bool>* cancel = nullptr);

// Creates the directory `cachePath` goes in; false if it cannot (the app then keeps the trace in
// memory instead).
bool makeCacheDir(const std::string& cachePath);

// Writes every event of `in` to `cachePath` (zstd blocks), atomically: a temp file renamed at the
// end, removed if reading `in` throws. Throws TraceError naming the trace or the cache file.
void writeBinaryCache(EventStream& in, const std::string& cachePath);

} // namespace traces
