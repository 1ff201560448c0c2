// Engine → Settings: the engine configuration the user chose over the trace's own (GOMAXPROCS,
// liveness, GOGC, sweep mode, the timing and lock model and its cost model), and the dialog that edits it.
// The app re-opens the current trace with the trace's meta config first, then these overrides
// (the CLI's precedence: flags over the trace's meta).
#pragma once

#include "sim/world.h"

#include <cstdint>
#include <optional>
#include <string>

namespace gui {

// The timing and lock model as offered in the UI: off, or on with mcentral in one of its two modes.
enum class TimingChoice : uint8_t { Off, LockFree, Mutex };
const char* timingChoiceLabel(TimingChoice t); // "off", "mcentral lock-free (Go 1.15+)", ...
TimingChoice timingChoiceOf(const sim::Config& cfg);

// What the user set; each unset field keeps the trace's (or the engine's default) value.
struct EngineOverrides {
  std::optional<uint32_t> procs;
  std::optional<sim::Liveness> liveness;
  std::optional<int32_t> gogc; // negative = off
  std::optional<sim::SweepMode> sweep;
  std::optional<TimingChoice> timing;
  std::string costModelPath;             // "" = the built-in go1.19-amd64 model
  std::optional<sim::CostModel> costModel; // loaded from costModelPath
  bool operator==(const EngineOverrides&) const = default;
};

// cfg (already holding the trace's meta config) with the overrides applied.
void applyOverrides(const EngineOverrides& o, sim::Config& cfg);

// One line for the toolbar: "8 Ps · timing: mcentral mutex (Go ≤ 1.14)", "1 P · timing off".
std::string engineSummary(const sim::Config& cfg);

class EngineDialog {
 public:
  // Opens the dialog showing `current` (the engine's config now) for editing; `base` is what the
  // trace alone asks for. On Apply only the fields that differ from `base` become overrides, so a
  // choice the trace already makes does not follow the user to the next trace.
  void open(const sim::Config& current, const sim::Config& base, const EngineOverrides& overrides);
  bool isOpen() const { return open_; }
  // Draws it while open; true once when the user pressed Apply (*out filled, cost model loaded).
  bool draw(EngineOverrides* out);

 private:
  bool open_ = false, justOpened_ = false;
  int procs_ = 1;
  int liveness_ = 0; // 0 gc, 1 immediate
  bool gogcOff_ = false;
  int gogc_ = 100;
  int sweep_ = 0;    // 0 lazy, 1 eager
  int timing_ = 0;   // TimingChoice
  char costPath_[512] = "";
  std::string error_;
  sim::Config base_;
};

} // namespace gui
