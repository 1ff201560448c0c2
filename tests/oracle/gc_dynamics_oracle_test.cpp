// GC dynamics against the REAL Go 1.19 runtime (issue 12) and the REAL Go 1.26.8 runtime (issue 13,
// each against its own engine profile): the concurrent mark as a window of events (allocate-black,
// deletion barrier, assists, background worker), the pacer's controller (Go 1.19: the PI-smoothed
// cons/mark; Go 1.26: the maximum of the last 4 cycles, triggered = heapLive at the start),
// runway and trigger bounds, and GOMEMLIMIT in the pacer (Go 1.26: 3% headroom).
//
// Program tests/oracle/go/churn: a 20,000-slot sliding window of make([]byte, n), n = 24..4000
// from an LCG, 2,000,000 allocations after a 480,000-byte []([]byte) (the only scan work of the
// heap). Go runs it five times per setting (GOMAXPROCS=1; ~3 s each). Go's figures vary from run to
// run and more with host load: its 1-P mark ends when an assist or the fractional worker
// (scheduled at preemption points) finishes the work, and its cons/mark ratio is measured in
// wall-clock time; over several sessions on a loaded 2-core machine GOGC=100 NumGC ranged 83..98.
// The engine replays the same allocation sequence directly (the LCG is reproduced here), after
// the three runtime.GC() of oraclelib.Settle(). Its NumGC and NextGC at the end must lie within
// Go's range over its runs (these and the recorded ones below) widened by 10% on each side (issue
// 12's bound); HeapInuse as below;
// HeapSys has only an upper bound (see there).
//
// HeapInuse at the end is one point of a sawtooth (it swings between the marked heap and the goal
// every cycle), so it is compared as a band: the program also reads MemStats every 100,000
// allocations (the replay reads them at the same points), and the engine's HeapInuse at each of
// the last ten checkpoints and at the end must lie within Go's band over the same points of all
// its runs, widened by 10%.
//
// What the engine cannot know and takes from Go (calibration, not a prediction): the stack and
// globals scan work of every cycle, 13,000 B and 223,376 B, read once from this program's
// GODEBUG=gcpacertrace=1 lines ("for <heap>+<stack>+<globals> B work": 12,864..13,240 + 223,376).
// Go 1.26.8's binary (GOEXPERIMENT=norandomizedheapbase64) scans 128,560..128,920 B of stacks and
// 154,602 B of globals (its lines: "516760+128848+154602 B work", 90 cycles of one GOGC=100 run;
// 128,848 the most frequent). The runtime's own small heap (~35 KiB) is left out in both.
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kWindow = 20000, kTotal = 2000000; // as in churn/main.go
constexpr int kRuns = 5;

uint64_t msField(const oracle::GoOutput& go, const std::string& label, const std::string& name) {
  auto m = go.ms.find(label);
  if (m == go.ms.end() || !m->second.count(name)) {
    ADD_FAILURE() << "Go output has no 'ms " << label << " " << name << "='";
    return 0;
  }
  return m->second.at(name);
}

constexpr uint64_t kCheckpoint = 100000, kFirstCompared = 10; // as in churn/main.go
struct Profile {
  oracle::GoToolchain go;
  sim::GoVersion engine;
  uint64_t stackScan, globalsScan; // calibration, see above
};
constexpr Profile kGo119{oracle::GoToolchain::Go119, sim::GoVersion::Go119, 13000, 223376};
constexpr Profile kGo126{oracle::GoToolchain::Go126, sim::GoVersion::Go126, 128848, 154602};

struct Figures {
  uint64_t numGC = 0, nextGC = 0, heapInuse = 0, heapSys = 0;
  std::vector<uint64_t> lateInuse; // HeapInuse at checkpoints kFirstCompared.. and at the end
};

// The churn program's allocations, event by event (ids: 0 = the window slice, 1.. = the byte slices).
Figures replayChurn(sim::Config cfg, uint64_t* markCycles = nullptr) {
  sim::World w(cfg);
  std::vector<uint64_t> lateInuse;
  std::string err;
  auto step = [&](const sim::Event& ev) {
    if (!w.step(ev, &err)) ADD_FAILURE() << "event " << w.eventsApplied() << ": " << err;
  };
  for (int i = 0; i < 3; ++i) step(sim::gcEvent()); // oraclelib.Settle
  step(sim::allocEvent(0, kWindow * 24, /*noscan=*/false));
  uint64_t x = 1;
  for (uint64_t i = 0; i < kTotal; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    if (i >= kWindow) step(sim::freeEvent(1 + i - kWindow));
    step(sim::allocEvent(1 + i, 24 + (x >> 31) % 3977, /*noscan=*/true));
    if (const uint64_t k = (i + 1) / kCheckpoint; (i + 1) % kCheckpoint == 0 && k < kTotal / kCheckpoint) {
      step(sim::readMemStatsEvent());
      if (k >= kFirstCompared) lateInuse.push_back(w.memStats().HeapInuse);
    }
  }
  const sim::MemStats m = w.memStats();
  lateInuse.push_back(m.HeapInuse);
  if (markCycles) *markCycles = w.pacer().markCycles;
  return {m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, lateInuse};
}

