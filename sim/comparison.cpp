// Comparison: see comparison.h.
#include "sim/comparison.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace sim {

// One engine: a Replay of its config over the batch; as its observer it keeps the running figures.
// Each lives in its own allocation, so engines on different threads share no cache lines.
struct Comparison::Engine final : ReplayObserver {
  Engine(Config cfg, EventSource& batch, const uint64_t& sampleEvery) : replay(World(std::move(cfg)), batch), every(sampleEvery) {
    replay.addObserver(this);
  }
  void onStep(const World& w, const Event&, const StepRecord& r) override {
    tally.count(w);
    if (r.index % every == 0) fig.heapInuseSeries.push_back(w.heapInuseBytes());
  }
  Replay replay;
  ComparisonFigures fig;
  ComparisonTally tally;
  const uint64_t& every; // the comparison's sampleEvery_
};

Comparison::Comparison(std::vector<Config> cfgs, std::vector<std::string> names, size_t maxPoints)
    : maxPoints_(std::max<size_t>(maxPoints, 2)) {
  for (size_t i = 0; i < cfgs.size(); ++i) {
    auto e = std::make_unique<Engine>(std::move(cfgs[i]), batch_, sampleEvery_);
    e->fig.name = i < names.size() ? names[i] : e->replay.world().table().name();
    e->fig.numClasses = e->replay.world().table().numClasses() - 1;
    engines_.push_back(std::move(e));
  }
}

Comparison::~Comparison() = default;

const World& Comparison::world(size_t k) const { return engines_[k]->replay.world(); }

void ComparisonTally::count(const World& w) {
  const StepRecord& r = w.last();
  ++events;
  if (r.has(PathStep::AllocSpan)) ++spansCreated;
  if (r.has(PathStep::Refill)) ++refills;
  if (r.has(PathStep::CentralGrow)) ++centralGrows;
  if (r.has(PathStep::HeapGrow)) ++heapGrows;
  if (r.has(PathStep::LargeAlloc)) ++largeAllocs;
  const uint64_t inuse = w.heapInuseBytes(), sys = w.heapSysBytes();
  peakHeapInuse = std::max(peakHeapInuse, inuse);
  peakHeapSys = std::max(peakHeapSys, sys);
  sumHeapInuse += static_cast<double>(inuse);
  sumHeapSys += static_cast<double>(sys);
}

void ComparisonTally::fill(ComparisonFigures& f) const {
  f.events = events;
  f.spansCreated = spansCreated;
  f.refills = refills;
  f.centralGrows = centralGrows;
  f.heapGrows = heapGrows;
  f.largeAllocs = largeAllocs;
  f.peakHeapInuse = peakHeapInuse;
  f.peakHeapSys = peakHeapSys;
  const double n = static_cast<double>(std::max<uint64_t>(events, 1));
  f.meanHeapInuse = sumHeapInuse / n;
  f.meanHeapSys = sumHeapSys / n;
}

size_t Comparison::stepEngine(Engine& e, size_t n, std::string* why) {
  if (e.replay.world().failed()) return n;
  if (e.replay.runTo(events_ + n) != ReplayStop::Error) return n;
  const ReplayError& err = *e.replay.error();
  *why = err.why;
  if (!e.replay.world().failed()) return static_cast<size_t>(err.index - events_); // bad input
  e.fig.error = err.why; // simulated out of memory: this table stops, the others go on
  return n;
}

bool Comparison::stepBatch(const Event* evs, size_t n, std::string* error, size_t* badIndex) {
  const size_t k = engines_.size();
  batch_ = MemorySource(evs, n, events_);
  std::vector<size_t> stop(k, n);
  std::vector<std::string> why(k);
  // Threads only pay for themselves on long batches; below that (and on one core) one thread.
  const size_t threads = n < 4096 ? 1 : std::min<size_t>(k, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t w; (w = next.fetch_add(1)) < k;) stop[w] = stepEngine(*engines_[w], n, &why[w]);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();

  const size_t first = static_cast<size_t>(std::min_element(stop.begin(), stop.end()) - stop.begin());
  if (k > 0 && stop[first] < n) {
    // Bad input: the trace is unusable for every table, so the caller stops; no figures are reported.
    if (error) *error = why[first];
    if (badIndex) *badIndex = stop[first];
    events_ += stop[first];
    return false;
  }
  events_ += n;
  while (!engines_.empty() && maxSeriesSize() > maxPoints_) thinSeries();
  return true;
}

size_t Comparison::maxSeriesSize() const {
  size_t m = 0;
  for (const auto& e : engines_) m = std::max(m, e->fig.heapInuseSeries.size());
  return m;
}

void Comparison::thinSeries() {
  sampleEvery_ *= 2;
  for (auto& e : engines_) {
    std::vector<uint64_t>& v = e->fig.heapInuseSeries;
    size_t k = 0;
    for (size_t i = 0; i < v.size(); i += 2) v[k++] = v[i]; // keep events 0, 2s, 4s, ...
    v.resize(k);
  }
}

std::vector<ComparisonFigures> Comparison::figures() const {
  std::vector<ComparisonFigures> out;
  for (const auto& e : engines_) {
    out.push_back(e->fig);
    e->tally.fill(out.back());
    out.back().atEnd = e->replay.world().ledger();
    out.back().numGC = e->replay.world().memStats().NumGC;
  }
  return out;
}

} // namespace sim
