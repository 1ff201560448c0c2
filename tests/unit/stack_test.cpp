// Goroutine stacks (sim/stack.cpp): the stack pool, per-P stack caches, large stacks, dead Gs'
// stacks, StackInuse/StackSys, and the goroutine events in the trace formats. Expected addresses
// and byte counts are hand computations from stack.go's rules (explained at each test);
// invariants are checked after every step.
#include "sim/malloc.h"
#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

constexpr uint64_t kKiB = 1024, kMiB = kKiB * kKiB;

class StackTest : public ::testing::Test {
 protected:
  const sim::StepRecord& step(const sim::Event& ev) {
    std::string err;
    EXPECT_TRUE(w_.step(ev, &err)) << err;
    const std::vector<std::string> bad = sim::checkInvariants(w_);
    EXPECT_TRUE(bad.empty()) << bad.front();
    return w_.last();
  }
  uint64_t base() const { return w_.config().arenaBase; }
  sim::MemStats ms() const { return w_.memStats(); }
  sim::World w_;
};

// Every new pool order takes a 32 KiB span (4 pages) at the next free pages; a span's stacks are
// handed out highest first, and a cache refill takes 16 KiB of them, so the stack a goroutine
// gets is the lowest of those: span base + 16 KiB. Spans: order 0 at pages 0-3, order 1 at 4-7,
// order 2 at 8-11, order 3 at 12-15; the 32 KiB stack at 16-19 and the 64 KiB one at 20-27.
TEST_F(StackTest, GrowthWalksThePoolOrdersThenLargeSpans) {
  struct Want {
    uint64_t size, addr, stackInuse;
  };
  const Want want[] = {
      {2 * kKiB, base() + 16 * kKiB, 32 * kKiB},
      {4 * kKiB, base() + 32 * kKiB + 16 * kKiB, 64 * kKiB},
      {8 * kKiB, base() + 64 * kKiB + 16 * kKiB, 96 * kKiB},
      {16 * kKiB, base() + 96 * kKiB + 16 * kKiB, 128 * kKiB},
      {32 * kKiB, base() + 128 * kKiB, 160 * kKiB},
      {64 * kKiB, base() + 160 * kKiB, 192 * kKiB}, // the 32 KiB stack goes straight back to the heap
  };
  for (const Want& wt : want) {
    const sim::StepRecord& r = step(wt.size == 2 * kKiB ? sim::goStartEvent(1) : sim::stackGrowEvent(1, wt.size));
    EXPECT_EQ(r.addr, wt.addr) << wt.size;
    EXPECT_TRUE(r.has(sim::PathStep::StackAlloc));
    EXPECT_FALSE(r.has(sim::PathStep::LargeAlloc) || r.has(sim::PathStep::TinyNewBlock)); // no heap object
    EXPECT_EQ(ms().StackInuse, wt.stackInuse) << wt.size;
    EXPECT_EQ(ms().StackSys, ms().StackInuse);
    EXPECT_EQ(ms().HeapSys + ms().StackInuse, 4 * kMiB); // stack spans leave HeapSys
    EXPECT_EQ(ms().HeapInuse, 0u);
  }
  EXPECT_EQ(w_.view().span(w_.view().spanAt(base() + 160 * kKiB)).state, sim::SpanState::Manual);
  // ReadMemStats empties the stack caches (flushallmcaches -> stackcache_clear): each pool span
  // gets all its stacks back and returns to the heap. Left: the 64 KiB stack. Committed free
  // pages: 0-19 (160 KiB); everything else not in a stack is released.
  step(sim::readMemStatsEvent());
  EXPECT_EQ(ms().StackInuse, 64 * kKiB);
  EXPECT_EQ(ms().HeapSys, 4 * kMiB - 64 * kKiB);
  EXPECT_EQ(ms().HeapIdle, ms().HeapSys);
  EXPECT_EQ(ms().HeapReleased, 4 * kMiB - 64 * kKiB - 160 * kKiB);
  const sim::StepRecord& r = step(sim::goExitEvent(1)); // a grown stack is freed at exit
  EXPECT_TRUE(r.has(sim::PathStep::StackFree));
  EXPECT_EQ(ms().StackInuse, 0u);
  EXPECT_EQ(ms().HeapSys, 4 * kMiB);
  EXPECT_EQ(w_.liveGoroutines(), 0u);
}

// gfput keeps a 2 KiB stack with the dead G; gfget hands it to the next goroutine on that P.
TEST_F(StackTest, ADeadGoroutinesStartingStackIsReused) {
  const uint64_t a = step(sim::goStartEvent(1)).addr;
  EXPECT_EQ(a, base() + 16 * kKiB);
  step(sim::goExitEvent(1));
  EXPECT_EQ(ms().StackInuse, 32 * kKiB); // still held by the dead G
  const sim::StepRecord& r = step(sim::goStartEvent(2));
  EXPECT_TRUE(r.has(sim::PathStep::GFreeReuse));
  EXPECT_FALSE(r.has(sim::PathStep::StackAlloc));
  EXPECT_EQ(r.addr, a);
  // The next one takes the cache's next stack: the refill pushed +30 KiB .. +16 KiB, so +18 KiB.
  EXPECT_EQ(step(sim::goStartEvent(3)).addr, base() + 18 * kKiB);
}

