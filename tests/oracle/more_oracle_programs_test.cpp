// GC dynamics on more programs against the REAL Go 1.19 runtime (issue 12, Proof) and the REAL Go
// 1.26.8 runtime against the go1.26 profile (issue 13): an LRU cache
// (tests/oracle/go/lru) and large appends (tests/oracle/go/appends), each under GOGC 50/100/200,
// GOGC=100 with a GOMEMLIMIT that binds and GOGC=off with a GOMEMLIMIT. Go runs each setting three
// times (GOMAXPROCS=1); the engine replays the same allocation sequence (reproduced here from the
// programs' own arithmetic) and its NumGC, NextGC, HeapInuse, HeapSys and HeapReleased at the end
// must lie within Go's range (its runs now and the ranges recorded in earlier sessions, kRecorded)
// widened by 10% — except the gaps named in kGaps, which are printed and reported, not asserted
// (see the README's table).
//
// Calibration taken from Go, as for churn (gc_dynamics_oracle_test.cpp): the runtime's stack scan
// (13,000 B) and globals (223,376 B) per cycle, read from GODEBUG=gcpacertrace=1 of the churn
// binary (these programs link the same runtime and packages). Go 1.26.8 differs per program, so
// each is read from its own binary's gcpacertrace lines (GOGC=100): lru 7,448..7,744 B of stacks
// and 154,730 B of globals, appends 7,688..7,760 B and 154,602 B (churn: 128,848 and 154,602).
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr int kRuns = 3;
const char* const kFields[] = {"NumGC", "NextGC", "HeapInuse", "HeapSys", "HeapReleased"};

// Replays a program's events into w (after the three runtime.GC() of oraclelib.Settle).
using Program = std::function<void(const std::function<void(const sim::Event&)>&)>;

// tests/oracle/go/lru/main.go, step by step.
void lruEvents(const std::function<void(const sim::Event&)>& step) {
  constexpr int32_t kCap = 20000, kHot = 16000, kCold = 200000;
  constexpr int kOps = 2000000;
  step(sim::allocEvent(0, uint64_t{kCap} * 24, /*noscan=*/false)); // values
  step(sim::allocEvent(1, uint64_t{kCap} * 4));                     // prev
  step(sim::allocEvent(2, uint64_t{kCap} * 4));                     // next
  step(sim::allocEvent(3, uint64_t{kCap} * 4));                     // keyOf
  step(sim::allocEvent(4, uint64_t{kHot + kCold} * 4));             // slotOf
  std::vector<int32_t> prev(kCap), next(kCap), keyOf(kCap), slotOf(kHot + kCold, 0);
  std::vector<uint64_t> idOf(kCap, 0);
  int32_t head = -1, tail = -1, used = 0;
  uint64_t nextId = 5;
  auto unlink = [&](int32_t s) {
    if (prev[s] >= 0) next[prev[s]] = next[s];
    else head = next[s];
    if (next[s] >= 0) prev[next[s]] = prev[s];
    else tail = prev[s];
  };
  auto pushFront = [&](int32_t s) {
    prev[s] = -1;
    next[s] = head;
    if (head >= 0) prev[head] = s;
    head = s;
    if (tail < 0) tail = s;
  };
  uint64_t x = 1;
  for (int i = 0; i < kOps; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t r = static_cast<int64_t>(x >> 33);
    const int32_t k = r % 4 != 0 ? static_cast<int32_t>(r % kHot) : static_cast<int32_t>(kHot + r % kCold);
    if (const int32_t s = slotOf[k] - 1; s >= 0) {
      unlink(s);
      pushFront(s);
      continue;
    }
    int32_t s;
    if (used < kCap) {
      s = used++;
    } else {
      s = tail;
      unlink(s);
      slotOf[keyOf[s]] = 0;
      step(sim::freeEvent(idOf[s]));
    }
    const uint64_t size = 64 + static_cast<uint64_t>(k) * 2654435761ull % 4033;
    idOf[s] = nextId++;
    step(sim::allocEvent(idOf[s], size));
    keyOf[s] = k;
    slotOf[k] = s + 1;
    pushFront(s);
  }
}

