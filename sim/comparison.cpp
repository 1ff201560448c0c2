// Comparison: see comparison.h.
#include "sim/comparison.h"

#include <algorithm>

namespace sim {

Comparison::Comparison(std::vector<Config> cfgs, std::vector<std::string> names, uint64_t sampleEvery)
    : sampleEvery_(std::max<uint64_t>(sampleEvery, 1)) {
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

bool Comparison::step(const Event& ev, std::string* error) {
  std::string why;
  for (size_t i = 0; i < worlds_.size(); ++i) {
    World& w = worlds_[i];
    ComparisonFigures& f = figs_[i];
    if (w.failed()) continue;
    if (!w.step(ev, &why)) {
      if (!w.failed()) { // bad input: the same for every table
        if (error) *error = why;
        return false;
      }
      f.error = why; // simulated out of memory: this table stops, the others go on
      continue;
    }
    const StepRecord& r = w.last();
    ++f.events;
    if (r.has(PathStep::AllocSpan)) ++f.spansCreated;
    if (r.has(PathStep::Refill)) ++f.refills;
    if (r.has(PathStep::CentralGrow)) ++f.centralGrows;
    if (r.has(PathStep::HeapGrow)) ++f.heapGrows;
    if (r.has(PathStep::LargeAlloc)) ++f.largeAllocs;
    const uint64_t inuse = w.heapInuseBytes(), sys = w.heapSysBytes();
    f.peakHeapInuse = std::max(f.peakHeapInuse, inuse);
    f.peakHeapSys = std::max(f.peakHeapSys, sys);
    sumInuse_[i] += static_cast<double>(inuse);
    sumSys_[i] += static_cast<double>(sys);
    if (events_ % sampleEvery_ == 0) f.heapInuseSeries.push_back(inuse);
  }
  ++events_;
  return true;
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
