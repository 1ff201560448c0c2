// mspan slot search: nextFreeFast / nextFreeIndex as Go 1.19 runs them (malloc.go, mbitmap.go).
#include "sim/mspan.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <set>
#include <vector>

namespace {

using sim::MSpan;

// A span of `nelems` slots whose allocBits are `taken`, as sweep leaves it (freeindex 0). Its
// bitmaps live in `bitmaps` (a World keeps them in its SpanTable), which outlives every test's span.
MSpan sweptSpan(uint32_t nelems, const std::set<uint32_t>& taken) {
  static std::deque<std::vector<uint64_t>> bitmaps;
  MSpan s;
  s.startAddr = 0xc000000000;
  s.npages = 1;
  s.elemsize = 8;
  s.nelems = nelems;
  s.words = (nelems + 63) / 64;
  s.bits = bitmaps.emplace_back(size_t{s.words} * 3, 0).data();
  for (uint32_t i : taken) MSpan::setBit(s.allocBits(), i);
  s.allocCount = static_cast<uint32_t>(taken.size());
  s.freeindex = 0;
  s.refillAllocCache(0);
  return s;
}

// Allocates like mallocgc: nextFreeFast, else nextFreeIndex (+ allocCount++ by the caller).
uint32_t allocOne(MSpan& s, bool* fast) {
  int64_t r = s.nextFreeFast();
  *fast = r >= 0;
  if (r >= 0) return static_cast<uint32_t>(r);
  uint32_t i = s.nextFreeIndex();
  if (i < s.nelems) s.allocCount++;
  return i;
}

TEST(MSpanNextFree, HandsOutFreeSlotsInIncreasingOrderThenReportsFull) {
  std::mt19937 rng(7);
  for (uint32_t nelems : {1u, 3u, 63u, 64u, 65u, 170u, 341u, 1024u}) {
    std::set<uint32_t> taken;
    for (uint32_t i = 0; i < nelems; ++i)
      if (rng() % 3 == 0) taken.insert(i);
    MSpan s = sweptSpan(nelems, taken);
    std::vector<uint32_t> got;
    for (;;) {
      bool fast = false;
      uint32_t i = allocOne(s, &fast);
      if (i == nelems) break;
      got.push_back(i);
      ASSERT_LE(got.size(), nelems);
    }
    std::vector<uint32_t> want;
    for (uint32_t i = 0; i < nelems; ++i)
      if (!taken.count(i)) want.push_back(i);
    EXPECT_EQ(got, want) << "nelems " << nelems;
    EXPECT_EQ(s.allocCount, nelems);
    EXPECT_EQ(s.freeindex, nelems);
  }
}

TEST(MSpanNextFree, FastPathRefusesToCrossA64SlotBoundary) {
  // Go: nextFreeFast returns 0 when freeidx%64 == 0 && freeidx != nelems, leaving the refill of
  // allocCache to nextFreeIndex.
  MSpan s = sweptSpan(128, {});
  bool fast = false;
  for (uint32_t i = 0; i < 63; ++i) ASSERT_EQ(allocOne(s, &fast), i);
  EXPECT_TRUE(fast);
  EXPECT_EQ(s.nextFreeFast(), -1) << "slot 63 would make freeindex 64 != nelems";
  EXPECT_EQ(s.nextFreeIndex(), 63u);
  EXPECT_EQ(s.freeindex, 64u);
  EXPECT_EQ(s.allocCache, ~uint64_t{0}) << "nextFreeIndex refilled the cache for slots 64..127";
  EXPECT_EQ(s.nextFreeFast(), 64);
}

TEST(MSpanNextFree, FastPathMayTakeTheLastSlotAtA64Boundary) {
  MSpan s = sweptSpan(64, {});
  bool fast = false;
  for (uint32_t i = 0; i < 64; ++i) ASSERT_EQ(allocOne(s, &fast), i);
  EXPECT_TRUE(fast) << "freeidx 64 == nelems is allowed on the fast path";
  EXPECT_EQ(s.nextFreeIndex(), 64u);
}

TEST(MSpanNextFree, SkipsWholeTakenWords) {
  std::set<uint32_t> taken;
  for (uint32_t i = 0; i < 192; ++i) taken.insert(i);
  MSpan s = sweptSpan(200, taken);
  EXPECT_EQ(s.nextFreeFast(), -1);
  EXPECT_EQ(s.nextFreeIndex(), 192u);
}

TEST(MSpanObjIndex, DivMagicMatchesDivisionForEveryGoClass) {
  const sim::SizeClassTable t = sim::SizeClassTable::go119();
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    MSpan s;
    s.startAddr = 0xc000000000;
    s.initSlots(t, sim::makeSpanClass(c, true), t.cls(c).npages, 0);
    ASSERT_TRUE(s.divMulExact) << "class " << c;
    for (uint32_t i = 0; i < s.nelems; ++i) {
      EXPECT_EQ(s.objIndex(s.slotAddr(i)), i);
      EXPECT_EQ(s.objIndex(s.slotAddr(i) + s.elemsize - 1), i);
    }
  }
}

} // namespace

// Taking slot 63 of a word shifts allocCache by 64. Go defines x >> 64 as 0 for unsigned x; in C++
// it is undefined (x86 shifts by 64 mod 64 = 0 and leaves the cache as it was). Both paths must
// leave an empty cache, and the slot sequence must be the same as Go's.
TEST(MSpanNextFree, TakingBit63EmptiesTheCacheAsGoShiftsDo) {
  std::set<uint32_t> first63;
  for (uint32_t i = 0; i < 63; ++i) first63.insert(i);

  MSpan fast = sweptSpan(64, first63);
  EXPECT_EQ(fast.nextFreeFast(), 63) << "freeidx 64 == nelems: the fast path may take bit 63";
  EXPECT_EQ(fast.allocCache, 0u);
  EXPECT_EQ(fast.freeindex, 64u);
  EXPECT_EQ(fast.nextFreeFast(), -1);
  EXPECT_EQ(fast.nextFreeIndex(), 64u);

  MSpan slow = sweptSpan(64, first63);
  EXPECT_EQ(slow.nextFreeIndex(), 63u);
  EXPECT_EQ(slow.allocCache, 0u);
  EXPECT_EQ(slow.freeindex, 64u);
  EXPECT_EQ(slow.nextFreeFast(), -1);
  EXPECT_EQ(slow.nextFreeIndex(), 64u);

  // Across words: slot 63 taken by nextFreeIndex (bit 63), then the refilled word 1 in order.
  std::set<uint32_t> taken = first63;
  taken.insert(65);
  MSpan two = sweptSpan(130, taken);
  std::vector<uint32_t> got;
  bool viaFast = false;
  for (uint32_t i; (i = allocOne(two, &viaFast)) != 130;) got.push_back(i);
  std::vector<uint32_t> want{63, 64};
  for (uint32_t i = 66; i < 130; ++i) want.push_back(i);
  EXPECT_EQ(got, want);
}
