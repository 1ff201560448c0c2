// libFuzzer target for the recorder's raw log (traces/recorder/raw_log.h) and its conversion to
// events (recorded_stream.h), replayed through the engine as `spanscope-cli record` does. The log
// is a temporary file the recorder writes; a corrupt one (a crash mid-write, a full disk, another
// process's file) must give a TraceError, never a crash or an allocation the file chose.
#include "tests/fuzz/mem_file.h"

#include "sim/malloc.h"
#include "traces/recorder/recorded_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemFile file(data, size);
  if (!file.ok()) return 0;
  sim::Config cfg;
  cfg.gomaxprocs = 4;
  cfg.liveness = sim::Liveness::Immediate; // as recorded traces are replayed
  cfg.maxHeapBytes = uint64_t{256} << 20;
  try {
    traces::RecordedStream stream(file.path(), {});
    sim::World w(cfg);
    sim::Event buf[256];
    uint64_t total = 0;
    while (size_t n = stream.read(buf, 256)) {
      for (size_t i = 0; i < n && !w.failed(); ++i) w.step(buf[i]);
      total += n;
      if (total > 200000) break; // a short input cannot honestly describe more events
    }
    (void)stream.summary().toText();
    (void)stream.liveBlocks();
  } catch (const traces::TraceError&) {
  }
  return 0;
}
