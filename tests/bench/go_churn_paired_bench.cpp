// Against the real runtime (issue 14): the CPU time of replaying the allocations of Go's churn
// program (tests/oracle/go/churn: 2 M make([]byte, n), n = 24..4000 B, a 20,000-slot window,
// GOGC=100, GOMAXPROCS=1) beside the CPU time of the Go 1.19 program doing them, in one paired
// measurement per iteration: the Go binary (built by `make bench`, path in $SPANSCOPE_GO_CHURN)
// runs as a child (its user+system time from wait4), then the engine replays the same sequence
// in-process (this thread's CPU time). Counters: go_cpu_s, replay_cpu_s and their ratio.
#include "sim/malloc.h"

#include <benchmark/benchmark.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <spawn.h>
#include <time.h>

#include <cstdlib>
#include <string>

extern char** environ;

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

double threadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Runs the Go program with GOGC=100 GOMAXPROCS=1, output discarded; its CPU seconds, or -1.
double runGoChurn(const std::string& bin) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::string gogc = "GOGC=100", procs = "GOMAXPROCS=1";
  char* const argv[] = {const_cast<char*>(bin.c_str()), nullptr};
  char* const envp[] = {gogc.data(), procs.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

// The same allocations as churn/main.go (and tests/oracle/gc_dynamics_oracle_test.cpp): three
// runtime.GC() of oraclelib.Settle, the window slice, then the LCG's sizes into a sliding window,
// ReadMemStats every 100,000 allocations. Returns NumGC, so the work cannot be optimised away.
uint64_t replayChurn() {
  constexpr uint64_t kWindow = 20000, kTotal = 2000000, kCheckpoint = 100000;
  sim::Config cfg;
  cfg.gogc = 100;
  cfg.liveness = sim::Liveness::GC;
  sim::World w(cfg);
  for (int i = 0; i < 3; ++i) w.step(sim::gcEvent());
  w.step(sim::allocEvent(0, kWindow * 24, /*noscan=*/false));
  uint64_t x = 1;
  for (uint64_t i = 0; i < kTotal; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    if (i >= kWindow) w.step(sim::freeEvent(1 + i - kWindow));
    w.step(sim::allocEvent(1 + i, 24 + (x >> 31) % 3977, /*noscan=*/true));
    if ((i + 1) % kCheckpoint == 0 && (i + 1) / kCheckpoint < kTotal / kCheckpoint) w.step(sim::readMemStatsEvent());
  }
  return w.memStats().NumGC;
}

void BM_GoChurnPaired(benchmark::State& state) {
  const char* bin = std::getenv("SPANSCOPE_GO_CHURN");
  if (!bin || !*bin) {
    state.SkipWithError("set SPANSCOPE_GO_CHURN to the churn program built with Go 1.19 (make bench does)");
    return;
  }
  double go = 0, replay = 0;
  for (auto _ : state) {
    const double g = runGoChurn(bin);
    if (g < 0) {
      state.SkipWithError((std::string(bin) + " did not run to the end").c_str());
      return;
    }
    const double t0 = threadCpu();
    benchmark::DoNotOptimize(replayChurn());
    replay += threadCpu() - t0;
    go += g;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["go_cpu_s"] = go / n;
  state.counters["replay_cpu_s"] = replay / n;
  state.counters["replay/go"] = replay / go;
}
BENCHMARK(BM_GoChurnPaired)->Iterations(3)->Unit(benchmark::kMillisecond);

} // namespace
