// Generator throughput (Google Benchmark): events per second each workload generator makes,
// pulled in batches of 4096 and discarded (no writer, no engine). Run with `make bench`.
#include "traces/generators.h"

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace {

constexpr int64_t kEvents = 2'000'000;

void BM_Generator(benchmark::State& state, const std::string& name, std::map<std::string, std::string> params) {
  params["events"] = std::to_string(kEvents);
  std::vector<sim::Event> buf(4096);
  for (auto _ : state) {
    std::unique_ptr<traces::EventStream> g = traces::makeGenerator(name, params, 1);
    uint64_t sum = 0;
    while (size_t n = g->read(buf.data(), buf.size())) sum += buf[n - 1].id;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

BENCHMARK_CAPTURE(BM_Generator, larson, std::string("larson"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, xmalloc_test, std::string("xmalloc-test"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, mstress, std::string("mstress"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, rptest, std::string("rptest"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, mleak, std::string("mleak"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, glibc_thread, std::string("glibc-thread"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, go_append, std::string("go-append"), {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generator, go_map, std::string("go-map"), {})->Unit(benchmark::kMillisecond);

} // namespace
