// Workload generators (traces/generators.h): determinism, replay through the engine, each shape's
// defining property (expected values from the mimalloc-bench sources as summarised in
// peers-and-workloads §5, from hand computations explained here, and from Go 1.19 itself through
// the oracle program tests/oracle/go/growth), parameter validation and the `gen` command.
#include "traces/generators.h"

#include "sim/invariants.h"
#include "sim/world.h"
#include "tests/oracle/go_oracle.h"
#include "traces/binary_trace.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using Params = std::map<std::string, std::string>;

struct Generated {
  std::vector<sim::Event> events;
  traces::TraceMeta meta;
  traces::ImportSummary summary;
  std::optional<uint64_t> announced; // eventCount() before reading
};

Generated generate(const std::string& name, const Params& p, uint64_t seed = 1) {
  std::unique_ptr<traces::EventStream> s = traces::makeGenerator(name, p, seed);
  Generated g;
  g.announced = s->eventCount();
  g.meta = s->meta();
  sim::Event buf[1000];
  while (size_t n = s->read(buf, 1000)) g.events.insert(g.events.end(), buf, buf + n);
  g.summary = s->summary();
  return g;
}

bool same(const sim::Event& a, const sim::Event& b) {
  return a.kind == b.kind && a.noscan == b.noscan && a.thread == b.thread && a.id == b.id && a.size == b.size &&
         a.time == b.time;
}

bool isAlloc(const sim::Event& e) { return e.kind == sim::EventKind::Alloc; }
bool isFree(const sim::Event& e) { return e.kind == sim::EventKind::Free; }

// Follows ids through a trace: who allocated each live object, and how big it is.
struct Tracker {
  struct Obj {
    uint32_t thread;
    uint64_t size;
  };
  std::map<uint64_t, Obj> live;
  uint64_t frees = 0, crossThreadFrees = 0, peakLive = 0;
  // Returns the object an event frees (for Free events).
  Obj apply(const sim::Event& e) {
    if (isAlloc(e)) {
      live[e.id] = {e.thread, e.size};
      peakLive = std::max<uint64_t>(peakLive, live.size());
      return live[e.id];
    }
    const Obj o = live.at(e.id);
    live.erase(e.id);
    ++frees;
    if (o.thread != e.thread) ++crossThreadFrees;
    return o;
  }
};

// Small settings that still reach every phase of each generator (thread hand-overs, program
// re-runs, map growth with indirect keys, ...).
const std::vector<std::pair<std::string, Params>>& smallRuns() {
  static const std::vector<std::pair<std::string, Params>> runs = {
      {"larson", {{"threads", "3"}, {"chunks", "40"}, {"rounds", "5"}, {"events", "20000"}}},
      {"xmalloc-test", {{"threads", "2"}, {"batch", "64"}, {"max_batches", "4"}, {"size", "0"}, {"events", "20000"}}},
      {"mstress", {{"threads", "3"}, {"scale", "1"}, {"iterations", "3"}, {"events", "20000"}}},
      {"rptest", {{"threads", "3"}, {"loops", "20"}, {"slots", "64"}, {"op_count", "20"}, {"events", "20000"}}},
      {"sh6bench", {{"threads", "2"}, {"calls", "100"}, {"events", "20000"}}},
      {"sh8bench", {{"threads", "2"}, {"iterations", "40"}, {"heap", "200"}, {"foreign", "400"}, {"events", "20000"}}},
      {"cache-scratch", {{"threads", "3"}, {"iterations", "50"}, {"events", "5000"}}},
      {"cache-thrash", {{"threads", "3"}, {"iterations", "50"}, {"events", "5000"}}},
      {"glibc-simple", {{"iterations", "1600"}, {"events", "20000"}}},
      {"glibc-thread", {{"threads", "2"}, {"slots", "64"}, {"events", "20000"}}},
      {"alloc-test", {{"threads", "2"}, {"slots", "2048"}, {"operations", "3000"}, {"events", "20000"}}},
      {"malloc-large", {{"slots", "4"}, {"iterations", "10"}, {"events", "200"}}},
      {"mleak", {{"threads", "4"}, {"slots", "50"}, {"rounds", "30"}, {"events", "5000"}}},
      {"go-append", {{"max_len", "3000"}, {"keep", "3"}, {"threads", "2"}, {"events", "5000"}}},
      {"go-strings", {{"mode", "builder"}, {"threads", "2"}, {"events", "5000"}}},
      {"go-strings", {{"mode", "concat"}, {"events", "5000"}}},
      {"go-map", {{"max_entries", "2000"}, {"key_size", "200"}, {"value_pointers", "1"}, {"events", "5000"}}},
      {"go-map", {{"max_entries", "5000"}, {"hint", "1"}, {"threads", "2"}, {"events", "5000"}}},
  };
  return runs;
}

