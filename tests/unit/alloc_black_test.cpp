// Allocate-black during the GC mark window (sim/mgc.cpp gcmarknewobject, HeapView::allocatedBlack):
// which slots a mark in progress marked because they were allocated during it, against Go's rules:
//   * mgc.go gcStart: the previous cycle's sweep is finished (finishsweep_m) before the mark
//     starts, so every span is swept and no gcmarkBits are set; the mark then shades what is
//     reachable (here: the trace's liveness at that moment, plus each P's tiny block,
//     gcMarkTinyAllocs).
//   * malloc.go mallocgc: `if gcphase != _GCoff { gcmarknewobject(span, x, size) }` after the slot
//     is taken (not for a tiny hit, whose block is marked already); mgcmark.go gcmarknewobject
//     sets the slot's mark bit: the object is allocated black.
//   * mbarrier.go: the deletion barrier shades the pointer being overwritten, so an object
//     reachable when the mark started stays marked when the program drops it during the mark; a
//     dropped allocate-black object is marked already.
//   * mgc.go gcMarkTermination -> gcSweep; mgcsweep.go sweep: allocBits = gcmarkBits, so every
//     marked slot (allocate-black ones included) is kept by this cycle's sweep; a slot dropped
//     during the mark is unmarked only at the next cycle's mark and freed by that cycle's sweep.
#include "sim/heapview.h"
#include "sim/malloc.h"
#include "tests/unit/checked_step.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

using sim::PathStep;

constexpr uint64_t kLarge = 65536; // a large noscan object: a span of its own, heapLive += 64 KiB

struct Where {
  sim::SpanId span = sim::kNoSpan;
  uint32_t slot = 0;
  uint64_t addr = 0;
};

Where whereIs(const sim::World& w, uint64_t id) {
  const sim::HeapView v = w.view();
  Where r;
  r.addr = v.objectAddr(id);
  EXPECT_NE(r.addr, 0u) << "object " << id << " is live";
  r.span = v.spanAt(r.addr);
  r.slot = v.span(r.span).objIndex(r.addr);
  return r;
}

bool marked(const sim::World& w, const Where& p) { return sim::MSpan::testBit(w.view().span(p.span).gcmarkBits(), p.slot); }
bool black(const sim::World& w, const Where& p) { return w.view().allocatedBlack(p.span, p.slot); }
bool allocated(const sim::World& w, const Where& p) {
  const sim::MSpan& s = w.view().span(p.span);
  return s.state == sim::SpanState::InUse && s.isAllocated(p.slot);
}

// Every slot of the heap the view calls allocated black.
uint64_t blackSlots(const sim::World& w) {
  const sim::HeapView v = w.view();
  uint64_t n = 0;
  for (sim::SpanId s = 0; s < v.spanCount(); ++s) {
    if (v.span(s).state != sim::SpanState::InUse) continue;
    for (uint32_t i = 0; i < v.span(s).nelems; ++i) n += v.allocatedBlack(s, i);
  }
  return n;
}

sim::Config markConfig() {
  sim::Config c;
  c.gomaxprocs = 1;
  c.gogc = 100;
  c.globalsBytes = 16 << 20; // 16 MiB of scan work: the mark lasts over many allocations
  c.sweep = sim::SweepMode::Eager; // mark termination sweeps every span: the sweep's result is visible at once
  return c;
}

