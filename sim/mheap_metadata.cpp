// The runtime's non-heap memory as Go 1.19 (and, where GoProfile says, Go 1.26) counts it in
// gcController.mappedReady: what
// memoryLimitHeapGoal subtracts from GOMEMLIMIT besides the heap. Design essay: sim/malloc.h.
// Go: mem.go (sysAlloc, sysMap+sysUsed add to mappedReady), malloc.go (mheap.sysAlloc's heapArena
// metadata, persistentalloc), mpagealloc.go / mpagealloc_64bit.go (chunks, summaries, scavenge
// index), mheap.go (recordspan's allspans, newArenaMayUnlock's gcBits arenas), mspanset.go.
//
// A deterministic estimate, each term from Go 1.19.8's source on linux/amd64 and checked against
// a Go 1.19 run whose sysAlloc/sysMap calls were logged (go build -overlay on runtime/mem.go, the
// churn program with GOGC=off GOMEMLIMIT=100MiB: the same terms, the same sizes):
//   * heapArena metadata, 2,165,776 B per 64 MiB arena (bitmap 2 MiB, spans 64 KiB, pageInUse,
//     pageMarks, pageSpecials 1 KiB each, checkmarks, zeroedBase), sysAlloc'd by persistentalloc.
//   * the page allocator, mapped at the first growth: the chunks L2 block (8192 pallocData of
//     128 B: 1 MiB, one per 32 GiB); the summaries (level 0 whole, 128 KiB; levels 1-4 the 4 KiB
//     pages covering the heap's indices, 8-entry aligned); the scavenge index, mapped from 0 to
//     the heap's chunk index / 8 (chunk indices include arenaBaseOffset 0x800000000000, and the
//     first grow starts at 0 because haveMax is still 0): 4,222,976 B for a heap at 0xc000000000.
//   * allspans' backing array (recordspan): 8 B per mspan ever carved, capacity 8192 growing by
//     half; the old array is freed.
//   * gcBits arenas, 64 KiB each, never returned: every span's allocBits and gcmarkBits (8 B per
//     64 objects) from arenas that live three GC generations (next, current, previous), each
//     generation in arenas of its own: 3 x the arenas of the in-use spans' bitmap bytes, ratcheted
//     at each mark (Go keeps a free list). Go 1.26 runs show 3 for lru (64 MiB) and jsonloop (8 MiB).
//   * persistentalloc's 256 KiB chunks: the runtime's own (GoProfile::persistentStartChunks: two
//     in 1.19, itabs and small structures; one in 1.26), then the mspan fixalloc's 16 KiB chunks,
//     a 2 KiB spine per mcentral span set ever pushed to, and the most spanSet blocks ever in use
//     at once (mspanset.go: a push opening a block takes one from spanSetBlockPool, the block's
//     512th pop or the set's reset at sweep termination gives it back; GoProfile::spanSetBlockBytes),
//     rounded up to whole chunks. MSpanSys and MCacheSys live in them.
//   * the runtime's own goroutine stacks (stack spans: allocSpan's sysUsed, not sysAlloc):
//     229,376 B, StackSys of an empty go1.19.8 program and of go1.26.8's lru and jsonloop runs
//     (160-290 KiB over the oracle programs and both releases, an empty go1.26.8 program 256 KiB);
//     the stack model's goroutines come on top (mappedReady).
// Go 1.26 (GoProfile): heapArena is 69,648 B (no heap bitmap since 1.22, 1 KiB of
// pageUseSpanInlineMarkBits since 1.26), and the 1.21 scavenge index maps 8 B per chunk for the
// heap's chunks only (mpagealloc_64bit.go (*scavengeIndex).sysGrow, 4 KiB-aligned), not a bitmap from 0.
// Go 1.26 also holds the memory profiler's hash table, sysAlloc'd at the runtime's first
// allocation (GoProfile::buckhashBytes, 1,439,992 B). Checked against go1.26.8 runs logging
// sysAlloc, sysUsed and persistentalloc by caller (go build -overlay on runtime/mem.go and
// malloc.go; lru and jsonloop under their GOMEMLIMITs, an empty program): every term above is
// there with these sizes; the engine's non-span mappedReady was 4.09 MB against Go's 5.86 for lru
// at 64 MiB before the hash table, the stacks and the span-set blocks were counted (5.56 now: one
// persistentalloc chunk fewer than Go, the runtime's own span classes being unknown to a trace),
// and is 4.74 MB against Go's 4.58 for jsonloop at 12 MiB (one chunk more).
// Left out: GC work buffers (32 KiB in these runs), Green Tea's per-P span queue and pointer
// buffer (8 KiB each), profiling buckets, OS thread stacks.
#include "sim/world.h"

#include <algorithm>

