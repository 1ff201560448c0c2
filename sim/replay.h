// Replay: the one cursor over a trace. Every loop that runs events through a World — the CLI's
// replay, comparisons, the app's session, compare view and searches — is a Replay with observers,
// so stepping, seeking, checkpoints and error handling exist once. Design essay: sim/malloc.h;
// data flow: ARCHITECTURE.md §2. Not in Go: a simulator facility.
//
// The events come from an EventSource, defined here because sim/ is standard library only:
// traces/ adapts its streams and in-memory traces to it (traces/replay_source.h).
#pragma once

#include "sim/checkpoint.h"
#include "sim/event.h"
#include "sim/world.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

// Where a Replay pulls its events from, by index.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Events from index `first` on: a pointer to *n >= 1 consecutive events, valid until the next
  // call; nullptr with *n == 0 once `first` is past the end of the trace. A source that is not
  // seekable() may throw if `first` is before what it already handed out.
  virtual const Event* events(uint64_t first, size_t* n) = 0;
  // Whether events() takes any index (so a Replay may go back and re-read).
  virtual bool seekable() const { return false; }
};

// Events already in memory: a trace's vector, or one batch of a stream that starts at index `first`.
class MemorySource final : public EventSource {
 public:
  MemorySource(const std::vector<Event>& evs) : MemorySource(evs.data(), evs.size()) {}
  MemorySource(const Event* data, size_t n, uint64_t first = 0) : data_(data), n_(n), first_(first) {}
  const Event* events(uint64_t first, size_t* n) override;
  bool seekable() const override { return true; }

 private:
  const Event* data_;
  size_t n_;
  uint64_t first_;
};

// Told about the events a Replay runs. Observers keep figures over the trace (path counts,
// series, tallies); the World they see is the one the replay just stepped.
class ReplayObserver {
 public:
  virtual ~ReplayObserver() = default;
  // Event r.index ran on w (every event the engine runs, in order; after a restore the events
  // from the checkpoint on run, and are reported, again).
  virtual void onStep(const World& w, const Event& ev, const StepRecord& r) = 0;
  // The replay kept a checkpoint after `position` events (an observer with running state keeps
  // its own copy for that position here).
  virtual void onCheckpoint(uint64_t /*position*/) {}
  // The World went back to the checkpoint after `position` events.
  virtual void onRestore(uint64_t /*position*/) {}
};

// The event the engine refused: bad input (unknown id, double free, absurd size) or simulated out
// of memory (then world().failed() and the replay goes no further).
struct ReplayError {
  uint64_t index = 0;
  Event event;
  std::string why;
};

// Why a forward run stopped.
enum class ReplayStop : uint8_t {
  Target,    // reached the position asked for
  End,       // the trace ended first
  Predicate, // the stop condition held after an event (a breakpoint)
  Error,     // the engine refused an event (error() says which)
};

// Checkpoints for seeking back: one every `interval` events within `budgetBytes` of World copies
// (interval 0: none, the replay only goes forward).
struct CheckpointPolicy {
  uint64_t interval = 0;
  size_t budgetBytes = 0;
  // A seek that runs more than `nearTarget` events also keeps a copy of the World that many
  // events before its target, and one nearTarget/8 events before it (0: none): stepping back from
  // there replays at most nearTarget/8 events, and after that many steps back at most nearTarget
  // (keeping a new nearer copy on the way), instead of a whole interval. One copy per distance,
  // replaced by the next seek that runs past it; a seek forwards without a restore (playback's
  // steps) keeps a copy only if it runs more than 8 times the copy's distance.
  uint64_t nearTarget = 0;
  // The trace's length, if known (0: not): copies the budget could not keep to the end are then
  // not taken (Checkpoints::offer).
  uint64_t events = 0;
  // Packs checkpoints (Checkpoints), if set; it must outlive the replay.
  const CheckpointCodec* codec = nullptr;
  // With a codec: packed copies at least footprint/bytesPerEvent events apart (0: no bound).
  size_t bytesPerEvent = 0;
  // About 64 checkpoints over a trace of `events` (at least 4096 events apart: a copy of the World
  // costs about as much as replaying a few thousand events), before the budget thins them.
  static CheckpointPolicy spread(uint64_t events, size_t budgetBytes) {
    return {std::max<uint64_t>(4096, events / 64 + 1), budgetBytes, 0, events, nullptr, 0};
  }
};

class Replay {
 public:
  // Starts at the World's own position (world.eventsApplied()), reading events from `source`,
  // which must outlive the replay.
  Replay(World world, EventSource& source, CheckpointPolicy checkpoints = {});

