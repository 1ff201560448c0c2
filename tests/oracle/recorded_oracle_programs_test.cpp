// GC dynamics of two programs whose allocations cannot be written out by hand (issue 12), against
// the REAL Go 1.26.8 runtime and the go1.26 profile: a JSON round-trip loop
// (tests/oracle/go/jsonloop: encoding/json's internals) and a map grown then halved
// (tests/oracle/go/maphalved: the map's tables depend on its random hash seed). Each was recorded
// once with Go 1.26's execution tracer (GODEBUG=traceallocfree=1, GOGC=10;
// tests/data/go_exectrace/record.sh); the engine replays the recording with its own pacer under
// each setting (GOGC 50/100/200, GOGC=100 with a GOMEMLIMIT that binds, GOGC=off with one), and
// its NumGC, NextGC, HeapInuse, HeapSys and HeapReleased at the end must lie within the range of
// three untraced Go runs of the same program (built and run at test time, GOMAXPROCS=1) and of the
// sessions recorded below, widened by 10% — except the known gaps below, printed and not asserted.
//
// The replay: the recording starts after oraclelib.Settle() (three runtime.GC()); its first
// events are the snapshot of the objects alive then, after which the engine runs the three
// forced cycles itself. Every GC of the recording is the recorded program's own pacer (the
// program calls no runtime.GC() while tracing, and the importer finds no runtime.GC on any
// GCBegin's stack: checked below), so each is dropped and the engine's pacer decides when to
// collect, as --gc-cycles pacer does. The tracer's own
// heap objects are dropped from the snapshot (recording(), below): an untraced run has none.
// Frees arrive when the recording's sweeper found the object dead, a little after the program
// let go of it: the recording's low GOGC keeps that lag short (README "Go execution traces";
// of recordings at GOGC=5, 10, 25 and 50, GOGC=10's replays came closest to Go's NextGC). The
// events keep the recording's times, and their gaps are the running goroutine's time
// (Config::traceGapsRunning: one goroutine that never blocks on one P): sysmon's 10 ms
// preemption, which lets the fractional mark worker run, falls as often as in the real program,
// which computes between its allocations (JSON) far longer than the cost model's allocator time.
// The traced run is slower than an untraced one (its own GOGC=10 cycles and the tracer: jsonloop
// 3.4 s against 1.7 s), so the replay's preemptions come somewhat more often per allocation.
//
// Calibration from each go1.26.8 binary's own GODEBUG=gcpacertrace=1 lines (GOGC=100): jsonloop
// scans 8,008..10,736 B of stacks (8,312 in 6 of 14 cycles) and 157,066 B of globals per cycle,
// maphalved 7,384..7,744 B (7,672 in 13 of 22) and 154,762 B.
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"
#include "traces/byte_source.h"
#include "traces/go_exectrace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#ifndef SPANSCOPE_TEST_DATA
#error "SPANSCOPE_TEST_DATA must be defined (the build does it)"
#endif