// tests/oracle/go/appends/main.go.
void appendsEvents(const std::function<void(const sim::Event&)>& step) {
  constexpr uint64_t kRing = 8, kRounds = 200, kGrowths = 11, kFirst = 4096;
  step(sim::allocEvent(0, kRing * 24, /*noscan=*/false));
  std::vector<uint64_t> ring(kRing, 0);
  uint64_t nextId = 1;
  for (uint64_t r = 0; r < kRounds; ++r) {
    uint64_t b = nextId++, len = kFirst;
    step(sim::allocEvent(b, len));
    for (uint64_t g = 0; g < kGrowths; ++g) {
      const uint64_t nb = nextId++;
      step(sim::allocEvent(nb, 2 * len));
      step(sim::freeEvent(b));
      b = nb;
      len *= 2;
    }
    if (ring[r % kRing]) step(sim::freeEvent(ring[r % kRing]));
    ring[r % kRing] = b;
  }
}

using oracle::Setting;

// Go's figures recorded on this machine (min and max over four to five sessions of 2026-12-07, three runs
// each, Go 1.19.8, GOMAXPROCS=1, the machine loaded by other builds): Go's spread moves with host
// load from session to session (appends GOGC=200 NextGC 208-252 MB in one, 290-340 MB in another),
// so Go's range is these together with this run's, as for churn. Fields: NumGC, NextGC, HeapInuse,
// HeapSys, HeapReleased. HeapReleased also takes three more sessions of 2026-12-07, 19:55-20:10 UTC
// (three runs each, the binaries built as go_oracle.cpp builds them), three more of appends at
// GOGC=50, 100 and 100 with the limit (20:00 UTC), and appends GOGC=50's 4,079,616 B, the lowest
// of a live run of this test at 19:53 UTC, recorded when it became an asserted figure; the other
// fields are as they were, except lru GOGC=100, which takes all five fields of nine runs of those
// three sessions (HeapSys 117.2-176.0 MB, NextGC 100.8-169.7 MB, NumGC 28-33, HeapInuse
// 99.4-142.6 MB): with them its HeapSys is no longer a gap. In a busy steady state Go's own spread of it is wide: lru GOGC=100
// ended at 1.9, 2.6, 3.3, 11.4, 12.8, 16.8, 18.0, 40.2 and 50.8 MB in nine runs (the background
// scavenger's timing on a loaded host), appends GOGC=100 at 6.8 to 37.4 MB in nine.
using oracle::Range;
const std::map<std::string, std::vector<Range>> kRecorded = {
    {"lru GOGC=50", {{61, 67}, {70788240, 92407224}, {74186752, 84623360}, {83656704, 104660992}, {2621440, 26312704}}},
    {"lru GOGC=100", {{28, 36}, {94862904, 169727080}, {89350144, 142589952}, {108855296, 175964160}, {1589248, 50790400}}},
    {"lru GOGC=200", {{17, 19}, {140258728, 223450872}, {126042112, 166584320}, {159186944, 276627456}, {0, 60235776}}},
    {"lru GOGC=100 GOMEMLIMIT=67108864", {{275, 392}, {45869680, 53668224}, {54255616, 58621952}, {58425344, 71106560}, {2850816, 15302656}}},
    {"lru GOGC=off GOMEMLIMIT=100663296", {{50, 57}, {77205712, 84628960}, {77357056, 84025344}, {87883776, 104660992}, {2039808, 21782528}}},
    {"appends GOGC=50", {{104, 107}, {107117936, 125985880}, {96681984, 113516544}, {146604032, 159186944}, {4079616, 41943040}}},
    {"appends GOGC=100", {{54, 57}, {140803384, 175402744}, {130760704, 159055872}, {188547072, 213712896}, {6791168, 46137344}}},
    {"appends GOGC=200", {{28, 30}, {208174712, 340258552}, {216203264, 318922752}, {272433152, 381485056}, {2637824, 98590720}}},
    {"appends GOGC=100 GOMEMLIMIT=134217728", {{83, 90}, {119821872, 119826384}, {101851136, 116596736}, {150798336, 163381248}, {25550848, 44195840}}},
    {"appends GOGC=off GOMEMLIMIT=167772160", {{45, 51}, {151210944, 153380816}, {134422528, 150142976}, {188547072, 205324288}, {33939456, 52887552}}},
};

