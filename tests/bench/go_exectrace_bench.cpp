// Go execution trace import speed (Google Benchmark). Input: the largest committed recording,
// tests/data/go_exectrace/maps.trace (a map of 20 000 pointers grown and halved: ~40 000 trace
// events, 20 000 allocations and frees). Two figures: the container alone (GoExecTraceReader:
// batches, varints, Go's merge order; comparable with golang.org/x/exp/trace reading the same file,
// README "Go execution traces") and the whole import into engine events.
// Run: spanscope_bench --benchmark_filter=GoExecTrace
#include "traces/go_exectrace.h"
#include "traces/go_exectrace_reader.h"

#include <benchmark/benchmark.h>

#include <filesystem>

namespace {

namespace fs = std::filesystem;

// The bench target has no data-dir macro; CMake compiles this file by its absolute path.
const std::string kTrace = (fs::path(__FILE__).parent_path().parent_path() / "data" / "go_exectrace" / "maps.trace").string();

void BM_GoExecTraceReader(benchmark::State& state) {
  uint64_t events = 0;
  for (auto _ : state) {
    traces::ByteSource src(kTrace);
    traces::GoExecTraceReader r(src);
    traces::GoExecEvent e;
    while (r.next(e)) ++events;
  }
  state.SetBytesProcessed(static_cast<int64_t>(fs::file_size(kTrace) * state.iterations()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GoExecTraceReader)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GoExecTraceImport(benchmark::State& state) {
  std::vector<sim::Event> buf(4096);
  uint64_t events = 0;
  for (auto _ : state) {
    traces::GoExecTraceStream s(std::make_unique<traces::ByteSource>(kTrace));
    while (size_t n = s.read(buf.data(), buf.size())) events += n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(fs::file_size(kTrace) * state.iterations()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GoExecTraceImport)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
