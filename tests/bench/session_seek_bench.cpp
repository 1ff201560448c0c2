// The app's seek latency (Google Benchmark): a model::Session over a binary larson trace read in
// place, as the app opens it (4 threads, 1 GiB live heap), then seeks to positions drawn uniformly
// over the trace and steps back one event from each. Reports p50/p95/max of both, in ms, and the
// checkpoints the session keeps. Run with `make bench`; the trace is generated into the build's
// temp directory (2·10⁶ events by default, SPANSCOPE_SEEK_EVENTS=N for another size), or
// SPANSCOPE_SEEK_TRACE=FILE.sst measures an existing file (README "Large traces").
#include "app/model/engine_settings.h"
#include "app/model/session.h"
#include "traces/binary_trace.h"
#include "traces/generators.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

std::string seekTrace() {
  if (const char* f = std::getenv("SPANSCOPE_SEEK_TRACE")) return f;
  const char* n = std::getenv("SPANSCOPE_SEEK_EVENTS");
  const std::string events = n ? n : "2000000";
  const std::string path =
      (std::filesystem::temp_directory_path() / ("spanscope-seek-bench-" + events + ".sst")).string();
  if (std::filesystem::exists(path)) return path;
  auto gen = traces::makeGenerator(
      "larson", {{"threads", "4"}, {"chunks", "100000"}, {"max_size", "5000"}, {"events", events}}, 1);
  traces::BinaryTraceWriter w(path, gen->meta());
  w.writeAll(*gen);
  w.finish();
  return path;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void BM_SessionSeek(benchmark::State& state) {
  const std::string path = seekTrace();
  auto file = std::make_unique<traces::BinaryTraceFile>(path);
  sim::Config cfg;
  std::string bad;
  if (!model::resolveConfig(file->meta(), model::EngineSettings{}, &cfg, &bad)) {
    state.SkipWithError(bad.c_str());
    return;
  }
  auto session = model::Session::open(std::move(file), path, cfg);
  const uint64_t n = session->eventCount();
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::vector<double> seeks, backs;
  uint64_t x = 0x9E3779B97F4A7C15ull; // xorshift: the same positions every run
  for (auto _ : state) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const uint64_t target = 1 + x % n;
    const auto t0 = Clock::now();
    session->seek(target);
    const auto t1 = Clock::now();
    session->step(-1);
    const auto t2 = Clock::now();
    benchmark::DoNotOptimize(session->world().heapInuseBytes());
    seeks.push_back(ms(t0, t1));
    backs.push_back(ms(t1, t2));
  }
  state.counters["events"] = static_cast<double>(n);
  state.counters["checkpoints"] = static_cast<double>(session->checkpoints().count());
  state.counters["cp_MiB"] = static_cast<double>(session->checkpoints().bytes()) / 1048576.0;
  state.counters["spill_MiB"] = static_cast<double>(session->spilledCheckpointBytes()) / 1048576.0;
  state.counters["cp_every"] = static_cast<double>(session->checkpoints().interval());
  state.counters["seek_p50_ms"] = percentile(seeks, 0.5);
  state.counters["seek_p95_ms"] = percentile(seeks, 0.95);
  state.counters["seek_max_ms"] = *std::max_element(seeks.begin(), seeks.end());
  state.counters["back_p50_ms"] = percentile(backs, 0.5);
  state.counters["back_p95_ms"] = percentile(backs, 0.95);
}
BENCHMARK(BM_SessionSeek)->Iterations(40)->Unit(benchmark::kMillisecond);

} // namespace