TEST(GeneratorsRegistry, ListsEveryShapeWithValidDefaults) {
  // The issue's list: 13 mimalloc-bench shapes and 3 Go shapes.
  const std::set<std::string> expected = {"larson",       "xmalloc-test", "mstress",      "rptest",     "sh6bench",
                                          "sh8bench",     "cache-scratch", "cache-thrash", "glibc-simple",
                                          "glibc-thread", "alloc-test",   "malloc-large", "mleak",      "go-append",
                                          "go-strings",   "go-map"};
  std::set<std::string> names;
  for (const traces::GeneratorInfo& g : traces::generators()) {
    names.insert(g.name);
    EXPECT_GT(g.description.size(), 200u) << g.name << ": the description should say what the original does";
    bool hasEvents = false;
    for (const traces::GeneratorParam& p : g.params) {
      hasEvents |= p.name == "events";
      EXPECT_FALSE(p.meaning.empty()) << g.name << "." << p.name;
    }
    EXPECT_TRUE(hasEvents) << g.name;
    // Every default must pass validation: building with no parameters works.
    EXPECT_NO_THROW(traces::makeGenerator(g.name, {}, 1)) << g.name;
  }
  EXPECT_EQ(names, expected);
}

TEST(GeneratorsDeterminism, SameSeedSameEventsOtherSeedOtherEvents) {
  for (const auto& [name, p] : smallRuns()) {
    const Generated a = generate(name, p, 7), b = generate(name, p, 7), c = generate(name, p, 8);
    ASSERT_EQ(a.events.size(), b.events.size()) << name;
    for (size_t i = 0; i < a.events.size(); ++i) ASSERT_TRUE(same(a.events[i], b.events[i])) << name << " event " << i;
    bool differs = a.events.size() != c.events.size();
    for (size_t i = 0; !differs && i < a.events.size(); ++i) differs = !same(a.events[i], c.events[i]);
    EXPECT_TRUE(differs) << name << ": seeds 7 and 8 gave the same trace";
    EXPECT_EQ(a.meta.source.rfind("spanscope-cli gen " + name + " --seed 7 --param ", 0), 0u) << a.meta.source;
  }
}

// Every generator's trace is valid input: exactly `events` events, in time order (per thread
// and overall), frees only of live ids, summary counts that match the events; and the engine
// replays it (in the suggested config and in gc liveness) with no error and intact invariants.
TEST(GeneratorsReplay, EveryGeneratorReplaysThroughTheEngine) {
  for (const auto& [name, p] : smallRuns()) {
    SCOPED_TRACE(name + " " + (p.count("mode") ? p.at("mode") : ""));
    const Generated g = generate(name, p);
    const uint64_t n = std::stoull(p.at("events"));
    ASSERT_EQ(g.events.size(), n);
    ASSERT_EQ(g.announced, n);
    Tracker t;
    uint64_t allocs = 0, lastTime = 0;
    std::map<uint32_t, uint64_t> threadTime;
    for (const sim::Event& e : g.events) {
      ASSERT_TRUE(isAlloc(e) || isFree(e));
      ASSERT_NE(e.time, sim::kNoTime);
      ASSERT_GE(e.time, lastTime);
      lastTime = e.time;
      ASSERT_GE(e.time, threadTime[e.thread]);
      threadTime[e.thread] = e.time;
      if (isFree(e)) {
        ASSERT_TRUE(t.live.count(e.id)) << "free of a dead id " << e.id;
      }
      if (isAlloc(e)) {
        ASSERT_FALSE(t.live.count(e.id)) << "alloc of a live id " << e.id;
      }
      allocs += isAlloc(e);
      t.apply(e);
    }
    EXPECT_EQ(g.summary.events, n);
    EXPECT_EQ(g.summary.allocs, allocs);
    EXPECT_EQ(g.summary.frees, t.frees);
    EXPECT_EQ(g.summary.liveObjects, t.live.size());
    // Ids are reused: the id space follows the peak live set, not the trace length.
    uint64_t maxId = 0;
    for (const sim::Event& e : g.events) maxId = std::max(maxId, e.id);
    EXPECT_EQ(maxId + 1, t.peakLive);

    for (bool gcMode : {false, true}) {
      sim::Config cfg;
      traces::applyTraceConfig(g.meta, cfg);
      if (gcMode) cfg.liveness = sim::Liveness::GC;
      sim::World w(cfg);
      std::string err;
      for (size_t i = 0; i < g.events.size(); ++i) ASSERT_TRUE(w.step(g.events[i], &err)) << "event #" << i << ": " << err;
      const std::vector<std::string> bad = sim::checkInvariants(w);
      EXPECT_TRUE(bad.empty()) << bad.front();
    }
  }
}

// larson (§5.2): a worker thread does rounds*chunks replacements in its array, then a successor
// takes over the array. A worker's first pick of a slot frees a block of its predecessor (or of
// the main thread's setup): of L = rounds*chunks picks among C = chunks slots, C*(1-(1-1/C)^L)
// are first picks, so the share of cross-thread frees is C/L*(1-(1-1/C)^L); with C = 50 and
// L = 500: 0.1*(1 - 0.98^500) = 0.099996.
TEST(GeneratorsShapes, LarsonFreesAboutOneInRoundsCrossThread) {
  const Generated g = generate("larson", {{"threads", "2"}, {"chunks", "50"}, {"rounds", "10"}, {"events", "40900"}});
  Tracker t;
  uint64_t workerFrees = 0, workerCross = 0;
  std::map<uint32_t, uint64_t> freesByThread;
  for (const sim::Event& e : g.events) {
    const Tracker::Obj o = t.apply(e);
    if (isFree(e) && e.thread != 0) {
      ++workerFrees;
      workerCross += o.thread != e.thread;
      ++freesByThread[e.thread];
    }
  }
  ASSERT_GT(workerFrees, 15000u);
  EXPECT_NEAR(static_cast<double>(workerCross) / static_cast<double>(workerFrees), 0.099996, 0.01);
  // Every finished worker thread did exactly rounds*chunks = 500 replacements.
  size_t full = 0;
  for (const auto& [thread, frees] : freesByThread) {
    EXPECT_LE(frees, 500u) << "thread " << thread;
    full += frees == 500;
  }
  EXPECT_GE(full, freesByThread.size() - 2); // the two current workers may be cut off mid-life
  EXPECT_GE(freesByThread.size(), 30u);       // 19000+ worker replacements / 500 per thread life
}

