// Session: see session.h.
#include "app/model/session.h"

#include "app/model/checkpoint_codec.h"
#include "traces/event_stream.h"
#include "traces/trace_cache.h"

#include <algorithm>
#include <optional>

namespace model {

namespace {

static_assert(static_cast<unsigned>(sim::PathStep::Count) <= 64, "EventInfo::pathMask holds 64 steps");

constexpr size_t kTargetSamples = 2048; // stats points over the whole trace: more than a plot has pixels
// Ledger points: World::ledger() walks every span (a 1 GiB heap has ~100,000), and one walk at every
// stats point was a sixth of the first pass. A quarter as many is still about one per pixel column
// of a full-width plot; MemStats (counters, no walk) keeps its 2048. And where a walk is long
// (more than kLongWalk spans, ~40 us), at most one per as many events as there are spans: a walk
// costs ~9 ns a span, an event at such a heap ~200 ns, so the walks stay within ~5 % of the first
// pass however large the heap is for the trace's length (10^7 larson events at 1 GiB: 512 walks
// were 12 % of it). A short trace (a lesson) keeps a ledger point at every one of its events.
constexpr size_t kLedgerSamples = 512;
constexpr size_t kLongWalk = 4096;
constexpr size_t kCheckpointBudget = size_t{480} << 20; // packed World copies: the bound on a session's memory
// After a long seek the replay keeps copies this many and kNearTarget/8 events before the target: a
// step back replays at most 1,024 events, and 8,192 once every 1,024 steps back (sim::CheckpointPolicy).
constexpr uint64_t kNearTarget = 8192;

// About 128 checkpoints over the trace, but none closer than 65,536 events: replaying that many
// takes a few milliseconds, so closer ones would only cost memory. Packed with zstd (a ninth of a
// large World's size), on a thread beside the replay, and at least footprint/64 events apart:
// packing costs ~2 ns per byte of World, replaying an event at a heap that large ~150 ns or
// more, so the packing thread keeps up and the replay never waits for it. The packed copies go to
// a file in the cache directory (SpillingCheckpointCodec), so the budget holds what stays in
// memory: each copy's small part (~0.1 MB) and the copy pinned near the end, kept whole (26 MB);
// if the file cannot be written, it holds 128 packed copies of a 1 GiB heap (~3 MB each) too.
sim::CheckpointPolicy checkpointPolicy(uint64_t events, const sim::CheckpointCodec* codec) {
  sim::CheckpointPolicy p = sim::CheckpointPolicy::spread(events, kCheckpointBudget);
  p.interval = std::max<uint64_t>(events / 128 + 1, 65536);
  p.nearTarget = kNearTarget;
  p.codec = codec;
  p.bytesPerEvent = 64;
  return p;
}

// Where checkpoints spill: the trace cache's directory (made if missing; "" if it cannot be, and
// the codec then keeps every copy in memory).
std::string spillDirectory() {
  const std::string dir = traces::traceCacheDir();
  return traces::makeCacheDir(dir + "/checkpoints") ? dir : std::string();
}

} // namespace

Session::Session(traces::Trace trace, std::unique_ptr<traces::BinaryTraceFile> file, std::string path, sim::Config cfg)
    : trace_(std::move(trace)), file_(std::move(file)), path_(std::move(path)), memory_(trace_.events),
      codec_(spillDirectory()),
      replay_(sim::World(std::move(cfg)), source(), checkpointPolicy(file_ ? file_->eventCount() : trace_.events.size(), &codec_)) {}

sim::EventSource& Session::source() const {
  if (file_) return *file_;
  return memory_;
}

std::unique_ptr<Session> Session::open(traces::Trace trace, std::string path, sim::Config cfg, LoadProgress* progress) {
  return finishOpen(std::unique_ptr<Session>(new Session(std::move(trace), nullptr, std::move(path), std::move(cfg))), progress);
}

std::unique_ptr<Session> Session::open(std::unique_ptr<traces::BinaryTraceFile> file, std::string path, sim::Config cfg,
                                       LoadProgress* progress) {
  traces::Trace t; // everything but the events, which stay in the file
  t.meta = file->meta();
  std::unique_ptr<Session> s(new Session(std::move(t), std::move(file), std::move(path), std::move(cfg)));
  return finishOpen(std::move(s), progress);
}

std::unique_ptr<Session> Session::finishOpen(std::unique_ptr<Session> s, LoadProgress* progress) {
  if (!s->firstPass(progress)) return nullptr;
  if (s->file_) {
    s->file_->completeIndex();
    s->trace_.annotations = s->file_->annotations();
  }
  s->replay_.seek(0);
  return s;
}

// Records, during the first pass, what each event did, stats samples, GC and annotation points.
class Session::History final : public sim::ReplayObserver {
 public:
  History(Session& s, uint64_t sampleEvery, uint64_t ledgerEvery)
      : s_(s), n_(s.eventCount()), sampleEvery_(sampleEvery), ledgerEvery_(ledgerEvery) {}
  void onStep(const sim::World& w, const sim::Event& ev, const sim::StepRecord& r) override {
    const uint64_t i = r.index;
    if (ev.kind == sim::EventKind::Annotate) s_.annotateEvents_.push_back(i);
    const bool gc = r.has(sim::PathStep::GCCycle);
    if (gc) s_.gcEvents_.push_back(i);
    const bool marking = w.view().pacer().marking;
    if (marking && !marking_) s_.markWindows_.push_back({i + 1, n_});
    if (!marking && marking_) s_.markWindows_.back().to = i + 1;
    marking_ = marking;
    const bool regular = i + 1 == nextSample_; // the first pass runs in order: no division per event
    if (regular) nextSample_ += sampleEvery_;
    if (!gc && !regular && i + 1 != n_) return;
    // GC samples count too, so a trace with a cycle every few events still walks at most ~512 times.
    const uint64_t spans = w.view().spanCount();
    const uint64_t every = std::max<uint64_t>(ledgerEvery_, spans > kLongWalk ? spans : 0);
    const bool ledger = i + 1 - lastLedger_ >= every || i + 1 == n_;
    if (ledger) lastLedger_ = i + 1;
    s_.stats_.push_back(StatsSample{i + 1, w.memStats(), ledger, ledger ? w.ledger() : sim::WasteLedger{}});
  }