// 64 dead Gs on a P: gfput moves 33 of them (down to 31 kept) to the global list; a GC frees the
// global list's stacks (markrootFreeGStacks) and empties the stack caches.
TEST_F(StackTest, GcFreesTheStacksOfGlobalDeadGoroutines) {
  for (uint64_t g = 0; g < 64; ++g) step(sim::goStartEvent(g));
  // Refills take 8 stacks at a time from the first pool span with free stacks: goroutines 0..15
  // live in span 1, 16..31 in span 2, 32..47 in span 3, 48..63 in span 4.
  EXPECT_EQ(ms().StackInuse, 4 * 32 * kKiB);
  for (uint64_t g = 0; g < 64; ++g) step(sim::goExitEvent(g));
  EXPECT_EQ(ms().StackInuse, 4 * 32 * kKiB); // dead Gs keep their 2 KiB stacks
  step(sim::gcEvent());
  // The 64th exit spilled 63, 62, ..., 31 to the global list; 0..30 stay on P 0 with their
  // stacks. The GC frees 31..63's stacks: spans 3 and 4 empty out and go back to the heap; span 2
  // still holds 16..30, span 1 holds 0..15.
  EXPECT_EQ(ms().StackInuse, 2 * 32 * kKiB);
}

TEST_F(StackTest, BadGoroutineEventsAreRefusedAndChangeNothing) {
  step(sim::goStartEvent(7));
  const sim::MemStats before = ms();
  const std::pair<sim::Event, const char*> cases[] = {
      {sim::goStartEvent(7), "already running"},
      {sim::goExitEvent(8), "not running"},
      {sim::stackGrowEvent(8, 4096), "not running"},
      {sim::stackGrowEvent(7, 6000), "power of 2"},
      {sim::stackGrowEvent(7, 2048), "power of 2 above its 2048"},
      {sim::stackGrowEvent(7, uint64_t{1} << 30), "at most"},
  };
  for (const auto& [ev, what] : cases) {
    std::string err;
    EXPECT_FALSE(w_.step(ev, &err)) << what;
    EXPECT_NE(err.find(what), std::string::npos) << err;
  }
  EXPECT_EQ(ms().StackInuse, before.StackInuse);
  EXPECT_EQ(w_.liveGoroutines(), 1u);
  EXPECT_FALSE(w_.failed());
}

TEST(StackFormats, GoroutineEventsRoundTripThroughJsonAndBinary) {
  const std::string text = R"({"format": "spanscope-trace", "version": 1, "events": [
    {"op": "go_start", "id": 17, "thread": 2},
    {"op": "stack_grow", "id": 17, "size": 8192, "thread": 2, "time": 40},
    {"op": "go_exit", "id": 17, "thread": 2},
    {"op": "go_start", "id": 0}]})";
  std::string err;
  auto t = traces::parseJsonTrace(text, "g.json", &err);
  ASSERT_TRUE(t) << err;
  ASSERT_EQ(t->events.size(), 4u);
  const sim::EventKind kinds[] = {sim::EventKind::GoStart, sim::EventKind::StackGrow, sim::EventKind::GoExit,
                                  sim::EventKind::GoStart};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(t->events[i].kind, kinds[i]) << i;
  EXPECT_EQ(t->events[1].id, 17u); // goroutine ids are kept as written
  EXPECT_EQ(t->events[1].size, 8192u);
  EXPECT_EQ(t->events[1].thread, 2u);
  EXPECT_EQ(t->events[1].time, 40u);

  auto check = [&](const std::vector<sim::Event>& got) {
    ASSERT_EQ(got.size(), t->events.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].kind, t->events[i].kind) << i;
      EXPECT_EQ(got[i].id, t->events[i].id) << i;
      EXPECT_EQ(got[i].size, t->events[i].size) << i;
      EXPECT_EQ(got[i].thread, t->events[i].thread) << i;
      EXPECT_EQ(got[i].time, t->events[i].time) << i;
    }
  };
  auto again = traces::parseJsonTrace(traces::traceToJson(*t), "again.json", &err);
  ASSERT_TRUE(again) << err;
  check(again->events);

  const std::string path = ::testing::TempDir() + "stacks_" + std::to_string(::getpid()) + ".sst";
  {
    traces::BinaryTraceWriter bw(path, t->meta);
    for (const sim::Event& ev : t->events) bw.write(ev);
    bw.finish();
  }
  auto s = traces::openTrace(path);
  ASSERT_TRUE(s);
  check(traces::readAll(*s).events);
  std::filesystem::remove(path);

  auto bad = traces::parseJsonTrace(R"({"format": "spanscope-trace", "version": 1,
    "events": [{"op": "stack_grow", "id": 1}]})", "bad.json", &err);
  EXPECT_FALSE(bad);
  EXPECT_NE(err.find("event #0: missing \"size\" in stack_grow"), std::string::npos) << err;
}

} // namespace
