// Size-class table optimisation: see sizeclass_optimize.h.
#include "sim/sizeclass_optimize.h"

#include "sim/sizeclass_library.h"

#include <limits>
#include <stdexcept>

namespace sim {

void SizeHistogram::add(uint64_t size, uint64_t n) {
  if (size == 0) return;
  if (count.size() <= size) count.resize(size + 1, 0);
  count[size] += n;
}

uint64_t SizeHistogram::total() const {
  uint64_t t = 0;
  for (uint64_t c : count) t += c;
  return t;
}

namespace {

// A span's tail divided over its objects: each object's share, in bytes.
double tailPerObject(uint32_t size, uint32_t npages) {
  const uint64_t spanBytes = uint64_t{npages} * kPageSize;
  const uint64_t n = spanBytes / size;
  return static_cast<double>(spanBytes - n * size) / static_cast<double>(n);
}

} // namespace

uint32_t candidatePages(uint32_t size, const OptimizeOptions& opt) {
  const uint32_t rule = goSpanPages(size, opt.tailWasteDiv);
  if (!opt.baseline || size > opt.baseline->maxSmall()) return rule;
  const uint32_t c = opt.baseline->classOf(size);
  if (c == 0 || opt.baseline->cls(c).size != size) return rule;
  const uint32_t theirs = opt.baseline->cls(c).npages;
  return tailPerObject(size, theirs) < tailPerObject(size, rule) ? theirs : rule;
}

TableWaste expectedWaste(const SizeClassTable& t, const SizeHistogram& h) {
  TableWaste w;
  const uint64_t top = std::min<uint64_t>(t.maxSmall(), h.count.empty() ? 0 : h.count.size() - 1);
  for (uint64_t r = 1; r <= top; ++r) {
    const uint64_t n = h.count[r];
    if (n == 0) continue;
    const uint32_t c = t.classOf(r);
    if (c == 0) continue; // above the largest class: a large object
    const SizeClass& sc = t.cls(c);
    w.rounding += static_cast<double>(n) * static_cast<double>(sc.size - r);
    w.tail += static_cast<double>(n) * tailPerObject(sc.size, sc.npages);
    w.requests += n;
    w.requestedBytes += n * r;
  }
  return w;
}

OptimizeResult optimizeTable(const SizeHistogram& h, const OptimizeOptions& opt) {
  if (opt.step == 0 || opt.step % 8 != 0) throw std::invalid_argument("step must be a positive multiple of 8");
  if (opt.maxSmall < opt.step || opt.maxSmall % opt.step != 0 || opt.maxSmall > 32768)
    throw std::invalid_argument("maxSmall must be a multiple of step, at most 32768");
  if (opt.keepTiny16 && 16 % opt.step != 0) throw std::invalid_argument("a 16-byte class needs step 8 or 16");
  const uint32_t M = opt.maxSmall / opt.step; // candidates c_j = step*(j+1)
  const uint32_t forcedTiny = opt.keepTiny16 && opt.maxSmall > 16 ? 16 / opt.step - 1 : M;
  const uint32_t minClasses = forcedTiny < M - 1 ? 2 : 1;
  if (opt.classes < minClasses) throw std::invalid_argument("the class budget is too small for the forced classes");
  const uint32_t N = std::min(opt.classes, M);

  // Prefix sums over candidates: requests (and their bytes) up to and including c_j.
  std::vector<double> C(M + 1, 0), S(M + 1, 0), unit(M); // index j+1 = up to c_j; unit = c_j + tail share
  std::vector<uint32_t> pages(M);
  for (uint32_t j = 0; j < M; ++j) {
    const uint64_t lo = uint64_t{j} * opt.step + 1, hi = uint64_t{j + 1} * opt.step;
    double cnt = 0, bytes = 0;
    for (uint64_t r = lo; r <= hi && r < h.count.size(); ++r) {
      cnt += static_cast<double>(h.count[r]);
      bytes += static_cast<double>(h.count[r]) * static_cast<double>(r);
    }
    C[j + 1] = C[j] + cnt;
    S[j + 1] = S[j] + bytes;
    const uint32_t size = (j + 1) * opt.step;
    pages[j] = candidatePages(size, opt);
    unit[j] = size + tailPerObject(size, pages[j]);
  }
  // cost of one class at c_j serving the requests in (c_i, c_j]; i = -1 is encoded as prefix 0.
  auto cost = [&](uint32_t prefixFrom, uint32_t j) {
    const double cnt = C[j + 1] - C[prefixFrom];
    return cnt == 0 ? 0.0 : unit[j] * cnt - (S[j + 1] - S[prefixFrom]);
  };

  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> best(N + 1, std::vector<double>(M, inf));
  std::vector<std::vector<uint16_t>> from(N + 1, std::vector<uint16_t>(M, 0)); // previous class + 1 (0 = none)
  for (uint32_t j = 0; j < M; ++j)
    if (forcedTiny >= M || j <= forcedTiny) best[1][j] = cost(0, j);
  for (uint32_t k = 2; k <= N; ++k) {
    for (uint32_t j = k - 1; j < M; ++j) {
      // The previous class i must not skip the forced 16-byte class: i >= forcedTiny if j > it.
      const uint32_t iMin = (forcedTiny < M && j > forcedTiny) ? forcedTiny : 0;
      double b = inf;
      uint32_t arg = 0;
      const std::vector<double>& prev = best[k - 1];
      for (uint32_t i = iMin; i < j; ++i) {
        if (prev[i] == inf) continue;
        const double v = prev[i] + cost(i + 1, j);
        if (v < b) b = v, arg = i + 1;
      }
      best[k][j] = b;
      from[k][j] = static_cast<uint16_t>(arg);
    }
  }
  // Fewer classes may do better (a tail share can outweigh a rounding saving): take the best k.
  uint32_t bestK = 1;
  for (uint32_t k = 2; k <= N; ++k)
    if (best[k][M - 1] < best[bestK][M - 1]) bestK = k;

  std::vector<SizeClassTable::Row> rows(bestK);
  uint32_t j = M - 1;
  for (uint32_t k = bestK; k >= 1; --k) {
    const uint32_t size = (j + 1) * opt.step;
    rows[k - 1] = {size, pages[j]};
    if (k > 1) j = from[k][j] - 1u;
  }
  std::string err;
  std::optional<SizeClassTable> t = SizeClassTable::fromRows("optimized", rows, opt.maxSmall, false, &err);
  if (!t) throw std::logic_error("optimizer built an invalid table: " + err);
  OptimizeResult res{*t, {}};
  res.waste = expectedWaste(res.table, h);
  return res;
}

} // namespace sim
