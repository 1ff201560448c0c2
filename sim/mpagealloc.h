// The page allocator: per-chunk bitmaps, scavenged bits, address-ordered first fit, the per-P page
// cache. Design essay: sim/malloc.h. Go: mpagealloc.go, mpallocbits.go, mpagecache.go.
//
// Differences from Go: Go finds free pages through a 5-level radix tree of (start, max, end)
// summaries. We keep the same per-chunk bitmaps (512 pages = 4 MiB each, in-use and scavenged)
// plus one free-page count per chunk, and search linearly from searchAddr, skipping full chunks.
// Both are address-ordered first fit over the same bitmap, and every page below searchAddr is
// allocated in both, so they return the same address for every request. The heap here is one
// contiguous range from the arena base (Go's hints make it contiguous too on linux/amd64), so a page
// is named by its index from that base.
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

inline constexpr uint32_t kPallocChunkPages = 512; // Go: pallocChunkPages
inline constexpr uint32_t kPageCachePages = 64;    // Go: pageCachePages
inline constexpr uint64_t kNoPage = ~uint64_t{0};

// Go: mpagecache.go pageCache. base is a page index (64-aligned); bit i = page base+i.
struct PageCache {
  uint64_t base = 0;
  uint64_t cache = 0; // 1 = free page owned by this P
  uint64_t scav = 0;  // 1 = that page is scavenged
  bool empty() const { return cache == 0; }

  struct Result {
    uint64_t page = kNoPage;
    uint32_t scavPages = 0;
  };
  // Go: (*pageCache).alloc / allocN: lowest run of npages set bits inside the 64-bit word.
  Result alloc(uint32_t npages);
};

class PageAlloc {
 public:
  uint64_t pages() const { return static_cast<uint64_t>(chunkFree_.size()) * kPallocChunkPages; }
  uint32_t chunks() const { return static_cast<uint32_t>(chunkFree_.size()); }

  // Go: (*pageAlloc).grow: append whole chunks; every new page is free and scavenged.
  void grow(uint64_t npages);

  struct Result {
    uint64_t page = kNoPage;
    uint32_t scavPages = 0;
  };
  // Go: (*pageAlloc).alloc: first fit of npages at or after searchAddr; marks them in use.
  Result alloc(uint64_t npages);
  // Go: (*pageAlloc).allocToCache: the 64-page block holding the first free page goes to a P.
  PageCache allocToCache();
  // Go: (*pageAlloc).free(base, npages, scavenged=false).
  void free(uint64_t page, uint64_t npages);

  bool inUse(uint64_t page) const { return (inUse_[page >> 6] >> (page & 63)) & 1; }
  bool scavenged(uint64_t page) const { return (scav_[page >> 6] >> (page & 63)) & 1; }
  uint32_t chunkFreePages(uint32_t chunk) const { return chunkFree_[chunk]; }
  uint64_t searchAddr() const { return searchPage_; }
  uint64_t freePages() const;
  uint64_t scavengedPages() const;

  // Go: findBitRange64: lowest i such that bits [i, i+n) of c are all set; 64 if none.
  static uint32_t findBitRange64(uint64_t c, uint32_t n);

 private:
  // First-fit page index at/after searchPage_, or kNoPage; *firstFree = first free page met.
  uint64_t find(uint64_t npages, uint64_t* firstFree) const;
  uint32_t allocRange(uint64_t page, uint64_t npages); // returns scavenged pages in the range
  void setRange(std::vector<uint64_t>& bits, uint64_t page, uint64_t n, bool value);

  std::vector<uint64_t> inUse_;     // 1 = in use (or owned by a page cache)
  std::vector<uint64_t> scav_;      // 1 = released to the OS (only while free)
  std::vector<uint32_t> chunkFree_; // free pages per chunk, to skip full chunks
  uint64_t searchPage_ = 0;         // every page below it is in use (Go: searchAddr)
};

} // namespace sim