void within(const char* what, uint64_t sim, const std::vector<uint64_t>& go) {
  const uint64_t lo = *std::min_element(go.begin(), go.end()), hi = *std::max_element(go.begin(), go.end());
  EXPECT_GE(static_cast<double>(sim), 0.9 * static_cast<double>(lo)) << what << ": engine " << sim << ", Go " << lo << ".." << hi;
  EXPECT_LE(static_cast<double>(sim), 1.1 * static_cast<double>(hi)) << what << ": engine " << sim << ", Go " << lo << ".." << hi;
  std::printf("  %-10s Go %llu..%llu  engine %llu\n", what, static_cast<unsigned long long>(lo),
              static_cast<unsigned long long>(hi), static_cast<unsigned long long>(sim));
}

// Go's figures recorded on this machine in earlier sessions (min and max over 5 runs each, ten
// sessions, 2026-12-07, Go 1.19.8, GOMAXPROCS=1, the machine loaded by other builds): one session's
// five runs can sit in a narrow part of Go's spread (GOGC=100 NumGC: 82..84 in one session, 91..96
// in another), so Go's range is these together with this run's.
struct Recorded {
  uint64_t numGCLo, numGCHi, nextGCLo, nextGCHi, inuseLo, inuseHi, sysHi;
};
// GOGC=off GOMEMLIMIT=100MiB: NumGC and NextGC from the sessions before (README), HeapInuse and
// HeapSys from a session of 2026-12-07 (5 runs, plus a run with runtime/mem.go's sysAlloc logged).
// Go 1.26.8 (GOEXPERIMENT=norandomizedheapbase64), six runs per setting in one session of
// 2026-12-07 (GOMAXPROCS=1, the machine loaded by three other engineers' builds); GOGC=off runs
// with GOMEMLIMIT=100MiB.
Recorded recorded126(int32_t gogc) {
  switch (gogc) {
    case 50: return {196, 209, 71470413, 76728945, 59752448, 89964544, 138018816};
    case 100: return {99, 105, 92924914, 122177274, 77447168, 128745472, 158990336};
    case 200: return {49, 53, 132062724, 195360108, 102686720, 216522752, 247070720};
    case -1: return {113, 115, 92140582, 93818464, 77004800, 96813056, 121241600};
  }
  return {};
}
Recorded recorded(int32_t gogc, const Profile& p) {
  if (p.go == oracle::GoToolchain::Go126) return recorded126(gogc);
  switch (gogc) {
    case 50: return {182, 198, 68116852, 93095716, 62742528, 89432064, 112918528};
    case 100: return {80, 99, 89138128, 124001128, 77922304, 128188416, 205193216};
    case 200: return {36, 50, 139477136, 412949912, 103374848, 297394176, 515670016};
    case -1: return {126, 127, 87400000, 89071248, 78462976, 87752704, 100433920};
  }
  return {};
}

