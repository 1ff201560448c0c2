// CompareSession: see compare_session.h.
#include "app/model/compare_session.h"

#include "app/report/compare_report.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace model {

namespace {

constexpr size_t kCheckpointBudget = size_t{512} << 20; // all engines' World copies together

} // namespace

std::vector<ClassBucket> classBuckets(const sim::SizeClassTable& t, const sim::SizeHistogram& h) {
  std::vector<ClassBucket> out;
  uint32_t prev = 0;
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    ClassBucket b;
    b.lo = prev + 1;
    b.hi = t.cls(c).size;
    for (uint64_t s = b.lo; s <= b.hi && s < h.count.size(); ++s) {
      const uint64_t n = h.count[s];
      b.requests += n;
      b.requestedBytes += n * s;
      b.roundingBytes += n * (b.hi - s);
    }
    out.push_back(b);
    prev = b.hi;
  }
  return out;
}

namespace {

// Calls fn(event) for every allocation of `events`, from its start.
template <typename Fn>
void forEachAlloc(sim::EventSource& events, Fn fn) {
  size_t n = 0;
  for (uint64_t i = 0; const sim::Event* e = events.events(i, &n); i += n)
    for (size_t k = 0; k < n; ++k)
      if (e[k].kind == sim::EventKind::Alloc) fn(e[k]);
}

} // namespace

sim::SizeHistogram requestHistogram(sim::EventSource& events, uint64_t* largeRequests, uint32_t maxSmall) {
  sim::SizeHistogram h;
  h.count.assign(size_t{maxSmall} + 1, 0);
  forEachAlloc(events, [&](const sim::Event& e) {
    if (e.size >= 1 && e.size <= maxSmall) h.count[e.size]++;
    if (largeRequests && e.size > 32768) ++*largeRequests;
  });
  return h;
}

sim::SizeHistogram lookupHistogram(sim::EventSource& events, const sim::GoProfile& profile) {
  if (!profile.mallocHeaders) return requestHistogram(events);
  // Go 1.26 malloc.go mallocgc: small if size <= maxSmallSize - MallocHeaderSize; a pointerful
  // object with !heapBitsInSpan(size) adds its header before the class lookup.
  constexpr uint64_t kMaxSmall = 32768 - sim::kMallocHeaderSize;
  sim::SizeHistogram h;
  h.count.assign(32768 + 1, 0);
  forEachAlloc(events, [&](const sim::Event& e) {
    if (e.size < 1 || e.size > kMaxSmall) return;
    const bool header = !e.noscan && e.size > sim::kMinSizeForMallocHeader;
    h.count[e.size + (header ? sim::kMallocHeaderSize : 0)]++;
  });
  return h;
}

CompareSession::Engine::Engine(std::string n, sim::World w, std::unique_ptr<sim::EventSource> events, uint64_t count,
                               uint64_t every, size_t budget)
    : name(std::move(n)), source(std::move(events)),
      replay(std::move(w), *source, sim::CheckpointPolicy::spread(count, budget)), seriesEvery(every) {
  tallies.emplace_back(0, Tally{}); // the replay's checkpoint at the start
  replay.addObserver(this);
}

void CompareSession::Engine::onStep(const sim::World& w, const sim::Event&, const sim::StepRecord& r) {
  tally.count(w);
  // After event k (0-based) with k a multiple of seriesEvery, as sim::Comparison samples.
  if (firstPass && r.index % seriesEvery == 0) series.push_back(w.heapInuseBytes());
}

void CompareSession::Engine::onRestore(uint64_t position) {
  auto it = std::lower_bound(tallies.begin(), tallies.end(), position,
                             [](const std::pair<uint64_t, Tally>& x, uint64_t v) { return x.first < v; });
  tally = it->second; // a tally was kept at every checkpoint
}

void CompareSession::Engine::seek(uint64_t target) {
  // Simulated out of memory (or an event this table cannot take): this engine stops there, as the
  // CLI's does, and the others go on.
  if (!replay.seek(target) && replay.error() && tally.error.empty())
    tally.error = replay.error()->why.empty() ? "stopped" : replay.error()->why;
}

namespace {

std::vector<CompareConfig> tableConfigs(const Session& session, std::vector<CompareTable> tables) {
  std::vector<CompareConfig> out;
  for (CompareTable& t : tables)
    out.push_back(CompareConfig{t.name, report::configForTable(session.world().config(), std::move(t.table))});
  return out;
}

} // namespace

CompareSession::CompareSession(const Session& session, std::vector<CompareTable> tables, size_t seriesPoints)
    : CompareSession(session, tableConfigs(session, std::move(tables)), seriesPoints) {}

CompareSession::CompareSession(const Session& session, std::vector<CompareConfig> configs, size_t seriesPoints)
    : session_(session) {
  const uint64_t n = session.eventCount();
  // sim::Comparison's sampling at the end of the trace: the smallest power of two that keeps the
  // series within seriesPoints (so exports at the end equal the CLI's, chart included).
  while ((n + every_ - 1) / every_ > std::max<size_t>(seriesPoints, 2)) every_ *= 2;
  const size_t budget = kCheckpointBudget / std::max<size_t>(configs.size(), 1);
  for (CompareConfig& c : configs)
    engines_.push_back(std::make_unique<Engine>(c.name, sim::World(std::move(c.config)), session.newSource(), n, every_, budget));
  histogram_ = requestHistogram(*session.newSource(), &largeRequests_);
  for (auto& e : engines_) {
    const sim::GoProfile profile = sim::goProfile(e->replay.world().config().goVersion);
    if (profile.mallocHeaders) e->lookup = model::lookupHistogram(*session.newSource(), profile);
  }
  // The first pass: each engine over the whole trace, keeping checkpoints, then back to the start.
  // Engines share nothing but the (read-only) trace, so they run on up to hardware_concurrency()
  // threads; the result does not depend on how many.
  auto firstPass = [&](Engine& e) {
    e.seek(n);
    e.firstPass = false;
    e.replay.seek(0); // restores the tally of the start too
  };
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < engines_.size();) firstPass(*engines_[k]);
  };
  const size_t threads = std::min<size_t>(engines_.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

void CompareSession::seek(uint64_t target) {
  target = std::min(target, eventCount());
  if (target == pos_) return;
  for (auto& e : engines_) e->seek(target);
  pos_ = target;
}

std::vector<sim::ComparisonFigures> CompareSession::figures() const {
  std::vector<sim::ComparisonFigures> out;
  for (const auto& e : engines_) {
    sim::ComparisonFigures f;
    f.name = e->name;
    e->tally.fill(f);
    f.error = e->tally.error;
    f.atEnd = e->replay.world().ledger();
    f.numGC = e->replay.world().memStats().NumGC;
    f.numClasses = e->replay.world().table().numClasses() - 1;
    for (size_t i = 0; i < e->series.size() && i * every_ < pos_; ++i) f.heapInuseSeries.push_back(e->series[i]);
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace model
