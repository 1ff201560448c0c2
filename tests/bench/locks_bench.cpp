// The timing and lock model's cost (Google Benchmark): the same events replayed untimed and timed
// (lock-free and mutex mcentral), 4 threads on 4 Ps, GOGC=100. The budget: timed replay at
// no less than half the untimed rate. Run: spanscope_bench --benchmark_filter=Locks.
#include "sim/malloc.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace sim;

// Small-object churn from 4 threads with increasing trace times: each step allocates (13 sizes,
// half noscan, some tiny) and, once 20 000 objects are live, frees a random one; 1 in 500
// allocations is large.
const std::vector<Event>& threadedChurn() {
  static const std::vector<Event> ev = [] {
    std::mt19937_64 rng(11);
    std::vector<Event> out;
    out.reserve(4'000'000);
    std::vector<uint64_t> live;
    uint64_t next = 0, t = 0;
    static constexpr uint64_t sizes[] = {8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024, 4096};
    while (out.size() < 4'000'000) {
      const auto thread = static_cast<uint32_t>(rng() % 4);
      t += 5;
      if (live.size() >= 20'000) {
        const size_t k = rng() % live.size();
        Event f = freeEvent(live[k], thread);
        f.time = t;
        out.push_back(f);
        live[k] = live.back();
        live.pop_back();
      }
      const uint64_t size = rng() % 500 == 0 ? 40'000 : sizes[rng() % 13];
      Event a = allocEvent(next, size, rng() % 2 == 0, thread);
      a.time = t;
      out.push_back(a);
      live.push_back(next++);
    }
    return out;
  }();
  return ev;
}

void replay(benchmark::State& state, bool timed, CentralMode mode) {
  const std::vector<Event>& events = threadedChurn();
  for (auto _ : state) {
    Config c;
    c.gomaxprocs = 4;
    c.timing.enabled = timed;
    c.timing.central = mode;
    World w(c);
    for (const Event& e : events)
      if (!w.step(e)) state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(w.memStats().HeapAlloc);
    if (timed) state.counters["sim_ms"] = static_cast<double>(w.timing()->figures().makespan) / 1e6;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

void BM_LocksUntimed(benchmark::State& s) { replay(s, false, CentralMode::LockFree); }
void BM_LocksTimedLockFree(benchmark::State& s) { replay(s, true, CentralMode::LockFree); }
void BM_LocksTimedMutex(benchmark::State& s) { replay(s, true, CentralMode::Mutex); }
BENCHMARK(BM_LocksUntimed)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LocksTimedLockFree)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LocksTimedMutex)->Unit(benchmark::kMillisecond)->MinTime(2.0);

} // namespace
