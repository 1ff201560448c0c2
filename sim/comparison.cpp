// Comparison: see comparison.h.
#include "sim/comparison.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace sim {

Comparison::Comparison(std::vector<Config> cfgs, std::vector<std::string> names, size_t maxPoints)
    : maxPoints_(std::max<size_t>(maxPoints, 2)) {
  for (size_t i = 0; i < cfgs.size(); ++i) {
    ComparisonFigures f;
    f.name = i < names.size() ? names[i] : cfgs[i].table.name();
    f.numClasses = cfgs[i].table.numClasses() - 1;
    figs_.push_back(std::move(f));
    worlds_.emplace_back(std::move(cfgs[i]));
  }
  tallies_.resize(worlds_.size());
}

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

size_t Comparison::stepWorld(size_t w, const Event* evs, size_t n, std::string* why) {
  // The tally is kept in a local and stored once: engines on other threads update their
  // neighbours in tallies_, and sharing cache lines per event would cost more than the threads gain.
  World& world = worlds_[w];
  ComparisonFigures& f = figs_[w];
  ComparisonTally t = tallies_[w];
  size_t stop = n;
  for (size_t k = 0; k < n && !world.failed(); ++k) {
    if (!world.step(evs[k], why)) {
      if (!world.failed()) { // bad input
        stop = k;
        break;
      }
      f.error = *why; // simulated out of memory: this table stops, the others go on
      break;
    }
    t.count(world);
    if ((events_ + k) % sampleEvery_ == 0) f.heapInuseSeries.push_back(world.heapInuseBytes());
  }
  tallies_[w] = t;
  return stop;
}

bool Comparison::stepBatch(const Event* evs, size_t n, std::string* error, size_t* badIndex) {
  const size_t k = worlds_.size();
  std::vector<size_t> stop(k, n);
  std::vector<std::string> why(k);
  // Threads only pay for themselves on long batches; below that (and on one core) one thread.
  const size_t threads = n < 4096 ? 1 : std::min<size_t>(k, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t w; (w = next.fetch_add(1)) < k;) stop[w] = stepWorld(w, evs, n, &why[w]);
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
  while (!figs_.empty() && maxSeriesSize() > maxPoints_) thinSeries();
  return true;
}

size_t Comparison::maxSeriesSize() const {
  size_t m = 0;
  for (const ComparisonFigures& f : figs_) m = std::max(m, f.heapInuseSeries.size());
  return m;
}

void Comparison::thinSeries() {
  sampleEvery_ *= 2;
  for (ComparisonFigures& f : figs_) {
    std::vector<uint64_t>& v = f.heapInuseSeries;
    size_t k = 0;
    for (size_t i = 0; i < v.size(); i += 2) v[k++] = v[i]; // keep events 0, 2s, 4s, ...
    v.resize(k);
  }
}

std::vector<ComparisonFigures> Comparison::figures() const {
  std::vector<ComparisonFigures> out = figs_;
  for (size_t i = 0; i < out.size(); ++i) {
    tallies_[i].fill(out[i]);
    out[i].atEnd = worlds_[i].ledger();
  }
  return out;
}

} // namespace sim
