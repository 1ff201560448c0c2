// Comparing k size-class tables in one pass (sim::Comparison) against k separate replays: the
// issue's bound is k x the single replay time. Same churn of mixed small sizes for both; the
// figures' ledger walk at the end is included. Run with `make bench`.
#include "sim/comparison.h"
#include "sim/malloc.h"
#include "sim/sizeclass_library.h"
#include "sim/sizeclass_optimize.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using namespace sim;

// Events per stepBatch call, as spanscope-cli compare reads them.
constexpr size_t kBatch = 65536;

const std::vector<Event>& mixedChurn() {
  static const std::vector<Event> ev = [] {
    std::mt19937_64 rng(9);
    std::vector<Event> out;
    std::vector<uint64_t> live;
    uint64_t next = 0;
    while (out.size() < 2'000'000) {
      if (live.size() >= 20'000) {
        const size_t k = rng() % live.size();
        out.push_back(freeEvent(live[k]));
        live[k] = live.back();
        live.pop_back();
      }
      out.push_back(allocEvent(next, 1 + rng() % (rng() % 8 == 0 ? 32768 : 512)));
      live.push_back(next++);
    }
    return out;
  }();
  return ev;
}

// Built once: making a table checks its division magic by brute force (glibc16 takes a while),
// which is set-up, not replay.
const std::vector<Config>& sixTables() {
  static std::vector<Config> cfgs;
  if (!cfgs.empty()) return cfgs;
  for (const char* name : {"go1.19", "tcmalloc", "jemalloc", "mimalloc", "glibc16", "pow2"}) {
    Config c;
    c.table = *libraryTable(name, nullptr);
    c.liveness = Liveness::Immediate;
    cfgs.push_back(c);
  }
  return cfgs;
}

// One table alone (state.range(0) indexes sixTables()); the sum of the six is the k-replay cost.
void BM_ReplayOneTable(benchmark::State& state) {
  const auto& events = mixedChurn();
  const Config c = sixTables()[static_cast<size_t>(state.range(0))];
  state.SetLabel(c.table.name());
  for (auto _ : state) {
    World w(c);
    for (const Event& e : events) w.step(e);
    benchmark::DoNotOptimize(w.ledger().total());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

void BM_CompareSixTablesOnePass(benchmark::State& state) {
  const auto& events = mixedChurn();
  for (auto _ : state) {
    Comparison c(sixTables(), {});
    std::string err;
    for (size_t i = 0; i < events.size(); i += kBatch) c.stepBatch(&events[i], std::min<size_t>(kBatch, events.size() - i), &err, nullptr);
    benchmark::DoNotOptimize(c.figures().size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.counters["tables"] = 6;
}

void BM_OptimizeGoBudget(benchmark::State& state) {
  SizeHistogram h;
  for (const Event& e : mixedChurn())
    if (e.kind == EventKind::Alloc) h.add(e.size);
  const SizeClassTable go = SizeClassTable::go119();
  OptimizeOptions o;
  o.baseline = &go;
  for (auto _ : state) benchmark::DoNotOptimize(optimizeTable(h, o).waste.total());
}

BENCHMARK(BM_ReplayOneTable)->DenseRange(0, 5)->Unit(benchmark::kMillisecond)->MinTime(1.0);
// The same Comparison with one table: its own overhead over a bare World.
void BM_CompareOneTableOnePass(benchmark::State& state) {
  const auto& events = mixedChurn();
  for (auto _ : state) {
    Comparison c({sixTables()[0]}, {});
    std::string err;
    for (size_t i = 0; i < events.size(); i += kBatch) c.stepBatch(&events[i], std::min<size_t>(kBatch, events.size() - i), &err, nullptr);
    benchmark::DoNotOptimize(c.figures().size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

BENCHMARK(BM_CompareOneTableOnePass)->Unit(benchmark::kMillisecond)->MinTime(1.0);
// Wall time, and the CPU time of every thread: the engines run on up to hardware_concurrency() threads.
BENCHMARK(BM_CompareSixTablesOnePass)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_OptimizeGoBudget)->Unit(benchmark::kMillisecond)->MinTime(1.0);

} // namespace