 private:
  Session& s_;
  uint64_t n_, sampleEvery_, ledgerEvery_;
  uint64_t nextSample_ = sampleEvery_; // the next multiple of sampleEvery_
  uint64_t lastLedger_ = 0; // event of the last sample with a ledger
  bool marking_ = false;
};

// Runs every event once, recording the history, then rewinds to the start.
bool Session::firstPass(LoadProgress* progress) {
  const uint64_t n = eventCount();
  stats_.push_back(StatsSample{0, world().memStats(), true, world().ledger()});
  History history(*this, std::max<uint64_t>(1, n / kTargetSamples), std::max<uint64_t>(1, n / kLedgerSamples));
  replay_.addObserver(&history);
  auto cancelled = [&](const sim::World& w) {
    const uint64_t done = w.eventsApplied();
    if (!progress || (done & 0xffff) != 1) return false;
    progress->eventsDone.store(done - 1, std::memory_order_relaxed);
    return progress->cancel.load(std::memory_order_relaxed);
  };
  // A copy kNearTarget events before the end: opening at the end (--at end, the End key) and the
  // event log's last rows replay at most that many events, not up to a whole checkpoint interval.
  const uint64_t nearEnd = n > kNearTarget ? n - kNearTarget : 0;
  sim::ReplayStop stop = replay_.runUntil(nearEnd, cancelled);
  if (stop == sim::ReplayStop::Target) {
    if (nearEnd > 0) replay_.keepCheckpoint();
    stop = replay_.runUntil(n, cancelled);
  }
  replay_.removeObserver(&history);
  replay_.releaseCheckpointScratch();
  if (stop == sim::ReplayStop::Predicate) return false;
  if (stop == sim::ReplayStop::Error) {
    const sim::ReplayError& e = *replay_.error();
    std::string what = path_ + ": event #" + std::to_string(e.index) + " (" + sim::eventKindName(e.event.kind);
    if (e.event.kind == sim::EventKind::Alloc || e.event.kind == sim::EventKind::Free)
      what += " id " + std::to_string(trace_.originalId(e.event.id));
    throw traces::TraceError(what + "): " + e.why);
  }
  if (progress) progress->eventsDone.store(n, std::memory_order_relaxed);
  return true;
}

const traces::Trace& Session::trace() const { return trace_; }
const std::string& Session::path() const { return path_; }
uint64_t Session::eventCount() const { return file_ ? file_->eventCount() : trace_.events.size(); }
uint64_t Session::position() const { return replay_.position(); }
const sim::World& Session::world() const { return replay_.world(); }
const sim::StepRecord* Session::lastRecord() const { return position() == 0 ? nullptr : &world().last(); }
const std::vector<StatsSample>& Session::stats() const { return stats_; }
const std::vector<uint64_t>& Session::gcEvents() const { return gcEvents_; }

const std::string* Session::currentLesson() const {
  const uint64_t pos = position();
  auto it = std::upper_bound(annotateEvents_.begin(), annotateEvents_.end(), pos == 0 ? 0 : pos - 1);
  if (pos == 0 || it == annotateEvents_.begin()) return nullptr;
  const uint64_t ev = *(it - 1);
  const uint64_t id = event(ev).id;
  return id < trace_.annotations.size() ? &trace_.annotations[id] : nullptr;
}

std::string Session::describe(const sim::StepRecord& r) const {
  const std::string what = sim::describe(r);
  if (r.kind == sim::EventKind::Alloc) return "alloc id " + std::to_string(objectId(r.id)) + ": " + what;
  if (r.kind == sim::EventKind::Free) // sim::describe says "free 48 B at 0x..."
    return "free id " + std::to_string(objectId(r.id)) + ": " + (what.rfind("free ", 0) == 0 ? what.substr(5) : what);
  return what;
}

sim::Event Session::event(uint64_t i) const {
  if (!file_) return trace_.events[i];
  if (!scratchSource_) scratchSource_ = file_->reader();
  size_t n = 0;
  const sim::Event* e = scratchSource_->events(i, &n);
  if (e == nullptr) throw traces::TraceError(path_ + ": event #" + std::to_string(i) + " is past the end of the trace");
  return *e;
}

std::unique_ptr<sim::EventSource> Session::newSource() const {
  if (file_) return file_->reader();
  return std::make_unique<sim::MemorySource>(trace_.events);
}

// A scratch engine's observer: hands each event in [from, to) to the visitor.
namespace {
class ScanVisitor final : public sim::ReplayObserver {
 public:
  ScanVisitor(uint64_t from, const std::function<bool(uint64_t, const sim::Event&, const EventInfo&)>& visit)
      : from_(from), visit_(visit) {}
  void onStep(const sim::World&, const sim::Event& ev, const sim::StepRecord& r) override {
    if (r.index >= from_ && !stopped) stopped = visit_(r.index, ev, EventInfo{r.path, r.sizeclass, r.addr});
  }
  bool stopped = false;

