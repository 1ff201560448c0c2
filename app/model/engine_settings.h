// EngineSettings: every engine knob a user can set, in one type that the CLI's flags
// (app/cli/engine_flags.h), the app's command line (app/gui/options.h) and its Engine settings
// dialog all fill, applied by one precedence rule:
//   the engine's defaults < the trace's meta.config < the --config file < these settings.
// Each field is optional: unset keeps what the layer below chose. No ImGui here.
#pragma once

#include "sim/world.h"
#include "traces/trace.h"

#include <cstdint>
#include <optional>
#include <string>

namespace model {

struct EngineSettings {
  std::string configFile;                // a JSON config (traces/config_json.h), "" = none
  std::optional<sim::GoVersion> goVersion; // the Go release modelled (--go 1.19|1.26)
  std::optional<uint32_t> procs;         // GOMAXPROCS
  std::optional<sim::Liveness> liveness; // gc | immediate
  std::optional<int32_t> gogc;           // negative = off
  std::optional<sim::SweepMode> sweep;   // lazy | eager
  std::optional<uint64_t> memoryLimit;   // GOMEMLIMIT in bytes (0 = none)
  std::optional<bool> scavenger;         // background and heap-growth scavenging
  std::optional<uint64_t> globalsBytes;  // scannable globals for the pacer (Go: globalsScan)
  std::optional<bool> markWindow;        // concurrent mark as a window of events, or instant
  std::optional<sim::GCCycles> gcCycles; // a trace's recorded background cycles: replayed or the pacer's
  std::optional<bool> traceGapsRunning;  // a timed trace's gaps: the goroutine running (true) or idle Ps
  // The timing and lock model: `timing` turns it on or off; unset, any of the knobs below turns it on.
  std::optional<bool> timing;
  std::optional<sim::CentralMode> locks; // mcentral as a mutex or lock-free span sets
  std::string costModel;                 // a cost-model JSON file, "" = the built-in go1.19-amd64 model
  std::optional<sim::ClockSource> clock; // the trace's times or the model's
  std::optional<uint64_t> timeFrom;      // first event the timing model times
  bool operator==(const EngineSettings&) const = default;
};

// Applies the config file, then the fields, to cfg (which already holds the layers below). Returns
// false with *error (naming the file) if the config or cost-model file is bad; cfg may then be
// partly changed.
bool applyEngineSettings(const EngineSettings& s, sim::Config& cfg, std::string* error);

// "gc" or "immediate" (the CLI's and the app's --liveness); nullopt for anything else.
std::optional<sim::Liveness> parseLiveness(const std::string& word);

// Why the engine runs with liveness `inForce` for this trace and these settings, in a sentence the
// app shows beside it: the user's setting, a config file, the trace's own meta, or the default.
std::string livenessReason(const traces::TraceMeta& meta, const EngineSettings& s, sim::Liveness inForce);
// The same in two or three words: "your setting", "the trace's", "config file", "default".
const char* livenessSource(const traces::TraceMeta& meta, const EngineSettings& s, sim::Liveness inForce);

// The whole rule: sim::Config's defaults, the trace's meta.config, then applyEngineSettings.
bool resolveConfig(const traces::TraceMeta& meta, const EngineSettings& s, sim::Config* cfg, std::string* error);

} // namespace model
