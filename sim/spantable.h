// The span structs by id (Go: mheap.allspans, the mspans spanalloc hands out) and their bitmaps
// (Go: the gcBits arenas that newMarkBits/newAllocBits carve allocBits and gcmarkBits from).
// Design essay: sim/malloc.h.
//
// Differences from Go: every span's allocBits | gcmarkBits | liveBits (and a tiny span's refs) is
// one block of a single pool owned by the table, kept by the span struct between uses (Go frees
// gcBits arenas a cycle later). Not in Go but why it exists: copying a World is a checkpoint, and a
// copy with one vector per span was ~83,000 allocations for a 1 GiB heap; a pool is one memcpy.
// MSpan::bits points into the pool: copies and pool growth move those pointers
// (a pointer from allocBits() is valid until the next initBits or copy, like an MSpan& until the
// next add()).
#pragma once

#include "sim/mspan.h"
#include "sim/prefetch.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

class SpanTable {
 public:
  SpanTable() = default;
  SpanTable(const SpanTable& o);
  SpanTable& operator=(const SpanTable& o);
  SpanTable(SpanTable&&) noexcept = default; // the pool's buffer moves with it: pointers stay valid
  SpanTable& operator=(SpanTable&&) noexcept = default;

  MSpan& operator[](SpanId s) { return spans_[s]; }
  const MSpan& operator[](SpanId s) const { return spans_[s]; }
  size_t size() const { return spans_.size(); }
  std::vector<MSpan>::iterator begin() { return spans_.begin(); }
  std::vector<MSpan>::iterator end() { return spans_.end(); }
  std::vector<MSpan>::const_iterator begin() const { return spans_.begin(); }
  std::vector<MSpan>::const_iterator end() const { return spans_.end(); }

  // A new span struct (Dead, no bitmaps); its id.
  SpanId add();
  // Zeroed bitmaps for s.words words each, and tiny refs for its s.nelems slots if tinyBlocks,
  // in the block s already has if it is large enough. Go: newMarkBits + newAllocBits in initSpan.
  void initBits(MSpan& s, bool tinyBlocks);
  // Heap bytes held: the structs, the pool, the free lists.
  size_t footprintBytes() const;
  // The structs and the pool as bytes appended to `out`, leaving both empty (storage kept); and
  // back, from the front of `in` (World::takeBulk).
  void takeBulk(std::string& out);
  void putBulk(std::string_view& in);
  // Fetches span s's struct into the cache ahead of use (it may straddle two lines).
  void prefetch(SpanId s) const {
    prefetchLine(&spans_[s]);
    prefetchLine(reinterpret_cast<const char*>(&spans_[s] + 1) - 1);
  }

 private:
  void rebase(uintptr_t from); // points every span's bits into pool_, which was at `from`

  std::vector<MSpan> spans_;
  std::vector<uint64_t> pool_;
  std::vector<std::vector<uint32_t>> free_; // offsets of free blocks in pool_, by size in words
};

} // namespace sim
