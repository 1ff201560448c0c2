// Replay configuration files (JSON) -> sim::Config. Design essay: sim/malloc.h.
//
//   {"go_version": "1.19" | "1.26", "gomaxprocs": 4, "liveness": "gc" | "immediate", "gogc": 100 | "off", "tiny": true,
//    "max_heap_bytes": 68719476736, "size_classes": "go1.19" | "path/to/table.json"}
//
// Every key is optional (absent keys keep the value they had); an unknown key is an error, so a
// typo never goes unnoticed. A relative "size_classes" path is resolved against the directory of
// the config file. Precedence used by the CLI: command-line flags > config file > the trace's
// meta.config (applyTraceConfig, traces/trace.h) > the defaults of sim::Config.
#pragma once

#include "sim/world.h"
#include "traces/trace.h"

#include <optional>
#include <string>

namespace traces {

// Applies the keys present in the config file at `path` to *cfg. On error returns false, leaves
// *cfg unchanged, and sets *error to "<path>: <what>" naming the key ("<path>: \"gogc\": ...").
bool applyConfigFile(const std::string& path, sim::Config* cfg, std::string* error);

// The same from text; `name` stands for the path in messages and `baseDir` resolves relative
// table paths ("" = the current directory).
bool applyConfigJson(const std::string& text, const std::string& name, const std::string& baseDir,
                     sim::Config* cfg, std::string* error);

// sim::Config{} with the file applied.
std::optional<sim::Config> loadConfigJson(const std::string& path, std::string* error);

// A size-class table by name or path: a library name (sim/sizeclass_library.h: go1.19, tcmalloc,
// jemalloc, mimalloc, glibc16[:MAX], pow2, ...) or a JSON table file (traces::loadSizeClassTable).
// A name with a slash or ending in .json is a path; a relative path is taken against baseDir when
// baseDir is not empty.
std::optional<sim::SizeClassTable> resolveSizeClassTable(const std::string& nameOrPath, const std::string& baseDir,
                                                         std::string* error);

// Names of the built-in tables, for help texts.
inline constexpr const char* kBuiltinTables = "go1.19";

} // namespace traces
