// Comparison: see comparison.h.
#include "sim/comparison.h"

#include <algorithm>

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

bool Comparison::stepBatch(const Event* evs, size_t n, std::string* error, size_t* badIndex) {
  std::string why;
  size_t limit = n; // shrinks to the first bad event, so every engine stops at the same place
  for (size_t w = 0; w < worlds_.size(); ++w) {
    World& world = worlds_[w];
    ComparisonFigures& f = figs_[w];
    for (size_t k = 0; k < limit && !world.failed(); ++k) {
      if (!world.step(evs[k], &why)) {
        if (world.failed()) { // simulated out of memory: this table stops, the others go on
          f.error = why;
          break;
        }
        limit = k; // bad input: the same for every table (earlier engines are already past it)
        if (error) *error = why;
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
      sumInuse_[w] += static_cast<double>(inuse);
      sumSys_[w] += static_cast<double>(sys);
      if ((events_ + k) % sampleEvery_ == 0) f.heapInuseSeries.push_back(inuse);
    }
  }
  if (limit < n) {
    // Engines before the one that found the bad event ran past it: the trace is unusable for all,
    // so the caller stops; their figures are not reported.
    if (badIndex) *badIndex = limit;
    events_ += limit;
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
