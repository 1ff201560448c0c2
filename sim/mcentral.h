// mcentral: per span class, four FIFO span sets. Design essay: sim/malloc.h.
// Go: mcentral.go (type mcentral, partialSwept/partialUnswept/fullSwept/fullUnswept), mspanset.go.
//
// Differences from Go: a spanSet is a FIFO ring of (span, push sequence) here instead of a
// lock-free two-level block array; order is the same, and push and pop counters say when Go would
// have needed a new 512-entry block (and its spineLock, for the timing model) and when it would
// have returned one to spanSetBlockPool (the blocks' memory: sim/mheap_metadata.cpp). An entry
// whose sequence no longer matches the span's current placement is stale and skipped by pop (Go's
// sets tolerate stale entries too).
#pragma once

#include "sim/mspan.h"

#include <cstdint>
#include "sim/bulk.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

inline constexpr uint32_t kSpanSetBlockEntries = 512; // Go: spanSetBlockEntries

// Go: mspanset.go spanSet (push to the tail, pop from the head).
class SpanSet {
 public:
  struct Entry {
    SpanId span;
    uint32_t seq;
  };
  // Returns true if Go's push would take spineLock here: the first push into a new block (taken
  // from spanSetBlockPool). The first push ever also persistentallocs the spine (hasSpine).
  bool push(SpanId s, uint32_t seq) {
    q_.push_back({s, seq});
    hasSpine_ = true;
    return pushes_++ % kSpanSetBlockEntries == 0;
  }
  // Go: spanSet.reset at sweep termination (the set is empty): blocks and spine start over; the
  // block holding the head, if any, goes back to the pool. Returns the blocks returned (0 or 1).
  uint32_t resetSpine() {
    const uint32_t live = (pushes_ + kSpanSetBlockEntries - 1) / kSpanSetBlockEntries - pops_ / kSpanSetBlockEntries;
    pushes_ = pops_ = 0;
    return live;
  }
  bool hasSpine() const { return hasSpine_; }
  // True if the last pop emptied its block (Go: pop's `block.popped.Add(1) == spanSetBlockEntries`
  // returns the block to spanSetBlockPool).
  bool lastPopFreedBlock() const { return pops_ % kSpanSetBlockEntries == 0; }
  // Pops the oldest entry (possibly stale; the caller checks). False when empty.
  bool pop(Entry* e) {
    if (head_ == q_.size()) return false;
    *e = q_[head_++];
    ++pops_;
    if (head_ == q_.size()) {
      q_.clear();
      head_ = 0;
    } else if (head_ >= 1024 && head_ * 2 >= q_.size()) {
      q_.erase(q_.begin(), q_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return true;
  }
  // The entries as bytes appended to `out`, leaving none (storage kept); and back (World::takeBulk).
  void takeBulk(std::string& out) { takeArray(q_, out); }
  void putBulk(std::string_view& in) { putArray(in, q_); }
  const Entry* begin() const { return q_.data() + head_; }
  const Entry* end() const { return q_.data() + q_.size(); }
  size_t size() const { return q_.size() - head_; }
  size_t rawEntries() const { return q_.size(); } // stale ones included (for footprints)

  // Not in Go (its sets are emptied by every GC): drops the entries isCurrent rejects, keeping
  // order, once the set has doubled since it was last compacted. Without a GC (immediate
  // liveness) a span moving full -> partial -> full leaves stale entries that would otherwise
  // pile up for ever; doubling keeps the cost amortised O(1) per push. prefetch(e) is called 8
  // entries ahead of isCurrent(e) (each reads a span struct: cache misses in a large heap).
  template <typename IsCurrent, typename Prefetch>
  void compactIfStale(IsCurrent isCurrent, Prefetch prefetch) {
    if (size() < compactAt_) return;
    size_t k = 0;
    for (size_t i = head_; i < q_.size(); ++i) {
      if (i + 8 < q_.size()) prefetch(q_[i + 8]);
      if (isCurrent(q_[i])) q_[k++] = q_[i];
    }
    q_.resize(k);
    head_ = 0;
    compactAt_ = std::max<size_t>(kMinCompact, 2 * k);
  }

 private:
  static constexpr size_t kMinCompact = 1024;
  std::vector<Entry> q_;
  size_t head_ = 0;
  size_t compactAt_ = kMinCompact;
  uint32_t pushes_ = 0; // Go: the tail index since the last reset
  uint32_t pops_ = 0;   // Go: the head index since the last reset
  bool hasSpine_ = false; // Go: spine != nil (allocated at the first push, never freed)
};

// Go: mcentral. With sg = mheap.sweepgen: partial[(sg/2)%2] is partialSwept and the other is
// partialUnswept; likewise full. Adding 2 to sweepgen swaps the roles without moving anything.
struct MCentral {
  SpanSet partial[2];
  SpanSet full[2];
  std::array<SpanSet*, 4> sets() { return {&partial[0], &partial[1], &full[0], &full[1]}; }
  std::array<const SpanSet*, 4> sets() const { return {&partial[0], &partial[1], &full[0], &full[1]}; }
  static uint32_t sweptIndex(uint32_t sg) { return (sg / 2) % 2; }
  static uint32_t unsweptIndex(uint32_t sg) { return 1 - (sg / 2) % 2; }
};

} // namespace sim
