// SpanTable: the span structs and their bitmaps in one pool. Blocks never overlap, a struct reused
// for a span of another size gets bitmaps of that size, zeroed; freed blocks are reused rather than
// the pool growing for ever; a copy (and a copy assigned over a World of another size) is
// independent of its source and runs on exactly as the source would. References: patterns written
// by hand, straight replays, and the engine's invariant checks.
#include "sim/invariants.h"
#include "sim/malloc.h"
#include "sim/spantable.h"
#include "world_fingerprint.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace sim;
using spanscope_test::fingerprint;
using spanscope_test::mixedTrace;

uint32_t blockWords(const MSpan& s) { return 3 * s.words + (s.tinyRefs ? (s.nelems + 7) / 8 : 0); }

// Fills span i's whole block (bitmaps and tiny refs) with a pattern naming i and a generation.
void paint(MSpan& s, uint64_t mark) {
  for (uint32_t k = 0; k < 3 * s.words; ++k) s.bits[k] = mark * 1000 + k;
  if (s.tinyRefs)
    for (uint32_t k = 0; k < s.nelems; ++k) s.tinyRefs[k] = static_cast<uint8_t>(mark + k);
}
bool painted(const MSpan& s, uint64_t mark) {
  for (uint32_t k = 0; k < 3 * s.words; ++k)
    if (s.bits[k] != mark * 1000 + k) return false;
  if (s.tinyRefs)
    for (uint32_t k = 0; k < s.nelems; ++k)
      if (s.tinyRefs[k] != static_cast<uint8_t>(mark + k)) return false;
  return true;
}

// Random re-initialisations of 200 structs with slot counts of real spans (1 to 3072 slots, tiny
// refs on some): every block
// comes back zeroed, and no block overlaps another (each keeps its own pattern through the others'
// growth, frees and reuse, and through the pool moving).
TEST(SpanTable, BlocksStayApartThroughReuseAndGrowth) {
  SpanTable t;
  std::vector<uint64_t> mark(200);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(t.add(), static_cast<SpanId>(i));
  std::mt19937 rng(3);
  for (int round = 0; round < 20000; ++round) {
    const SpanId id = static_cast<SpanId>(rng() % 200);
    MSpan& s = t[id];
    static constexpr uint32_t kSlots[] = {1, 8, 64, 170, 341, 512, 1024, 3072};
    s.nelems = kSlots[rng() % 8];
    s.words = (s.nelems + 63) / 64;
    t.initBits(s, rng() % 8 == 0);
    ASSERT_EQ(s.bits != nullptr, true);
    ASSERT_GE(s.bitsCap, blockWords(s));
    for (uint32_t k = 0; k < 3 * s.words; ++k) {
      ASSERT_EQ(s.bits[k], 0u) << "round " << round;
    }
    for (uint32_t k = 0; s.tinyRefs && k < s.nelems; ++k) {
      ASSERT_EQ(s.tinyRefs[k], 0) << "round " << round;
    }
    mark[id] = static_cast<uint64_t>(round) + 1;
    paint(s, mark[id]);
    for (SpanId j = 0; round % 997 == 0 && j < 200; ++j) {
      ASSERT_TRUE(mark[j] == 0 || painted(t[j], mark[j])) << "span " << j << " overwritten by round " << round;
    }
  }
  for (SpanId j = 0; j < 200; ++j) {
    ASSERT_TRUE(mark[j] == 0 || painted(t[j], mark[j])) << "span " << j;
  }
  // The pool does not grow with the number of re-initialisations: within a few times 200 of the
  // largest blocks (48*3 + 384 words); a new block per re-initialisation would be ~40 MB.
  EXPECT_LT(t.footprintBytes(), size_t{200} * (48 * 3 + 384) * 8 * 4);
}

// A copy's blocks are its own: painting the source afterwards leaves the copy's patterns, and the
// copy assigned over a table of another size too.
TEST(SpanTable, ACopyOwnsItsBlocks) {
  SpanTable a;
  for (int i = 0; i < 50; ++i) {
    MSpan& s = a[a.add()];
    s.nelems = 64 * (1 + i % 16);
    s.words = s.nelems / 64;
    a.initBits(s, i % 5 == 0);
    paint(s, 1 + i);
  }
  SpanTable big;
  for (int i = 0; i < 80; ++i) {
    MSpan& s = big[big.add()];
    s.nelems = 1024;
    s.words = 16;
    big.initBits(s, false);
  }
  SpanTable small;
  SpanTable copy(a);
  big = a;
  small = a;
  for (SpanId i = 0; i < 50; ++i) paint(a[i], 500 + i);
  for (const SpanTable* c : {&copy, &big, &small}) {
    ASSERT_EQ(c->size(), 50u);
    for (SpanId i = 0; i < 50; ++i) ASSERT_TRUE(painted((*c)[i], 1 + i)) << "span " << i;
  }
  // And a copy grows on its own: a new span in the copy does not disturb the source.
  MSpan& n = copy[copy.add()];
  n.nelems = 4096;
  n.words = 64;
  copy.initBits(n, false);
  paint(n, 9);
  for (SpanId i = 0; i < 50; ++i) ASSERT_TRUE(painted(a[i], 500 + i)) << "span " << i;
  for (SpanId i = 0; i < 50; ++i) ASSERT_TRUE(painted(copy[i], 1 + i)) << "span " << i;
}

// Span structs freed by GC and reused for other classes (mixedTrace: sizes 1..2048 and large
// objects, tiny ones, frees, forced GCs): the engine's invariants hold throughout.
TEST(SpanTable, InvariantsHoldThroughSpanReuseInARandomWorkload) {
  const std::vector<Event> evs = mixedTrace(30000, 21);
  Config cfg;
  cfg.gomaxprocs = 3;
  World w(cfg);
  for (size_t i = 0; i < evs.size(); ++i) {
    ASSERT_TRUE(w.step(evs[i])) << "event " << i;
    if (i % 1500 == 0 || i + 1 == evs.size()) {
      const std::vector<std::string> bad = checkInvariants(w);
      ASSERT_TRUE(bad.empty()) << "after event " << i << ": " << bad.front();
    }
  }
}

// A World assigned over another (the replay's restore reuses its World's storage): larger and
// smaller targets, then both run on; each equals a straight replay, and the source is untouched.
TEST(SpanTable, AWorldAssignedOverAnotherRunsOnLikeAStraightReplay) {
  const std::vector<Event> evs = mixedTrace(24000, 5);
  Config cfg;
  cfg.gomaxprocs = 2;
  auto runTo = [&](World& w, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) ASSERT_TRUE(w.step(evs[i])) << "event " << i;
  };
  World straight(cfg);
  runTo(straight, 0, 8000);
  const std::string at8000 = fingerprint(straight);
  World bigger(cfg), smaller(cfg);
  runTo(bigger, 0, 20000);
  bigger = straight;
  smaller = straight;
  runTo(straight, 8000, 24000);
  EXPECT_EQ(fingerprint(bigger), at8000) << "the copy did not move with its source";
  runTo(bigger, 8000, 24000);
  runTo(smaller, 8000, 24000);
  EXPECT_EQ(fingerprint(bigger), fingerprint(straight));
  EXPECT_EQ(fingerprint(smaller), fingerprint(straight));
  EXPECT_TRUE(checkInvariants(bigger).empty());
}

} // namespace
