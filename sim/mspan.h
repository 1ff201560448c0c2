// mspan: a run of pages cut into equal slots, and the free-slot search. Design essay: sim/malloc.h.
// Go: mheap.go (type mspan), mbitmap.go (refillAllocCache, nextFreeIndex), malloc.go (nextFreeFast).
//
// Differences from Go: bitmaps are 64-bit words (bit k of word j = slot 64j+k, the same order as
// Go's little-endian bytes); the three bitmaps are one block of the World's pool (sim/spantable.h,
// Go: gcBits arenas), kept by the struct between uses. `liveBits` is not in Go: it is the
// trace's reachability (set at alloc, cleared at free), which the mark phase reads instead of
// scanning pointers. A span's position in an mcache or an mcentral set is recorded on the span.
#pragma once

#include "sim/sizeclasses.h"

#include <bit>
#include <cstdint>

namespace sim {

using SpanId = uint32_t;
inline constexpr SpanId kNoSpan = ~SpanId{0};

enum class SpanState : uint8_t { Dead, InUse, Manual }; // Go: mSpanDead, mSpanInUse, mSpanManual

// Where a span sits right now (Go keeps this implicit; we record it so invariants can check it).
enum class SpanHome : uint8_t { None, MCache, PartialSet, FullSet };

struct MSpan {
  uint64_t startAddr = 0;   // base()
  uint64_t limit = 0;       // end of usable data
  uint64_t elemsize = 0;    // class size, or npages*8192 for a large span
  uint64_t allocCache = 0;  // complement of 64 allocBits from freeindex's word, shifted to freeindex
  uint32_t npages = 0;
  uint32_t nelems = 0;
  uint32_t freeindex = 0;   // slots below are allocated (or unavailable) until the next sweep
  uint32_t allocCount = 0;
  uint32_t allocCountBeforeCache = 0;
  uint32_t divMul = 0;      // Go 1.19 division magic for object index (0 for large)
  uint32_t sweepgen = 0;
  SpanClass spanclass = 0;
  SpanState state = SpanState::Dead;
  bool needzero = false;
  bool divMulExact = false;
  // Placement: an mcache (homeIndex = P), or an mcentral set (homeIndex = set 0/1, homeSeq = the
  // push that is current; older queue entries with another seq are stale and skipped).
  SpanHome home = SpanHome::None;
  uint8_t homeIndex = 0;
  uint32_t homeSeq = 0;
  uint64_t liveBytes = 0;   // requested bytes of reachable objects in this span (waste ledger)
  uint32_t words = 0;       // 64-bit words per bitmap
  // Not in Go: freeindex when the GC mark in progress began (gcMark; 0 for a span allocated during
  // it), so that the views can tell allocate-black slots apart (allocatedSinceMarkStart).
  uint32_t freeindexAtMarkStart = 0;
  uint32_t bitsCap = 0;     // words of the pool block `bits` points to (SpanTable::initBits)
  // allocBits | gcmarkBits | liveBits, each `words` long, in the World's SpanTable pool.
  uint64_t* bits = nullptr;
  // Tiny blocks only, else nullptr: reachable sub-objects per slot (a 16 B slot holds at most 16),
  // after liveBits in the same block.
  uint8_t* tinyRefs = nullptr;

  uint64_t base() const { return startAddr; }
  uint64_t bytes() const { return uint64_t{npages} * kPageSize; }
  uint64_t* allocBits() { return bits; }
  uint64_t* gcmarkBits() { return bits + words; }
  uint64_t* liveBits() { return bits + 2 * words; }
  const uint64_t* allocBits() const { return bits; }
  const uint64_t* gcmarkBits() const { return bits + words; }
  const uint64_t* liveBits() const { return bits + 2 * words; }

  static bool testBit(const uint64_t* b, uint32_t i) { return (b[i >> 6] >> (i & 63)) & 1; }
  static void setBit(uint64_t* b, uint32_t i) { b[i >> 6] |= uint64_t{1} << (i & 63); }
  static void clearBit(uint64_t* b, uint32_t i) { b[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  static uint32_t popcount(const uint64_t* b, uint32_t words) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < words; ++i) n += static_cast<uint32_t>(std::popcount(b[i]));
    return n;
  }

  // Is slot i allocated right now? Every slot below freeindex was handed out since the last sweep
  // (freeindex only rises past slots it allocates or that allocBits says are taken).
  bool isAllocated(uint32_t i) const { return i < freeindex || testBit(allocBits(), i); }

  // Was slot i handed out since the mark in progress began, i.e. marked by gcmarknewobject (allocated
  // black) rather than by the snapshot? Meaningful only while a mark runs (HeapView::allocatedBlack
  // asks only then). Exact without a bitmap: every span is swept before a mark starts (gcStart's
  // finishsweep_m) and none during it, so freeindex only rises over the mark, and a slot it passed
  // with allocBits 0 was handed out then (it passes taken slots only where allocBits is 1).
  bool allocatedSinceMarkStart(uint32_t i) const {
    return i >= freeindexAtMarkStart && i < freeindex && !testBit(allocBits(), i);
  }

  // allocCache >>= n with Go's meaning: an unsigned shift by 64 or more is 0 in Go, undefined in C++
  // (x86 would shift by n mod 64). n is 64 when slot 63 of a word is taken.
  void shiftAllocCache(int n) { allocCache = n < 64 ? allocCache >> n : 0; }

  // Go: mbitmap.go (*mspan).refillAllocCache. whichWord = byte index / 8.
  void refillAllocCache(uint32_t whichWord) { allocCache = ~allocBits()[whichWord]; }

  // Go: mcentral.go cacheSpan's tail and mgcsweep.go sweep: load the cache at freeindex.
  void loadAllocCacheAtFreeindex() {
    refillAllocCache(freeindex >> 6);
    allocCache >>= (freeindex & 63);
  }

  // Go: malloc.go nextFreeFast. Returns the slot index or -1 if the fast path cannot serve.
  int64_t nextFreeFast() {
    int theBit = std::countr_zero(allocCache);
    if (theBit < 64) {
      uint32_t result = freeindex + static_cast<uint32_t>(theBit);
      if (result < nelems) {
        uint32_t freeidx = result + 1;
        if (freeidx % 64 == 0 && freeidx != nelems) return -1;
        shiftAllocCache(theBit + 1);
        freeindex = freeidx;
        allocCount++;
        return result;
      }
    }
    return -1;
  }

  // Go: mbitmap.go (*mspan).nextFreeIndex. Returns nelems when the span is full.
  uint32_t nextFreeIndex();

  // Object index of an address inside this span. Go: mbitmap.go (*mspan).divideByElemSize.
  uint32_t objIndex(uint64_t addr) const {
    uint64_t off = addr - startAddr;
    if (divMulExact) return static_cast<uint32_t>((off * divMul) >> 32);
    return elemsize ? static_cast<uint32_t>(off / elemsize) : 0;
  }
  uint64_t slotAddr(uint32_t i) const { return startAddr + uint64_t{i} * elemsize; }

  // Go: (*mspan).init + the heap-span part of allocSpan (1.26: mheap.initSpan): fresh and empty
  // (the caller then zeroes its bitmaps: SpanTable::initBits). `reserve` bytes at the span's end
  // hold metadata, not objects (Go 1.22+ heap bits, Go 1.26 inline mark bits; 0 under Go 1.19):
  // nelems = (span bytes - reserve) / elemsize.
  void initSlots(const SizeClassTable& table, SpanClass spc, uint32_t pages, uint64_t reserve);
};

} // namespace sim