// Where the engine is outside Go's range +-10%: reported ("known gap"), not asserted, until explained.
//   * (No longer a gap since the evening sessions of 2026-12-07 joined kRecorded: lru GOGC=100
//     HeapSys, 155 MB against the 109-130 MB of the earlier sessions; Go's runs that evening reached
//     117-176 MB. The engine's NextGC sits in the upper half of Go's range: its marked heap is on
//     the high side, as its HeapSys is.)
//   * appends GOGC=50 HeapSys: 130 MB vs Go's 147-159 MB. Go 1.19 built with -overlay printing
//     mheap.grow (2026-12-07, two runs, GODEBUG=gctrace=1): Go's heap keeps growing after the
//     engine's stops (the engine: 130 MB at cycle 15, then every cycle repeats, NextGC 112.6 MB).
//     Go: 134.2 MB by cycle 20, then +8 MiB at cycles 58, 58 and 84 (159.4 MB); the other run 121.6
//     MB by cycle 17, then four more by cycle 25 (155.2 MB). Each is an 8 MiB buffer finding no
//     free run with 10-23 MB free; three of the seven in a mark whose gctrace shows 29-37 ms of
//     wall clock for ~0.1 ms of CPU, the heap reaching its goal (112->120 MB, 120 MB goal). Like
//     churn's HeapSys (gc_dynamics_oracle_test.cpp), the worst transient of a run with host noise.
//   * (Not a gap, but at the low end of Go's spread: appends' HeapReleased at GOGC=50, 4.5 MB (Go
//     4.1-41.9, most runs 9-42), GOGC=100, 11.4 (6.8-46.1) and GOGC=100 with the 128 MiB limit,
//     25.8 (25.6-44.2). The engine retains what Go retains (HeapSys - HeapReleased, limit case:
//     121.0 MB, Go 120.1-121.1 in nine runs; GOGC=50: 125.6, Go 115.1-142.9) but its heap is
//     smaller (HeapSys: 130.0 against 146.6-163.3 at GOGC=50), and its HeapReleased swings from
//     cycle to cycle as 8 MiB buffers come and go (GOGC=100: 1.9 to 46.3 MB over its last 12
//     cycles): the end falls on a low one.)
// HeapReleased lands in every case since the scavenger's work goes by the ranges it releases
// (cost model scavenge_call; sim/mgcscavenge.cpp). Before, at 25 ns per page, one 1-ms burst
// released everything above the goal (lru GOGC=100: 13-23 MB in 84-143 us of modelled work, cycle
// after cycle) and lru ended at 48.0 MB (GOGC=100), 87.4 MB (GOGC=200, Go 0-60.2) and 29.2 MB
// (GOGC=off, 96 MiB limit, Go 2.0-21.8; its HeapSys 113.2 MB against 87.9-104.7). Go 1.19 built
// with -overlay printing each burst (GODEBUG=gctrace=1, lru GOGC=100, cycles 16-27): a burst is
// 1.0 ms of work by nanotime, 2.2-7.3 MB, ~4.25 scavengeOne calls per 64 KiB quantum (the
// engine: 4.28), and its sleep (sleepRatio at its 0.001 floor: 1 s) ends at the next cycle's
// wake, so about one burst per cycle and the goal never met; the engine now releases 5.0-6.5 MB
// per burst. (The end figure alone is a weak check where Go spreads this wide: lru GOGC=100's old
// 48.0 MB would pass against the evening runs; GOGC=200's 87.4 and GOGC=off's 29.2 would not.)
const std::set<std::string> kGaps = {
    "appends GOGC=50 HeapSys",
};

