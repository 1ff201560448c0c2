// spanscope-cli: the engine flags `replay` and `compare` share. Engine design essay: sim/malloc.h.
#include "app/cli/engine_flags.h"

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
  } else if (f == "--go") {
    const std::string v = a.value(f);
    std::optional<sim::GoVersion> gv = sim::parseGoVersion(v);
    if (!gv) throw UsageError("--go expects 1.19 or 1.26 (the Go releases the engine models), got \"" + v + "\"");
    e.goVersion = *gv;
  } else if (f == "--procs") {
    e.procs = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1, 1024));
  } else if (f == "--liveness") {
    const std::string v = a.value(f);
    e.liveness = model::parseLiveness(v);
    if (!e.liveness) throw UsageError(f + " expects gc or immediate, got \"" + v + "\"");
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
  } else if (f == "--gc-cycles") {
    e.gcCycles = oneOf(f, a.value(f), "trace", "pacer") ? sim::GCCycles::Trace : sim::GCCycles::Pacer;
  } else if (f == "--trace-gaps") {
    e.traceGapsRunning = oneOf(f, a.value(f), "running", "idle");
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

} // namespace cli