TEST(AllocateBlack, TheMarkWindowFlagsWhatItsAllocationsMarkedAndTheSweepsFollowGo) {
  sim::World w(markConfig());
  auto step = [&](const sim::Event& ev) { return testutil::checkedStep(w, ev); };
  // Before any mark: four 48 B objects in one span (slots 0..3), object 1 dropped at once; one
  // 8 B tiny object (the P's tiny block).
  for (uint64_t id = 0; id < 4; ++id) step(sim::allocEvent(id, 48, /*noscan=*/false));
  const Where a0 = whereIs(w, 0), a1 = whereIs(w, 1), a2 = whereIs(w, 2), a3 = whereIs(w, 3);
  step(sim::freeEvent(1));
  step(sim::allocEvent(4, 8));
  const Where tiny0 = whereIs(w, 4);
  // Large objects up to the trigger: the one that crosses it starts the cycle after it is
  // allocated (mallocgc tests the trigger at its end), so it is in the snapshot.
  uint64_t id = 100;
  while (!w.view().pacer().marking && id < 1100) step(sim::allocEvent(id++, kLarge));
  ASSERT_TRUE(w.view().pacer().marking) << "the pacer started a mark that runs over the next events";
  const Where trigger = whereIs(w, id - 1);
  EXPECT_EQ(blackSlots(w), 0u) << "nothing is allocated black before the mark's first allocation";

  // The snapshot: reachable objects are marked but not black; the dropped one is not marked.
  EXPECT_TRUE(marked(w, a0));
  EXPECT_FALSE(black(w, a0));
  EXPECT_FALSE(marked(w, a1)) << "unreachable when the mark started";
  EXPECT_FALSE(black(w, a1));
  EXPECT_TRUE(marked(w, tiny0)) << "gcMarkTinyAllocs";
  EXPECT_FALSE(black(w, tiny0));
  EXPECT_TRUE(marked(w, trigger));
  EXPECT_FALSE(black(w, trigger)) << "allocated before gcStart";

  uint64_t allocBlackSteps = 0;
  auto during = [&](const sim::Event& ev) {
    const sim::StepRecord r = step(ev);
    allocBlackSteps += r.has(PathStep::AllocBlack);
    EXPECT_TRUE(w.view().pacer().marking) << "the mark must still run";
    return r;
  };
  // A 48 B object during the mark: the next slot of the cached span (4), marked and black.
  EXPECT_TRUE(during(sim::allocEvent(10, 48, false)).has(PathStep::AllocBlack));
  const Where b10 = whereIs(w, 10);
  EXPECT_EQ(b10.span, a0.span);
  EXPECT_EQ(b10.slot, 4u);
  EXPECT_TRUE(marked(w, b10));
  EXPECT_TRUE(black(w, b10));
  // A snapshot object dropped during the mark stays marked (the deletion barrier), not black.
  during(sim::freeEvent(2));
  EXPECT_TRUE(marked(w, a2));
  EXPECT_FALSE(black(w, a2));
  // An object allocated and dropped during the mark stays marked and black.
  during(sim::allocEvent(11, 48, false));
  const Where b11 = whereIs(w, 11);
  during(sim::freeEvent(11));
  EXPECT_TRUE(marked(w, b11));
  EXPECT_TRUE(black(w, b11));
  // A tiny hit packs into the snapshot's tiny block (off 8, 4 B fits): no gcmarknewobject, the
  // block is not black. A 12 B one no longer fits (off 12 + 12 > 16): a new block, black.
  EXPECT_TRUE(during(sim::allocEvent(12, 4)).has(PathStep::TinyHit));
  EXPECT_EQ(whereIs(w, 12).slot, tiny0.slot);
  EXPECT_FALSE(black(w, tiny0));
  EXPECT_TRUE(during(sim::allocEvent(13, 12)).has(PathStep::TinyNewBlock));
  const Where b13 = whereIs(w, 13);
  EXPECT_TRUE(marked(w, b13));
  EXPECT_TRUE(black(w, b13));
  // Large objects: a span of their own, slot 0 black; one is dropped during the mark.
  during(sim::allocEvent(14, kLarge));
  during(sim::allocEvent(15, kLarge));
  const Where b14 = whereIs(w, 14), b15 = whereIs(w, 15);
  during(sim::freeEvent(15));
  for (const Where& p : {b14, b15}) {
    EXPECT_TRUE(marked(w, p));
    EXPECT_TRUE(black(w, p));
  }
  // 200 more 48 B objects: they fill the cached span (170 slots) and a fresh span takes the rest;
  // every one is black, wherever it landed.
  for (uint64_t k = 0; k < 200; ++k) during(sim::allocEvent(1000 + k, 48, false));
  EXPECT_NE(whereIs(w, 1199).span, a0.span) << "the last ones come from a new span";
  for (uint64_t k = 0; k < 200; ++k) EXPECT_TRUE(black(w, whereIs(w, 1000 + k))) << k;
  EXPECT_FALSE(black(w, a3)) << "the snapshot's objects stay apart";
  // Exactly the slots gcmarknewobject marked are black: one per AllocBlack step.
  EXPECT_EQ(blackSlots(w), allocBlackSteps);
  EXPECT_EQ(allocBlackSteps, 1u + 1 + 1 + 2 + 200);

  // Allocate until the assists finish the mark (the last allocation is not black: its assist ended
  // the mark before it was allocated).
  id = 2000;
  while (w.view().pacer().marking && id < 3000) step(sim::allocEvent(id++, kLarge));
  ASSERT_FALSE(w.view().pacer().marking) << "mark termination";
  EXPECT_EQ(blackSlots(w), 0u) << "after mark termination they are ordinary marked objects";
  // Eager sweep at mark termination: allocBits = gcmarkBits. Marked slots, allocate-black ones
  // included, stay allocated, also those dropped during the mark; object 1, unreachable at the
  // snapshot, is freed now.
  for (const Where& p : {a0, a2, a3, b10, b11, b13, b14, b15}) {
    EXPECT_TRUE(allocated(w, p)) << "span " << p.span << " slot " << p.slot;
    EXPECT_TRUE(sim::MSpan::testBit(w.view().span(p.span).allocBits(), p.slot)) << "the mark bit became the alloc bit";
  }
  EXPECT_FALSE(allocated(w, a1));
  // The next cycle (runtime.GC(): mark, then sweep everything) no longer marks what was dropped
  // during the window: object 2's and 11's slots are freed, object 15's span goes back to the heap.
  step(sim::gcEvent());
  EXPECT_FALSE(allocated(w, a2));
  EXPECT_FALSE(allocated(w, b11));
  EXPECT_NE(w.view().span(b15.span).state, sim::SpanState::InUse);
  for (const Where& p : {a0, a3, b10, b13, b14}) EXPECT_TRUE(allocated(w, p)) << "span " << p.span << " slot " << p.slot;
  EXPECT_EQ(blackSlots(w), 0u) << "runtime.GC()'s mark ends within its event";
}