namespace {

constexpr int kRuns = 3;
const char* const kFields[] = {"NumGC", "NextGC", "HeapInuse", "HeapSys", "HeapReleased"};

struct Program {
  std::string name;      // tests/oracle/go/<name>, tests/data/go_exectrace/<name>.trace.zst
  uint64_t stackScan;    // calibration, see the header comment
  uint64_t globalsScan;
};
const Program kJsonLoop{"jsonloop", 8800, 157066};
const Program kMapHalved{"maphalved", 7680, 154762};

// A recording, read once per test-binary run: its events with the recorded GC cycles removed.
struct Recording {
  std::vector<sim::Event> events;
  uint64_t snapshotObjects = 0; // the first events: the objects alive at trace.Start (less the tracer's)
  uint64_t recordedGCs = 0;     // dropped: the recorded program's pacer
  uint64_t forcedGCs = 0;       // recorded cycles the importer found forced (runtime.GC on the stack)
};

const Recording& recording(const std::string& name) {
  static std::map<std::string, Recording> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Recording& r = cache[name];
  traces::GoExecTraceStream s(std::make_unique<traces::ByteSource>(std::string(SPANSCOPE_TEST_DATA) + "/go_exectrace/" + name +
                                                                   ".trace.zst"));
  sim::Event ev;
  while (s.read(&ev, 1)) {
    if (ev.kind == sim::EventKind::GC) {
      ++r.recordedGCs;
      r.forcedGCs += ev.id != sim::kBackgroundGC;
      continue;
    }
    r.events.push_back(ev);
  }
  r.snapshotObjects = s.counts().snapshotObjects;
  // The tracer's own heap, which an untraced run does not have: runtime.StartTrace ->
  // traceInitReadCPU makes two profBufs for CPU samples (tracecpu.go; profbuf.go newProfBuf), each
  // with data = make([]uint64, profBufWordCount = 1<<17) (1 MiB, noscan) and tags =
  // make([]unsafe.Pointer, profBufTagCount = 1<<14) (128 KiB, scan), alive while tracing: 2.25 MiB
  // of the snapshot (a heap profile of the traced program shows them under
  // traceMultiplexer.startLocked). Dropped from the replay; their frees never come.
  int data = 0, tags = 0;
  for (uint64_t i = 0; i < r.snapshotObjects;) {
    const sim::Event& e = r.events[i];
    const bool isData = e.size == uint64_t{1} << 20 && e.noscan, isTags = e.size == uint64_t{128} << 10 && !e.noscan;
    if (!isData && !isTags) {
      ++i;
      continue;
    }
    (isData ? data : tags)++;
    r.events.erase(r.events.begin() + static_cast<std::ptrdiff_t>(i));
    --r.snapshotObjects;
  }
  EXPECT_EQ(data, 2) << name << ": the tracer's two 1 MiB profBuf.data in the snapshot";
  EXPECT_EQ(tags, 2) << name << ": the tracer's two 128 KiB profBuf.tags in the snapshot";
  return r;
}

using oracle::Setting;

// Go's figures recorded on this machine: min and max over four sessions of 2026-12-07, three runs
// each (go1.26.8, GOMAXPROCS=1, the machine loaded by other builds). Go's range is these together
// with this run's, as for lru and appends: one session's three runs can miss a mode. maphalved at
// GOGC=50 is bimodal: one run in twelve ran away (11 cycles, NextGC 35.3 MB, HeapSys 180 MB), the
// others made 56-60 cycles ending at NextGC 10.9-11.9 MB. Fields: NumGC, NextGC, HeapInuse,
// HeapSys, HeapReleased.
using oracle::Range;
const std::map<std::string, std::vector<Range>> kRecorded = {
    {"jsonloop GOGC=50", {{38, 41}, {8144409, 9237089}, {6881280, 8937472}, {12255232, 12320768}, {2621440, 4079616}}},
    {"jsonloop GOGC=100", {{18, 21}, {10819730, 13927306}, {8962048, 12230656}, {12320768, 16515072}, {0, 5267456}}},
    {"jsonloop GOGC=200", {{10, 12}, {16626908, 20632212}, {12804096, 18063360}, {20709376, 20742144}, {90112, 5824512}}},
    {"jsonloop GOGC=100 GOMEMLIMIT=12582912", {{110, 126}, {6262816, 6671648}, {6168576, 6643712}, {8060928, 8159232}, {786432, 950272}}},
    {"jsonloop GOGC=off GOMEMLIMIT=16777216", {{22, 25}, {10084216, 10601072}, {8273920, 9592832}, {12255232, 12320768}, {1228800, 1892352}}},
    {"maphalved GOGC=50", {{11, 60}, {10859625, 35274925}, {11812864, 37068800}, {20709376, 180092928}, {3276800, 45293568}}},
    {"maphalved GOGC=100", {{25, 28}, {18129442, 18856146}, {17473536, 19144704}, {24838144, 33292288}, {4694016, 13590528}}},
    {"maphalved GOGC=200", {{11, 13}, {32690668, 45196468}, {31735808, 42958848}, {41680896, 45875200}, {909312, 10436608}}},
    {"maphalved GOGC=100 GOMEMLIMIT=20971520", {{50, 62}, {12298736, 13829752}, {13295616, 14057472}, {16515072, 24903680}, {1662976, 10289152}}},
    {"maphalved GOGC=off GOMEMLIMIT=25165824", {{28, 29}, {15710104, 18270856}, {17137664, 18006016}, {20643840, 24903680}, {1753088, 6111232}}},
};

// Where the engine is outside Go's range +-10%: reported ("known gap"), not asserted. HeapReleased
// is reported for every case, as for lru and appends (more_oracle_programs_test.cpp): Go's own
// spread in a busy steady state is wide and depends on the background scavenger's timing.
// Measured before Config::traceGapsRunning (the replay on the cost model's clock): jsonloop's
// marked heap was 1.3-2 times Go's under GOGC alone (GOGC=100: NextGC 15.9 MB against Go's
// 10.8-13.9 MB). Its marks spanned their whole runway: the cost model's clock is allocation time
// only, so sysmon's 10 ms preemption rarely fell inside a mark, the fractional worker never ran
// and the assists, paced to finish at the goal, did all the work while everything allocated
// meanwhile was marked. Go's gctrace shows the background worker doing half the work of 1-20 ms
// marks while the heap barely grows (10->10->5 MB). With the recording's time as the goroutine's
// running time, jsonloop lands (GOGC=100: 19 cycles, NextGC 12.8 MB).
//   * maphalved GOGC=200: the engine now ends short (16 cycles against 11-13, NextGC 29.2 MB
//     against 32.7-45.8): the traced run is over twice as slow per allocation as the untraced one
//     (its own GOGC=10 cycles and the tracer: 0.45 s against 0.2 s), so the replay's preemptions,
//     and the fractional worker, come more often than in Go and its marks end earlier.
//   * jsonloop GOGC=100 GOMEMLIMIT=12 MiB: 297 cycles against 110-126 (NextGC, HeapInuse and
//     HeapSys land); 90 before the runtime's non-heap memory was counted as go1.26.8 maps it
//     (more_oracle_programs_test.cpp, lru's limit case). Cycle by cycle against go1.26.8 with
//     gcController's state printed at gcStart (means over cycles 21 and later, 1e6 B): Go marks
//     5.59, triggers at 6.22 and aims at 6.49, a cycle's runway (goal - marked) is 0.90; the
//     engine's goal is 6.30 (non-span mappedReady 4.74 against Go's 4.58: one persistentalloc chunk
//     more) but it marks 6.11, 0.52 more than Go (0.30 more under GOGC=100 alone, 6.15 against
//     5.83-5.88). Its marks allocate as much as Go's (0.23 against 0.24 per cycle): the surplus is
//     the heap live at the cycle's start, about a tenth of it, as a GOGC=10 recording implies (a
//     free is recorded when the sweep after the recording's next cycle finds the object dead). So
//     its runway is 0.19 and a third of its cycles start at once (goal = heapMarked). With Go's own
//     non-span memory (stacks and persistentalloc chunks set to Go's figures by hand) the goal is
//     6.53 and the engine still runs 204 cycles; only an estimate 0.4 MB short of Go's lands it
//     (128), which would be right for the wrong reason. A 12 MiB limit leaves under 1 MB per cycle:
//     one 256 KiB persistentalloc chunk moves NumGC by half.
const std::set<std::string> kGaps = {
    "maphalved GOGC=200 NumGC", "maphalved GOGC=200 NextGC", "maphalved GOGC=200 HeapInuse", "maphalved GOGC=200 HeapSys",
    "jsonloop GOGC=100 GOMEMLIMIT=12582912 NumGC",
};

void matchesGo(const Program& p, const Setting& st) {
  std::vector<std::vector<uint64_t>> go(std::size(kFields));
  const auto rec0 = kRecorded.find(p.name + " " + st.label());
  ASSERT_NE(rec0, kRecorded.end()) << "no recorded Go range for " << p.name << " " << st.label();
  for (size_t f = 0; f < std::size(kFields); ++f) go[f] = {rec0->second[f].lo, rec0->second[f].hi};
  for (int r = 0; r < kRuns; ++r) {
    std::vector<std::string> env = {"GOGC=" + (st.gogc < 0 ? std::string("off") : std::to_string(st.gogc)),
                                    "ORACLE_RUN=" + std::to_string(r)};
    if (st.memLimit) env.push_back("GOMEMLIMIT=" + std::to_string(st.memLimit));
    const oracle::GoOutput& out = oracle::runGoOracle(p.name, env, oracle::GoToolchain::Go126);
    ASSERT_TRUE(out.ok) << out.error;
    auto m = out.ms.find("end");
    ASSERT_NE(m, out.ms.end()) << "no 'ms end' line";
    for (size_t f = 0; f < std::size(kFields); ++f) go[f].push_back(m->second.at(kFields[f]));
    ASSERT_EQ(m->second.at("NumForcedGC"), 3u);
  }
  const Recording& rec = recording(p.name);
  ASSERT_GT(rec.snapshotObjects, 0u);
  ASSERT_GT(rec.recordedGCs, 0u);
  EXPECT_EQ(rec.forcedGCs, 0u) << "the program calls no runtime.GC() while tracing: every recorded cycle is its pacer's";
  for (uint64_t i = 0; i < rec.snapshotObjects; ++i) ASSERT_EQ(rec.events[i].kind, sim::EventKind::Alloc) << "event " << i;

  sim::Config cfg;
  cfg.goVersion = sim::GoVersion::Go126;
  cfg.gomaxprocs = 1;
  cfg.liveness = sim::Liveness::GC;
  cfg.gogc = st.gogc;
  cfg.bgSweepSpans = 0; // a busy 1-P program: see gc_dynamics_oracle_test.cpp
  cfg.rootScanBytes = p.stackScan;
  cfg.globalsBytes = p.globalsScan;
  cfg.traceGapsRunning = true;
  cfg.scavenger.memoryLimit = st.memLimit;
  sim::World w(cfg);
  std::string err;
  auto step = [&](const sim::Event& ev) {
    if (!w.step(ev, &err)) ADD_FAILURE() << "event " << w.eventsApplied() << ": " << err;
  };
  for (uint64_t i = 0; i < rec.snapshotObjects; ++i) step(rec.events[i]);
  for (int i = 0; i < 3; ++i) step(sim::gcEvent()); // oraclelib.Settle
  for (size_t i = rec.snapshotObjects; i < rec.events.size(); ++i) step(rec.events[i]);
  step(sim::readMemStatsEvent());
  const sim::MemStats m = w.memStats();
  const uint64_t sim[] = {m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased};
  auto gap = [&](const std::string& key, const char* field) {
    return std::string(field) == "HeapReleased" || kGaps.count(key) != 0;
  };
  std::printf("go1.26 %s %s (recording: %llu snapshot objects, %llu recorded cycles dropped)\n", p.name.c_str(),
              st.label().c_str(), static_cast<unsigned long long>(rec.snapshotObjects),
              static_cast<unsigned long long>(rec.recordedGCs));
  for (size_t f = 0; f < std::size(kFields); ++f) {
    const uint64_t lo = *std::min_element(go[f].begin(), go[f].end()), hi = *std::max_element(go[f].begin(), go[f].end());
    const bool in = static_cast<double>(sim[f]) >= 0.9 * static_cast<double>(lo) &&
                    static_cast<double>(sim[f]) <= 1.1 * static_cast<double>(hi);
    const std::string key = p.name + " " + st.label() + " " + kFields[f];
    std::printf("  %-12s Go %llu..%llu  engine %llu%s\n", kFields[f], static_cast<unsigned long long>(lo),
                static_cast<unsigned long long>(hi), static_cast<unsigned long long>(sim[f]),
                in ? "" : (gap(key, kFields[f]) ? "  (known gap)" : "  OUTSIDE"));
    if (!gap(key, kFields[f])) {
      EXPECT_TRUE(in) << key << ": engine " << sim[f] << ", Go " << lo << ".." << hi << " (±10%)";
    }
  }
}

TEST(OracleMorePrograms, JsonLoopGOGC50Go126) { matchesGo(kJsonLoop, {50, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100Go126) { matchesGo(kJsonLoop, {100, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC200Go126) { matchesGo(kJsonLoop, {200, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100MemoryLimitGo126) { matchesGo(kJsonLoop, {100, 12 << 20}); }
TEST(OracleMorePrograms, JsonLoopGOGCOffMemoryLimitGo126) { matchesGo(kJsonLoop, {-1, 16 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGC50Go126) { matchesGo(kMapHalved, {50, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100Go126) { matchesGo(kMapHalved, {100, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC200Go126) { matchesGo(kMapHalved, {200, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100MemoryLimitGo126) { matchesGo(kMapHalved, {100, 20 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGCOffMemoryLimitGo126) { matchesGo(kMapHalved, {-1, 24 << 20}); }

} // namespace