// Go 1.26.8 (GOEXPERIMENT=norandomizedheapbase64), three runs per setting in one session of
// 2026-12-07 (GOMAXPROCS=1, the machine loaded by other builds); HeapReleased also the three
// sessions of 19:55-20:10 UTC, as for Go 1.19 (lru GOGC=100: 0.9 to 106.5 MB in nine runs).
const std::map<std::string, std::vector<Range>> kRecorded126 = {
    {"lru GOGC=50", {{59, 65}, {70269961, 79785009}, {76070912, 84516864}, {83623936, 133955584}, {2793472, 102678528}}},
    {"lru GOGC=100", {{34, 36}, {96256370, 124007490}, {94265344, 109027328}, {112984064, 117178368}, {884736, 106496000}}},
    {"lru GOGC=200", {{18, 19}, {173150484, 232152340}, {138264576, 184156160}, {163315712, 192675840}, {3252224, 69066752}}},
    {"lru GOGC=100 GOMEMLIMIT=67108864", {{177, 190}, {55134476, 57508276}, {57843712, 58679296}, {62652416, 66846720}, {3932160, 93814784}}},
    {"lru GOGC=off GOMEMLIMIT=100663296", {{43, 45}, {80841541, 86768193}, {81477632, 83640320}, {92012544, 104595456}, {3063808, 45580288}}},
    {"appends GOGC=50", {{109, 110}, {103954633, 110246809}, {98729984, 108126208}, {129761280, 146538496}, {11599872, 27787264}}},
    {"appends GOGC=100", {{53, 53}, {142853986, 142855282}, {130203648, 134365184}, {180092928, 188481536}, {7315456, 35176448}}},
    {"appends GOGC=200", {{29, 29}, {226960860, 230080804}, {207757312, 222953472}, {280690688, 289079296}, {5767168, 35569664}}},
    {"appends GOGC=100 GOMEMLIMIT=134217728", {{74, 74}, {125972032, 126031061}, {109215744, 117628928}, {154861568, 163315712}, {24870912, 38420480}}},
    {"appends GOGC=off GOMEMLIMIT=167772160", {{42, 42}, {158510682, 158578861}, {155246592, 155312128}, {201064448, 205258752}, {37453824, 50429952}}},
};
// Known gaps of the go1.26 profile (reported, not asserted; figures of 2026-12-07, Go's range over
// the recorded and the live runs). HeapReleased is asserted in every case: go1.26.8's own spread in
// a busy steady state is as wide as 1.19's (lru GOGC=100: 0.9 to 106.5 MB in nine runs; the engine
// 11.2 MB), and appends GOGC=100 (31.6 MB) lands since the evening sessions (7.3-35.2 MB).
//   * appends GOGC=200 HeapInuse at the end: 249.6 MB against Go's 207.8-223.0 MB (NextGC 252.0
//     MB is inside, 208.1-230.1 MB + 10%): the engine's last cycle marked one more 8-16 MiB buffer.
// No longer a gap: lru GOGC=100 GOMEMLIMIT=64 MiB ran 148 cycles against Go's 177-190 until
// 2026-12-07, now 170. Cycle by cycle (go1.26.8 built with -overlay printing gcController's state
// at gcStart, GODEBUG=gctrace=1,gcpacertrace=1; means over cycles 21 and later, 1e6 B): Go marks
// 48.72 and the engine 48.74, both trigger at the 45/64 lower bound of trigger(), the marks
// allocate 2.88 and 2.87, but the memory-limit goal (at gcStart, the sweep finished) was 56.15
// against Go's 54.49, so the engine allocated 7.9 per cycle against Go's 6.1-6.4: it subtracted
// 4.09 of non-span mappedReady against Go's 5.86. go1.26.8 sysAllocs the memory profiler's hash
// table (1,439,992 B) in every program, and its own goroutine stacks (229,376 B), three gcBits
// arenas and 4,608 B span-set blocks were counted short (sim/mheap_metadata.cpp). What is left
// (goal 54.77 against 54.49): the engine's non-span memory is one persistentalloc chunk (0.26)
// short. (Neither sweep is done at the trigger: a third of Go's sweepone calls come from gcStart's
// loop, as the engine's gcCycle finishes the sweep, and the goal falls while it does: 0.4 in the
// engine.) Go's own runs also differ: some overshoot the limit once (a mark allocating 15 MB),
// after which mappedReady stays above GOMEMLIMIT, the goal is heapMarked and cycles run back to
// back for the rest of the run (188-213 cycles, not 176-190).
const std::set<std::string> kGaps126 = {
    "appends GOGC=200 HeapInuse",
};

