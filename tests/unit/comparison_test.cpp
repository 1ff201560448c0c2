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
