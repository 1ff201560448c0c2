// libFuzzer targets for the JSON inputs that are not traces, one per parser (SPANSCOPE_FUZZ_JSON:
// "table" = a size-class table, "config" = a replay config, "cost_model" = a timing cost model), so
// each target's seeds are real files of its kind. A clean error is the expected answer to bad input;
// whatever loads must be usable by the engine.
#include "tests/fuzz/mem_file.h"

#include "sim/malloc.h"
#include "traces/config_json.h"
#include "traces/cost_model_json.h"
#include "traces/sizeclass_json.h"

#include <algorithm>
#include <string_view>

namespace {

constexpr std::string_view kInput = SPANSCOPE_FUZZ_JSON;

// A few allocations of sizes 1..maxSize (growing by half), three of each, then their frees.
void exercise(sim::Config cfg, uint64_t maxSize) {
  cfg.maxHeapBytes = uint64_t{256} << 20;
  sim::World w(cfg);
  uint64_t id = 0;
  for (uint64_t s = 1; s <= maxSize && !w.failed(); s = s * 3 / 2 + 1)
    for (int k = 0; k < 3; ++k) w.step(sim::allocEvent(id++, s));
  for (uint64_t i = 0; i < id && !w.failed(); ++i) w.step(sim::freeEvent(i));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemFile file(data, size);
  if (!file.ok()) return 0;
  std::string err;
  if (kInput == "table") {
    if (auto table = traces::loadSizeClassTable(file.path(), &err)) {
      sim::Config cfg;
      cfg.table = *table;
      exercise(cfg, uint64_t{table->maxSmall()} + 1);
    }
  } else if (kInput == "config") {
    sim::Config cfg;
    if (traces::applyConfigFile(file.path(), &cfg, &err)) {
      cfg.gomaxprocs = std::min<uint32_t>(cfg.gomaxprocs, 8); // the file may ask for thousands of Ps
      exercise(cfg, 40000);
    }
  } else if (kInput == "cost_model") {
    if (auto cost = traces::loadCostModel(file.path(), &err)) {
      sim::Config cfg;
      cfg.timing.enabled = true;
      cfg.timing.cost = *cost;
      exercise(cfg, 40000);
    }
  } else {
    __builtin_trap(); // the build names an input this target does not know
  }
  return 0;
}
