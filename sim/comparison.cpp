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
  sumInuse_.assign(worlds_.size(), 0);
  sumSys_.assign(worlds_.size(), 0);
}

size_t Comparison::stepWorld(size_t w, const Event* evs, size_t n, std::string* why) {
  // Counters are kept in locals and stored once: engines on other threads update their
  // neighbours in figs_ and the sums, and sharing cache lines per event would cost more than
  // the threads gain.
  World& world = worlds_[w];
  ComparisonFigures f = std::move(figs_[w]);
  double sumInuse = sumInuse_[w], sumSys = sumSys_[w];
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
    const StepRecord& r = world.last();
    ++f.events;
    if (r.has(PathStep::AllocSpan)) ++f.spansCreated;
    if (r.has(PathStep::Refill)) ++f.refills;
    if (r.has(PathStep::CentralGrow)) ++f.centralGrows;
    if (r.has(PathStep::HeapGrow)) ++f.heapGrows;
    if (r.has(PathStep::LargeAlloc)) ++f.largeAllocs;
    const uint64_t inuse = world.heapInuseBytes(), sys = world.heapSysBytes();
    f.peakHeapInuse = std::max(f.peakHeapInuse, inuse);
    f.peakHeapSys = std::max(f.peakHeapSys, sys);
    sumInuse += static_cast<double>(inuse);
    sumSys += static_cast<double>(sys);
    if ((events_ + k) % sampleEvery_ == 0) f.heapInuseSeries.push_back(inuse);
  }
  figs_[w] = std::move(f);
  sumInuse_[w] = sumInuse;
  sumSys_[w] = sumSys;
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
    const double n = static_cast<double>(std::max<uint64_t>(out[i].events, 1));
    out[i].meanHeapInuse = sumInuse_[i] / n;
    out[i].meanHeapSys = sumSys_[i] / n;
    out[i].atEnd = worlds_[i].ledger();
  }
  return out;
}

} // namespace sim
