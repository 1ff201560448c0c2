// Replay: see replay.h.
#include "sim/replay.h"

#include <algorithm>
#include <utility>

namespace sim {

const Event* MemorySource::events(uint64_t first, size_t* n) {
  if (first < first_ || first - first_ >= n_) {
    *n = 0;
    return nullptr;
  }
  *n = static_cast<size_t>(n_ - (first - first_));
  return data_ + (first - first_);
}

Replay::Replay(World world, EventSource& source, CheckpointPolicy checkpoints)
    : world_(std::move(world)), source_(source) {
  if (checkpoints.interval == 0) return;
  nearTarget_ = checkpoints.nearTarget;
  checkpoints_.emplace(checkpoints.interval, checkpoints.budgetBytes, checkpoints.events, checkpoints.codec,
                       checkpoints.bytesPerEvent);
  // The start, so that every position from here on can be reached again (position 0 survives
  // any thinning). No observer is attached yet, so none is told.
  checkpoints_->offer(world_, position());
}

void Replay::removeObserver(ReplayObserver* o) { std::erase(observers_, o); }

bool Replay::fetch() {
  size_t n = 0;
  const Event* evs = source_.events(position(), &n);
  if (evs == nullptr || n == 0) return false;
  window_ = evs;
  windowFirst_ = position();
  windowSize_ = n;
  return true;
}

bool Replay::stepOne(const Event& ev) {
  if (!world_.step(ev, &why_)) {
    error_ = ReplayError{position(), ev, why_};
    return false;
  }
  const StepRecord& r = world_.last();
  for (ReplayObserver* o : observers_) o->onStep(world_, ev, r);
  if (checkpoints_ && checkpoints_->offer(world_, position()))
    for (ReplayObserver* o : observers_) o->onCheckpoint(position());
  return true;
}

const World* Replay::nearCopy(uint64_t position, uint64_t after) const {
  const World* best = nullptr;
  for (const std::optional<World>& n : near_) {
    if (n && n->eventsApplied() <= position && n->eventsApplied() > after && (best == nullptr || n->eventsApplied() > best->eventsApplied()))
      best = &*n;
  }
  return best;
}

bool Replay::nearestAtOrBefore(uint64_t position, World* out, uint64_t* at) const {
  if (!checkpoints_ || !checkpoints_->atOrBefore(position, at)) return false; // the start is always kept
  if (const World* n = nearCopy(position, *at)) {
    *at = n->eventsApplied();
    if (out != nullptr) *out = *n;
    return true;
  }
  return out == nullptr || checkpoints_->restore(position, out, at);
}

void Replay::restore(uint64_t target) {
  uint64_t at = 0;
  // Observers keep their state per checkpoint (onRestore), so with any attached only those count.
  if (observers_.empty()) nearestAtOrBefore(target, &world_, &at);
  else checkpoints_->restore(target, &world_, &at);
  for (ReplayObserver* o : observers_) o->onRestore(at);
}

bool Replay::seek(uint64_t target) {
  const uint64_t pos = position();
  if (target == pos) return true;
  uint64_t at = 0;
  const bool canRestore = checkpoints_ && source_.seekable() && checkpoints_->atOrBefore(target, &at);
  const bool jumped = canRestore && (target < pos || (at > pos && !world_.failed()));
  if (target < pos && !canRestore) return false;
  if (jumped) restore(target); // back, or a checkpoint past here is closer than stepping on
  const uint64_t run = target - position();
  for (size_t k = 0; canRestore && observers_.empty() && k < kNearCopies; ++k) {
    // Keep copies shortly before the target: stepping back from there is then cheap. A copy
    // assigned over the one it replaces reuses its storage (no allocation, no page faults), but
    // still costs about as much as a few thousand events: a run forwards from here (playback's
    // steps) keeps one only when it is long next to that (more than 8 times its distance).
    const uint64_t d = nearDistance(k);
    if (d == 0 || target - position() <= d || (!jumped && run <= 8 * d)) continue;
    if (runTo(target - d) != ReplayStop::Target) return false;
    near_[k] = world_;
  }
  return runTo(target) == ReplayStop::Target;
}

void Replay::keepCheckpoint() {
  if (!checkpoints_) return;
  checkpoints_->pin(world_, position());
  for (ReplayObserver* o : observers_) o->onCheckpoint(position());
}

bool Replay::step(int64_t n) {
  const uint64_t pos = position();
  if (n >= 0) return seek(pos + static_cast<uint64_t>(n));
  return seek(static_cast<uint64_t>(-n) >= pos ? 0 : pos - static_cast<uint64_t>(-n));
}

} // namespace sim
