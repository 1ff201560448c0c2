// Comparison: figures for one small trace under two tables, every expected value worked out by
// hand from the tables (Go 1.19: 33 B -> 48 B, 170 per page; pow2: 33 B -> 64 B, 128 per page).
#include "sim/comparison.h"
#include "sim/malloc.h"
#include "sim/sizeclass_library.h"

#include <gtest/gtest.h>

namespace {

using namespace sim;

std::vector<Config> goAndPow2() {
  Config a, b;
  a.gogc = b.gogc = -1;
  a.tinyAlloc = b.tinyAlloc = false;
  b.table = *libraryTable("pow2", nullptr);
  return {a, b};
}

TEST(Comparison, ThreeSmallObjectsHandComputedWaste) {
  Comparison c(goAndPow2(), {"go1.19", "pow2"});
  std::string err;
  for (uint64_t id = 0; id < 3; ++id) ASSERT_TRUE(c.step(allocEvent(id, 33), &err)) << err;
  const auto f = c.figures();
  ASSERT_EQ(f.size(), 2u);
  // Go: 3 x (48 - 33) rounding; the span's tail is 8192 - 170 * 48 = 32; 167 free slots cached.
  EXPECT_EQ(f[0].atEnd.liveBytes, 99u);
  EXPECT_EQ(f[0].atEnd.roundingWaste, 45u);
  EXPECT_EQ(f[0].atEnd.tailWaste, 32u);
  EXPECT_EQ(f[0].atEnd.cachedFreeSlots, 167u * 48);
  // pow2: 3 x (64 - 33); 128 x 64 fills the page exactly; 125 free slots cached.
  EXPECT_EQ(f[1].atEnd.liveBytes, 99u);
  EXPECT_EQ(f[1].atEnd.roundingWaste, 93u);
  EXPECT_EQ(f[1].atEnd.tailWaste, 0u);
  EXPECT_EQ(f[1].atEnd.cachedFreeSlots, 125u * 64);
  for (const ComparisonFigures& x : f) {
    EXPECT_EQ(x.events, 3u);
    EXPECT_EQ(x.refills, 1u) << "only the first allocation finds no span";
    EXPECT_EQ(x.centralGrows, 1u);
    EXPECT_EQ(x.heapGrows, 1u);
    EXPECT_EQ(x.spansCreated, 1u);
    EXPECT_EQ(x.peakHeapInuse, 8192u) << "one one-page span";
    EXPECT_EQ(x.peakHeapSys, 4u << 20) << "one 4 MiB chunk";
    EXPECT_EQ(x.atEnd.total(), 4u << 20) << "the ledger accounts for every byte of HeapSys";
    EXPECT_DOUBLE_EQ(x.meanHeapInuse, 8192.0);
  }
  EXPECT_EQ(f[0].numClasses, 67u);
  EXPECT_EQ(f[1].numClasses, 13u);
}

TEST(Comparison, ABadEventStopsEveryoneAndSaysWhy) {
  Comparison c(goAndPow2(), {"a", "b"});
  std::string err;
  ASSERT_TRUE(c.step(allocEvent(0, 8), &err));
  ASSERT_TRUE(c.step(freeEvent(0), &err));
  EXPECT_FALSE(c.step(freeEvent(0), &err)) << "a double free is the trace's fault, not a table's";
  EXPECT_FALSE(err.empty());
}

TEST(Comparison, ABatchStopsEveryEngineAtTheBadEvent) {
  Comparison c(goAndPow2(), {"a", "b"});
  const std::vector<Event> evs = {allocEvent(0, 8), allocEvent(1, 8), freeEvent(0), freeEvent(0), allocEvent(2, 8)};
  std::string err;
  size_t bad = 99;
  EXPECT_FALSE(c.stepBatch(evs.data(), evs.size(), &err, &bad));
  EXPECT_EQ(bad, 3u) << "the second free of id 0";
  for (const ComparisonFigures& f : c.figures()) EXPECT_EQ(f.events, 3u) << f.name << " ran exactly the events before it";
}

TEST(Comparison, BatchesGiveTheSameFiguresAsSingleSteps) {
  std::vector<Event> evs;
  for (uint64_t i = 0; i < 5000; ++i) {
    evs.push_back(allocEvent(i, 1 + (i * 7919) % 3000));
    if (i % 3 == 2) evs.push_back(freeEvent(i - 1));
  }
  Comparison one(goAndPow2(), {"a", "b"}, 64), batched(goAndPow2(), {"a", "b"}, 64), whole(goAndPow2(), {"a", "b"}, 64);
  std::string err;
  for (const Event& e : evs) ASSERT_TRUE(one.step(e, &err)) << err;
  for (size_t i = 0; i < evs.size(); i += 1000)
    ASSERT_TRUE(batched.stepBatch(&evs[i], std::min<size_t>(1000, evs.size() - i), &err, nullptr)) << err;
  // One batch of 6666 events: long enough for the engines to run on threads.
  ASSERT_TRUE(whole.stepBatch(evs.data(), evs.size(), &err, nullptr)) << err;
  const auto a = one.figures();
  for (const Comparison* c : {&batched, &whole}) {
    const auto b = c->figures();
    for (size_t t = 0; t < 2; ++t) {
      EXPECT_EQ(a[t].peakHeapInuse, b[t].peakHeapInuse);
      EXPECT_EQ(a[t].refills, b[t].refills);
      EXPECT_EQ(a[t].atEnd.roundingWaste, b[t].atEnd.roundingWaste);
      EXPECT_DOUBLE_EQ(a[t].meanHeapSys, b[t].meanHeapSys);
      EXPECT_EQ(a[t].heapInuseSeries, b[t].heapInuseSeries);
    }
    EXPECT_EQ(one.sampleEvery(), c->sampleEvery());
  }
}

TEST(Comparison, ALongBatchStopsEveryEngineAtTheBadEvent) {
  std::vector<Event> evs;
  for (uint64_t i = 0; i < 6000; ++i) evs.push_back(allocEvent(i, 8 + i % 500));
  evs.insert(evs.begin() + 5000, freeEvent(7000)); // never allocated
  Comparison c(goAndPow2(), {"a", "b"});
  std::string err;
  size_t bad = 0;
  EXPECT_FALSE(c.stepBatch(evs.data(), evs.size(), &err, &bad));
  EXPECT_EQ(bad, 5000u);
  EXPECT_FALSE(err.empty());
  for (const ComparisonFigures& f : c.figures()) EXPECT_EQ(f.events, 5000u) << f.name << " ran exactly the events before it";
}

TEST(Comparison, OutOfMemoryStopsOnlyTheTableThatRanOut) {
  std::vector<Config> cfgs = goAndPow2();
  cfgs[1].maxHeapBytes = 8u << 20; // pow2 gets an 8 MiB heap
  Comparison c(cfgs, {"go", "pow2-small"});
  std::string err;
  // 3000 objects of 4097 B: pow2 rounds each to 8192 (24 MiB), Go to 4864 (3 per 3-page span).
  for (uint64_t id = 0; id < 3000; ++id) ASSERT_TRUE(c.step(allocEvent(id, 4097), &err)) << err;
  const auto f = c.figures();
  EXPECT_TRUE(f[0].error.empty());
  EXPECT_EQ(f[0].events, 3000u);
  EXPECT_FALSE(f[1].error.empty());
  EXPECT_LT(f[1].events, 3000u);
  EXPECT_LE(f[1].peakHeapSys, 8u << 20);
}

} // namespace

namespace {

TEST(Comparison, SeriesStaysWithinItsPointBudgetAndKeepsEvenSpacing) {
  sim::Config cfg;
  cfg.gogc = -1;
  sim::Comparison c({cfg}, {"go"}, 8);
  std::string err;
  for (uint64_t id = 0; id < 100; ++id) ASSERT_TRUE(c.step(sim::allocEvent(id, 8192), &err));
  // Every allocation is a one-page span: HeapInuse after event i (0-based) is (i + 1) pages, and
  // the series holds events 0, s, 2s, ... for the final spacing s.
  const auto f = c.figures();
  const uint64_t s = c.sampleEvery();
  EXPECT_EQ(s, 16u) << "1 -> 2 -> 4 -> 8 -> 16 as 100 samples outgrow 8 points";
  ASSERT_LE(f[0].heapInuseSeries.size(), 8u);
  ASSERT_GE(f[0].heapInuseSeries.size(), 4u);
  for (size_t k = 0; k < f[0].heapInuseSeries.size(); ++k)
    EXPECT_EQ(f[0].heapInuseSeries[k], (k * s + 1) * 8192) << "point " << k;
}

} // namespace
