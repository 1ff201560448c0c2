// heaptrack import speed (Google Benchmark) on a real recording made at bench time: CPython with
// PYTHONMALLOC=malloc (every object through malloc) churning a 20 000-object window, ~2.4 M
// allocations, recorded by `heaptrack` (interpreted) and `heaptrack --raw`. Our import (open +
// read every event) is timed against heaptrack's own reader, `heaptrack_print`, on the same file
// in the same run; the ratio print/import must be >= 1. Run: spanscope_bench --benchmark_filter=Heaptrack
#include "traces/open_trace.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr const char* kWorkload =
    "import random\n"
    "random.seed(1)\n"
    "live = [None] * 20000\n"
    "for i in range(250000):\n"
    "    live[random.randrange(20000)] = {'k': i, 'v': str(i) * (1 + i % 7), 'b': bytearray(i % 900)}\n";

// The recordings, made once per bench process in a temporary directory (removed at exit).
struct Recordings {
  fs::path dir, interpreted, raw;
  std::string error;

  Recordings() {
    char tmpl[] = "/tmp/spanscope-heaptrack-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
      error = "mkdtemp failed";
      return;
    }
    dir = tmpl;
    std::ofstream(dir / "workload.py") << kWorkload;
    for (const char* raw : {"", "--raw "}) {
      const std::string cmd = "cd " + dir.string() + " && PYTHONHASHSEED=0 PYTHONMALLOC=malloc heaptrack " + raw +
                              "-o rec /usr/bin/python3 workload.py >> record.log 2>&1";
      if (std::system(cmd.c_str()) != 0) {
        error = "recording failed (is heaptrack installed?): " + cmd;
        return;
      }
    }
    interpreted = dir / "rec.zst";
    raw = dir / "rec.raw.zst";
    if (!fs::exists(interpreted) || !fs::exists(raw)) error = "heaptrack wrote no rec.zst / rec.raw.zst in " + dir.string();
  }
  ~Recordings() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

const Recordings& recordings() {
  static Recordings r;
  return r;
}

double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double childCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// Open + read every event; returns the event count.
uint64_t importAll(const fs::path& file) {
  std::unique_ptr<traces::EventStream> s = traces::openTrace(file.string());
  std::vector<sim::Event> buf(4096);
  uint64_t n = 0;
  while (size_t got = s->read(buf.data(), buf.size())) n += got;
  return n;
}

void importBench(benchmark::State& state, fs::path Recordings::*which) {
  const Recordings& r = recordings();
  if (!r.error.empty()) {
    state.SkipWithError(r.error.c_str());
    return;
  }
  uint64_t events = 0;
  for (auto _ : state) events = importAll(r.*which);
  state.SetItemsProcessed(static_cast<int64_t>(events * state.iterations()));
  state.counters["events"] = static_cast<double>(events);
  state.counters["file_MB"] = static_cast<double>(fs::file_size(r.*which)) / 1e6;
}

void BM_HeaptrackImportInterpreted(benchmark::State& s) { importBench(s, &Recordings::interpreted); }
void BM_HeaptrackImportRaw(benchmark::State& s) { importBench(s, &Recordings::raw); }
BENCHMARK(BM_HeaptrackImportInterpreted)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_HeaptrackImportRaw)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Both readers on the same interpreted file, alternating, in one run. heaptrack_print prints only
// its summary (its fastest mode); wall and CPU seconds are summed over the iterations.
void BM_HeaptrackImportVsHeaptrackPrint(benchmark::State& state) {
  const Recordings& r = recordings();
  if (!r.error.empty()) {
    state.SkipWithError(r.error.c_str());
    return;
  }
  const std::string print = "heaptrack_print -f " + r.interpreted.string() +
                            " --print-peaks=0 --print-allocators=0 --print-temporary=0 --print-leaks=0 > /dev/null 2>&1";
  using Clock = std::chrono::steady_clock;
  double oursWall = 0, oursCpu = 0, theirsWall = 0, theirsCpu = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    double c0 = processCpuSeconds();
    benchmark::DoNotOptimize(importAll(r.interpreted));
    oursCpu += processCpuSeconds() - c0;
    auto t1 = Clock::now();
    c0 = childCpuSeconds();
    if (std::system(print.c_str()) != 0) {
      state.SkipWithError("heaptrack_print failed");
      return;
    }
    theirsCpu += childCpuSeconds() - c0;
    theirsWall += std::chrono::duration<double>(Clock::now() - t1).count();
    oursWall += std::chrono::duration<double>(t1 - t0).count();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["import_s"] = oursWall / n;
  state.counters["heaptrack_print_s"] = theirsWall / n;
  state.counters["print/import_wall"] = theirsWall / oursWall;
  state.counters["print/import_cpu"] = theirsCpu / oursCpu;
}
BENCHMARK(BM_HeaptrackImportVsHeaptrackPrint)->Iterations(5)->Unit(benchmark::kMillisecond);

} // namespace