struct Calibration {
  uint64_t stackScan, globalsScan;
};
struct Toolchain {
  oracle::GoToolchain go;
  sim::GoVersion engine;
  Calibration lru, appends;
  const std::map<std::string, std::vector<Range>>* recorded;
  const std::set<std::string>* gaps;
};
const Toolchain kGo119{oracle::GoToolchain::Go119, sim::GoVersion::Go119, {13000, 223376}, {13000, 223376}, &kRecorded, &kGaps};
const Toolchain kGo126{oracle::GoToolchain::Go126, sim::GoVersion::Go126, {7600, 154730}, {7720, 154602}, &kRecorded126, &kGaps126};

void matchesGo(const std::string& program, const Program& events, const Setting& st, const Toolchain& tc = kGo119) {
  std::vector<std::vector<uint64_t>> go(std::size(kFields));
  const auto rec = tc.recorded->find(program + " " + st.label());
  ASSERT_NE(rec, tc.recorded->end()) << "no recorded Go range for " << program << " " << st.label();
  for (size_t f = 0; f < std::size(kFields); ++f) go[f] = {rec->second[f].lo, rec->second[f].hi};
  for (int r = 0; r < kRuns; ++r) {
    std::vector<std::string> env = {"GOGC=" + (st.gogc < 0 ? std::string("off") : std::to_string(st.gogc)),
                                    "ORACLE_RUN=" + std::to_string(r)};
    if (st.memLimit) env.push_back("GOMEMLIMIT=" + std::to_string(st.memLimit));
    const oracle::GoOutput& out = oracle::runGoOracle(program, env, tc.go);
    ASSERT_TRUE(out.ok) << out.error;
    auto m = out.ms.find("end");
    ASSERT_NE(m, out.ms.end()) << "no 'ms end' line";
    for (size_t f = 0; f < std::size(kFields); ++f) go[f].push_back(m->second.at(kFields[f]));
    ASSERT_EQ(m->second.at("NumForcedGC"), 3u);
  }
  sim::Config cfg;
  cfg.goVersion = tc.engine;
  cfg.gomaxprocs = 1;
  cfg.gogc = st.gogc;
  cfg.bgSweepSpans = 0; // a busy 1-P program: see gc_dynamics_oracle_test.cpp
  const Calibration& cal = program == "lru" ? tc.lru : tc.appends;
  cfg.rootScanBytes = cal.stackScan;
  cfg.globalsBytes = cal.globalsScan;
  cfg.scavenger.memoryLimit = st.memLimit;
  sim::World w(cfg);
  std::string err;
  auto step = [&](const sim::Event& ev) {
    if (!w.step(ev, &err)) ADD_FAILURE() << "event " << w.eventsApplied() << ": " << err;
  };
  for (int i = 0; i < 3; ++i) step(sim::gcEvent());
  events(step);
  step(sim::readMemStatsEvent());
  const sim::MemStats m = w.memStats();
  const uint64_t sim[] = {m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased};
  auto gap = [&](const std::string& key) { return tc.gaps->count(key) != 0; };
  std::printf("%s %s %s\n", oracle::toolchainName(tc.go), program.c_str(), st.label().c_str());
  for (size_t f = 0; f < std::size(kFields); ++f) {
    const uint64_t lo = *std::min_element(go[f].begin(), go[f].end()), hi = *std::max_element(go[f].begin(), go[f].end());
    const bool in = static_cast<double>(sim[f]) >= 0.9 * static_cast<double>(lo) &&
                    static_cast<double>(sim[f]) <= 1.1 * static_cast<double>(hi);
    const std::string key = program + " " + st.label() + " " + kFields[f];
    std::printf("  %-12s Go %llu..%llu  engine %llu%s\n", kFields[f], static_cast<unsigned long long>(lo),
                static_cast<unsigned long long>(hi), static_cast<unsigned long long>(sim[f]),
                in ? "" : (gap(key) ? "  (known gap)" : "  OUTSIDE"));
    if (!gap(key)) {
      EXPECT_TRUE(in) << key << ": engine " << sim[f] << ", Go " << lo << ".." << hi << " (±10%)";
    }
  }
}

