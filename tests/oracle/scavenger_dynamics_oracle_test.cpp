// The background scavenger on a clock against the REAL Go 1.19 runtime (issue 12, item 3), and the
// REAL Go 1.26.8 runtime against the go1.26 profile (issue 13; see the last test).
//
// Program tests/oracle/go/dropidle: 150 MiB of 1 MiB []byte kept, dropped, runtime.GC(), then 400
// ticks of one 4 KiB allocation (kept in a 64-slot ring) and a 1 ms sleep. Go's scavenger, readied
// when the sweep is done, returns the freed heap to the OS in its first burst: HeapReleased goes
// from 1.6-3.7 MB right after the GC (sometimes more, on a loaded machine) to 155-157 MB at tick 5
// and stays (2026-12-07: t5 156.3-157.3 MB, end 155.2-157.3 MB). The engine replays the same allocations, the ticks
// with trace times 1 ms apart (the scavenger's clock), the rest on the cost model's clock; its
// HeapReleased at ticks 5 ... 200 and at the end must lie within Go's range over its runs ±10%.
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kBig = 150, kBigSize = 1 << 20, kTicks = 400, kSmall = 4096, kWindow = 64; // as in dropidle/main.go
constexpr int kRuns = 3;
const std::vector<uint64_t> kCheckpoints = {5, 10, 20, 50, 100, 200};

uint64_t msField(const oracle::GoOutput& go, const std::string& label, const std::string& name) {
  auto m = go.ms.find(label);
  if (m == go.ms.end() || !m->second.count(name)) {
    ADD_FAILURE() << "Go output has no 'ms " << label << " " << name << "='";
    return 0;
  }
  return m->second.at(name);
}

// "t<k>" (appending: GCC 12 warns falsely on "t" + std::string, -Wrestrict).
std::string tickLabel(uint64_t k) {
  std::string s = "t";
  s += std::to_string(k);
  return s;
}

// HeapReleased at each checkpoint label, then "end"; *peakReleased: at the peak, before the drop.
std::vector<std::pair<std::string, uint64_t>> replayDropIdle(const sim::Config& cfg, uint64_t* peakReleased = nullptr) {
  sim::World w(cfg);
  std::string err;
  auto step = [&](sim::Event ev) {
    if (!w.step(ev, &err)) ADD_FAILURE() << "event " << w.eventsApplied() << ": " << err;
  };
  for (int i = 0; i < 3; ++i) step(sim::gcEvent()); // oraclelib.Settle
  step(sim::allocEvent(0, kBig * 24, /*noscan=*/false)); // bigs = make([][]byte, big)
  for (uint64_t i = 1; i <= kBig; ++i) step(sim::allocEvent(i, kBigSize));
  if (peakReleased) *peakReleased = w.memStats().HeapReleased;
  for (uint64_t i = 0; i <= kBig; ++i) step(sim::freeEvent(i)); // bigs = nil
  step(sim::gcEvent());
  std::vector<std::pair<std::string, uint64_t>> out;
  const uint64_t first = kBig + 1;
  for (uint64_t k = 1; k <= kTicks; ++k) {
    if (k > kWindow) step(sim::freeEvent(first + k - kWindow));
    sim::Event a = sim::allocEvent(first + k, kSmall);
    a.time = k * 1'000'000; // each tick sleeps 1 ms after its allocation
    step(a);
    if (std::find(kCheckpoints.begin(), kCheckpoints.end(), k) != kCheckpoints.end()) {
      sim::Event r = sim::readMemStatsEvent();
      r.time = (k + 1) * 1'000'000;
      step(r);
      out.emplace_back(tickLabel(k), w.memStats().HeapReleased);
    }
  }
  out.emplace_back("end", w.memStats().HeapReleased);
  return out;
}

