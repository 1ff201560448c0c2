// Checkpoints: see checkpoint.h.
#include "sim/checkpoint.h"

#include <algorithm>

namespace sim {

Checkpoints::Checkpoints(uint64_t interval, size_t budgetBytes, uint64_t events)
    : interval_(std::max<uint64_t>(interval, 1)), budget_(budgetBytes), events_(events) {}

bool Checkpoints::offer(const World& w, uint64_t position) {
  if (position % interval_ != 0) return false;
  if (!cps_.empty() && cps_.back().position >= position) return false;
  const size_t b = w.footprintBytes();
  if (events_ > position) {
    // Copies of about this size still to come at spacing iv: this one if it is a multiple, the
    // multiples of iv after it up to the end, and room for one pinned copy.
    auto projected = [&](uint64_t iv) {
      return keptBytes(iv) + b * (events_ / iv - position / iv + (position % iv == 0 ? 1 : 0) + 1);
    };
    uint64_t iv = interval_;
    while (iv < events_ && projected(iv) > budget_) iv *= 2;
    while (interval_ < iv) thin();
    if (position % interval_ != 0) return false;
  }
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

size_t Checkpoints::keptBytes(uint64_t interval) const {
  size_t n = 0;
  for (const Checkpoint& c : cps_)
    if (c.position % interval == 0 || c.pinned) n += c.bytes;
  return n;
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
