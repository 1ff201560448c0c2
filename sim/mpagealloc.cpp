// The page allocator. Design essay: sim/malloc.h. Go: mpagealloc.go, mpallocbits.go, mpagecache.go.
#include "sim/mpagealloc.h"

#include <algorithm>
#include <bit>

namespace sim {

// Go: mpallocbits.go findBitRange64.
uint32_t PageAlloc::findBitRange64(uint64_t c, uint32_t n) {
  uint32_t p = n - 1;
  uint32_t k = 1;
  while (p > 0) {
    if (p <= k) {
      c &= c >> (p & 63);
      break;
    }
    c &= c >> (k & 63);
    if (c == 0) return 64;
    p -= k;
    k *= 2;
  }
  return static_cast<uint32_t>(std::countr_zero(c));
}

// Go: mpagecache.go (*pageCache).alloc and allocN.
PageCache::Result PageCache::alloc(uint32_t npages) {
  if (cache == 0) return {};
  uint32_t i = npages == 1 ? static_cast<uint32_t>(std::countr_zero(cache))
                           : PageAlloc::findBitRange64(cache, npages);
  if (i >= 64) return {};
  uint64_t mask = (npages == 64 ? ~uint64_t{0} : ((uint64_t{1} << npages) - 1)) << i;
  uint32_t scavPages = static_cast<uint32_t>(std::popcount(scav & mask));
  cache &= ~mask;
  scav &= ~mask;
  return {base + i, scavPages};
}

// Go: mpagealloc.go (*pageAlloc).grow. New chunks are free and scavenged (fresh mappings hold no
// physical memory); searchAddr never needs lowering because the heap only grows upward here.
void PageAlloc::grow(uint64_t npages) {
  uint64_t newChunks = (npages + kPallocChunkPages - 1) / kPallocChunkPages;
  uint64_t oldPages = pages();
  chunkFree_.resize(chunkFree_.size() + newChunks, kPallocChunkPages);
  chunkGen_.resize(chunkFree_.size(), 0);       // Go: zero scavChunkData (gen 0, empty)
  chunkLastInUse_.resize(chunkFree_.size(), 0);
  chunkHasFree_.resize(chunkFree_.size(), 0);
  inUse_.resize(pages() / 64, 0);
  scav_.resize(pages() / 64, ~uint64_t{0});
  if (searchPage_ > oldPages) searchPage_ = oldPages;
}

void PageAlloc::setRange(std::vector<uint64_t>& bits, uint64_t page, uint64_t n, bool value) {
  while (n > 0) {
    uint64_t bit = page & 63;
    uint64_t take = std::min<uint64_t>(64 - bit, n);
    uint64_t mask = (take == 64 ? ~uint64_t{0} : ((uint64_t{1} << take) - 1)) << bit;
    if (value) bits[page >> 6] |= mask;
    else bits[page >> 6] &= ~mask;
    page += take;
    n -= take;
  }
}

// First fit at or after searchPage_. Equivalent to Go's find() over the summary tree (see header).
uint64_t PageAlloc::find(uint64_t npages, uint64_t* firstFree) const {
  const uint64_t total = pages();
  *firstFree = total;
  uint64_t runStart = 0, runLen = 0;
  uint64_t page = searchPage_;
  while (page < total) {
    uint32_t chunk = static_cast<uint32_t>(page / kPallocChunkPages);
    if (chunkFree_[chunk] == 0) { // a full chunk breaks any run
      runLen = 0;
      page = uint64_t{chunk + 1} * kPallocChunkPages;
      continue;
    }
    uint64_t w = inUse_[page >> 6] >> (page & 63); // 1 = in use, aligned so bit 0 = page
    uint64_t avail = 64 - (page & 63);
    if (w == 0) { // the rest of this word is free
      if (*firstFree == total) *firstFree = page;
      if (runLen == 0) runStart = page;
      runLen += avail;
      if (runLen >= npages) return runStart;
      page += avail;
      continue;
    }
    uint64_t freeHere = static_cast<uint64_t>(std::countr_zero(w)); // free pages before the next used one
    if (freeHere > 0) {
      if (*firstFree == total) *firstFree = page;
      if (runLen == 0) runStart = page;
      runLen += freeHere;
      if (runLen >= npages) return runStart;
    }
    page += freeHere;
    runLen = 0;
    uint64_t used = static_cast<uint64_t>(std::countr_one(inUse_[page >> 6] >> (page & 63)));
    page += used; // skip the used run (within this word)
  }
  return kNoPage;
}

// The chunks a page range touches, in order: fn(chunk, first page, pages in it).
template <typename Fn>
void PageAlloc::forEachChunk(uint64_t page, uint64_t npages, Fn fn) {
  for (uint64_t p = page; p < page + npages;) {
    const auto ci = static_cast<uint32_t>(p / kPallocChunkPages);
    const uint64_t end = std::min<uint64_t>(page + npages, (uint64_t{ci} + 1) * kPallocChunkPages);
    fn(ci, p, end - p);
    p = end;
  }
}

// Go: mpagealloc.go (*pageAlloc).allocRange: set in-use bits, clear and count scavenged bits.
uint32_t PageAlloc::allocRange(uint64_t page, uint64_t npages) {
  uint32_t scavPages = 0;
  if (genIndex_) // Go: allocRange -> scav.index.alloc per chunk
    forEachChunk(page, npages, [&](uint32_t ci, uint64_t, uint64_t n) { indexAlloc(ci, static_cast<uint32_t>(n)); });
  for (uint64_t p = page; p < page + npages; ++p) { // ranges are short relative to chunk sizes
    scavPages += scavenged(p) ? 1u : 0u;
    chunkFree_[p / kPallocChunkPages]--;
  }
  setRange(inUse_, page, npages, true);
  setRange(scav_, page, npages, false);
  return scavPages;
}

// Go: mpagealloc.go (*pageAlloc).alloc.
PageAlloc::Result PageAlloc::alloc(uint64_t npages) {
  uint64_t firstFree = 0;
  uint64_t page = find(npages, &firstFree);
  if (page == kNoPage) {
    if (npages == 1) searchPage_ = pages(); // heap exhausted (Go: maxSearchAddr)
    return {};
  }
  uint32_t scavPages = allocRange(page, npages);
  // Every page below the first free page the search met is in use (so is the run just taken
  // when it started there): raise the hint as Go does with find's searchAddr.
  if (firstFree == page) firstFree = page + npages;
  if (firstFree > searchPage_) searchPage_ = firstFree;
  return {page, scavPages};
}

// Go: mpagecache.go (*pageAlloc).allocToCache.
PageCache PageAlloc::allocToCache() {
  uint64_t ignored = 0;
  uint64_t first = find(1, &ignored);
  if (first == kNoPage) {
    searchPage_ = pages();
    return {};
  }
  PageCache c;
  c.base = first & ~uint64_t{63};
  c.cache = ~inUse_[c.base >> 6];
  c.scav = scav_[c.base >> 6];
  inUse_[c.base >> 6] = ~uint64_t{0};
  scav_[c.base >> 6] &= ~(c.cache & c.scav);
  if (genIndex_) indexAlloc(static_cast<uint32_t>(c.base / kPallocChunkPages), static_cast<uint32_t>(std::popcount(c.cache)));
  chunkFree_[c.base / kPallocChunkPages] -= static_cast<uint32_t>(std::popcount(c.cache));
  c.scav &= c.cache; // only free pages carry a meaningful scavenged bit
  searchPage_ = c.base + kPageCachePages - 1;
  return c;
}

// Go: mpagealloc.go (*pageAlloc).free (scavenged = false: the pages are committed memory now).
void PageAlloc::free(uint64_t page, uint64_t npages) {
  if (page < searchPage_) searchPage_ = page;
  const auto lastChunk = static_cast<uint32_t>((page + npages - 1) / kPallocChunkPages);
  if (lastChunk > scavChunkHint_) scavChunkHint_ = lastChunk; // Go: scav.index.mark
  if (genIndex_) // Go 1.21+: pageAlloc.free -> scav.index.free per chunk
    forEachChunk(page, npages, [&](uint32_t ci, uint64_t first, uint64_t n) { indexFree(ci, first + n - 1); });
  for (uint64_t p = page; p < page + npages; ++p) chunkFree_[p / kPallocChunkPages]++;
  setRange(inUse_, page, npages, false);
}

// Go 1.21+: mgcscavenge.go scavChunkData.alloc/free: the first change of a generation remembers
// the chunk's in-use count at its start (lastInUse).
void PageAlloc::indexChange(uint32_t ci) {
  if (chunkGen_[ci] == gen_) return;
  chunkLastInUse_[ci] = static_cast<uint16_t>(kPallocChunkPages - chunkFree_[ci]);
  chunkGen_[ci] = gen_;
}

// Go 1.21+: mgcscavenge.go (*scavengeIndex).alloc: a chunk that becomes full is empty to it.
void PageAlloc::indexAlloc(uint32_t ci, uint32_t npages) {
  indexChange(ci);
  if (kPallocChunkPages - chunkFree_[ci] + npages == kPallocChunkPages) chunkHasFree_[ci] = 0; // setEmpty
}

// Go 1.21+: mgcscavenge.go (*scavengeIndex).free: the chunk has free pages again; freeHWM and
// the force cursor rise to the last freed page (the background cursor only at nextGen).
void PageAlloc::indexFree(uint32_t ci, uint64_t lastPage) {
  indexChange(ci);
  chunkHasFree_[ci] = 1;
  const auto last = static_cast<int64_t>(lastPage);
  if (last > freeHWM_) freeHWM_ = last;
  if (forceCursor_.page < last) forceCursor_ = {last, true}; // Go: StoreMarked
}

void PageAlloc::nextGen() {
  gen_++;
  if (bgCursor_.page < freeHWM_) bgCursor_ = {freeHWM_, true}; // Go: StoreMarked(freeHWM)
  freeHWM_ = -1;
}

// Go 1.21+: mgcscavenge.go scavChunkData.shouldScavenge (scavChunkHiOccPages = 0.96875 * 512 = 496).
bool PageAlloc::shouldScavenge(uint32_t ci, bool force) const {
  constexpr uint32_t kHiOccPages = 496;
  if (!chunkHasFree_[ci]) return false;
  if (force) return true;
  const uint32_t inUse = kPallocChunkPages - chunkFree_[ci];
  if (chunkGen_[ci] == gen_) return inUse < kHiOccPages && chunkLastInUse_[ci] < kHiOccPages;
  return inUse < kHiOccPages;
}

// Go 1.21+: mgcscavenge.go (*scavengeIndex).find: the highest chunk at or below the cursor that
// should be scavenged; the cursor moves down to it (a marked cursor is only moved, never cleared,
// as atomicOffAddr.Clear leaves a marked address alone). The page inside the start chunk is not
// kept: the chunk is searched from its top, as in 1.19 here.
int64_t PageAlloc::findChunk(bool force) {
  Cursor& cur = force ? forceCursor_ : bgCursor_;
  if (cur.page < 0) return -1;
  const int64_t start = std::min<int64_t>(cur.page / kPallocChunkPages, static_cast<int64_t>(chunks()) - 1);
  for (int64_t i = start; i >= 0; --i) {
    if (!shouldScavenge(static_cast<uint32_t>(i), force)) continue;
    if (i != start) cur = {(i + 1) * kPallocChunkPages - 1, false}; // StoreUnmark / StoreMin
    return i;
  }
  if (!cur.marked) cur.page = -1; // Go: Clear
  return -1;
}

// Go: mgcscavenge.go (*pageAlloc).scavenge's loop of scavengeIndex.find + scavengeOne.
uint64_t PageAlloc::scavengeOne(uint64_t maxPages, bool force) {
  if (maxPages == 0 || chunks() == 0) return 0;
  if (genIndex_) {
    for (;;) {
      const int64_t ci = findChunk(force);
      if (ci < 0) return 0;
      if (const uint64_t n = scavengeChunk(static_cast<uint32_t>(ci), maxPages)) return n;
      chunkHasFree_[ci] = 0; // Go: scavengeOne's scav.index.setEmpty(ci)
    }
  }
  for (int64_t ci = std::min<int64_t>(scavChunkHint_, chunks() - 1); ci >= 0; --ci) {
    scavChunkHint_ = static_cast<uint32_t>(ci);
    if (const uint64_t n = scavengeChunk(static_cast<uint32_t>(ci), maxPages)) return n;
    // Go 1.19: scav.index.clear(ci), then the next chunk down
  }
  return 0;
}

// Go: mgcscavenge.go scavengeOne + (*pallocData).findScavengeCandidate in chunk ci, with min = 1
// (so fillAligned is the identity) and searchIdx = the chunk's last page.
uint64_t PageAlloc::scavengeChunk(uint32_t ci, uint64_t maxPages) {
  constexpr uint32_t kWords = kPallocChunkPages / 64;
  if (chunkFree_[ci] == 0) return 0;
  const uint64_t w0 = static_cast<uint64_t>(ci) * kWords;
  auto notCand = [&](int64_t i) { return scav_[w0 + i] | inUse_[w0 + i]; }; // 1 = not a candidate
  int64_t i = kWords - 1;
  while (i >= 0 && notCand(i) == ~uint64_t{0}) --i;
  if (i < 0) return 0;
  const uint64_t x = notCand(i);
  const auto z1 = static_cast<uint64_t>(std::countl_zero(~x));
  const uint64_t end = static_cast<uint64_t>(i) * 64 + (64 - z1); // one past the highest candidate
  uint64_t run = 0;
  if ((x << z1) != 0) {
    run = static_cast<uint64_t>(std::countl_zero(x << z1));
  } else {
    run = 64 - z1;
    for (int64_t j = i - 1; j >= 0; --j) {
      const uint64_t y = notCand(j);
      run += static_cast<uint64_t>(std::countl_zero(y));
      if (y != 0) break;
    }
  }
  uint64_t size = std::min(run, maxPages);
  uint64_t start = end - size;
  // Go: do not break up a huge page the run fully covers below `start`.
  const uint64_t hugeAbove = (start + kPagesPerHugePage - 1) / kPagesPerHugePage * kPagesPerHugePage;
  if (hugeAbove <= end) {
    const uint64_t hugeBelow = start / kPagesPerHugePage * kPagesPerHugePage;
    if (hugeBelow >= end - run) {
      size += start - hugeBelow;
      start = hugeBelow;
    }
  }
  setRange(scav_, static_cast<uint64_t>(ci) * kPallocChunkPages + start, size, true);
  return size;
}

uint64_t PageAlloc::freeUnscavengedPages() const {
  uint64_t n = 0;
  for (size_t w = 0; w < inUse_.size(); ++w) n += static_cast<uint64_t>(std::popcount(~(inUse_[w] | scav_[w])));
  return n;
}

uint64_t PageAlloc::freePages() const {
  uint64_t n = 0;
  for (uint32_t f : chunkFree_) n += f;
  return n;
}

uint64_t PageAlloc::scavengedPages() const {
  uint64_t n = 0;
  for (uint64_t w : scav_) n += static_cast<uint64_t>(std::popcount(w));
  return n;
}

} // namespace sim
