// libFuzzer target for the JSON inputs that are not traces: size-class tables and replay configs.
// The first input byte picks the parser. A clean error is the expected answer to bad input.
#include "tests/fuzz/mem_file.h"

#include "sim/malloc.h"
#include "traces/config_json.h"
#include "traces/sizeclass_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  MemFile file(data + 1, size - 1);
  if (!file.ok()) return 0;
  std::string err;
  if (data[0] & 1) {
    auto table = traces::loadSizeClassTable(file.path(), &err);
    if (table) {
      // A table that loads must be usable by the engine: allocate across its whole range.
      sim::Config cfg;
      cfg.table = *table;
      cfg.maxHeapBytes = uint64_t{256} << 20;
      sim::World w(cfg);
      uint64_t id = 0;
      for (uint64_t s = 1; s <= uint64_t{table->maxSmall()} + 1 && !w.failed(); s = s * 3 / 2 + 1)
        for (int k = 0; k < 3; ++k) w.step(sim::allocEvent(id++, s));
    }
  } else {
    sim::Config cfg;
    (void)traces::applyConfigFile(file.path(), &cfg, &err);
  }
  return 0;
}
