// Size-class tables as JSON: the shapes of the reference tables (Go, tcmalloc, jemalloc, ...) in,
// one canonical shape out. The engine itself stays JSON-free (sim/sizeclasses.h).
#pragma once

#include <optional>
#include <string>

#include "sim/sizeclasses.h"

namespace traces {

// Loads a table from a JSON file. Accepts the shapes of /work/shared/reference/sizeclasses/*.json
// ({"allocator":..., "page_size":8192, "max_small":..., "classes":[{"size":..,"pages":..}, ...]}).
// Rows with cls 0 or size 0 are skipped. On error returns nullopt and sets *error to
// "<path>: <what>" (for a JSON syntax error include line and column computed from the byte offset nlohmann reports).
//
// Also accepted: "block_size" for "size", "small_max" for "max_small", "slab_pages" for "pages",
// "regions" for "objects", "span_bytes" alone (pages = span_bytes/8192); rows with "kind" other
// than "small" are skipped (jemalloc's large classes are page runs, not slab classes). Without
// "page_size" the page is inferred from span_bytes, or from pages and objects; anything but 8 KiB
// is an error, since the engine's runtime page is 8 KiB. A "cls" that is present must count 1, 2, ...
std::optional<sim::SizeClassTable> loadSizeClassTable(const std::string& path, std::string* error);

// Writes a table as JSON (same shape, with cls, size, pages, span_bytes, objects, tail_waste, and a "source" string).
std::string sizeClassTableToJson(const sim::SizeClassTable& t, const std::string& source);

} // namespace traces
