// Engine → Settings: the dialog that edits the engine settings the user chose over the trace's own
// (model::EngineSettings: every knob the CLI has — Go release, GOMAXPROCS, liveness, GOGC, sweep, GC
// cycles (trace or pacer), memory limit, scavenger, the timing and lock model with its clock, first
// timed event and cost model). The app re-opens the current trace under model::resolveConfig's
// precedence (flags over the trace's meta).
#pragma once

#include "app/model/engine_settings.h"
#include "sim/world.h"

#include <cstdint>
#include <optional>
#include <string>

namespace gui {

// The timing and lock model as offered in the UI: off, or on with mcentral in one of its two modes.
enum class TimingChoice : uint8_t { Off, LockFree, Mutex };
const char* timingChoiceLabel(TimingChoice t); // "off", "mcentral lock-free (Go 1.15+)", ...
TimingChoice timingChoiceOf(const sim::Config& cfg);

// The choice in settings: sets `timing` and `locks` (Off: timing off, mcentral left as it was).
void setTimingChoice(model::EngineSettings& s, TimingChoice t);
// What the settings choose, as far as they say (Off unless they turn timing on).
TimingChoice timingChoiceOf(const model::EngineSettings& s);

// One line for the toolbar: "8 Ps · timing: mcentral mutex (Go ≤ 1.14)", "1 P · timing off".
std::string engineSummary(const sim::Config& cfg);

class EngineDialog {
 public:
  // Opens the dialog showing `current` (the engine's config now) for editing; `base` is what the
  // trace alone asks for. On Apply only the fields that differ from `base` become overrides, so a
  // choice the trace already makes does not follow the user to the next trace.
  void open(const sim::Config& current, const sim::Config& base, const model::EngineSettings& settings);
  bool isOpen() const { return open_; }
  // Draws it while open; true once when the user pressed Apply (*out filled; the cost model file
  // was read and is good).
  bool draw(model::EngineSettings* out);
  // What Apply gives for the values shown now: only those that differ from what the trace alone
  // asks for, so a choice the trace already makes does not follow the user to the next trace.
  model::EngineSettings chosen() const;

 private:
  bool open_ = false, justOpened_ = false;
  int procs_ = 1;
  int goVersion_ = 0; // 0 Go 1.19, 1 Go 1.26
  int liveness_ = 0; // 0 gc, 1 immediate
  bool gogcOff_ = false;
  int gogc_ = 100;
  int sweep_ = 0;    // 0 lazy, 1 eager
  int gcCycles_ = 0; // 0 trace, 1 pacer
  int traceGaps_ = 0; // 0 idle, 1 running
  uint64_t memoryLimitMiB_ = 0; // 0 = none
  bool scavenger_ = true;
  int timing_ = 0;   // TimingChoice
  int clock_ = 0;    // 0 trace, 1 model
  uint64_t timeFrom_ = 0;
  char costPath_[512] = "";
  std::string error_;
  sim::Config base_;
  void drawTimingKnobs();
};

} // namespace gui
