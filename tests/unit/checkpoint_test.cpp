// Checkpoints: a World restored from a checkpoint and run forward must be the same World as one
// that ran straight through — the property seeking and stepping back rely on. The reference is
// an independent straight replay; the comparison covers every observable piece of state.
#include "sim/checkpoint.h"
#include "sim/malloc.h"
#include "world_fingerprint.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using namespace sim;
using spanscope_test::fingerprint;
using spanscope_test::mixedTrace;
using spanscope_test::offerEachStep;

// A codec for the tests: runs of zero bytes as their length (a World's bulk has many: empty
// bitmaps, unused span fields), other bytes as they are, each chunk led by two 32-bit counts.
class ZeroRunCodec : public CheckpointCodec {
 public:
  std::string pack(std::string_view in) const override {
    ++packs;
    std::string out;
    for (size_t i = 0; i < in.size();) {
      uint32_t lit = 0, zeros = 0;
      while (i + lit < in.size() && in[i + lit] != 0) ++lit;
      while (i + lit + zeros < in.size() && in[i + lit + zeros] == 0) ++zeros;
      out.append(reinterpret_cast<const char*>(&lit), 4).append(reinterpret_cast<const char*>(&zeros), 4);
      out.append(in.substr(i, lit));
      i += lit + zeros;
    }
    return out;
  }
  std::string unpack(std::string_view in, size_t bytes) const override {
    std::string out;
    while (in.size() >= 8) {
      uint32_t lit = 0, zeros = 0;
      std::memcpy(&lit, in.data(), 4);
      std::memcpy(&zeros, in.data() + 4, 4);
      out.append(in.substr(8, lit)).append(zeros, '\0');
      in.remove_prefix(8 + lit);
    }
    EXPECT_EQ(out.size(), bytes);
    return out;
  }
  mutable std::atomic<int> packs{0};
};

class CheckpointsPacked : public ::testing::TestWithParam<bool> {};

TEST_P(CheckpointsPacked, RestoredWorldRunForwardEqualsStraightReplay) {
  const std::vector<Event> evs = mixedTrace(20000, 7);
  Config cfg;
  cfg.gomaxprocs = 2;
  ZeroRunCodec codec;
  Checkpoints cps(1000, size_t{1} << 30, 0, GetParam() ? &codec : nullptr);
  World w(cfg);
  offerEachStep(cps, w, evs, evs.size());
  for (uint64_t target : {0ull, 1ull, 999ull, 1000ull, 1001ull, 12345ull, 19999ull, 20000ull}) {
    uint64_t at = ~0ull;
    World restored;
    ASSERT_TRUE(cps.restore(target, &restored, &at));
    EXPECT_EQ(at, target / 1000 * 1000) << "the latest multiple of the interval at or before the target";
    World straight(cfg);
    for (uint64_t i = 0; i < at; ++i) ASSERT_TRUE(straight.step(evs[i]));
    EXPECT_EQ(restored.footprintBytes(), World(straight).footprintBytes()) << "what a copy made then would hold";
    for (uint64_t i = at; i < target; ++i) ASSERT_TRUE(straight.step(evs[i]));
    for (uint64_t i = at; i < target; ++i) ASSERT_TRUE(restored.step(evs[i]));
    EXPECT_EQ(fingerprint(restored), fingerprint(straight)) << "target " << target;
  }
  EXPECT_EQ(codec.packs.load(), GetParam() ? 21 : 0) << "every copy kept is packed, once";
}