namespace sim {

namespace {
constexpr uint64_t kPallocChunkBytes = uint64_t{kPallocChunkPages} * kPageSize;
constexpr uint64_t kChunksL2Bytes = (uint64_t{1} << 13) * 128; // Go: [1<<pallocChunksL2Bits]pallocData
constexpr uint64_t kChunksL2Span = (uint64_t{1} << 13) * kPallocChunkBytes;
constexpr uint64_t kArenaBaseOffset = 0xffff800000000000; // Go: arenaBaseOffset (amd64)
constexpr uint64_t kSysPage = 4096;                       // Go: physPageSize
constexpr uint64_t kSummaryL0Bytes = (uint64_t{1} << 14) * 8; // Go: 1<<summaryL0Bits pallocSums
constexpr uint64_t kGCBitsChunkBytes = 64 << 10;          // Go: gcBitsChunkBytes
constexpr uint64_t kGCBitsArenaBits = kGCBitsChunkBytes - 16; // minus gcBitsHeader
constexpr uint64_t kPersistentChunkBytes = 256 << 10;     // Go: persistentChunkSize
constexpr uint64_t kSpanSetSpineBytes = 256 * 8; // Go: spanSetInitSpineCap pointers
constexpr uint64_t kRuntimeStackBytes = 7 * 32768; // the runtime's goroutines' StackSys (see the top)
constexpr uint64_t kAllspansInitialCap = 64 * 1024 / 8;

uint64_t alignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }
uint64_t chunkIndex(uint64_t addr) { return (addr - kArenaBaseOffset) / kPallocChunkBytes; } // wraps as in Go
} // namespace

// Go: mpagealloc_64bit.go sysGrow (summaries, scavengeIndex.grow) and mpagealloc.go grow (chunks L2)
// for a heap [base, limit), mapped as it grew.
static uint64_t pageAllocMetadataBytes(uint64_t base, uint64_t limit, bool chunkIndexGo121) {
  if (limit <= base) return 0;
  uint64_t bytes = kSummaryL0Bytes;
  for (uint32_t l = 1; l < 5; ++l) { // levelShift = 34 - 3l bits of (addr + arenaBaseOffset)
    const uint32_t shift = 34 - 3 * l;
    const uint64_t lo = ((base - kArenaBaseOffset) >> shift) / 8 * 8;
    const uint64_t hi = alignUp(((limit - 1 - kArenaBaseOffset) >> shift) + 1, 8);
    bytes += alignUp(hi * 8, kSysPage) - lo * 8 / kSysPage * kSysPage;
  }
  if (chunkIndexGo121) { // Go 1.21+: [chunkIndex(base), chunkIndex(limit)) x 8 B, page-aligned
    constexpr uint64_t perPage = kSysPage / 8;
    bytes += (alignUp(chunkIndex(limit), perPage) - chunkIndex(base) / perPage * perPage) * 8;
  } else {
    bytes += alignUp((chunkIndex(limit) + 7) / 8, kSysPage); // Go 1.19: scavenge index from 0
  }
  const uint64_t l2Blocks = (limit - 1) / kChunksL2Span - base / kChunksL2Span + 1;
  return bytes + l2Blocks * kChunksL2Bytes;
}

// Go: the mappedReady the runtime holds outside the heap's spans (see the top of the file).
uint64_t World::runtimeMetadataBytes() const {
  if (arenas_.empty()) return 0;
  uint64_t bytes = arenas_.size() * prof_.heapArenaMetaBytes + prof_.buckhashBytes;
  bytes += pageAllocMetadataBytes(cfg_.arenaBase, curArenaBase_, prof_.scavengeIndexGenerations);
  uint64_t carved = spanallocInuse_ / prof_.mspanStructBytes + spanallocFree_, cap = kAllspansInitialCap;
  while (cap < carved) cap = cap * 3 / 2;
  bytes += cap * 8;
  bytes += std::max<uint64_t>(gcBitsArenas_, 1) * kGCBitsChunkBytes; // the first at the first span
  const uint64_t fixallocChunks = spanallocSys_ / prof_.mspanChunkBytes() + 1; // + the mcache's cachealloc chunk
  const uint64_t persistent = fixallocChunks * GoProfile::kFixAllocChunkBytes + spanSetSpines_ * kSpanSetSpineBytes +
                              spanSetBlocksMax_ * prof_.spanSetBlockBytes;
  bytes += (prof_.persistentStartChunks + (persistent + kPersistentChunkBytes - 1) / kPersistentChunkBytes) * kPersistentChunkBytes;
  bytes += kRuntimeStackBytes;
  return bytes;
}

// Go: gcBits arenas allocated so far (newArenaMayUnlock): three generations (next, current,
// previous; nextMarkBitArenaEpoch), each in arenas of its own, of every in-use span's bitmap bytes
// (8 per 64 objects), never fewer than before. Called by the mark, which walks the spans.
void World::noteGCBitsArenas(uint64_t spanBitmapBytes) {
  const uint64_t need = 3 * ((spanBitmapBytes + kGCBitsArenaBits - 1) / kGCBitsArenaBits);
  if (need > gcBitsArenas_) gcBitsArenas_ = need;
}

} // namespace sim
