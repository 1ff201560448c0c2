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
// Go: physHugePageSize / pageSize with Linux's transparent huge pages (2 MiB, hpage_pmd_size).
inline constexpr uint32_t kPagesPerHugePage = 256;
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

// Returning free pages to the OS (sim/mgcscavenge.cpp; Go: mgcscavenge.go).
struct ScavengerConfig {
  bool enabled = true;        // background and heap-growth scavenging (FreeOSMemory always works)
  uint64_t memoryLimit = 0;   // GOMEMLIMIT in bytes; 0 = none (Go's default, math.MaxInt64)
  // Go 1.19 computes the background goal for the memory limit as limit * 95 instead of
  // limit * 95 / 100, so its background scavenger never works for the limit (only the
  // allocation-time assist does, down to the limit itself). false = the intended 95%.
  bool memoryLimitGoalBug = true;
  // Simulated time of an event without a trace time (pacing only). kCostModelClock (the
  // default): the event's modelled time from the cost model (sim/timing.h modelledEventNs).
  static constexpr uint64_t kCostModelClock = ~uint64_t{0};
  uint64_t nsPerEvent = kCostModelClock;
};

// The scavenger's goals and pacing (Go: the scavenge globals, scavengerState).
struct ScavengerState {
  uint64_t gcPercentGoal = ~uint64_t{0};   // retain at most this much heap (~0: no work)
  uint64_t memoryLimitGoal = ~uint64_t{0}; // keep mappedReady at most this (~0: no work)
  uint64_t heapGoal = 0;                   // the pacer's goal when last paced (Go: lastHeapGoal source)
  uint64_t lastHeapGoal = 0, lastHeapInUse = 0;
  // Go 1.19's bgscavenge on the simulated clock: parked until the sweep is done, then bursts of
  // >= 1 ms of work, each followed by a sleep of work / sleepRatio (sleepController, 1% of a CPU).
  bool parked = true;
  uint32_t readiedCycle = 0;               // the GC count when the scavenger was last readied
  uint64_t sleepNs = 0;                    // simulated sleep left before the next burst
  uint64_t lastSleepNs = 0;                // the sleep being slept and the work before it
  double lastWorkedNs = 0;
  double sleepRatio = 0.001;               // Go: startingScavSleepRatio
  double sleepErrIntegral = 0;             // Go: sleepController's errIntegral
  uint64_t controllerCooldown = 0;
  uint64_t lastTime = ~uint64_t{0};        // the last trace time seen (~0: none yet)
  uint64_t releasedBackground = 0, releasedAssist = 0, releasedForced = 0; // bytes, cumulative
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
  // Go: (*pageAlloc).free(base, npages, scavenged=false); also raises the scavenger's hint.
  void free(uint64_t page, uint64_t npages);

  // Go: mgcscavenge.go (*pageAlloc).scavengeOne on the highest chunk that has free, unscavenged
  // pages (Go's scavengeIndex.find): its highest such run, at most maxPages long (Go's
  // findScavengeCandidate with minPages = 1, as physPageSize 4 KiB < pageSize), widened down to
  // a huge-page boundary when the run covers it. Sets the run's scavenged bits and returns its
  // length (0: nothing left to scavenge anywhere). With the Go 1.21+ index (setScavengeIndex),
  // `force` is scavenge's force argument: the background scavenger (false) skips dense chunks.
  uint64_t scavengeOne(uint64_t maxPages, bool force = false);
  // Go 1.21+ (mgcscavenge.go scavengeIndex, scavChunkData): per-chunk in-use counts by GC
  // generation and two search cursors; the background scavenger skips a chunk whose in-use pages
  // are >= scavChunkHiOccPages (496 of 512) now or, if it changed this generation, at the
  // generation's start, and sees frees above its cursor only from the next generation. Off: Go
  // 1.19's single address-ordered hint. Set once, before any page is allocated.
  void setScavengeIndex(bool on) { genIndex_ = on; }
  // Go: mgcscavenge.go (*scavengeIndex).nextGen, at mark termination (mgc.go gcMarkTermination).
  void nextGen();
  uint64_t freeUnscavengedPages() const; // free pages outside page caches, not scavenged

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
  uint64_t scavengeChunk(uint32_t ci, uint64_t maxPages); // the run scavenged in chunk ci, 0 if none
  // Go 1.21+ scavengeIndex (genIndex_ only).
  template <typename Fn>
  void forEachChunk(uint64_t page, uint64_t npages, Fn fn);
  void indexChange(uint32_t ci);                                   // Go: scavChunkData's gen/lastInUse
  void indexAlloc(uint32_t ci, uint32_t npages);                   // Go: (*scavengeIndex).alloc
  void indexFree(uint32_t ci, uint64_t lastPage);                  // Go: (*scavengeIndex).free
  bool shouldScavenge(uint32_t ci, bool force) const;              // Go: scavChunkData.shouldScavenge
  int64_t findChunk(bool force);                                   // Go: (*scavengeIndex).find; -1: none

  std::vector<uint64_t> inUse_;     // 1 = in use (or owned by a page cache)
  std::vector<uint64_t> scav_;      // 1 = released to the OS (only while free)
  std::vector<uint32_t> chunkFree_; // free pages per chunk, to skip full chunks
  uint64_t searchPage_ = 0;         // every page below it is in use (Go: searchAddr)
  // No chunk above it has free, unscavenged pages (Go: scavengeIndex.searchAddr, as a chunk).
  uint32_t scavChunkHint_ = 0;
  // Go 1.21+ scavengeIndex: per chunk scavChunkData (gen, lastInUse, the hasFree flag; inUse is
  // kPallocChunkPages - chunkFree_), the generation, searchAddrBg/searchAddrForce as pages (-1:
  // minOffAddr, nothing to search) with their mark, and freeHWM.
  struct Cursor {
    int64_t page = -1;
    bool marked = false;
  };
  bool genIndex_ = false;
  uint32_t gen_ = 0;
  std::vector<uint32_t> chunkGen_;
  std::vector<uint16_t> chunkLastInUse_;
  std::vector<uint8_t> chunkHasFree_;
  Cursor bgCursor_, forceCursor_;
  int64_t freeHWM_ = -1;
};

} // namespace sim