// A pinned copy (the end of a trace, visited often) is kept whole: restoring it copies, and the
// run that pins it never waits for a packing. It counts whole against the budget.
TEST(Checkpoints, APinnedCopyIsKeptWhole) {
  const std::vector<Event> evs = mixedTrace(3000, 5);
  ZeroRunCodec codec;
  Checkpoints cps(1000, size_t{1} << 30, 0, &codec);
  World w;
  offerEachStep(cps, w, evs, 2500);
  const size_t packedBytes = cps.bytes();
  cps.pin(w, 2500);
  EXPECT_EQ(codec.packs.load(), 3) << "0, 1000 and 2000 are packed; the pinned 2500 is not";
  EXPECT_EQ(cps.bytes(), packedBytes + w.footprintBytes()) << "counted whole";
  uint64_t at = 0;
  World back;
  ASSERT_TRUE(cps.restore(2700, &back, &at));
  EXPECT_EQ(at, 2500u);
  EXPECT_EQ(fingerprint(back), fingerprint(w));
  ASSERT_TRUE(cps.restore(2499, &back, &at)) << "a packed one, restored into the World that held the pinned one";
  EXPECT_EQ(at, 2000u);
  World straight;
  for (size_t i = 0; i < 2000; ++i) ASSERT_TRUE(straight.step(evs[i]));
  EXPECT_EQ(fingerprint(back), fingerprint(straight));
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, CheckpointsPacked, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Packed" : "Whole"; });

// A codec that keeps the bulk itself and packs it to its 8-byte number: what a packed copy
// counts is then exactly the World without its bulk, plus 8.
class StashCodec : public CheckpointCodec {
 public:
  std::string pack(std::string_view in) const override {
    std::lock_guard<std::mutex> lock(mu);
    stash.emplace_back(in);
    const uint64_t id = stash.size() - 1;
    return std::string(reinterpret_cast<const char*>(&id), sizeof id);
  }
  std::string unpack(std::string_view in, size_t bytes) const override {
    std::lock_guard<std::mutex> lock(mu);
    uint64_t id = 0;
    std::memcpy(&id, in.data(), sizeof id);
    EXPECT_EQ(stash.at(id).size(), bytes);
    return stash.at(id);
  }
  mutable std::mutex mu;
  mutable std::vector<std::string> stash;
};

// Packed copies count their packed size against the budget, so the same offers thin less.
TEST(Checkpoints, PackedCopiesCountTheirPackedSize) {
  const std::vector<Event> evs = mixedTrace(20000, 7);
  Config cfg;
  cfg.gomaxprocs = 2;
  World w(cfg);
  for (size_t i = 0; i < 10000; ++i) ASSERT_TRUE(w.step(evs[i]));
  World hollow = w;
  std::string bulkBytes;
  hollow.takeBulk(bulkBytes);
  const size_t bulk = bulkBytes.size();
  ASSERT_GT(bulk, w.footprintBytes() / 4) << "the bulk is a good part of even a small World";
  hollow = World(hollow); // a copy: none of the storage takeBulk left behind (as a kept copy holds)
  StashCodec codec;
  Checkpoints one(1000, size_t{1} << 30, 0, &codec);
  one.offer(w, 10000);
  EXPECT_EQ(one.bytes(), hollow.footprintBytes() + 8);
  uint64_t at = 0;
  World back;
  ASSERT_TRUE(one.restore(10000, &back, &at));
  EXPECT_EQ(fingerprint(back), fingerprint(w));

  // The budget holds 5 whole copies of the World at 10,000 events.
  const size_t budget = 5 * w.footprintBytes();
  Checkpoints whole(1000, budget), packed(1000, budget, 0, &codec);
  World v(cfg);
  whole.offer(v, 0);
  packed.offer(v, 0);
  for (size_t i = 0; i < evs.size(); ++i) {
    ASSERT_TRUE(v.step(evs[i]));
    whole.offer(v, i + 1);
    packed.offer(v, i + 1);
  }
  EXPECT_GT(packed.count(), whole.count());
  EXPECT_LT(packed.interval(), whole.interval());
  EXPECT_LE(packed.bytes(), budget);
  EXPECT_LE(whole.bytes(), budget);
}

// Packed copies at least footprint/bytesPerEvent events apart: the interval doubles until the
// World's size over bytesPerEvent fits in it, and only multiples of the doubled interval stay.
TEST(Checkpoints, PackedCopiesAreFarApartForALargeWorld) {
  const std::vector<Event> evs = mixedTrace(20000, 7);
  World w;
  StashCodec codec;
  Checkpoints cps(1000, size_t{1} << 30, 0, &codec, 64);
  cps.offer(w, 0);
  size_t largest = 0;
  for (size_t i = 0; i < evs.size(); ++i) {
    ASSERT_TRUE(w.step(evs[i]));
    largest = std::max(largest, w.footprintBytes());
    cps.offer(w, i + 1);
  }
  const uint64_t floor = largest / 64;
  ASSERT_GT(floor, 2000u) << "the test's World is large enough to matter";
  EXPECT_GE(cps.interval(), floor / 2) << "doubled up to the last World's size / 64";
  EXPECT_LE(cps.interval(), 2 * floor);
  EXPECT_EQ(cps.count(), evs.size() / cps.interval() + 1);
  uint64_t at = 0;
  ASSERT_TRUE(cps.atOrBefore(evs.size(), &at));
  EXPECT_EQ(at % cps.interval(), 0u);
  // The bound holds from the first copy after the start on, when there is nothing to thin yet:
  // a World already that large is not packed 1,000 events in.
  Checkpoints first(1000, size_t{1} << 30, 0, &codec, 64);
  first.offer(w, 0);
  EXPECT_FALSE(first.offer(w, 1000));
  EXPECT_EQ(first.count(), 1u);
  EXPECT_GE(first.interval(), w.footprintBytes() / 64);
  // Without a codec the bound does not apply (copying is cheap next to packing).
  Checkpoints whole(1000, size_t{1} << 30, 0, nullptr, 64);
  World v;
  offerEachStep(whole, v, evs, evs.size());
  EXPECT_EQ(whole.interval(), 1000u);
}

TEST(Checkpoints, OnlyMultiplesOfTheIntervalAreKept) {
  Checkpoints cps(10, size_t{1} << 30);
  World w;
  for (uint64_t p = 0; p <= 35; ++p) cps.offer(w, p);
  EXPECT_EQ(cps.count(), 4u) << "0, 10, 20, 30";
  uint64_t at = 0;
  ASSERT_TRUE(cps.atOrBefore(29, &at));
  EXPECT_EQ(at, 20u);
}

TEST(Checkpoints, OverBudgetDropsEveryOtherAndDoublesTheInterval) {
  World w;
  const size_t one = w.footprintBytes();
  // Room for 3 copies: offering 0, 10, 20, 30 overflows at the 4th, which keeps 0 and 20.
  Checkpoints cps(10, 3 * one + one / 2);
  for (uint64_t p = 0; p <= 30; p += 10) cps.offer(w, p);
  EXPECT_EQ(cps.interval(), 20u);
  EXPECT_EQ(cps.count(), 2u);
  uint64_t at = 0;
  ASSERT_TRUE(cps.atOrBefore(19, &at));
  EXPECT_EQ(at, 0u) << "10 was dropped";
  ASSERT_TRUE(cps.atOrBefore(30, &at));
  EXPECT_EQ(at, 20u);
  EXPECT_LE(cps.bytes(), 3 * one + one / 2);
}

TEST(Checkpoints, APinnedCheckpointSurvivesThinningAndIsFound) {
  World w;
  const size_t one = w.footprintBytes();
  // Room for 3 copies: 0, 10, pinned 17, then 20 overflows; thinning keeps 0 and 17 (pinned) and
  // 20 (a multiple of the doubled interval).
  Checkpoints cps(10, 3 * one + one / 2);
  cps.offer(w, 0);
  cps.offer(w, 10);
  cps.pin(w, 17);
  cps.offer(w, 20);
  EXPECT_EQ(cps.interval(), 20u);
  EXPECT_EQ(cps.count(), 3u) << "0, 17 (pinned), 20";
  uint64_t at = 0;
  ASSERT_TRUE(cps.atOrBefore(19, &at));
  EXPECT_EQ(at, 17u);
  ASSERT_TRUE(cps.atOrBefore(16, &at));
  EXPECT_EQ(at, 0u) << "10 was dropped";
  // Over budget with nothing left to drop but the start and a pinned copy: it stops thinning.
  Checkpoints tight(10, one / 2);
  tight.offer(w, 0);
  tight.pin(w, 5);
  EXPECT_EQ(tight.count(), 2u);
  tight.offer(w, 10);
  EXPECT_EQ(tight.count(), 2u) << "10 is dropped, 0 and the pinned 5 stay";
  ASSERT_TRUE(tight.atOrBefore(9, &at));
  EXPECT_EQ(at, 5u);
}

TEST(Checkpoints, KnowingTheTraceLengthTakesNoCopyThatThinningWouldDrop) {
  World w;
  const size_t one = w.footprintBytes();
  // Room for 3.5 copies over 100 events, one every 10: at 10 apart 10 more copies (and a pinned
  // one) would come, at 20 six, at 40 four, at 80 three (80, the pinned one and 0 itself): 80.
  Checkpoints cps(10, 3 * one + one / 2, 100);
  EXPECT_TRUE(cps.offer(w, 0));
  EXPECT_EQ(cps.interval(), 80u);
  for (uint64_t p = 10; p < 80; p += 10) EXPECT_FALSE(cps.offer(w, p)) << p;
  EXPECT_TRUE(cps.offer(w, 80));
  cps.pin(w, 95);
  EXPECT_EQ(cps.count(), 3u);
  EXPECT_LE(cps.bytes(), 3 * one + one / 2) << "the pinned copy fits without thinning";
  uint64_t at = 0;
  ASSERT_TRUE(cps.atOrBefore(90, &at));
  EXPECT_EQ(at, 80u);
  // Without the length the same offers are copied and thinned afterwards (the 4th copy overflows
  // at 30 and again at 60): 8 copies taken for the same 3 kept.
  Checkpoints blind(10, 3 * one + one / 2);
  for (uint64_t p = 0; p <= 80; p += 10) blind.offer(w, p);
  EXPECT_EQ(blind.interval(), 40u);
  EXPECT_EQ(blind.count(), 3u) << "0, 40, 80";
}

TEST(Checkpoints, FootprintGrowsWithTheHeap) {
  World w;
  const size_t empty = w.footprintBytes();
  for (uint64_t i = 0; i < 10000; ++i) ASSERT_TRUE(w.step(allocEvent(i, 512)));
  // 10000 objects of 512 B fill 10000/16 = 625 spans: at least their bitmaps and object tables.
  EXPECT_GT(w.footprintBytes(), empty + 10000 * (sizeof(uint64_t) + sizeof(uint32_t)));
}

} // namespace