TEST(OracleMorePrograms, LruGOGC50) { matchesGo("lru", lruEvents, {50, 0}); }
TEST(OracleMorePrograms, LruGOGC100) { matchesGo("lru", lruEvents, {100, 0}); }
TEST(OracleMorePrograms, LruGOGC200) { matchesGo("lru", lruEvents, {200, 0}); }
TEST(OracleMorePrograms, LruGOGC100MemoryLimit) { matchesGo("lru", lruEvents, {100, 64 << 20}); }
TEST(OracleMorePrograms, LruGOGCOffMemoryLimit) { matchesGo("lru", lruEvents, {-1, 96 << 20}); }
TEST(OracleMorePrograms, AppendsGOGC50) { matchesGo("appends", appendsEvents, {50, 0}); }
TEST(OracleMorePrograms, AppendsGOGC100) { matchesGo("appends", appendsEvents, {100, 0}); }
TEST(OracleMorePrograms, AppendsGOGC200) { matchesGo("appends", appendsEvents, {200, 0}); }
TEST(OracleMorePrograms, AppendsGOGC100MemoryLimit) { matchesGo("appends", appendsEvents, {100, 128 << 20}); }
TEST(OracleMorePrograms, AppendsGOGCOffMemoryLimit) { matchesGo("appends", appendsEvents, {-1, 160 << 20}); }

// The same programs built with Go 1.26.8, against the go1.26 profile.
TEST(OracleMorePrograms, LruGOGC50Go126) { matchesGo("lru", lruEvents, {50, 0}, kGo126); }
TEST(OracleMorePrograms, LruGOGC100Go126) { matchesGo("lru", lruEvents, {100, 0}, kGo126); }
TEST(OracleMorePrograms, LruGOGC200Go126) { matchesGo("lru", lruEvents, {200, 0}, kGo126); }
TEST(OracleMorePrograms, LruGOGC100MemoryLimitGo126) { matchesGo("lru", lruEvents, {100, 64 << 20}, kGo126); }
TEST(OracleMorePrograms, LruGOGCOffMemoryLimitGo126) { matchesGo("lru", lruEvents, {-1, 96 << 20}, kGo126); }
TEST(OracleMorePrograms, AppendsGOGC50Go126) { matchesGo("appends", appendsEvents, {50, 0}, kGo126); }
TEST(OracleMorePrograms, AppendsGOGC100Go126) { matchesGo("appends", appendsEvents, {100, 0}, kGo126); }
TEST(OracleMorePrograms, AppendsGOGC200Go126) { matchesGo("appends", appendsEvents, {200, 0}, kGo126); }
TEST(OracleMorePrograms, AppendsGOGC100MemoryLimitGo126) { matchesGo("appends", appendsEvents, {100, 128 << 20}, kGo126); }
TEST(OracleMorePrograms, AppendsGOGCOffMemoryLimitGo126) { matchesGo("appends", appendsEvents, {-1, 160 << 20}, kGo126); }

} // namespace
