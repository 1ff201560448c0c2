// libFuzzer target for one trace format (SPANSCOPE_FUZZ_FORMAT, a name from traceFormats()).
// The input goes to the format's reader directly (not through sniffing, so every byte pattern
// reaches the parser), and the events it yields are replayed through the engine, which must
// reject bad ones cleanly. Any crash, sanitizer report, hang or unbounded allocation is a bug;
// a TraceError is the expected answer to bad input.
#include "tests/fuzz/mem_file.h"

#include "sim/malloc.h"
#include "traces/open_trace.h"

#include <cstdlib>
#include <string>

namespace {

const traces::TraceFormat& format() {
  static const traces::TraceFormat* f = [] {
    for (const traces::TraceFormat& t : traces::traceFormats())
      if (std::string(t.name) == SPANSCOPE_FUZZ_FORMAT) return &t;
    std::abort(); // the build names a format that is not registered
  }();
  return *f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemFile file(data, size);
  if (!file.ok()) return 0;
  sim::Config cfg;
  cfg.gomaxprocs = 4;
  cfg.maxHeapBytes = uint64_t{256} << 20; // keeps each run small; OOM is a clean engine failure
  try {
    auto stream = format().open(std::make_unique<traces::ByteSource>(file.path()));
    sim::World w(cfg);
    sim::Event buf[256];
    uint64_t total = 0;
    while (size_t n = stream->read(buf, 256)) {
      for (size_t i = 0; i < n && !w.failed(); ++i) w.step(buf[i]);
      total += n;
      if (total > 200000) break; // a short input cannot honestly describe more events
    }
    (void)stream->summary().toText();
  } catch (const traces::TraceError&) {
  }
  return 0;
}