// xmalloc-test (§5.3): releasers free what allocators made — every free is remote. Headers are
// 8 + 8*batch bytes, objects `size` bytes.
TEST(GeneratorsShapes, XmallocFreesAreAllRemote) {
  const Generated g = generate("xmalloc-test", {{"threads", "2"}, {"batch", "100"}, {"max_batches", "3"}, {"events", "20000"}});
  Tracker t;
  std::map<uint64_t, uint64_t> sizes;
  for (const sim::Event& e : g.events) {
    t.apply(e);
    if (isAlloc(e)) ++sizes[e.size];
  }
  EXPECT_GT(t.frees, 5000u);
  EXPECT_EQ(t.crossThreadFrees, t.frees);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_TRUE(sizes.count(64));
  EXPECT_TRUE(sizes.count(808));
  // 100 objects per header, but for the (at most 2) batches being filled when the trace stops.
  EXPECT_LE(sizes[64], 100 * sizes[808]);
  EXPECT_GE(sizes[64], 100 * (sizes[808] - 2));
}

// mstress (§5.4): thread t of a round makes allocs = 100*scale*(t%8+1) data objects and
// retain = allocs/2 retained ones, plus its retained-pointer array and its data array (realloc'd
// once per 100000 pointers): with scale 1 that is 152, 302 and 452 allocations for t = 0, 1, 2.
// Objects migrate through the transfer array, so some frees are cross-thread.
TEST(GeneratorsShapes, MstressUnevenThreadsAndMigratingObjects) {
  const Generated g = generate("mstress", {{"threads", "3"}, {"scale", "1"}, {"iterations", "3"}, {"events", "4000"}});
  Tracker t;
  std::map<uint32_t, uint64_t> allocsByThread;
  for (const sim::Event& e : g.events) {
    t.apply(e);
    if (isAlloc(e)) ++allocsByThread[e.thread];
  }
  // Thread 0 is the main thread; 1, 2, 3 are the first round's threads t = 0, 1, 2.
  EXPECT_EQ(allocsByThread[1], 152u);
  EXPECT_EQ(allocsByThread[2], 302u);
  EXPECT_EQ(allocsByThread[3], 452u);
  EXPECT_GT(t.crossThreadFrees, 0u);
}

// rptest (§5.5): every cross_rate-th loop a thread hands a batch (32-byte header, pointer array,
// blocks) to another thread, which frees it; block sizes stay in [min_size, max_size].
TEST(GeneratorsShapes, RptestHandsBatchesToOtherThreads) {
  const Generated g = generate("rptest", {{"threads", "2"}, {"loops", "50"}, {"slots", "200"}, {"op_count", "50"},
                                          {"distribution", "even"}, {"events", "20000"}});
  Tracker t;
  for (const sim::Event& e : g.events) {
    t.apply(e);
    if (isAlloc(e) && e.noscan) {
      EXPECT_GE(e.size, 8u);
      EXPECT_LE(e.size, 16000u);
    }
  }
  // Per two loops a thread allocates 2*A slot blocks and A handed-over blocks (A: alloc count).
  const double share = static_cast<double>(t.crossThreadFrees) / static_cast<double>(t.frees);
  EXPECT_GT(share, 0.15);
  EXPECT_LT(share, 0.45);
}

// sh6bench (§5.6): sizes per repetition: base 1 (size 1), base 2 (sizes 2, 1), base 4 (4, 2, 1),
// 250 blocks each below 100 bytes. And the original's window bug: when the survivor window wraps
// to slot 0, the refill overwrites it, so the live set exceeds the C-slot buffer.
TEST(GeneratorsShapes, Sh6benchSizeSequenceAndLeak) {
  const Generated g = generate("sh6bench", {{"threads", "1"}, {"calls", "100"}, {"events", "20000"}});
  std::vector<uint64_t> sizes;
  for (const sim::Event& e : g.events)
    if (isAlloc(e)) sizes.push_back(e.size);
  ASSERT_GT(sizes.size(), 1501u);
  EXPECT_EQ(sizes[0], 800u); // the pointer buffer: 100 slots
  const uint64_t expected[] = {1, 2, 1, 4, 2, 1};
  for (size_t i = 0; i < 1500; ++i) ASSERT_EQ(sizes[1 + i], expected[i / 250]) << "allocation " << 1 + i;
  Tracker t;
  for (const sim::Event& e : g.events) t.apply(e);
  // Without the leak at most 100 blocks + the buffer are live; ~20 leak per 5 cycles of ~100.
  EXPECT_GT(t.live.size(), 101u + 100u);
}

