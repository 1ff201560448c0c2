// Checkpoints: see checkpoint.h.
#include "sim/checkpoint.h"

#include <algorithm>

namespace sim {

Checkpoints::Checkpoints(uint64_t interval, size_t budgetBytes)
    : interval_(std::max<uint64_t>(interval, 1)), budget_(budgetBytes) {}

bool Checkpoints::offer(const World& w, uint64_t position) {
  if (position % interval_ != 0) return false;
  if (!cps_.empty() && cps_.back().position >= position) return false;
  const size_t b = w.footprintBytes();
  cps_.push_back(Checkpoint{position, w, b});
  bytes_ += b;
  while (bytes_ > budget_ && thinnable()) thin();
  return !cps_.empty() && cps_.back().position == position;
}

void Checkpoints::pin(const World& w, uint64_t position) {
  if (!cps_.empty() && cps_.back().position >= position) {
    if (cps_.back().position == position) cps_.back().pinned = true;
    return;
  }
  const size_t b = w.footprintBytes();
  cps_.push_back(Checkpoint{position, w, b, true});
  bytes_ += b;
  while (bytes_ > budget_ && thinnable()) thin();
}

// Whether thinning can drop anything: the start and pinned checkpoints stay whatever the budget.
bool Checkpoints::thinnable() const {
  return std::any_of(cps_.begin(), cps_.end(), [](const Checkpoint& c) { return c.position != 0 && !c.pinned; });
}

void Checkpoints::thin() {
  interval_ *= 2;
  std::vector<Checkpoint> kept;
  kept.reserve(cps_.size() / 2 + 1);
  bytes_ = 0;
  for (Checkpoint& c : cps_) {
    if (c.position % interval_ != 0 && !c.pinned) continue;
    bytes_ += c.bytes;
    kept.push_back(std::move(c));
  }
  cps_ = std::move(kept);
}

const World* Checkpoints::atOrBefore(uint64_t position, uint64_t* at) const {
  auto it = std::upper_bound(cps_.begin(), cps_.end(), position,
                             [](uint64_t p, const Checkpoint& c) { return p < c.position; });
  if (it == cps_.begin()) return nullptr;
  --it;
  *at = it->position;
  return &it->world;
}

} // namespace sim
