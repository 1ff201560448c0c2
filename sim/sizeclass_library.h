// The size-class table library: other allocators' classes laid onto the engine's 8 KiB-page
// spans, so that one trace can be replayed under each of them. Design essay: sim/malloc.h.
// Go: none (Go has one table); this is the allocator designer's side of the tool.
//
// Every table says where its numbers come from (LibraryEntry::source). Sizes are the allocators'
// own; span sizes follow the allocator's own rule expressed in 8 KiB pages where it has one
// (TCMalloc's pages, jemalloc's exact-fit slabs, mimalloc's page kinds), else Go's rule.
#pragma once

#include "sim/sizeclasses.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

// Go: mksizeclasses.go — the smallest span (in pages) whose leftover after cutting it into
// `size`-byte objects is at most spanBytes/tailWasteDiv.
uint32_t goSpanPages(uint32_t size, uint32_t tailWasteDiv = 8);
// jemalloc: src/sc.c slab_size — the smallest page multiple that `size` divides exactly (no tail).
uint32_t exactSlabPages(uint32_t size);

struct LibraryEntry {
  const char* name;   // what --table takes
  const char* title;  // one line
  const char* source; // where the sizes and the span rule come from
};
const std::vector<LibraryEntry>& sizeClassLibrary();

// A library table by name: "go1.19", "tcmalloc", "tcmalloc-align8", "jemalloc", "mimalloc",
// "glibc16" (16-byte steps up to 32 KiB) or "glibc16:MAX" (MAX a multiple of 16, 256..32768),
// "pow2". nullopt (and *error says what is known) for anything else.
std::optional<SizeClassTable> libraryTable(const std::string& spec, std::string* error);

} // namespace sim