// sh8bench (§5.7): the main thread allocates 8-byte blocks the workers free (all remote); the
// workers' own blocks come from the fixed histogram, starting with its second entry (16 B).
TEST(GeneratorsShapes, Sh8benchForeignBlocksFreedByWorkers) {
  const Generated g = generate("sh8bench", {{"threads", "2"}, {"iterations", "40"}, {"heap", "200"}, {"foreign", "400"},
                                            {"events", "20000"}});
  const std::set<uint64_t> histogram = {8, 16, 48, 72, 148, 200, 520, 1056, 4096, 9162, 34562, 168524};
  Tracker t;
  uint64_t foreignFreed = 0;
  std::map<uint32_t, std::vector<uint64_t>> workerSizes;
  for (const sim::Event& e : g.events) {
    const Tracker::Obj o = t.apply(e);
    if (isFree(e) && o.thread == 0 && o.size == 8) {
      EXPECT_NE(e.thread, 0u);
      ++foreignFreed;
    }
    if (isAlloc(e) && e.thread != 0) workerSizes[e.thread].push_back(e.size);
  }
  EXPECT_GT(foreignFreed, 0u);
  for (const auto& [thread, sizes] : workerSizes) {
    ASSERT_GE(sizes.size(), 2u);
    EXPECT_EQ(sizes[0], 100u * 8) << "heap/threads pointer slots";
    EXPECT_EQ(sizes[1], 16u);
    for (size_t i = 1; i < sizes.size(); ++i) EXPECT_TRUE(histogram.count(sizes[i])) << sizes[i];
  }
}

// cache-scratch / cache-thrash (§5.8): each worker's objects are small and of one size; in
// scratch a worker's first call frees the object the main thread handed over.
TEST(GeneratorsShapes, CacheScratchAndThrashObjects) {
  for (const char* name : {"cache-scratch", "cache-thrash"}) {
    const bool scratch = std::string(name) == "cache-scratch";
    const Generated g = generate(name, {{"threads", "3"}, {"iterations", "20"}, {"size", "8"}, {"events", "3000"}});
    Tracker t;
    std::map<uint32_t, bool> seen;
    uint64_t handedOver = 0;
    for (const sim::Event& e : g.events) {
      const Tracker::Obj o = t.apply(e);
      if (e.thread == 0) continue;
      if (isAlloc(e)) {
        EXPECT_EQ(e.size, 8u) << name;
      }
      if (!seen[e.thread]) {
        seen[e.thread] = true;
        if (scratch) {
          EXPECT_TRUE(isFree(e)) << name;
          EXPECT_EQ(o.thread, 0u);
          ++handedOver;
        }
      }
      if (!scratch && isFree(e)) {
        EXPECT_EQ(o.thread, e.thread);
      }
    }
    if (scratch) {
      EXPECT_EQ(handedOver, seen.size());
    }
    EXPECT_GE(seen.size(), 3u);
  }
}

// glibc-simple (§5.9, mimalloc-bench's bench-malloc-simple.c): the 1600-pointer array, then
// n = 25 blocks of 16 bytes freed in allocation order, iterations/25 times.
TEST(GeneratorsShapes, GlibcSimpleAllocatesThenFreesInOrder) {
  const Generated g = generate("glibc-simple", {{"iterations", "1600"}, {"events", "3000"}});
  ASSERT_TRUE(isAlloc(g.events[0]));
  EXPECT_EQ(g.events[0].size, 1600u * 8);
  EXPECT_FALSE(g.events[0].noscan);
  for (size_t round = 0; round < 2; ++round) {
    const size_t base = 1 + round * 50;
    for (size_t i = 0; i < 25; ++i) {
      const sim::Event& a = g.events[base + i];
      const sim::Event& f = g.events[base + 25 + i];
      ASSERT_TRUE(isAlloc(a) && isFree(f));
      EXPECT_EQ(a.size, 16u);
      EXPECT_EQ(f.id, a.id) << "free order must be allocation order";
    }
  }
}

// glibc-thread (§5.9): sizes from an inverse-square distribution on [4, 32768]:
// P(size <= x) = (1/4 - 1/(x+1)) / (1/4 - 1/32768) with the size floored, so
// P(size <= 8) = (1/4 - 1/9)/(1/4 - 1/32768) = 0.5556. Every thread walks the same tables.
TEST(GeneratorsShapes, GlibcThreadInverseSquareSizesSameSequencePerThread) {
  const Generated g = generate("glibc-thread", {{"threads", "2"}, {"slots", "64"}, {"events", "40000"}});
  std::map<uint32_t, std::vector<uint64_t>> sizes;
  uint64_t small = 0, all = 0;
  for (const sim::Event& e : g.events) {
    if (!isAlloc(e)) continue;
    EXPECT_GE(e.size, 4u);
    EXPECT_LE(e.size, 32768u);
    sizes[e.thread].push_back(e.size);
    small += e.size <= 8;
    ++all;
  }
  EXPECT_NEAR(static_cast<double>(small) / static_cast<double>(all), 0.5556, 0.03);
  ASSERT_EQ(sizes.size(), 2u);
  const std::vector<uint64_t>& a = sizes.begin()->second;
  const std::vector<uint64_t>& b = sizes.rbegin()->second;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) ASSERT_EQ(a[i], b[i]) << i;
}

