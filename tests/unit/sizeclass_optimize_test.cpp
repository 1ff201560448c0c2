// The size-class optimiser: exact on a histogram whose optimum is known by hand, equal to brute
// force on small instances, never worse than Go's table with Go's budget.
#include "sim/sizeclass_optimize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace sim;

TEST(OptimizeTable, ThreeSizesThreeClassesKnownOptimum) {
  SizeHistogram h;
  h.add(100, 1000);
  h.add(200, 1000);
  h.add(300, 1000);
  OptimizeOptions o;
  o.classes = 3;
  o.maxSmall = 304;
  o.keepTiny16 = false;
  const OptimizeResult r = optimizeTable(h, o);
  ASSERT_EQ(r.table.numClasses(), 4u);
  EXPECT_EQ(r.table.cls(1).size, 104u);
  EXPECT_EQ(r.table.cls(2).size, 200u);
  EXPECT_EQ(r.table.cls(3).size, 304u);
  // By hand, one 8 KiB page each: 104 B -> 78 objects, tail 80; 200 B -> 40, tail 192;
  // 304 B -> 26, tail 288. Rounding 4 + 0 + 4 per request.
  EXPECT_DOUBLE_EQ(r.waste.rounding, 1000.0 * (4 + 0 + 4));
  EXPECT_NEAR(r.waste.tail, 1000.0 * (80.0 / 78 + 192.0 / 40 + 288.0 / 26), 1e-6);
}

TEST(OptimizeTable, OneClassServesEverythingAtTheTop) {
  SizeHistogram h;
  h.add(100, 10);
  h.add(300, 10);
  OptimizeOptions o;
  o.classes = 1;
  o.maxSmall = 304;
  o.keepTiny16 = false;
  const OptimizeResult r = optimizeTable(h, o);
  ASSERT_EQ(r.table.numClasses(), 2u);
  EXPECT_EQ(r.table.cls(1).size, 304u);
  EXPECT_DOUBLE_EQ(r.waste.rounding, 10.0 * 204 + 10.0 * 4);
}

// Every subset of candidates (with the top one, and 16 when required), evaluated independently.
double bruteForce(const SizeHistogram& h, const OptimizeOptions& o) {
  const uint32_t M = o.maxSmall / o.step;
  double best = INFINITY;
  for (uint32_t mask = 0; mask < (1u << (M - 1)); ++mask) {
    std::vector<SizeClassTable::Row> rows;
    for (uint32_t j = 0; j + 1 < M; ++j)
      if (mask >> j & 1) rows.push_back({(j + 1) * o.step, 0});
    rows.push_back({o.maxSmall, 0});
    if (rows.size() > o.classes) continue;
    bool has16 = false;
    for (auto& row : rows) {
      has16 = has16 || row.size == 16;
      row.npages = candidatePages(row.size, o);
    }
    if (o.keepTiny16 && !has16) continue;
    auto t = SizeClassTable::fromRows("x", rows, o.maxSmall, false, nullptr);
    if (!t) continue;
    best = std::min(best, expectedWaste(*t, h).total());
  }
  return best;
}

TEST(OptimizeTable, EqualsBruteForceOnSmallInstances) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 20; ++round) {
    SizeHistogram h;
    for (int i = 0; i < 12; ++i) h.add(1 + rng() % 128, 1 + rng() % 50);
    OptimizeOptions o;
    o.classes = 2 + static_cast<uint32_t>(rng() % 4);
    o.maxSmall = 128;
    o.keepTiny16 = round % 2 == 0;
    const OptimizeResult r = optimizeTable(h, o);
    EXPECT_NEAR(r.waste.total(), bruteForce(h, o), 1e-6) << "round " << round;
    EXPECT_LE(r.table.numClasses() - 1, o.classes);
  }
}

TEST(OptimizeTable, NeverWorseThanGoWithSixtySevenClasses) {
  const SizeClassTable go = SizeClassTable::go119();
  std::mt19937_64 rng(5);
  for (int shape = 0; shape < 4; ++shape) {
    SizeHistogram h;
    for (int i = 0; i < 20000; ++i) {
      uint64_t s;
      switch (shape) {
        case 0: s = 1 + rng() % 32768; break;                                                   // uniform
        case 1: s = static_cast<uint64_t>(std::exp2(3 + static_cast<double>(rng() % 12000) / 1000.0)); break; // log-uniform
        case 2: s = 1 + rng() % 64; break;                                          // small only
        default: s = go.cls(static_cast<uint32_t>(1 + rng() % 67)).size - rng() % 3; break; // near Go's sizes
      }
      h.add(std::min<uint64_t>(s, 32768));
    }
    OptimizeOptions o;
    o.baseline = &go;
    const OptimizeResult r = optimizeTable(h, o);
    const TableWaste g = expectedWaste(go, h);
    EXPECT_LE(r.waste.total(), g.total() * (1 + 1e-12)) << "shape " << shape;
    EXPECT_EQ(r.table.cls(r.table.tinyClass()).size, 16u) << "the tiny allocator's class is kept";
    EXPECT_LE(r.table.numClasses() - 1, 67u);
  }
}

TEST(OptimizeTable, TheBaselinesSpansJoinTheCandidates) {
  const SizeClassTable go = SizeClassTable::go119();
  OptimizeOptions o;
  EXPECT_EQ(candidatePages(3072, o), 2u) << "Go's rule alone: 16384 % 3072 = 1024 <= 2048";
  o.baseline = &go;
  EXPECT_EQ(candidatePages(3072, o), 3u) << "Go's table: 3 pages, 8 objects, no tail";
  EXPECT_EQ(candidatePages(3080, o), 2u) << "not a Go size: the rule";
  // A trace of 3072-byte objects only: Go's table wastes nothing, and so must the optimum.
  SizeHistogram h;
  h.add(3072, 1000);
  EXPECT_DOUBLE_EQ(optimizeTable(h, o).waste.total(), 0.0);
}

TEST(OptimizeTable, RejectsImpossibleOptions) {
  SizeHistogram h;
  h.add(10);
  OptimizeOptions o;
  o.step = 12;
  EXPECT_THROW(optimizeTable(h, o), std::invalid_argument);
  o = {};
  o.maxSmall = 65536;
  EXPECT_THROW(optimizeTable(h, o), std::invalid_argument);
  o = {};
  o.classes = 1; // 16 and 32768 are both forced
  EXPECT_THROW(optimizeTable(h, o), std::invalid_argument);
}

} // namespace