 private:
  uint64_t from_;
  const std::function<bool(uint64_t, const sim::Event&, const EventInfo&)>& visit_;
};
} // namespace

uint64_t Session::scan(uint64_t from, uint64_t to,
                       const std::function<bool(uint64_t, const sim::Event&, const EventInfo&)>& visit) const {
  to = std::min(to, eventCount());
  if (from >= to) return to;
  uint64_t at = 0;
  replay_.nearestAtOrBefore(from, nullptr, &at); // the copies a seek kept too
  const bool fromHere = position() <= from && position() >= at;
  if (!scratchSource_) scratchSource_ = newSource();
  if (!scanWorld_) scanWorld_.emplace();
  // From here (a copy), or from the nearest kept World, copied or unpacked into the last scan's.
  if (fromHere) *scanWorld_ = world();
  else replay_.nearestAtOrBefore(from, &*scanWorld_, &at);
  sim::Replay r(std::move(*scanWorld_), *scratchSource_);
  ScanVisitor v(from, visit);
  r.addObserver(&v);
  r.runUntil(to, [&](const sim::World&) { return v.stopped; });
  const uint64_t stop = v.stopped ? r.position() - 1 : to;
  scanWorld_ = std::move(r).takeWorld();
  return stop;
}

EventInfo Session::info(uint64_t i) const {
  constexpr uint64_t kWindow = 4096;
  constexpr size_t kWindows = 32; // 32 x 4096 x 24 bytes: 3 MiB of recent rows
  const uint64_t first = i / kWindow * kWindow;
  for (auto it = infoWindows_.begin(); it != infoWindows_.end(); ++it) {
    if (it->first != first) continue;
    infoWindows_.splice(infoWindows_.begin(), infoWindows_, it);
    return it->infos[i - first];
  }
  InfoWindow w;
  w.first = first;
  w.infos.reserve(kWindow);
  scan(first, first + kWindow, [&](uint64_t, const sim::Event&, const EventInfo& e) {
    w.infos.push_back(e);
    return false;
  });
  if (i - first >= w.infos.size()) return EventInfo{}; // the engine refused an earlier event
  infoWindows_.push_front(std::move(w));
  if (infoWindows_.size() > kWindows) infoWindows_.pop_back();
  return infoWindows_.front().infos[i - first];
}

void Session::seek(uint64_t target) { replay_.seek(std::min<uint64_t>(target, eventCount())); }

void Session::step(int64_t n) { replay_.step(n); } // stops at either end of the trace

} // namespace model