  const World& world() const { return world_; }
  // Hands the World over (the replay is done with it): a scratch engine's caller keeps it, so the
  // next copy into it reuses its storage.
  World takeWorld() && { return std::move(world_); }
  // Number of events applied: the World is "after event position()-1".
  uint64_t position() const { return world_.eventsApplied(); }
  // The last refused event, if the last run stopped on one.
  const std::optional<ReplayError>& error() const { return error_; }
  const Checkpoints* checkpoints() const { return checkpoints_ ? &*checkpoints_ : nullptr; }

  void addObserver(ReplayObserver* o) { observers_.push_back(o); }
  void removeObserver(ReplayObserver* o);

  // Forwards to `target` (or the end of the trace, or the first refused event).
  ReplayStop runTo(uint64_t target) {
    return runUntil(target, [](const World&) { return false; });
  }
  // Forwards until stopAfter(world) holds after an event, as runTo otherwise.
  template <class Pred>
  ReplayStop runUntil(uint64_t target, Pred&& stopAfter);
  // Moves to `target` from wherever it is: forwards by stepping, or from the nearest checkpoint
  // at or before it. Returns false if it stopped short (the trace ended, an event was refused, or
  // going back needs checkpoints and a seekable source this replay does not have).
  bool seek(uint64_t target);
  // seek(position() + n), clamped at 0.
  bool step(int64_t n);
  // Keeps the World at the current position as a checkpoint that thinning never drops
  // (Checkpoints::pin); a no-op without checkpoints.
  void keepCheckpoint();
  // Frees what the checkpoints keep for packing the next copy (Checkpoints::releaseScratch): for
  // after a first pass, when later copies are rare.
  void releaseCheckpointScratch() {
    if (checkpoints_) checkpoints_->releaseScratch();
  }
  // The closest World at or before `position` this replay holds, a checkpoint or a copy a seek
  // kept, into *out (if not null), and its position (*at); false without checkpoints. For scratch
  // engines (searches, the event log) that start there and run forward.
  bool nearestAtOrBefore(uint64_t position, World* out, uint64_t* at) const;

 private:
  bool stepOne(const Event& ev);
  bool fetch(); // fills window_ from the source at position(); false at the end of the trace
  // World::prefetch's stages for the events 16, 12, 8 and 4 ahead of window_[at] (within the
  // window: a new one starts cold for a few events). A stage's distance covers a cache miss while
  // the events between run.
  void prefetchAhead(size_t at) const {
    const size_t left = windowSize_ - at;
    if (left > 16) world_.prefetch(window_[at + 16], World::Prefetch::Object);
    if (left > 12) world_.prefetch(window_[at + 12], World::Prefetch::PageMap);
    if (left > 8) world_.prefetch(window_[at + 8], World::Prefetch::Span);
    if (left > 4) world_.prefetch(window_[at + 4], World::Prefetch::Bits);
  }
  void restore(uint64_t target);
  // The copy a seek kept that is closest at or before `position` and after `after`; nullptr if none.
  const World* nearCopy(uint64_t position, uint64_t after) const;

  World world_;
  EventSource& source_;
  std::optional<Checkpoints> checkpoints_;
  // The copies seeks kept nearTarget_ and nearTarget_/8 events before their targets (farthest first).
  static constexpr size_t kNearCopies = 2;
  uint64_t nearDistance(size_t k) const { return nearTarget_ >> (3 * k); }
  uint64_t nearTarget_ = 0;
  std::optional<World> near_[kNearCopies];
  std::vector<ReplayObserver*> observers_;
  std::optional<ReplayError> error_;
  std::string why_; // reused for World::step's messages
  // The source's span that holds position(); only used within one run (the source may reuse it).
  const Event* window_ = nullptr;
  uint64_t windowFirst_ = 0;
  size_t windowSize_ = 0;
};

template <class Pred>
ReplayStop Replay::runUntil(uint64_t target, Pred&& stopAfter) {
  error_.reset();
  window_ = nullptr;
  windowSize_ = 0;
  bool prefetching = world_.prefetchPays(); // asked again every 4096 events
  while (position() < target) {
    const uint64_t pos = position();
    if (pos < windowFirst_ || pos - windowFirst_ >= windowSize_) {
      if (!fetch()) return ReplayStop::End;
    }
    const size_t at = static_cast<size_t>(pos - windowFirst_);
    if (pos % 4096 == 0) prefetching = world_.prefetchPays();
    if (prefetching) prefetchAhead(at);
    if (!stepOne(window_[at])) return ReplayStop::Error;
    if (stopAfter(static_cast<const World&>(world_))) return ReplayStop::Predicate;
  }
  return ReplayStop::Target;
}

} // namespace sim
