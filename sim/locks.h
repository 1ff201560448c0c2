// Locks of the timing model: their identities, one lock's timeline of busy intervals, and a
// bounded log-bucket histogram for waits and latencies. Design essay: sim/malloc.h (TIME AND
// LOCKS); the scheduler that uses them: sim/timing.h.
// Go: runtime.mutex (lock_futex.go) for mheap_.lock and, in Go <= 1.14, mcentral.lock;
// spanSet.spineLock (mspanset.go); stopTheWorld (proc.go) for the world.
//
// Differences from Go: a lock here is a resource with a timeline, granted first-come in the
// order the engine runs events (see timing.h); spinning, futex sleeps and barging are not
// modelled — a waiter starts exactly when the holder lets go.
#pragma once

#include "sim/sizeclasses.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

// A lock's identity: its kind in bits 16.., the span class (for per-class locks) in bits 0..15.
enum class LockKind : uint8_t {
  Heap,         // mheap_.lock
  World,        // the stopped world (GC pauses, ReadMemStats): not a mutex, every P waits on it
  Central,      // mcentral[spc].lock (Go <= 1.14)
  SpinePartial, // mcentral[spc].partial swept set's spineLock (Go 1.15+)
  SpineFull,    // mcentral[spc].full swept set's spineLock
};
using LockId = uint32_t;
inline constexpr LockId makeLockId(LockKind k, SpanClass spc = 0) {
  return static_cast<LockId>(static_cast<uint32_t>(k) << 16 | spc);
}
inline constexpr LockId kHeapLock = makeLockId(LockKind::Heap);
inline constexpr LockId kWorldLock = makeLockId(LockKind::World);
inline LockKind lockKind(LockId id) { return static_cast<LockKind>(id >> 16); }
inline SpanClass lockSpanClass(LockId id) { return static_cast<SpanClass>(id & 0xffffu); }
// "mheap.lock", "mcentral[class 5 noscan].lock", "mcentral[class 5 noscan].full spineLock",
// "stop-the-world".
std::string lockName(LockId id);

// Who ran or held something: a P (0..procs-1), the background GC worker, or nobody.
inline constexpr uint32_t kNoHolder = ~uint32_t{0};
inline constexpr uint32_t kGCWorker = kNoHolder - 1;
std::string executorName(uint32_t who); // "P3", "GC worker", "-"

// Simulated time for people: "850 ns", "12.3 µs", "4.56 ms", "1.23 s".
std::string durationText(uint64_t ns);

// One lock acquisition of one event (StepRecord keeps the first few).
struct LockTake {
  LockId lock = 0;
  uint32_t holder = kNoHolder; // the P (or GC worker) whose hold made this one wait; kNoHolder if none
  uint64_t wait = 0;           // simulated ns between asking and getting
  uint64_t hold = 0;           // simulated ns held
};

// Counts of non-negative values in logarithmic buckets: exact below 16, then 16 buckets per
// power of two (an error of at most 1/16). Memory grows with the largest value seen, never with
// the number of values (at most 976 buckets for 64-bit values).
class LogHistogram {
 public:
  void add(uint64_t v) {
    const size_t i = bucketOf(v);
    if (i >= counts_.size()) counts_.resize(i + 1, 0);
    counts_[i]++;
    n_++;
    if (v > max_) max_ = v;
  }
  void merge(const LogHistogram& o);
  uint64_t count() const { return n_; }
  uint64_t max() const { return max_; }
  // The value at rank ceil(n * permille / 1000): the upper edge of its bucket, never above max().
  // 0 when empty.
  uint64_t quantile(uint32_t permille) const;

  static size_t bucketOf(uint64_t v) {
    if (v < 16) return static_cast<size_t>(v);
    const unsigned e = 63u - static_cast<unsigned>(__builtin_clzll(v)); // >= 4
    return 16 + (e - 4) * 16 + static_cast<size_t>((v >> (e - 4)) & 15u);
  }
  static uint64_t bucketUpper(size_t i);
  size_t bytes() const { return counts_.capacity() * sizeof(uint64_t); }

 private:
  std::vector<uint64_t> counts_;
  uint64_t n_ = 0, max_ = 0;
};

// When one lock is busy, as non-overlapping [begin, end) intervals sorted by begin. A request at
// time t for `hold` ns gets the earliest start >= t where the lock is free for the whole hold
// (first fit, so a request earlier in simulated time than the last grant can use an idle gap).
// Only the latest intervals are kept (kKeep..2*kKeep, so memory stays bounded); a request older
// than all of them may overlap a forgotten hold. That needs a P running far behind the others
// in simulated time, and a wrong grant there is small where a wait until the kept window would be
// huge and false.
class LockTimeline {
 public:
  struct Grant {
    uint64_t start;
    uint32_t blocker; // holder of the interval the request waited behind, kNoHolder if none
  };
  Grant acquire(uint64_t t, uint64_t hold, uint32_t holder);
  // Earliest time >= t that no busy interval covers (for the world: an event cannot start while
  // it is stopped). Blocker as above.
  Grant firstFree(uint64_t t) const;
  uint64_t lastEnd() const { return busy_.empty() ? 0 : busy_.back().end; }
  size_t bytes() const { return busy_.capacity() * sizeof(Busy); }

  static constexpr size_t kKeep = 64;

 private:
  struct Busy {
    uint64_t begin, end;
    uint32_t holder;
  };
  std::vector<Busy> busy_;
};

} // namespace sim
