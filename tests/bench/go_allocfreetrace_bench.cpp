// Go allocfreetrace import speed (Google Benchmark). Input: the real sample recording
// (tests/data/go/allocfreetrace.txt: 177 tracealloc, 19 tracefree, 2 tracegc records with their
// stacks) repeated 300 times, each copy's addresses moved up by copy × 4 GiB so they stay
// distinct (~84 MB, 58 500 events). Recording that much with the runtime itself takes minutes
// (every record is an unbuffered write). Timed: open + read every event.
// Run: spanscope_bench --benchmark_filter=GoAllocFreeTrace
#include "traces/open_trace.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

constexpr int kCopies = 300;

// "tracealloc(0xADDR, ..." with ADDR + shift; other lines unchanged.
std::string shifted(const std::string& line, uint64_t shift) {
  const bool rec = line.starts_with("tracealloc(0x") || line.starts_with("tracefree(0x");
  if (!rec) return line;
  const size_t open = line.find('(') + 1, comma = line.find(',');
  const uint64_t addr = std::stoull(line.substr(open, comma - open), nullptr, 16) + shift;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
  return line.substr(0, open) + buf + line.substr(comma);
}

struct Input {
  fs::path path;
  uint64_t bytes = 0;
  std::string error;
  Input() {
    // The bench target has no data-dir macro; CMake compiles this file by its absolute path.
    const fs::path sampleFile = fs::path(__FILE__).parent_path().parent_path() / "data" / "go" / "allocfreetrace.txt";
    std::ifstream in(sampleFile);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string sample = ss.str();
    if (sample.empty()) {
      error = "cannot read " + sampleFile.string();
      return;
    }
    path = fs::temp_directory_path() / ("spanscope-go-bench-" + std::to_string(getpid()) + ".txt");
    std::ofstream out(path, std::ios::binary);
    for (int k = 0; k < kCopies; ++k) {
      std::istringstream lines(sample);
      for (std::string line; std::getline(lines, line);) out << shifted(line, uint64_t(k) << 32) << '\n';
    }
    out.close();
    bytes = fs::file_size(path);
  }
  ~Input() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

void BM_GoAllocFreeTraceImport(benchmark::State& state) {
  static Input input;
  if (!input.error.empty()) {
    state.SkipWithError(input.error.c_str());
    return;
  }
  std::vector<sim::Event> buf(4096);
  uint64_t events = 0;
  for (auto _ : state) {
    auto s = traces::openTrace(input.path.string());
    while (size_t n = s->read(buf.data(), buf.size())) events += n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(input.bytes * state.iterations()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GoAllocFreeTraceImport)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
