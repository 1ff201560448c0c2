// spanscope-cli: the engine flags `replay` and `compare` share, and the sim::Config they make.
// Precedence: the engine's defaults < the trace's meta.config < a --config file < these flags.
#pragma once

#include "app/cli/cli.h"
#include "sim/world.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cli {

struct EngineFlags {
  std::string configFile;                // --config FILE
  std::optional<uint32_t> procs;         // --procs N
  std::optional<sim::Liveness> liveness; // --liveness gc|immediate
  std::optional<int32_t> gogc;           // --gogc N|off (negative = off)
  std::optional<sim::SweepMode> sweep;   // --sweep lazy|eager
  std::optional<uint64_t> memoryLimit;   // --memory-limit BYTES
  std::optional<bool> scavenger;         // --scavenger on|off
  std::optional<uint64_t> globalsBytes;  // --globals-bytes BYTES (Go: globalsScan)
  std::optional<bool> markWindow;        // --mark concurrent|instant
  // The timing and lock model: on with any of these.
  std::optional<sim::CentralMode> locks; // --locks mutex|lockfree
  std::string costModel;                 // --cost-model FILE
  std::optional<sim::ClockSource> clock; // --clock trace|model
  std::optional<uint64_t> timeFrom;      // --time-from N
};

// If `flag` (just read from `a`) is an engine flag, reads its value into `e` and returns true;
// throws UsageError on a bad value.
bool parseEngineFlag(const std::string& flag, Args& a, EngineFlags& e);

// Applies the --config file, then the flags, to `cfg` (which already holds the trace's meta
// config). Returns false with *error (naming the file) if the config or cost-model file is bad.
bool applyEngineFlags(const EngineFlags& e, sim::Config& cfg, std::string* error);

} // namespace cli
