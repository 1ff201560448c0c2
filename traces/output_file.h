// Where spanscope may write: every writer (reports, traces, tables, exports, settings) asks
// checkOutputFile first. Limits and guarantees: README. Design essay: sim/malloc.h.
//
// Refused, with "<path>: <why>":
//   * an existing path that is not a regular file — a symlink (not followed: we replace files by
//     rename, which would swap the link for a file), a FIFO, a device (as root, "-o /dev/full"
//     used to replace the system's /dev/full), a directory or a socket;
//   * a file this process was given as an input, found by device and inode, so "compare T -o T"
//     cannot overwrite the trace. spanscope-cli notes every file named on its command line other
//     than as an output; the app notes each trace it opens.
#pragma once

#include <string>

namespace traces {

// Remembers `path` as an input of this process (by device and inode; nothing if it is not an
// existing regular file). Thread-safe.
void noteInputFile(const std::string& path);

// True if spanscope may create or replace `path`; otherwise *error says why. "-" (stdout) is fine.
bool checkOutputFile(const std::string& path, std::string* error);

} // namespace traces