// alloc-test (§5.10, calcSizeWithStatsAdjustment): class k with probability 2^-(k+1) (the last
// class takes the rest), size uniform in (2^(k+2), 2^(k+3)]: 5-8 bytes half the time, 9-16 a
// quarter, 513-1024 1/128 for max_exp 10. Setup fills about half of the slots.
TEST(GeneratorsShapes, AllocTestSizeClassesHalveAndSetupFillsHalf) {
  const Generated g = generate("alloc-test", {{"slots", "4096"}, {"events", "60000"}});
  std::map<int, uint64_t> byOctave;
  uint64_t all = 0, beforeFirstFree = 0;
  bool freed = false;
  for (size_t i = 1; i < g.events.size(); ++i) {
    const sim::Event& e = g.events[i];
    freed |= isFree(e);
    if (!isAlloc(e)) continue;
    beforeFirstFree += !freed;
    ASSERT_GE(e.size, 5u);
    ASSERT_LE(e.size, 1024u);
    ++byOctave[static_cast<int>(std::bit_width(e.size - 1))]; // 5..8 -> 3, 9..16 -> 4, ..., 513..1024 -> 10
    ++all;
  }
  EXPECT_EQ(g.events[0].size, 4096u * 16);
  EXPECT_NEAR(static_cast<double>(beforeFirstFree), 2048.0, 150.0);
  EXPECT_NEAR(static_cast<double>(byOctave[3]) / static_cast<double>(all), 0.5, 0.02);
  EXPECT_NEAR(static_cast<double>(byOctave[4]) / static_cast<double>(all), 0.25, 0.02);
  EXPECT_NEAR(static_cast<double>(byOctave[10]) / static_cast<double>(all), 1.0 / 128, 0.004);
}

// malloc-large (§5.11): buffers of 5-25 MiB, 20 live at most (+1 while one is replaced).
TEST(GeneratorsShapes, MallocLargeSizesAndLiveBuffers) {
  const Generated g = generate("malloc-large", {{"events", "3000"}});
  Tracker t;
  for (const sim::Event& e : g.events) {
    if (isAlloc(e)) {
      EXPECT_GE(e.size, 5u << 20);
      EXPECT_LE(e.size, 25u << 20);
    }
    t.apply(e);
  }
  EXPECT_EQ(t.peakLive, 21u);
}

// mleak (§5.11): each thread's object displaces one left by an earlier thread, so every free of
// an object is cross-thread; the live set grows as the array fills: after R rounds of T threads,
// S*(1-(1-1/S)^(R*T)) slots are filled: 50*(1 - 0.98^120) = 45.6 for S = 50, T = 4, R = 30.
TEST(GeneratorsShapes, MleakLiveSetGrowsAndFreesAreForeign) {
  const Generated g = generate("mleak", {{"threads", "4"}, {"slots", "50"}, {"rounds", "30"}, {"events", "3000"}});
  Tracker t;
  uint64_t peakObjects = 0, objectFrees = 0;
  std::vector<uint64_t> liveAtRoundEnd;
  for (const sim::Event& e : g.events) {
    const Tracker::Obj o = t.apply(e);
    if (isFree(e) && o.size == 128) {
      EXPECT_NE(o.thread, e.thread);
      ++objectFrees;
    }
    uint64_t objects = 0;
    for (const auto& [id, obj] : t.live) objects += obj.size == 128;
    peakObjects = std::max(peakObjects, objects);
    if (isFree(e) && e.thread == 0 && liveAtRoundEnd.size() < 30) liveAtRoundEnd.push_back(objects);
  }
  EXPECT_GT(objectFrees, 1000u);
  ASSERT_EQ(liveAtRoundEnd.size(), 30u);
  for (size_t r = 1; r < liveAtRoundEnd.size(); ++r) EXPECT_GE(liveAtRoundEnd[r], liveAtRoundEnd[r - 1]);
  EXPECT_NEAR(static_cast<double>(liveAtRoundEnd.back()), 45.6, 5.0);
  EXPECT_LE(peakObjects, 50u + 4u);
}

// The backing arrays one slice goes through (alloc sizes), checking that each growth frees the
// previous array right after allocating the new one.
std::vector<uint64_t> firstSliceArrays(const Generated& g) {
  std::vector<uint64_t> sizes;
  uint64_t prev = ~uint64_t{0};
  for (size_t i = 0; i < g.events.size(); ++i) {
    const sim::Event& e = g.events[i];
    if (!isAlloc(e)) continue;
    if (prev != ~uint64_t{0}) { // a growth: a new array (the old one is still live), then the old one freed
      if (e.id == prev || i + 1 >= g.events.size() || !isFree(g.events[i + 1]) || g.events[i + 1].id != prev) break;
    }
    sizes.push_back(e.size);
    prev = e.id;
  }
  return sizes;
}

std::vector<uint64_t> oracleSeq(const oracle::GoOutput& o, uint64_t seq) {
  const oracle::GoGroup* grp = o.group("seq", seq);
  EXPECT_NE(grp, nullptr);
  std::vector<uint64_t> v;
  if (grp)
    for (uint64_t i = grp->first; i < grp->first + grp->count; ++i) v.push_back(o.allocs[i].size);
  return v;
}