// margin: bytes allowed above Go's largest HeapReleased besides its 10% (0 for Go 1.19; see the
// Go 1.26 test for why it has one and where it is checked).
void dropIdleMatchesGo(oracle::GoToolchain tc, sim::GoVersion v, uint64_t margin = 0) {
  std::vector<uint64_t> goPeak;
  std::vector<std::vector<uint64_t>> goReleased(kCheckpoints.size() + 1);
  for (int r = 0; r < kRuns; ++r) {
    const oracle::GoOutput& go = oracle::runGoOracle("dropidle", {"GOGC=100", "ORACLE_RUN=" + std::to_string(r)}, tc);
    ASSERT_TRUE(go.ok) << oracle::toolchainName(tc) << ": " << go.error;
    for (size_t k = 0; k < kCheckpoints.size(); ++k)
      goReleased[k].push_back(msField(go, tickLabel(kCheckpoints[k]), "HeapReleased"));
    goPeak.push_back(msField(go, "peak", "HeapReleased"));
    goReleased.back().push_back(msField(go, "end", "HeapReleased"));
    // Right after runtime.GC() Go's scavenger has usually not run yet (1.6-3.7 MB released), but
    // on a loaded machine it sometimes has (110 MB seen): not compared.
    std::printf("  Go run %d: HeapReleased right after runtime.GC() %llu\n", r,
                static_cast<unsigned long long>(msField(go, "gc", "HeapReleased")));
  }
  sim::Config cfg;
  cfg.goVersion = v;
  cfg.gomaxprocs = 1;
  cfg.gogc = 100;
  uint64_t simPeak = 0;
  const auto sim = replayDropIdle(cfg, &simPeak);
  const uint64_t peakHi = *std::max_element(goPeak.begin(), goPeak.end());
  std::printf("  HeapReleased@peak  Go %llu..%llu  engine %llu\n", static_cast<unsigned long long>(*std::min_element(goPeak.begin(), goPeak.end())),
              static_cast<unsigned long long>(peakHi), static_cast<unsigned long long>(simPeak));
  if (margin > 0) {
    EXPECT_LE(simPeak, peakHi + margin) << "the margin covers the released tail the heap has before any scavenging";
  }
  ASSERT_EQ(sim.size(), goReleased.size());
  for (size_t k = 0; k < sim.size(); ++k) {
    const auto& go = goReleased[k];
    const uint64_t lo = *std::min_element(go.begin(), go.end()), hi = *std::max_element(go.begin(), go.end());
    std::printf("  HeapReleased@%-5s Go %llu..%llu  engine %llu\n", sim[k].first.c_str(), static_cast<unsigned long long>(lo),
                static_cast<unsigned long long>(hi), static_cast<unsigned long long>(sim[k].second));
    EXPECT_GE(static_cast<double>(sim[k].second), 0.9 * static_cast<double>(lo)) << sim[k].first;
    EXPECT_LE(static_cast<double>(sim[k].second), 1.1 * static_cast<double>(hi) + static_cast<double>(margin)) << sim[k].first;
  }
}

TEST(OracleScavengerDynamics, DropThenIdleReleasesAsGoDoes) { dropIdleMatchesGo(oracle::GoToolchain::Go119, sim::GoVersion::Go119); }
// Go 1.26.8 against the go1.26 profile. Go 1.26 does NOT return the dropped heap: the sweep after
// runtime.GC() frees the 150 MiB in the GC generation that starts at that mark termination, in
// chunks that were full at its start, so the 1.21 scavenge index's background search skips them
// (mgcscavenge.go scavChunkData.shouldScavenge) and only the next GC's nextGen would let it see
// them; no GC follows. HeapReleased stays at 1.0-1.6 MB (2026-12-07, every run), against 155-157 MB
// in Go 1.19. The engine (sim/mpagealloc.cpp) keeps 2.09 MB: the released tail of its last heap
// growth, already 0.45 MB larger than Go's at the peak, before any scavenging (engine 2,088,960 B,
// Go 1,638,400 B; the same in both profiles), and Go's later allocations take 0.5 MB of its
// released pages where the engine's take freed ones. Hence a 1 MiB margin above Go's largest (+10%),
// checked at the peak too; without the index the engine would release 157 MB here.
TEST(OracleScavengerDynamics, DropThenIdleReleasesAsGo126Does) {
  dropIdleMatchesGo(oracle::GoToolchain::Go126, sim::GoVersion::Go126, uint64_t{1} << 20);
}

} // namespace
