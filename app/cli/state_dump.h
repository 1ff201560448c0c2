// spanscope-cli: the engine state as JSON (--dump-state). Engine design essay: sim/malloc.h.
#pragma once

#include "sim/malloc.h"

#include <string>

namespace cli {

// {"format": "spanscope-state", "version": 1, "events_applied", "sweepgen", "heap_base",
//  "arenas", "mapped_pages", "page_alloc" {search_page, free_pages, scavenged_pages, chunks[]},
//  "spans" [every in-use span], "ps" [mcache, tiny block, page cache], "mcentral" [non-empty
//  span sets by span class], "memstats", "ledger"}. Addresses and bitmaps are hex strings;
// bitmaps are bytes in memory order as Go stores gcBits (bit i of byte k = slot 8k+i).
std::string stateToJson(const sim::World& w);

} // namespace cli
