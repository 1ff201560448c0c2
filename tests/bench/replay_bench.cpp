// Headless replay throughput (Google Benchmark): events per second on three generated shapes,
// one P, GOGC=100 in gc liveness mode (stats always on), invariants off. Plus memory per live
// simulated object beyond the span bitmaps. Run with `make bench`.
#include "sim/malloc.h"
#include "sim/replay.h"

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <random>
#include <vector>

namespace {

using namespace sim;

// A sliding window of live objects: each step allocates one object and, once the window is
// full, frees a random live one. sizeOf draws a request size.
template <typename SizeFn>
std::vector<Event> churn(size_t events, size_t window, uint32_t seed, SizeFn sizeOf) {
  std::mt19937_64 rng(seed);
  std::vector<Event> out;
  out.reserve(events);
  std::vector<uint64_t> live;
  uint64_t next = 0;
  while (out.size() < events) {
    if (live.size() >= window) {
      size_t k = rng() % live.size();
      out.push_back(freeEvent(live[k]));
      live[k] = live.back();
      live.pop_back();
    }
    bool noscan = rng() % 2 == 0;
    out.push_back(allocEvent(next, sizeOf(rng, noscan), noscan));
    live.push_back(next++);
  }
  return out;
}

const std::vector<Event>& smallChurn() {
  static const auto ev = churn(4'000'000, 20'000, 1, [](std::mt19937_64& r, bool) {
    static constexpr uint64_t sizes[] = {16, 24, 32, 48, 64, 80, 96, 128, 144, 192, 256, 384, 512};
    return sizes[r() % (sizeof sizes / sizeof sizes[0])];
  });
  return ev;
}

const std::vector<Event>& tinyStrings() {
  static const auto ev = churn(4'000'000, 20'000, 2, [](std::mt19937_64& r, bool& noscan) {
    noscan = true; // strings are noscan
    return r() % 4 == 0 ? 16 + r() % 48 : 1 + r() % 15;
  });
  return ev;
}

const std::vector<Event>& mixedLarge() {
  static const auto ev = churn(2'000'000, 5'000, 3, [](std::mt19937_64& r, bool) {
    return r() % 50 == 0 ? 32769 + r() % (1 << 20) : 8 + r() % 4000;
  });
  return ev;
}

void replay(benchmark::State& state, const std::vector<Event>& events, Config cfg = {}) {
  for (auto _ : state) {
    World w(cfg);
    for (const Event& e : events)
      if (!w.step(e)) state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(w.memStats().HeapAlloc);
    state.counters["NumGC"] = w.memStats().NumGC;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

// The same through sim::Replay (the cursor every user runs): its overhead over a bare World loop.
void replayCursor(benchmark::State& state, const std::vector<Event>& events) {
  for (auto _ : state) {
    MemorySource src(events);
    Replay r(World(), src);
    if (r.runTo(events.size()) != ReplayStop::Target) state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(r.world().memStats().HeapAlloc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

// Seeking a replay with the app's checkpoint policy (about 64 over the trace, 1 GiB budget): to a
// random position, and one event back from there (what the app's Left key does). Per seek.
void BM_ReplaySeekRandom(benchmark::State& state) {
  const std::vector<Event>& events = smallChurn();
  MemorySource src(events);
  Replay r(World(), src, CheckpointPolicy::spread(events.size(), size_t{1} << 30));
  r.runTo(events.size());
  std::mt19937_64 rng(7);
  const bool back = state.range(0) == 1;
  for (auto _ : state) {
    const uint64_t at = 1 + rng() % events.size();
    if (back) {
      state.PauseTiming();
      r.seek(at);
      state.ResumeTiming();
      r.step(-1);
    } else {
      r.seek(at);
    }
    benchmark::DoNotOptimize(r.position());
  }
  state.SetLabel(back ? "step back one event" : "seek to a random event");
  state.counters["checkpoints"] = static_cast<double>(r.checkpoints()->count());
}

void BM_ReplaySmallObjectChurn(benchmark::State& s) { replay(s, smallChurn()); }
// The same with the old instant mark (--mark instant): the mark window's cost is the difference.
void BM_ReplaySmallObjectChurnInstantMark(benchmark::State& s) {
  Config c;
  c.markWindow = false;
  replay(s, smallChurn(), c);
}
void BM_ReplayCursorSmallObjectChurn(benchmark::State& s) { replayCursor(s, smallChurn()); }
void BM_ReplayTinyStrings(benchmark::State& s) { replay(s, tinyStrings()); }
void BM_ReplayMixedWithLarge(benchmark::State& s) { replay(s, mixedLarge()); }
// The Go 1.26 profile (allocation headers, span-end metadata) on the same traces: it must keep
// at least 90 % of the Go 1.19 profile's events/s.
Config go126() {
  Config c;
  c.goVersion = GoVersion::Go126;
  return c;
}
void BM_ReplaySmallObjectChurnGo126(benchmark::State& s) { replay(s, smallChurn(), go126()); }
void BM_ReplayTinyStringsGo126(benchmark::State& s) { replay(s, tinyStrings(), go126()); }
void BM_ReplayMixedWithLargeGo126(benchmark::State& s) { replay(s, mixedLarge(), go126()); }
BENCHMARK(BM_ReplaySmallObjectChurn)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplaySmallObjectChurnInstantMark)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplayCursorSmallObjectChurn)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplaySeekRandom)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(200);
BENCHMARK(BM_ReplayTinyStrings)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplayMixedWithLarge)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplaySmallObjectChurnGo126)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplayTinyStringsGo126)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReplayMixedWithLargeGo126)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Host memory per live simulated object: malloc'd bytes of a World holding N live 48 B objects,
// minus the span bitmaps (allocBits, gcmarkBits, liveBits) and the span structs themselves.
void BM_MemoryPerLiveObject(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    size_t before = mallinfo2().uordblks;
    auto* w = new World(Config{});
    for (uint64_t id = 0; id < n; ++id) w->step(allocEvent(id, 48));
    size_t after = mallinfo2().uordblks;
    HeapView v = w->view();
    uint64_t spanBytes = 0;
    for (SpanId s = 0; s < v.spanCount(); ++s)
      spanBytes += sizeof(MSpan) + v.span(s).bitsCap * 8;
    state.counters["bytes_per_object"] =
        static_cast<double>(after - before - spanBytes - sizeof(World)) / static_cast<double>(n);
    delete w;
  }
}
BENCHMARK(BM_MemoryPerLiveObject)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
