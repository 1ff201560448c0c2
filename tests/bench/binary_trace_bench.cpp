// Binary trace throughput (Google Benchmark): reading 20 million realistic events from a warm file
// into sim::Event batches, with and without zstd blocks; and writing. Run with
// `spanscope_bench --benchmark_filter=Binary`. Format: docs/binary-trace-format.md.
#include "traces/binary_trace.h"
#include "traces/open_trace.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

namespace {

constexpr uint64_t kEvents = 20'000'000;

// A malloc-style stream as a recorder sees it: four threads taking turns in bursts, times rising
// by tens to hundreds of ns (now and then a pause of milliseconds), a live set that grows to
// ~100k objects and churns, ids reused most recently freed first (as traces::IdMap hands them
// out), sizes mostly small with a tail of medium and rare large requests.
template <typename Sink>
void realisticEvents(uint64_t n, Sink&& sink) {
  std::mt19937_64 rng(19);
  std::vector<uint64_t> live, freed;
  uint64_t next = 0, time = 1'000'000;
  uint32_t thread = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (rng() % 200 == 0) thread = static_cast<uint32_t>(rng() % 4);
    time += rng() % 10'000 == 0 ? 5'000'000 : 20 + rng() % 300;
    const bool grow = live.size() < 100'000;
    if (!live.empty() && rng() % 100 < (grow ? 40u : 50u)) {
      const size_t k = rng() % live.size();
      sink(sim::Event{sim::EventKind::Free, true, thread, live[k], 0, time});
      freed.push_back(live[k]);
      live[k] = live.back();
      live.pop_back();
    } else {
      uint64_t id = next;
      if (!freed.empty()) id = freed.back(), freed.pop_back();
      else ++next;
      const uint64_t r = rng() % 1000;
      const uint64_t size = r < 900 ? 8 + rng() % 248 : r < 995 ? 256 + rng() % 8000 : 32'769 + rng() % (1 << 20);
      sink(sim::Event{sim::EventKind::Alloc, rng() % 3 != 0, thread, id, size, time});
      live.push_back(id);
    }
  }
}

// The trace files, written once per process and removed at exit.
struct Files {
  std::string plain, zstd;
  Files() {
    const std::string base = (std::filesystem::temp_directory_path() / ("spanscope_bench_" + std::to_string(::getpid()))).string();
    plain = base + ".plain.sst";
    zstd = base + ".zstd.sst";
    for (const auto& [path, z] : {std::pair{plain, false}, std::pair{zstd, true}}) {
      traces::BinaryTraceWriter w(path, {}, {.zstd = z});
      realisticEvents(kEvents, [&](const sim::Event& ev) { w.write(ev); });
      w.finish();
    }
  }
  ~Files() {
    std::remove(plain.c_str());
    std::remove(zstd.c_str());
  }
};

const Files& files() {
  static const Files f;
  return f;
}

void readBinary(benchmark::State& state, const std::string& path) {
  std::vector<sim::Event> batch(4096);
  uint64_t events = 0;
  for (auto _ : state) {
    auto s = traces::openTrace(path);
    uint64_t n = 0, sizes = 0;
    while (size_t got = s->read(batch.data(), batch.size())) {
      n += got;
      sizes += batch[got - 1].size;
    }
    benchmark::DoNotOptimize(sizes);
    if (n != kEvents) state.SkipWithError("wrong event count");
    events += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  const auto bytes = std::filesystem::file_size(path);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / static_cast<double>(kEvents);
}

void BM_BinaryReadPlain(benchmark::State& s) { readBinary(s, files().plain); }
void BM_BinaryReadZstd(benchmark::State& s) { readBinary(s, files().zstd); }
BENCHMARK(BM_BinaryReadPlain)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_BinaryReadZstd)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Writing 2 million events (the events are generated up front, outside the timing).
void writeBinary(benchmark::State& state, bool zstd) {
  std::vector<sim::Event> events;
  events.reserve(2'000'000);
  realisticEvents(2'000'000, [&](const sim::Event& ev) { events.push_back(ev); });
  const std::string path = files().plain + ".write";
  for (auto _ : state) {
    traces::BinaryTraceWriter w(path, {}, {.zstd = zstd});
    for (const sim::Event& ev : events) w.write(ev);
    w.finish();
  }
  std::remove(path.c_str());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

void BM_BinaryWritePlain(benchmark::State& s) { writeBinary(s, false); }
void BM_BinaryWriteZstd(benchmark::State& s) { writeBinary(s, true); }
BENCHMARK(BM_BinaryWritePlain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BinaryWriteZstd)->Unit(benchmark::kMillisecond);

} // namespace
