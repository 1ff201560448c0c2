// Session: see session.h.
#include "app/gui/session.h"

#include "traces/event_stream.h"

#include <algorithm>

namespace gui {

namespace {

static_assert(static_cast<unsigned>(sim::PathStep::Count) <= 64, "EventInfo::pathMask holds 64 steps");

constexpr size_t kTargetSamples = 4096;                   // stats points over the whole trace
constexpr size_t kTargetCheckpoints = 64;                 // before the memory budget thins them
constexpr uint64_t kMinCheckpointInterval = 4096;
constexpr size_t kCheckpointBudget = size_t{1} << 30;     // 1 GiB of World copies at most

uint64_t checkpointInterval(uint64_t events) {
  return std::max<uint64_t>(kMinCheckpointInterval, events / kTargetCheckpoints + 1);
}

} // namespace

Session::Session(traces::Trace trace, std::string path, sim::Config cfg)
    : trace_(std::move(trace)), path_(std::move(path)), world_(std::move(cfg)),
      checkpoints_(checkpointInterval(trace_.events.size()), kCheckpointBudget) {}

std::unique_ptr<Session> Session::open(traces::Trace trace, std::string path, sim::Config cfg, LoadProgress* progress) {
  std::unique_ptr<Session> s(new Session(std::move(trace), std::move(path), std::move(cfg)));
  if (!s->firstPass(progress)) return nullptr;
  return s;
}

// Runs every event once: what each did, stats samples, GC points, checkpoints. Then rewinds.
bool Session::firstPass(LoadProgress* progress) {
  const sim::World initial = world_;
  const uint64_t n = trace_.events.size();
  const uint64_t sampleEvery = std::max<uint64_t>(1, n / kTargetSamples);
  events_.resize(n);
  stats_.push_back(StatsSample{0, world_.memStats(), world_.ledger()});
  checkpoints_.offer(world_, 0);
  std::string err;
  for (uint64_t i = 0; i < n; ++i) {
    const sim::Event& ev = trace_.events[i];
    if (ev.kind == sim::EventKind::Annotate) annotateEvents_.push_back(i);
    if (!world_.step(ev, &err)) {
      std::string what = path_ + ": event #" + std::to_string(i) + " (" + sim::eventKindName(ev.kind);
      if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free) what += " id " + std::to_string(trace_.originalId(ev.id));
      throw traces::TraceError(what + "): " + err);
    }
    const sim::StepRecord& r = world_.last();
    events_[i] = EventInfo{r.path, r.sizeclass, r.addr};
    const bool gc = r.has(sim::PathStep::GCCycle);
    if (gc) gcEvents_.push_back(i);
    if (gc || (i + 1) % sampleEvery == 0 || i + 1 == n) {
      stats_.push_back(StatsSample{i + 1, world_.memStats(), world_.ledger()});
    }
    checkpoints_.offer(world_, i + 1);
    if (progress && (i & 0xffff) == 0) {
      progress->eventsDone.store(i, std::memory_order_relaxed);
      if (progress->cancel.load(std::memory_order_relaxed)) return false;
    }
  }
  if (progress) progress->eventsDone.store(n, std::memory_order_relaxed);
  world_ = initial;
  return true;
}

const traces::Trace& Session::trace() const { return trace_; }
const std::string& Session::path() const { return path_; }
uint64_t Session::eventCount() const { return trace_.events.size(); }
uint64_t Session::position() const { return world_.eventsApplied(); }
const sim::World& Session::world() const { return world_; }
const sim::StepRecord* Session::lastRecord() const { return position() == 0 ? nullptr : &world_.last(); }
const std::vector<EventInfo>& Session::events() const { return events_; }
const std::vector<StatsSample>& Session::stats() const { return stats_; }
const std::vector<uint64_t>& Session::gcEvents() const { return gcEvents_; }

const std::string* Session::currentLesson() const {
  const uint64_t pos = position();
  auto it = std::upper_bound(annotateEvents_.begin(), annotateEvents_.end(), pos == 0 ? 0 : pos - 1);
  if (pos == 0 || it == annotateEvents_.begin()) return nullptr;
  const uint64_t ev = *(it - 1);
  const uint64_t id = trace_.events[ev].id;
  return id < trace_.annotations.size() ? &trace_.annotations[id] : nullptr;
}

void Session::stepForward(uint64_t target) {
  std::string err;
  while (world_.eventsApplied() < target) {
    // The first pass ran these same events on the same config, so they cannot fail here; the
    // check only guards against looping forever if that were ever broken.
    if (!world_.step(trace_.events[world_.eventsApplied()], &err)) break;
  }
}

void Session::seek(uint64_t target) {
  target = std::min<uint64_t>(target, eventCount());
  const uint64_t pos = position();
  if (target == pos) return;
  uint64_t at = 0;
  const sim::World* cp = checkpoints_.atOrBefore(target, &at);
  // Going forwards within one checkpoint interval: just keep stepping.
  if (target > pos && (cp == nullptr || at <= pos)) {
    stepForward(target);
    return;
  }
  world_ = *cp;
  stepForward(target);
}

void Session::step(int64_t n) {
  const uint64_t pos = position();
  if (n >= 0) seek(pos + static_cast<uint64_t>(n));
  else seek(static_cast<uint64_t>(-n) >= pos ? 0 : pos - static_cast<uint64_t>(-n));
}

} // namespace gui