// go-append: growslice by hand (slice.go, Go 1.19) for 8-byte elements appended one at a time:
// caps 1, 2, 4, ... 512 (doubling below 256 elements: 8 B ... 4096 B); then newcap += (newcap +
// 768)/4 and the bytes round up to a class: 512 -> 832 elems = 6656 B -> class 6784 (cap 848);
// 848 -> 1252 = 10016 B -> 10240 (cap 1280); 1280 -> 1792 = 14336 B (a class); 1792 -> 2432 =
// 19456 B -> 20480 (cap 2560); 2560 -> 3392 = 27136 B -> 27264 (cap 3408); 3408 -> 4452 =
// 35616 B, large: rounded to pages, 40960 (cap 5120).
TEST(GeneratorsGo, AppendGrowthFollowsGrowsliceByHand) {
  const Generated g = generate("go-append", {{"min_len", "5000"}, {"max_len", "5000"}, {"keep", "0"}, {"events", "100"}});
  const std::vector<uint64_t> expected = {8,    16,   32,    64,    128,   256,   512,  1024,
                                          2048, 4096, 6784, 10240, 14336, 20480, 27264, 40960};
  EXPECT_EQ(firstSliceArrays(g), expected);
  for (const sim::Event& e : g.events) {
    if (isAlloc(e)) {
      EXPECT_TRUE(e.noscan) << e.size;
    }
  }
}

TEST(GeneratorsGo, AppendAndBuilderGrowthMatchGo119) {
  const oracle::GoOutput& o = oracle::runGoOracle("growth");
  ASSERT_TRUE(o.ok) << o.error;
  struct Case {
    uint64_t seq;
    const char* elem;
    const char* pointers;
  };
  for (const Case& c : {Case{0, "1", "0"}, Case{1, "8", "0"}, Case{2, "24", "0"}, Case{3, "40", "0"}, Case{4, "8", "1"}}) {
    SCOPED_TRACE("seq " + std::to_string(c.seq));
    const Generated g = generate("go-append", {{"elem_size", c.elem},
                                               {"pointers", c.pointers},
                                               {"min_len", "20000"},
                                               {"max_len", "20000"},
                                               {"keep", "0"},
                                               {"events", "200"}});
    // Go reports cap(s)*elemsize; growslice requests capmem = roundupsize(newcap*elemsize) from
    // mallocgc and sets cap = capmem/elemsize, so the two agree on floor(capmem/elemsize)*elemsize.
    std::vector<uint64_t> capBytes;
    const uint64_t elem = std::stoull(c.elem);
    for (uint64_t capmem : firstSliceArrays(g)) capBytes.push_back(capmem / elem * elem);
    EXPECT_EQ(capBytes, oracleSeq(o, c.seq));
    EXPECT_EQ(g.events[0].noscan, std::string(c.pointers) == "0");
    EXPECT_EQ(o.allocs[o.group("seq", c.seq)->first].noscan, std::string(c.pointers) == "0");
  }
  // strings.Builder written 7 bytes at a time: the first string's buffers are a prefix of Go's.
  const Generated b = generate("go-strings", {{"mode", "builder"}, {"min_piece", "7"}, {"max_piece", "7"},
                                              {"pieces", "3000"}, {"keep", "0"}, {"events", "200"}});
  const std::vector<uint64_t> mine = firstSliceArrays(b), go = oracleSeq(o, 5);
  ASSERT_GE(mine.size(), 3u);
  ASSERT_LE(mine.size(), go.size());
  EXPECT_TRUE(std::equal(mine.begin(), mine.end(), go.begin()));
}

// go-strings concat: s += piece allocates exactly the new length; "" + piece allocates nothing.
TEST(GeneratorsGo, ConcatAllocatesExactGrowingLengths) {
  const Generated g = generate("go-strings", {{"mode", "concat"}, {"min_piece", "3"}, {"max_piece", "9"}, {"events", "2000"}});
  uint64_t prevSize = 0, prevId = ~uint64_t{0}, steps = 0;
  for (size_t i = 0; i + 1 < g.events.size(); ++i) {
    const sim::Event& e = g.events[i];
    if (!isAlloc(e)) continue;
    EXPECT_TRUE(e.noscan);
    const bool continues = e.id != prevId && isFree(g.events[i + 1]) && g.events[i + 1].id == prevId;
    if (continues) {
      EXPECT_GE(e.size, prevSize + 3);
      EXPECT_LE(e.size, prevSize + 9);
      ++steps;
    } else {
      EXPECT_GE(e.size, 6u); // the first allocation joins two pieces
      EXPECT_LE(e.size, 18u);
    }
    prevSize = e.size;
    prevId = e.id;
  }
  EXPECT_GT(steps, 100u);
}

