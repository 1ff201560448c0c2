// The scavenger and goroutine stacks against the REAL Go 1.19 runtime (GOMAXPROCS=1 GOGC=off).
// Expected numbers come from the Go programs tests/oracle/go/freeosmem and tests/oracle/go/stacks,
// built and run at test time; the engine (a fresh sim::World, 1 P, GOGC off) replays the same
// sequence and its invariants are checked after every step.
//
// What is comparable: deltas between two ReadMemStats, and relations inside one snapshot. Not
// comparable: absolute values (the runtime's own heap, goroutines and stacks exist before main;
// after settling, StackInuse is 192 or 224 KiB in Go and HeapReleased varies by a few pages).
// One more effect of the runtime's own goroutines: a GC may free one of their stack spans
// (seen in some runs: HeapSys +32 KiB across a FreeOSMemory), whose pages then join the heap and
// are released too. So across a FreeOSMemory we compare the committed heap, HeapSys -
// HeapReleased, which that does not change.
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20, kKiB = 1024;

class Engine {
 public:
  Engine() : w_(config()) {}
  static sim::Config config() {
    sim::Config c;
    c.gomaxprocs = 1;
    c.gogc = -1; // GOGC=off
    return c;
  }
  void step(const sim::Event& ev) {
    std::string err;
    if (!w_.step(ev, &err)) throw std::runtime_error(std::string(sim::eventKindName(ev.kind)) + " failed: " + err);
    const std::vector<std::string> bad = sim::checkInvariants(w_);
    if (!bad.empty()) throw std::runtime_error("invariants violated after " + std::string(sim::eventKindName(ev.kind)) + ": " + bad.front());
  }
  sim::MemStats readMemStats() {
    step(sim::readMemStatsEvent());
    return w_.memStats();
  }

 private:
  sim::World w_;
};

int64_t d(uint64_t before, uint64_t after) { return static_cast<int64_t>(after - before); }

// debug.FreeOSMemory: a GC, then every free page released; reusing released pages (sysUsed)
// lowers HeapReleased by exactly the pages taken.
TEST(OracleScavenger, FreeOSMemoryAndReuseMatchGo) {
  const oracle::GoOutput& go = oracle::runGoOracle("freeosmem");
  ASSERT_TRUE(go.ok) << go.error;
  Engine e;
  e.step(sim::freeOSMemoryEvent());
  const sim::MemStats base = e.readMemStats();
  for (uint64_t i = 0; i < 8; ++i) e.step(sim::allocEvent(i, kMiB));
  const sim::MemStats held = e.readMemStats();
  for (uint64_t i = 0; i < 8; ++i) e.step(sim::freeEvent(i));
  e.step(sim::freeOSMemoryEvent());
  const sim::MemStats released = e.readMemStats();
  e.step(sim::allocEvent(8, kMiB));
  const sim::MemStats reuse = e.readMemStats();

  EXPECT_EQ(go.delta("base", "held", "HeapInuse"), d(base.HeapInuse, held.HeapInuse));
  auto committed = [&](const std::string& label) {
    return static_cast<int64_t>(go.ms.at(label).at("HeapSys")) - static_cast<int64_t>(go.ms.at(label).at("HeapReleased"));
  };
  const int64_t goCommitted = committed("released") - committed("held");
  const int64_t engCommitted = d(held.HeapSys - held.HeapReleased, released.HeapSys - released.HeapReleased);
  EXPECT_EQ(goCommitted, engCommitted) << "committed heap across drop + FreeOSMemory";
  EXPECT_EQ(engCommitted, -static_cast<int64_t>(8 * kMiB));
  // Nothing free stays committed after FreeOSMemory except what a P's page cache holds (the
  // scavenger cannot see those pages): in Go 0 to 32 KiB across runs (the runtime's own small
  // spans use the cache), at most one cache of 64 pages; the engine's cache is unused here.
  EXPECT_LT(go.ms.at("released").at("HeapIdle") - go.ms.at("released").at("HeapReleased"), 64 * sim::kPageSize);
  EXPECT_EQ(released.HeapIdle, released.HeapReleased);
  EXPECT_EQ(go.delta("held", "released", "NumForcedGC"), d(held.NumForcedGC, released.NumForcedGC));
  auto field = [](const sim::MemStats& m, const std::string& f) {
    return f == "HeapReleased" ? m.HeapReleased : f == "HeapInuse" ? m.HeapInuse : f == "HeapIdle" ? m.HeapIdle : m.HeapSys;
  };
  for (const std::string f : {"HeapReleased", "HeapInuse", "HeapIdle", "HeapSys"})
    EXPECT_EQ(go.delta("released", "reuse", f), d(field(released, f), field(reuse, f))) << "reuse of released pages: " << f;
  EXPECT_EQ(d(released.HeapReleased, reuse.HeapReleased), -static_cast<int64_t>(kMiB));
}

// Goroutines growing their stacks: 8 to 64 KiB (large stacks, a manual span each) and 16 to
// 8 KiB (four 32 KiB pool spans), measured while they block, then after they exit.
TEST(OracleStacks, StackInuseAndStackSysMatchGo) {
  const oracle::GoOutput& go = oracle::runGoOracle("stacks");
  ASSERT_TRUE(go.ok) << go.error;
  Engine e;
  uint64_t nextG = 1;
  struct Phase {
    const char* name;
    uint64_t goroutines, stackBytes;
  };
  for (const Phase& ph : {Phase{"large", 8, 64 * kKiB}, Phase{"pool", 16, 8 * kKiB}}) {
    SCOPED_TRACE(ph.name);
    const std::string p = ph.name;
    const sim::MemStats base = e.readMemStats();
    const uint64_t first = nextG;
    for (uint64_t i = 0; i < ph.goroutines; ++i) e.step(sim::goStartEvent(nextG++)); // main: go f() x N
    for (uint64_t g = first; g < nextG; ++g) // then each runs until it blocks, its stack doubling
      for (uint64_t size = 4 * kKiB; size <= ph.stackBytes; size *= 2) e.step(sim::stackGrowEvent(g, size));
    const sim::MemStats grown = e.readMemStats();
    for (uint64_t g = first; g < nextG; ++g) e.step(sim::goExitEvent(g));
    const sim::MemStats exited = e.readMemStats();

    EXPECT_EQ(go.delta(p + "_base", p + "_grown", "StackInuse"), d(base.StackInuse, grown.StackInuse));
    EXPECT_EQ(go.delta(p + "_base", p + "_grown", "StackSys"), d(base.StackSys, grown.StackSys));
    EXPECT_EQ(go.delta(p + "_grown", p + "_exited", "StackInuse"), d(grown.StackInuse, exited.StackInuse));
    EXPECT_EQ(go.delta(p + "_grown", p + "_exited", "StackSys"), d(grown.StackSys, exited.StackSys));
    // Freed stack spans go back to the heap: HeapSys grows by what StackInuse lost.
    EXPECT_EQ(go.delta(p + "_grown", p + "_exited", "HeapSys"), d(grown.HeapSys, exited.HeapSys));
    EXPECT_EQ(d(base.StackInuse, grown.StackInuse), static_cast<int64_t>(ph.goroutines * ph.stackBytes));
  }
}

} // namespace
