// A trace in memory: the engine's events plus what the file said about them.
// Design essay: sim/malloc.h; formats: ARCHITECTURE.md §4.
#pragma once

#include "sim/event.h"
#include "sim/world.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace traces {

// The replay settings a trace may suggest (its "meta.config"). Every field is optional; what is
// absent keeps the value from the defaults. A config file and command-line flags override these.
struct TraceConfig {
  std::optional<uint32_t> gomaxprocs;
  std::optional<sim::Liveness> liveness;
  std::optional<int32_t> gogc; // negative = GC off
  std::optional<bool> tiny;    // the tiny allocator
  std::optional<uint64_t> memoryLimit; // GOMEMLIMIT in bytes (0 = none)
  std::optional<bool> scavenger;       // background and heap-growth scavenging
  std::optional<sim::SweepMode> sweep; // how pacer-triggered cycles sweep (lazy or eager)
  std::optional<sim::GCCycles> gcCycles; // recorded background GC cycles: replayed or the pacer's
  bool empty() const { return !gomaxprocs && !liveness && !gogc && !tiny && !memoryLimit && !scavenger && !sweep && !gcCycles; }
};

struct TraceMeta {
  std::string name;        // short title ("classroom tour"); empty if the file has none
  std::string description; // what the trace shows
  std::string source;      // where it came from (hand-written, recorder command, ...)
  // "go1.26": the Go that recorded it (JSON key go_version); empty if unknown. It picks the
  // engine's profile (sim::profileForRecordedVersion): 1.23 and later replay under go1.26, older
  // ones under go1.19; a config file or --go overrides it.
  std::string goVersion;
  TraceConfig config;
};

struct Trace {
  TraceMeta meta;
  // Events in file order. Alloc/Free ids are dense (0, 1, 2, ... in order of first appearance in
  // the file); Annotate ids index `annotations`.
  std::vector<sim::Event> events;
  std::vector<std::string> annotations;
  // Dense id -> the id the file used (for messages and for writing the trace back).
  std::vector<uint64_t> originalIds;

  uint64_t originalId(uint64_t dense) const { return dense < originalIds.size() ? originalIds[dense] : dense; }
};

// Applies the trace's suggested settings (meta.config) to cfg; fields the trace leaves out keep
// cfg's values. Precedence used by the CLI: flags > --config file > trace meta > defaults.
inline void applyTraceConfig(const TraceMeta& meta, sim::Config& cfg) {
  if (!meta.goVersion.empty())
    if (std::optional<sim::GoVersion> v = sim::profileForRecordedVersion(meta.goVersion)) cfg.goVersion = *v;
  if (meta.config.gomaxprocs) cfg.gomaxprocs = *meta.config.gomaxprocs;
  if (meta.config.liveness) cfg.liveness = *meta.config.liveness;
  if (meta.config.gogc) cfg.gogc = *meta.config.gogc;
  if (meta.config.tiny) cfg.tinyAlloc = *meta.config.tiny;
  if (meta.config.memoryLimit) cfg.scavenger.memoryLimit = *meta.config.memoryLimit;
  if (meta.config.scavenger) cfg.scavenger.enabled = *meta.config.scavenger;
  if (meta.config.sweep) cfg.sweep = *meta.config.sweep;
  if (meta.config.gcCycles) cfg.gcCycles = *meta.config.gcCycles;
}

} // namespace traces