// Random churn over many pacer cycles with lazy sweeping (spans cached, refilled, swept by
// cacheSpan and the background sweeper between marks): at every step of every mark window the
// black slots are exactly the allocations gcmarknewobject marked since that mark began (one
// AllocBlack step each; mallocgc never calls it for a tiny hit), and none outside a mark.
TEST(AllocateBlack, BlackSlotsAreExactlyTheMarksAllocationsUnderChurn) {
  sim::Config c;
  c.gomaxprocs = 2;
  c.gogc = 100;
  c.globalsBytes = 2 << 20;
  sim::World w(c);
  std::mt19937_64 rng(12);
  const uint64_t sizes[] = {8, 12, 24, 48, 100, 512, 1024, 3000, 40000};
  std::vector<uint64_t> live;
  uint64_t next = 0, sinceStart = 0, windows = 0, checkedInWindow = 0;
  for (int i = 0; i < 60000; ++i) {
    sim::Event ev;
    if (!live.empty() && rng() % 100 < 45) {
      const size_t k = rng() % live.size();
      ev = sim::freeEvent(live[k]);
      live[k] = live.back();
      live.pop_back();
    } else {
      const uint64_t size = sizes[rng() % std::size(sizes)];
      ev = sim::allocEvent(next, size, size < 16 ? true : rng() % 2 == 0, static_cast<uint32_t>(rng() % 2));
      live.push_back(next++);
    }
    std::string err;
    ASSERT_TRUE(w.step(ev, &err)) << err;
    const sim::StepRecord& r = w.last();
    if (r.has(PathStep::GCCycle)) sinceStart = 0, ++windows; // gcmarknewobject runs before the trigger test
    sinceStart += r.has(PathStep::AllocBlack);
    if (w.view().pacer().marking) {
      ASSERT_EQ(blackSlots(w), sinceStart) << "event " << i;
      ++checkedInWindow;
    } else if (i % 97 == 0) {
      ASSERT_EQ(blackSlots(w), 0u) << "event " << i;
    }
  }
  EXPECT_GE(windows, 3u);
  EXPECT_GT(checkedInWindow, 5000u);
  EXPECT_TRUE(sim::checkInvariants(w).empty());
}

} // namespace
