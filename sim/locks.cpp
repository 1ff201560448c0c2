// Locks of the timing model: names, histograms, timelines. Design essay: sim/malloc.h.
#include "sim/locks.h"

#include <algorithm>
#include <cstdio>

namespace sim {

std::string lockName(LockId id) {
  const SpanClass spc = lockSpanClass(id);
  const std::string cls = "mcentral[class " + std::to_string(spanClassSize(spc)) +
                          (spanClassNoscan(spc) ? " noscan]" : " scan]");
  switch (lockKind(id)) {
    case LockKind::Heap: return "mheap.lock";
    case LockKind::World: return "stop-the-world";
    case LockKind::Central: return cls + ".lock";
    case LockKind::SpinePartial: return cls + ".partial spineLock";
    case LockKind::SpineFull: return cls + ".full spineLock";
  }
  return "lock " + std::to_string(id);
}

std::string executorName(uint32_t who) {
  if (who == kGCWorker) return "GC worker";
  if (who == kNoHolder) return "-";
  std::string s = "P"; // not "P" + to_string(): GCC 12 warns falsely (-Wrestrict) on that
  s += std::to_string(who);
  return s;
}

std::string durationText(uint64_t ns) {
  if (ns < 1000) return std::to_string(ns) + " ns";
  static const char* const units[] = {"\u00b5s", "ms", "s"};
  double v = static_cast<double>(ns) / 1000.0;
  int u = 0;
  while (u < 2 && v >= 1000.0) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
  return buf;
}

uint64_t LogHistogram::bucketUpper(size_t i) {
  if (i < 16) return i;
  const size_t e = (i - 16) / 16 + 4, sub = (i - 16) % 16;
  const uint64_t step = uint64_t{1} << (e - 4);
  return ((16 + sub) << (e - 4)) + (step - 1);
}

void LogHistogram::merge(const LogHistogram& o) {
  if (o.counts_.size() > counts_.size()) counts_.resize(o.counts_.size(), 0);
  for (size_t i = 0; i < o.counts_.size(); ++i) counts_[i] += o.counts_[i];
  n_ += o.n_;
  max_ = std::max(max_, o.max_);
}

uint64_t LogHistogram::quantile(uint32_t permille) const {
  if (n_ == 0) return 0;
  uint64_t rank = (n_ * permille + 999) / 1000; // ceil without floating point
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucketUpper(i), max_);
  }
  return max_;
}

LockTimeline::Grant LockTimeline::firstFree(uint64_t t) const {
  Grant g{t, kNoHolder};
  // The first interval that ends after t, searched from the back: asked for the stopped world
  // by every event, and t is almost always at or near the latest intervals.
  size_t i = busy_.size();
  while (i > 0 && busy_[i - 1].end > t) --i;
  for (; i < busy_.size() && busy_[i].begin <= g.start; ++i) g = {busy_[i].end, busy_[i].holder};
  return g;
}

LockTimeline::Grant LockTimeline::acquire(uint64_t t, uint64_t hold, uint32_t holder) {
  Grant g{t, kNoHolder};
  size_t i = busy_.size();
  if (!busy_.empty() && g.start < busy_.back().end) {
    // Slow path: find the first gap at or after the candidate that is long enough.
    i = static_cast<size_t>(std::upper_bound(busy_.begin(), busy_.end(), g.start,
                                             [](uint64_t v, const Busy& b) { return v < b.end; }) -
                            busy_.begin());
    for (; i < busy_.size(); ++i) {
      if (g.start + hold <= busy_[i].begin) break; // fits before interval i
      if (busy_[i].end > g.start) g = {busy_[i].end, busy_[i].holder};
    }
  }
  if (hold == 0) return g; // nothing to reserve
  busy_.insert(busy_.begin() + static_cast<std::ptrdiff_t>(i), Busy{g.start, g.start + hold, holder});
  if (busy_.size() >= 2 * kKeep) // forget the oldest half
    busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(busy_.size() - kKeep));
  return g;
}

} // namespace sim