void churnMatchesGo(const Profile& p, int32_t gogc, const std::string& memLimit = "") {
  const Recorded rec = recorded(gogc, p);
  std::vector<uint64_t> numGC = {rec.numGCLo, rec.numGCHi}, nextGC = {rec.nextGCLo, rec.nextGCHi},
                        inuseBand = {rec.inuseLo, rec.inuseHi}, sys = {rec.sysHi};
  for (int r = 0; r < kRuns; ++r) {
    std::vector<std::string> env = {"GOGC=" + (gogc < 0 ? std::string("off") : std::to_string(gogc)),
                                    "ORACLE_RUN=" + std::to_string(r)};
    if (!memLimit.empty()) env.push_back("GOMEMLIMIT=" + memLimit);
    const oracle::GoOutput& go = oracle::runGoOracle("churn", env, p.go);
    ASSERT_TRUE(go.ok) << go.error;
    numGC.push_back(msField(go, "end", "NumGC"));
    nextGC.push_back(msField(go, "end", "NextGC"));
    for (uint64_t k = kFirstCompared; k < kTotal / kCheckpoint; ++k)
      inuseBand.push_back(msField(go, "c" + std::to_string(k), "HeapInuse"));
    inuseBand.push_back(msField(go, "end", "HeapInuse"));
    sys.push_back(msField(go, "end", "HeapSys"));
    ASSERT_EQ(msField(go, "end", "NumForcedGC"), 3u) << "only Settle's runtime.GC() are forced";
  }
  sim::Config cfg;
  cfg.goVersion = p.engine;
  cfg.gomaxprocs = 1;
  cfg.gogc = gogc;
  cfg.sweep = sim::SweepMode::Lazy;
  // Go's bgsweep goroutine needs the P, which this program's goroutine never gives up (it only
  // loses it at sysmon's preemptions, and bgsweep yields whenever anything else is runnable):
  // with GOMAXPROCS=1 the sweep is proportional sweep and cacheSpan's. No background budget.
  cfg.bgSweepSpans = 0;
  cfg.rootScanBytes = p.stackScan;
  cfg.globalsBytes = p.globalsScan;
  if (!memLimit.empty()) cfg.scavenger.memoryLimit = std::stoull(memLimit);
  uint64_t markCycles = 0;
  const Figures f = replayChurn(cfg, &markCycles);
  std::printf("churn %s GOGC=%d%s (engine: %llu cycles with a mark window)\n",
              oracle::toolchainName(p.go), gogc, memLimit.empty() ? "" : (" GOMEMLIMIT=" + memLimit).c_str(), static_cast<unsigned long long>(markCycles));
  EXPECT_GT(markCycles, 0u) << "the pacer's cycles run as mark windows";
  within("NumGC", f.numGC, numGC);
  within("NextGC", f.nextGC, nextGC);
  for (size_t k = 0; k < f.lateInuse.size(); ++k)
    within(k + 1 == f.lateInuse.size() ? "HeapInuse" : "HeapInuse@c", f.lateInuse[k], inuseBand);
  // HeapSys is the largest heap ever mapped: in Go it records the worst transient of the run (a
  // mark stretched while the OS ran other processes lets the heap overshoot), so Go's runs spread
  // and cluster by session (GOGC=50: 79.4 MB in some sessions, 92..113 MB in others; GOGC=200:
  // 205..276 MB); the engine has no such noise and sits at the low end. Asserted: no more than
  // 10% above Go's largest; the low side is printed, not asserted (see the README's table).
  const uint64_t sysHi = *std::max_element(sys.begin(), sys.end());
  std::printf("  %-10s Go %llu..%llu  engine %llu\n", "HeapSys", static_cast<unsigned long long>(*std::min_element(sys.begin(), sys.end())),
              static_cast<unsigned long long>(sysHi), static_cast<unsigned long long>(f.heapSys));
  // GOGC=off + GOMEMLIMIT too: the engine's heap ends at 100.7 MB mapped (Go 96-113 MB); it was
  // a known gap at ~121.6 MB while one cycle's assists lived on stolen background credit and the
  // mark waited for the next modelled preemption (README), no longer so at main 83ed34f.
  EXPECT_LE(static_cast<double>(f.heapSys), 1.1 * static_cast<double>(sysHi)) << "HeapSys above Go's largest + 10%";
}

TEST(OracleGCDynamics, ChurnGOGC50WithinGoRange) { churnMatchesGo(kGo119, 50); }
TEST(OracleGCDynamics, ChurnGOGC100WithinGoRange) { churnMatchesGo(kGo119, 100); }
TEST(OracleGCDynamics, ChurnGOGC200WithinGoRange) { churnMatchesGo(kGo119, 200); }
// GOGC=off: only the memory limit paces. The goal is limit - non-heap memory - 1 MiB, so the
// cycle count depends on the engine's estimate of the runtime's metadata (sim/mheap_metadata.cpp).
TEST(OracleGCDynamics, ChurnGOGCOffMemoryLimitWithinGoRange) { churnMatchesGo(kGo119, -1, "104857600"); }

// The same program built with Go 1.26.8 against the go1.26 profile.
TEST(OracleGCDynamics, ChurnGOGC50WithinGo126Range) { churnMatchesGo(kGo126, 50); }
TEST(OracleGCDynamics, ChurnGOGC100WithinGo126Range) { churnMatchesGo(kGo126, 100); }
TEST(OracleGCDynamics, ChurnGOGC200WithinGo126Range) { churnMatchesGo(kGo126, 200); }
TEST(OracleGCDynamics, ChurnGOGCOffMemoryLimitWithinGo126Range) { churnMatchesGo(kGo126, -1, "104857600"); }

} // namespace
