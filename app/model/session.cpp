// Session: see session.h.
#include "app/model/session.h"

#include "traces/event_stream.h"

#include <algorithm>

namespace model {

namespace {

static_assert(static_cast<unsigned>(sim::PathStep::Count) <= 64, "EventInfo::pathMask holds 64 steps");

constexpr size_t kTargetSamples = 4096;                   // stats points over the whole trace
constexpr size_t kCheckpointBudget = size_t{1} << 30;     // 1 GiB of World copies at most

} // namespace

Session::Session(traces::Trace trace, std::string path, sim::Config cfg)
    : trace_(std::move(trace)), path_(std::move(path)), source_(trace_.events),
      replay_(sim::World(std::move(cfg)), source_, sim::CheckpointPolicy::spread(trace_.events.size(), kCheckpointBudget)) {}

std::unique_ptr<Session> Session::open(traces::Trace trace, std::string path, sim::Config cfg, LoadProgress* progress) {
  std::unique_ptr<Session> s(new Session(std::move(trace), std::move(path), std::move(cfg)));
  if (!s->firstPass(progress)) return nullptr;
  return s;
}

// Records, during the first pass, what each event did, stats samples, GC and annotation points.
class Session::History final : public sim::ReplayObserver {
 public:
  History(Session& s, uint64_t sampleEvery) : s_(s), n_(s.eventCount()), sampleEvery_(sampleEvery) {}
  void onStep(const sim::World& w, const sim::Event& ev, const sim::StepRecord& r) override {
    const uint64_t i = r.index;
    if (ev.kind == sim::EventKind::Annotate) s_.annotateEvents_.push_back(i);
    s_.events_[i] = EventInfo{r.path, r.sizeclass, r.addr};
    const bool gc = r.has(sim::PathStep::GCCycle);
    if (gc) s_.gcEvents_.push_back(i);
    if (gc || (i + 1) % sampleEvery_ == 0 || i + 1 == n_) s_.stats_.push_back(StatsSample{i + 1, w.memStats(), w.ledger()});
  }

 private:
  Session& s_;
  uint64_t n_, sampleEvery_;
};

// Runs every event once, recording the history, then rewinds to the start.
bool Session::firstPass(LoadProgress* progress) {
  const uint64_t n = eventCount();
  events_.resize(n);
  stats_.push_back(StatsSample{0, world().memStats(), world().ledger()});
  History history(*this, std::max<uint64_t>(1, n / kTargetSamples));
  replay_.addObserver(&history);
  auto cancelled = [&](const sim::World& w) {
    const uint64_t done = w.eventsApplied();
    if (!progress || (done & 0xffff) != 1) return false;
    progress->eventsDone.store(done - 1, std::memory_order_relaxed);
    return progress->cancel.load(std::memory_order_relaxed);
  };
  const sim::ReplayStop stop = replay_.runUntil(n, cancelled);
  replay_.removeObserver(&history);
  if (stop == sim::ReplayStop::Predicate) return false;
  if (stop == sim::ReplayStop::Error) {
    const sim::ReplayError& e = *replay_.error();
    std::string what = path_ + ": event #" + std::to_string(e.index) + " (" + sim::eventKindName(e.event.kind);
    if (e.event.kind == sim::EventKind::Alloc || e.event.kind == sim::EventKind::Free)
      what += " id " + std::to_string(trace_.originalId(e.event.id));
    throw traces::TraceError(what + "): " + e.why);
  }
  if (progress) progress->eventsDone.store(n, std::memory_order_relaxed);
  replay_.seek(0);
  return true;
}

const traces::Trace& Session::trace() const { return trace_; }
const std::string& Session::path() const { return path_; }
uint64_t Session::eventCount() const { return trace_.events.size(); }
uint64_t Session::position() const { return replay_.position(); }
const sim::World& Session::world() const { return replay_.world(); }
const sim::StepRecord* Session::lastRecord() const { return position() == 0 ? nullptr : &world().last(); }
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

std::string Session::describe(const sim::StepRecord& r) const {
  const std::string what = sim::describe(r);
  if (r.kind == sim::EventKind::Alloc) return "alloc id " + std::to_string(objectId(r.id)) + ": " + what;
  if (r.kind == sim::EventKind::Free) // sim::describe says "free 48 B at 0x..."
    return "free id " + std::to_string(objectId(r.id)) + ": " + (what.rfind("free ", 0) == 0 ? what.substr(5) : what);
  return what;
}

void Session::seek(uint64_t target) { replay_.seek(std::min<uint64_t>(target, eventCount())); }

void Session::step(int64_t n) { replay_.step(n); } // stops at either end of the trace

} // namespace model
