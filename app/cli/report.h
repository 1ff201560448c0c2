// spanscope-cli: the replay report (text for a projector, JSON for scripts).
// Engine design essay: sim/malloc.h.
#pragma once

#include "sim/malloc.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cli {

// One span class with in-use spans (computed through HeapView).
struct ClassRow {
  uint32_t sizeclass = 0;
  uint32_t size = 0;        // bytes per object
  sim::SpanClass spanclass = 0;
  bool noscan = false;
  uint64_t spans = 0;       // in-use spans of this span class
  uint64_t objects = 0;     // allocated slots (allocCount; gc mode: includes dead, unswept ones)
  uint64_t capacity = 0;    // slots in those spans (nelems)
  uint64_t reachable = 0;   // slots holding an object the trace has not freed
};

struct ReplayReport {
  std::string traceName;
  std::string tracePath;
  uint64_t eventsReplayed = 0;
  std::optional<uint64_t> eventsTotal; // unknown when --until stopped before the trace's end
  // config
  std::string goVersion = "1.19"; // the Go release modelled (sim::goVersionName)
  uint32_t procs = 1;
  std::string liveness;
  std::string sweep; // how pacer-triggered cycles sweep: "lazy" or "eager"
  int32_t gogc = 100;
  std::string table;
  bool tiny = true;
  // state
  sim::MemStats ms;
  sim::WasteLedger ledger;
  std::vector<uint64_t> pathCounts; // events that took each PathStep, indexed by PathStep
  std::vector<ClassRow> classes;    // span classes with in-use spans, by span class
  uint64_t largeSpans = 0, largePages = 0, largeReachable = 0;
  std::optional<sim::TimingFigures> timing; // the timing and lock model's figures, when it is on
};

// Fills the state part from the World (MemStats, ledger, per-class rows through HeapView).
void collectState(const sim::World& w, ReplayReport* r);

std::string textReport(const ReplayReport& r);
std::string jsonReport(const ReplayReport& r); // stable snake_case keys, integers

} // namespace cli