// go-map, map[int64]*int (bucket: 8 + 8*8 + 8*8 + 8 = 144 bytes, with pointers): by hand from
// map.go, the table grows when count+1 > 6.5 * 2^B at inserts 9, 14, 27, 53, 105, 209, 417, 833;
// arrays of 2^B buckets, from B = 4 with 2^(B-4) overflow buckets, stretched to the size class:
// B=1..3: 288, 576, 1152; B=4: 17*144 = 2448 -> class 2688 -> 18 buckets = 2592; B=5: 34 ->
// 4896 -> 5376 -> 37 = 5328; B=6: 68 -> 9792 -> 10240 -> 71 = 10224; B=7: 136 -> 19584 -> 20480 ->
// 142 = 20448; B=8: 272 -> 39168 -> 40960 (pages) -> 284 = 40896. Everything else a 1000-entry
// map allocates is at most a bucket. Each old array is freed once evacuated, before the next
// growth. Go itself (oracle) reports the same arrays, as size classes, at the same inserts.
TEST(GeneratorsGo, MapBucketArraysGrowAsInGo119) {
  const Generated g = generate("go-map", {{"value_pointers", "1"}, {"min_entries", "1000"}, {"max_entries", "1000"},
                                          {"keep", "0"}, {"events", "300"}});
  std::vector<uint64_t> arrays, arrayIds;       // sizes, event indices
  std::map<size_t, size_t> freedAt;              // array event index -> index of its free
  std::map<uint64_t, size_t> liveArray;          // id -> array event index (ids are reused)
  for (size_t i = 0; i < g.events.size(); ++i) {
    const sim::Event& e = g.events[i];
    if (isFree(e) && liveArray.count(e.id)) {
      freedAt[liveArray[e.id]] = i;
      liveArray.erase(e.id);
    }
    if (isAlloc(e) && e.size == 48 && !arrays.empty()) break; // the next map's hmap
    if (isAlloc(e) && e.size > 144) {
      arrays.push_back(e.size);
      arrayIds.push_back(i);
      liveArray[e.id] = i;
      EXPECT_FALSE(e.noscan);
    }
  }
  const std::vector<uint64_t> expected = {288, 576, 1152, 2592, 5328, 10224, 20448, 40896};
  EXPECT_EQ(arrays, expected);

  const oracle::GoOutput& o = oracle::runGoOracle("growth");
  ASSERT_TRUE(o.ok) << o.error;
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  std::vector<uint64_t> goBytes, ours;
  for (size_t k = 0; o.ms.count("grow" + std::to_string(k)); ++k) goBytes.push_back(o.ms.at("grow" + std::to_string(k)).at("Bytes"));
  for (uint64_t s : arrays) ours.push_back(s <= 32768 ? table.cls(table.classOf(s)).size : (s + 8191) / 8192 * 8192);
  EXPECT_EQ(ours, goBytes);
  std::vector<uint64_t> goInserts;
  for (size_t k = 0; o.ms.count("grow" + std::to_string(k)); ++k) goInserts.push_back(o.ms.at("grow" + std::to_string(k)).at("Insert"));
  EXPECT_EQ(goInserts, (std::vector<uint64_t>{8, 13, 26, 52, 104, 208, 416, 832})); // 0-based insert index

  // Old arrays: freed after the next array was allocated and before the one after it.
  for (size_t k = 0; k + 2 < arrayIds.size(); ++k) {
    ASSERT_TRUE(freedAt.count(arrayIds[k])) << "array " << k << " never freed";
    EXPECT_GT(freedAt[arrayIds[k]], arrayIds[k + 1]);
    EXPECT_LT(freedAt[arrayIds[k]], arrayIds[k + 2]);
  }
}

