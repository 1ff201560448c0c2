// spanscope-cli: the engine flags `replay` and `compare` share. Engine design essay: sim/malloc.h.
#include "app/cli/engine_flags.h"

#include "traces/config_json.h"
#include "traces/cost_model_json.h"

namespace cli {

namespace {

// The value of `flag` as one of two words.
bool oneOf(const std::string& flag, const std::string& v, const char* yes, const char* no) {
  if (v == yes) return true;
  if (v == no) return false;
  throw UsageError(flag + " expects " + yes + " or " + no + ", got \"" + v + "\"");
}

} // namespace

bool parseEngineFlag(const std::string& f, Args& a, EngineFlags& e) {
  if (f == "--config") {
    e.configFile = a.value(f);
  } else if (f == "--procs") {
    e.procs = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1, 1024));
  } else if (f == "--liveness") {
    e.liveness = oneOf(f, a.value(f), "gc", "immediate") ? sim::Liveness::GC : sim::Liveness::Immediate;
  } else if (f == "--gogc") {
    const std::string v = a.value(f);
    e.gogc = v == "off" ? -1 : static_cast<int32_t>(parseSigned(f, v, -1, 1000000));
  } else if (f == "--sweep") {
    e.sweep = oneOf(f, a.value(f), "lazy", "eager") ? sim::SweepMode::Lazy : sim::SweepMode::Eager;
  } else if (f == "--memory-limit") {
    e.memoryLimit = parseUnsigned(f, a.value(f), 0, uint64_t{1} << 62);
  } else if (f == "--globals-bytes") {
    e.globalsBytes = parseUnsigned(f, a.value(f), 0, uint64_t{1} << 40);
  } else if (f == "--mark") {
    e.markWindow = oneOf(f, a.value(f), "concurrent", "instant");
  } else if (f == "--scavenger") {
    e.scavenger = oneOf(f, a.value(f), "on", "off");
  } else if (f == "--locks") {
    e.locks = oneOf(f, a.value(f), "mutex", "lockfree") ? sim::CentralMode::Mutex : sim::CentralMode::LockFree;
  } else if (f == "--cost-model") {
    e.costModel = a.value(f);
    if (e.costModel.empty()) throw UsageError("--cost-model needs a file name");
  } else if (f == "--clock") {
    e.clock = oneOf(f, a.value(f), "trace", "model") ? sim::ClockSource::Trace : sim::ClockSource::Model;
  } else if (f == "--time-from") {
    e.timeFrom = parseUnsigned(f, a.value(f), 0, ~uint64_t{0});
  } else {
    return false;
  }
  return true;
}

bool applyEngineFlags(const EngineFlags& e, sim::Config& cfg, std::string* error) {
  if (!e.configFile.empty() && !traces::applyConfigFile(e.configFile, &cfg, error)) return false;
  if (e.procs) cfg.gomaxprocs = *e.procs;
  if (e.liveness) cfg.liveness = *e.liveness;
  if (e.gogc) cfg.gogc = *e.gogc;
  if (e.sweep) cfg.sweep = *e.sweep;
  if (e.memoryLimit) cfg.scavenger.memoryLimit = *e.memoryLimit;
  if (e.scavenger) cfg.scavenger.enabled = *e.scavenger;
  if (e.globalsBytes) cfg.globalsBytes = *e.globalsBytes;
  if (e.markWindow) cfg.markWindow = *e.markWindow;
  if (e.locks || e.clock || e.timeFrom || !e.costModel.empty()) {
    cfg.timing.enabled = true;
    if (e.locks) cfg.timing.central = *e.locks;
    if (e.clock) cfg.timing.clock = *e.clock;
    if (e.timeFrom) cfg.timing.fromEvent = *e.timeFrom;
    if (!e.costModel.empty()) {
      std::optional<sim::CostModel> cost = traces::loadCostModel(e.costModel, error);
      if (!cost) return false;
      cfg.timing.cost = std::move(*cost);
    }
  }
  return true;
}

} // namespace cli
