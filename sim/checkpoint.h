// Checkpoints: copies of the whole World taken during a forward run, so that seeking anywhere
// (and stepping back) costs one copy plus at most `interval` events. Design essay: sim/malloc.h.
// Not in Go: a simulator facility. A World is plain data (sim/malloc.h), so a copy is a complete snapshot.
#pragma once

#include "sim/world.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

class Checkpoints {
 public:
  // One checkpoint every `interval` events, within `budgetBytes`: when the copies outgrow the
  // budget, every other one is dropped and the interval doubles (seeking gets slower, never
  // wrong). Given the trace's length (`events` > 0), an offer first doubles the interval while the
  // copies still to come at it (and one pinned copy) would outgrow the budget: the copies that
  // thinning would drop later are never taken (each costs tens of ms at a 1 GiB heap).
  Checkpoints(uint64_t interval, size_t budgetBytes, uint64_t events = 0);

  // Offers the World after `position` events; kept (true) if position is a multiple of
  // interval() past the latest checkpoint.
  bool offer(const World& w, uint64_t position);
  // Keeps the World after `position` events whatever the interval (after the latest checkpoint);
  // like the start, it survives thinning. For a place a user goes to often: the end of a trace.
  void pin(const World& w, uint64_t position);
  // The latest checkpoint at or before `position` and its position; nullptr if none.
  const World* atOrBefore(uint64_t position, uint64_t* at) const;

  uint64_t interval() const { return interval_; }
  size_t count() const { return cps_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Checkpoint {
    uint64_t position;
    World world;
    size_t bytes;
    bool pinned = false;
  };
  void thin();
  bool thinnable() const;
  size_t keptBytes(uint64_t interval) const; // what thinning to `interval` would leave

  std::vector<Checkpoint> cps_; // ascending position
  uint64_t interval_;
  size_t budget_, bytes_ = 0;
  uint64_t events_; // 0: unknown
};

} // namespace sim
