// Page allocator: first fit, scavenged bits, the per-P page cache (mpagealloc.go, mpagecache.go).
#include "sim/mpagealloc.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

using sim::PageAlloc;
using sim::PageCache;

uint32_t bruteBitRange(uint64_t c, uint32_t n) {
  for (uint32_t i = 0; i + n <= 64; ++i) {
    bool ok = true;
    for (uint32_t k = 0; k < n && ok; ++k) ok = (c >> (i + k)) & 1;
    if (ok) return i;
  }
  return 64;
}

TEST(PageAllocFindBitRange64, MatchesBruteForce) {
  std::mt19937_64 rng(1);
  for (int t = 0; t < 20000; ++t) {
    uint64_t c = rng() | rng(); // dense enough to hold runs
    if (t % 3 == 0) c &= rng();
    uint32_t n = 1 + static_cast<uint32_t>(rng() % 64);
    ASSERT_EQ(PageAlloc::findBitRange64(c, n), bruteBitRange(c, n)) << std::hex << c << " n=" << std::dec << n;
  }
}

TEST(PageAlloc, GrowAddsFreeScavengedChunks) {
  PageAlloc p;
  p.grow(1);
  EXPECT_EQ(p.pages(), 512u) << "growth is in whole 4 MiB chunks";
  EXPECT_EQ(p.freePages(), 512u);
  EXPECT_EQ(p.scavengedPages(), 512u) << "fresh memory counts as released";
}

TEST(PageAlloc, AllocIsAddressOrderedFirstFitAndCountsScavengedPages) {
  PageAlloc p;
  p.grow(1024);
  auto a = p.alloc(3);
  EXPECT_EQ(a.page, 0u);
  EXPECT_EQ(a.scavPages, 3u);
  auto b = p.alloc(2);
  EXPECT_EQ(b.page, 3u);
  p.free(0, 3);
  EXPECT_FALSE(p.scavenged(0)) << "freed pages are committed memory, not released";
  auto c = p.alloc(4);
  EXPECT_EQ(c.page, 5u) << "the 3-page hole is too small for 4";
  auto d = p.alloc(2);
  EXPECT_EQ(d.page, 0u) << "first fit goes back to the hole";
  EXPECT_EQ(d.scavPages, 0u);
  auto e = p.alloc(600);
  EXPECT_EQ(e.page, 9u) << "runs may cross chunk boundaries";
}

// Random alloc/free against a brute-force first fit over a plain vector<bool>.
TEST(PageAlloc, RandomSequenceMatchesBruteForceFirstFit) {
  std::mt19937 rng(42);
  PageAlloc p;
  p.grow(4 * 512);
  std::vector<bool> used(p.pages(), false);
  std::vector<std::pair<uint64_t, uint64_t>> live;
  for (int t = 0; t < 5000; ++t) {
    if (live.empty() || rng() % 3 != 0) {
      uint64_t n = rng() % 5 == 0 ? 1 + rng() % 700 : 1 + rng() % 12;
      uint64_t want = sim::kNoPage;
      for (uint64_t i = 0, run = 0; i < used.size(); ++i) {
        run = used[i] ? 0 : run + 1;
        if (run == n) {
          want = i + 1 - n;
          break;
        }
      }
      auto r = p.alloc(n);
      ASSERT_EQ(r.page, want) << "step " << t << " n=" << n;
      if (r.page == sim::kNoPage) continue;
      for (uint64_t i = 0; i < n; ++i) used[r.page + i] = true;
      live.push_back({r.page, n});
    } else {
      size_t k = rng() % live.size();
      p.free(live[k].first, live[k].second);
      for (uint64_t i = 0; i < live[k].second; ++i) used[live[k].first + i] = false;
      live.erase(live.begin() + static_cast<long>(k));
    }
  }
}

TEST(PageCache, AllocToCacheTakesTheBlockOfTheFirstFreePage) {
  PageAlloc p;
  p.grow(512);
  p.alloc(70); // pages 0..69 in use: the first free page (70) lies in block 64..127
  PageCache c = p.allocToCache();
  EXPECT_EQ(c.base, 64u);
  EXPECT_EQ(c.cache, ~uint64_t{0} << 6) << "pages 64..69 were in use";
  EXPECT_EQ(c.scav, c.cache) << "all free pages are still scavenged";
  EXPECT_TRUE(p.inUse(127)) << "the cache's pages are allocated in the page allocator";
  EXPECT_FALSE(p.scavenged(100)) << "their scavenged bits move into the cache";
  auto r = p.alloc(1);
  EXPECT_EQ(r.page, 128u) << "nobody else sees the cached block";
}

TEST(PageCache, AllocTakesLowestRunInsideTheWordOnly) {
  PageCache c;
  c.base = 64;
  c.cache = 0b1111'0000'0111ull | (uint64_t{1} << 63);
  c.scav = 0b0001'0000'0010ull;
  auto a = c.alloc(1);
  EXPECT_EQ(a.page, 64u);
  EXPECT_EQ(a.scavPages, 0u);
  auto b = c.alloc(3);
  EXPECT_EQ(b.page, 64u + 8) << "slots 1..2 are only 2 long";
  EXPECT_EQ(b.scavPages, 1u);
  auto d = c.alloc(2);
  EXPECT_EQ(d.page, 65u);
  EXPECT_EQ(c.alloc(2).page, sim::kNoPage) << "no wrap-around, no run of 2 left";
}

} // namespace