TEST(GeneratorsParams, ErrorsNameTheGeneratorAndTheParameter) {
  auto message = [](const std::string& name, const Params& p) -> std::string {
    try {
      traces::makeGenerator(name, p, 1);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    ADD_FAILURE() << name << ": no error";
    return "";
  };
  EXPECT_NE(message("nope", {}).find("unknown generator \"nope\""), std::string::npos);
  EXPECT_NE(message("nope", {}).find("larson"), std::string::npos); // lists the generators
  const std::string unknown = message("larson", {{"thread", "2"}});
  EXPECT_NE(unknown.find("larson: unknown parameter \"thread\""), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("threads"), std::string::npos) << unknown; // lists the parameters
  EXPECT_NE(message("larson", {{"threads", "0"}}).find("parameter threads expects an integer from 1 to 1024, got \"0\""),
            std::string::npos);
  EXPECT_NE(message("larson", {{"events", "12x"}}).find("parameter events"), std::string::npos);
  EXPECT_NE(message("larson", {{"events", ""}}).find("parameter events"), std::string::npos);
  EXPECT_NE(message("larson", {{"events", "-1"}}).find("parameter events"), std::string::npos);
  EXPECT_NE(message("larson", {{"min_size", "100"}, {"max_size", "10"}}).find("max_size"), std::string::npos);
  EXPECT_NE(message("rptest", {{"distribution", "gauss"}}).find("expects one of even|linear|exp|fixed"),
            std::string::npos);
  EXPECT_NE(message("go-map", {{"min_entries", "9"}, {"max_entries", "3"}}).find("max_entries"), std::string::npos);
}

// --- the command line -------------------------------------------------------------------------

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GeneratorsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spanscope_gen_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs a shell command line (SPANSCOPE_CLI substituted for $CLI); returns the exit code.
  int sh(std::string cmd, std::string* out = nullptr, std::string* err = nullptr) {
    for (size_t at; (at = cmd.find("$CLI")) != std::string::npos;) cmd.replace(at, 4, std::string("'") + SPANSCOPE_CLI + "'");
    const fs::path o = dir_ / "stdout", e = dir_ / "stderr";
    const int status = std::system(("cd '" + dir_.string() + "' && (" + cmd + ") >'" + o.string() + "' 2>'" + e.string() + "'").c_str());
    if (out) *out = slurp(o);
    if (err) *err = slurp(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000;
  }
  fs::path dir_;
};

TEST_F(GeneratorsCli, SameSeedGivesByteIdenticalFiles) {
  for (const char* fmt : {"", " --json"}) {
    ASSERT_EQ(sh(std::string("$CLI gen mstress --param events=30000 --param scale=5 --seed 3 -o a") + fmt), 0);
    ASSERT_EQ(sh(std::string("$CLI gen mstress --param events=30000 --param scale=5 --seed 3 -o b") + fmt), 0);
    ASSERT_EQ(sh(std::string("$CLI gen mstress --param events=30000 --param scale=5 --seed 4 -o c") + fmt), 0);
    const std::string a = slurp(dir_ / "a"), b = slurp(dir_ / "b"), c = slurp(dir_ / "c");
    EXPECT_GT(a.size(), 10000u) << fmt;
    EXPECT_EQ(a, b) << fmt;
    EXPECT_NE(a, c) << fmt;
  }
}

TEST_F(GeneratorsCli, JsonAndBinaryHoldTheSameEventsAndTheSourceRemakesThem) {
  ASSERT_EQ(sh("$CLI gen xmalloc-test --param events=5000 --param batch=50 --seed 9 -o t.json --json"), 0);
  ASSERT_EQ(sh("$CLI gen xmalloc-test --param events=5000 --param batch=50 --seed 9 -o t.sst"), 0);
  const Generated g = generate("xmalloc-test", {{"events", "5000"}, {"batch", "50"}}, 9);
  for (const char* f : {"t.json", "t.sst"}) {
    std::unique_ptr<traces::EventStream> s = traces::openTrace((dir_ / f).string());
    const traces::Trace t = traces::readAll(*s);
    ASSERT_EQ(t.events.size(), g.events.size()) << f;
    for (size_t i = 0; i < t.events.size(); ++i) ASSERT_TRUE(same(t.events[i], g.events[i])) << f << " event " << i;
    EXPECT_EQ(t.meta.name, "xmalloc-test");
    EXPECT_EQ(t.meta.config.gomaxprocs, 4u);
    EXPECT_EQ(t.meta.config.liveness, sim::Liveness::Immediate);
  }
  // meta.source is the full command line; running it (with a new -o) makes the same bytes.
  const nlohmann::json j = nlohmann::json::parse(slurp(dir_ / "t.json"));
  const std::string source = j["meta"]["source"];
  EXPECT_EQ(source.rfind("spanscope-cli gen xmalloc-test --seed 9 --param threads=2 --param size=64 --param batch=50", 0), 0u)
      << source;
  ASSERT_EQ(sh("$CLI" + source.substr(std::string("spanscope-cli").size()) + " -o again.sst"), 0);
  EXPECT_EQ(slurp(dir_ / "again.sst"), slurp(dir_ / "t.sst"));
}

TEST_F(GeneratorsCli, PipesIntoReplay) {
  std::string out, err;
  ASSERT_EQ(sh("$CLI gen larson --param events=20000 --param chunks=100 -o - | $CLI replay - --report json", &out, &err), 0)
      << err;
  const nlohmann::json r = nlohmann::json::parse(out);
  EXPECT_EQ(r["events_replayed"], 20000);
  EXPECT_EQ(r["config"]["gomaxprocs"], 4);
  EXPECT_EQ(r["config"]["liveness"], "immediate");
}

TEST_F(GeneratorsCli, ListAndUsageErrors) {
  std::string out, err;
  ASSERT_EQ(sh("$CLI gen --list", &out), 0);
  out = "\n" + out;
  for (const traces::GeneratorInfo& g : traces::generators()) {
    EXPECT_NE(out.find("\n" + g.name + "\n"), std::string::npos) << g.name;
    for (const traces::GeneratorParam& p : g.params) EXPECT_NE(out.find(p.name + "=" + p.defaultValue), std::string::npos);
  }
  EXPECT_EQ(sh("$CLI gen --list go-map", &out), 0);
  EXPECT_EQ(out.rfind("go-map\n", 0), 0u);
  EXPECT_EQ(sh("$CLI gen nope -o x", nullptr, &err), 64);
  EXPECT_NE(err.find("unknown generator \"nope\""), std::string::npos) << err;
  EXPECT_EQ(sh("$CLI gen larson --param threads=0 -o x", nullptr, &err), 64);
  EXPECT_NE(err.find("parameter threads"), std::string::npos) << err;
  EXPECT_EQ(sh("$CLI gen larson --param threads -o x", nullptr, &err), 64);
  EXPECT_NE(err.find("NAME=VALUE"), std::string::npos) << err;
  EXPECT_EQ(sh("$CLI gen larson --param events=1 --param events=2 -o x", nullptr, &err), 64);
  EXPECT_EQ(sh("$CLI gen larson --seed x -o x", nullptr, &err), 64);
  EXPECT_EQ(sh("$CLI gen larson --param events=20000000 --json -o x", nullptr, &err), 64);
  EXPECT_NE(err.find("--json"), std::string::npos) << err;
  EXPECT_EQ(sh("$CLI gen -o x", nullptr, &err), 64);
  EXPECT_FALSE(fs::exists(dir_ / "x"));
  EXPECT_EQ(sh("$CLI gen larson --param events=100 -o no/such/dir/x", nullptr, &err), 2);
  EXPECT_NE(err.find("no/such/dir/x"), std::string::npos) << err;
}

} // namespace
