// EngineSettings: see engine_settings.h.
#include "app/model/engine_settings.h"

#include "traces/config_json.h"
#include "traces/cost_model_json.h"

namespace model {

bool applyEngineSettings(const EngineSettings& s, sim::Config& cfg, std::string* error) {
  if (!s.configFile.empty() && !traces::applyConfigFile(s.configFile, &cfg, error)) return false;
  if (s.goVersion) cfg.goVersion = *s.goVersion;
  if (s.procs) cfg.gomaxprocs = *s.procs;
  if (s.liveness) cfg.liveness = *s.liveness;
  if (s.gogc) cfg.gogc = *s.gogc;
  if (s.sweep) cfg.sweep = *s.sweep;
  if (s.memoryLimit) cfg.scavenger.memoryLimit = *s.memoryLimit;
  if (s.scavenger) cfg.scavenger.enabled = *s.scavenger;
  if (s.globalsBytes) cfg.globalsBytes = *s.globalsBytes;
  if (s.markWindow) cfg.markWindow = *s.markWindow;
  if (s.gcCycles) cfg.gcCycles = *s.gcCycles;
  if (s.traceGapsRunning) cfg.traceGapsRunning = *s.traceGapsRunning;
  const bool timingKnob = s.locks || s.clock || s.timeFrom || !s.costModel.empty();
  if (s.timing) cfg.timing.enabled = *s.timing;
  else if (timingKnob) cfg.timing.enabled = true;
  if (s.locks) cfg.timing.central = *s.locks;
  if (s.clock) cfg.timing.clock = *s.clock;
  if (s.timeFrom) cfg.timing.fromEvent = *s.timeFrom;
  if (!s.costModel.empty()) {
    std::optional<sim::CostModel> cost = traces::loadCostModel(s.costModel, error);
    if (!cost) return false;
    cfg.timing.cost = std::move(*cost);
  }
  return true;
}

std::optional<sim::Liveness> parseLiveness(const std::string& word) {
  if (word == "gc") return sim::Liveness::GC;
  if (word == "immediate") return sim::Liveness::Immediate;
  return std::nullopt;
}

std::string livenessReason(const traces::TraceMeta& meta, const EngineSettings& s, sim::Liveness inForce) {
  const bool immediate = inForce == sim::Liveness::Immediate;
  const std::string what = immediate ? "a freed object's slot is free again at once, as in a C allocator"
                                     : "a freed object's slot is reclaimed only when a GC cycle sweeps its span";
  if (s.liveness) return "set in Engine → Settings (or --liveness): " + what + ".";
  if (meta.config.liveness && *meta.config.liveness == inForce)
    return immediate ? "the trace asks for it: a C allocator recording, whose frees are explicit; " + what + "."
                     : "the trace asks for it (Go semantics): " + what + ".";
  if (!s.configFile.empty()) return "set by the config file " + s.configFile + ": " + what + ".";
  return "the default (Go semantics; the trace does not say): " + what + ".";
}

const char* livenessSource(const traces::TraceMeta& meta, const EngineSettings& s, sim::Liveness inForce) {
  if (s.liveness) return "your setting";
  if (meta.config.liveness && *meta.config.liveness == inForce) return "the trace's";
  if (!s.configFile.empty()) return "config file";
  return "default";
}

bool resolveConfig(const traces::TraceMeta& meta, const EngineSettings& s, sim::Config* cfg, std::string* error) {
  sim::Config c;
  traces::applyTraceConfig(meta, c);
  if (!applyEngineSettings(s, c, error)) return false;
  // The default table follows the Go release (the same classes, named for the release).
  if (c.goVersion == sim::GoVersion::Go126 && c.table.name() == "go1.19") c.table = sim::SizeClassTable::go126();
  *cfg = std::move(c);
  return true;
}

} // namespace model
