// The engine settings and their dialog: see engine_dialog.h.
#include "app/gui/engine_dialog.h"

#include "traces/cost_model_json.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>

namespace gui {

namespace {

struct Choice {
  const char* label;
  const char* tooltip;
};

// "Label  (o) a  ( ) b" on one line: *v is 0 for a, 1 for b.
void TwoChoices(const char* label, int* v, Choice a, Choice b) {
  ImGui::TextUnformatted(label);
  int k = 0;
  for (const Choice& c : {a, b}) {
    ImGui::SameLine();
    ImGui::RadioButton(c.label, v, k++);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", c.tooltip);
  }
}

} // namespace

const char* timingChoiceLabel(TimingChoice t) {
  switch (t) {
    case TimingChoice::Off: return "off";
    case TimingChoice::LockFree: return "mcentral lock-free (Go 1.15+)";
    case TimingChoice::Mutex: return "mcentral mutex (Go ≤ 1.14)";
  }
  return "off";
}

TimingChoice timingChoiceOf(const sim::Config& cfg) {
  if (!cfg.timing.enabled) return TimingChoice::Off;
  return cfg.timing.central == sim::CentralMode::Mutex ? TimingChoice::Mutex : TimingChoice::LockFree;
}

void setTimingChoice(model::EngineSettings& s, TimingChoice t) {
  s.timing = t != TimingChoice::Off;
  if (t != TimingChoice::Off) s.locks = t == TimingChoice::Mutex ? sim::CentralMode::Mutex : sim::CentralMode::LockFree;
}

TimingChoice timingChoiceOf(const model::EngineSettings& s) {
  if (!s.timing.value_or(false)) return TimingChoice::Off;
  return s.locks == sim::CentralMode::Mutex ? TimingChoice::Mutex : TimingChoice::LockFree;
}

std::string engineSummary(const sim::Config& cfg) {
  std::string s = std::to_string(cfg.gomaxprocs) + (cfg.gomaxprocs == 1 ? " P" : " Ps");
  const TimingChoice t = timingChoiceOf(cfg);
  if (t == TimingChoice::Off) return s + " · timing off";
  return s + " · timing: " + timingChoiceLabel(t);
}

void EngineDialog::open(const sim::Config& current, const sim::Config& base, const model::EngineSettings& settings) {
  open_ = justOpened_ = true;
  base_ = base;
  procs_ = static_cast<int>(current.gomaxprocs);
  goVersion_ = current.goVersion == sim::GoVersion::Go126 ? 1 : 0;
  liveness_ = current.liveness == sim::Liveness::Immediate ? 1 : 0;
  gogcOff_ = current.gogc < 0;
  gogc_ = current.gogc < 0 ? 100 : current.gogc;
  sweep_ = current.sweep == sim::SweepMode::Eager ? 1 : 0;
  gcCycles_ = current.gcCycles == sim::GCCycles::Pacer ? 1 : 0;
  traceGaps_ = current.traceGapsRunning ? 1 : 0;
  memoryLimitMiB_ = current.scavenger.memoryLimit >> 20;
  scavenger_ = current.scavenger.enabled;
  timing_ = static_cast<int>(timingChoiceOf(current));
  clock_ = current.timing.clock == sim::ClockSource::Model ? 1 : 0;
  timeFrom_ = current.timing.fromEvent;
  std::strncpy(costPath_, settings.costModel.c_str(), sizeof costPath_ - 1);
  costPath_[sizeof costPath_ - 1] = '\0';
  error_.clear();
}

bool EngineDialog::draw(model::EngineSettings* out) {
  if (!open_) return false;
  if (justOpened_) ImGui::OpenPopup("Engine settings###engine");
  justOpened_ = false;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(620.0f, d.x * 0.9f), 0), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.3f), ImGuiCond_Appearing, ImVec2(0.5f, 0));
  if (!ImGui::BeginPopupModal("Engine settings###engine", &open_)) return false;
  bool applied = false;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("Applying replays the trace again with these settings (the trace's own settings first, then "
                      "these), and comes back to the same event.");
  ImGui::PopTextWrapPos();
  ImGui::Separator();

  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("GOMAXPROCS", &procs_);
  procs_ = std::clamp(procs_, 1, 1024);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Number of Ps (1..1024). Trace threads map to Ps in order of first appearance; each P has its "
                      "own mcache and, with timing on, its own clock.");

  TwoChoices("Go release", &goVersion_, {"1.19", "Go 1.19's allocator, as the engine was built for."},
             {"1.26", "Go 1.26: 8-byte malloc headers on pointerful objects above 512 B, heap bits and Green Tea's "
                      "inline mark bits at span ends (fewer objects per span), the split mallocgc's names."});

  TwoChoices("Liveness", &liveness_, {"gc", "Go semantics: a freed object's slot is reclaimed when a GC cycle sweeps its span."},
             {"immediate", "The slot is reclaimed at the free, as if its span had just been swept (malloc/free traces)."});

  ImGui::Checkbox("GOGC off", &gogcOff_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("GOGC=off: the pacer never starts a GC cycle.");
  if (!gogcOff_) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("GOGC", &gogc_);
    gogc_ = std::clamp(gogc_, 0, 100000);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Heap growth (percent over the live heap) that triggers the next GC cycle. Only in gc liveness.");
  }
  TwoChoices("Sweep", &sweep_,
             {"lazy", "Go's concurrent sweep: after a cycle the pacer starts, spans stay unswept until an allocation, "
                      "the page reclaimer, sweep credit or the background sweeper gets to them."},
             {"eager", "Every cycle sweeps all spans before its event ends (as runtime.GC() waits for)."});
  TwoChoices("GC cycles", &gcCycles_,
             {"trace", "A Go trace's recorded GC cycles run as background cycles (a mark window, lazy sweep); "
                       "runtime.GC() calls stay forced."},
             {"pacer", "The engine's pacer (GOGC, memory limit) decides when to collect; the trace's background "
                       "cycles are dropped, its runtime.GC() calls kept. Asks 'what if GOGC were 200?'."});
  TwoChoices("Trace gaps", &traceGaps_,
             {"idle", "A timed trace's time between allocations beyond their modelled cost is idle Ps: idle GC "
                      "workers mark in it."},
             {"running", "That time is the goroutine computing (a GOMAXPROCS=1 program that never blocks): sysmon's "
                         "10 ms preemption clock runs through it, which is when the fractional mark worker gets the P."});
  ImGui::SetNextItemWidth(120);
  ImGui::InputScalar("Memory limit (MiB)", ImGuiDataType_U64, &memoryLimitMiB_);
  memoryLimitMiB_ = std::min<uint64_t>(memoryLimitMiB_, uint64_t{1} << 42);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("GOMEMLIMIT: a soft limit on the memory the runtime maps; near it the pacer collects sooner and "
                      "allocations scavenge. 0: none.");
  ImGui::SameLine();
  ImGui::Checkbox("Scavenger", &scavenger_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The background and heap-growth scavenger: return free pages to the OS (debug.FreeOSMemory works "
                      "either way).");

  ImGui::Separator();
  ImGui::TextUnformatted("Timing and lock model");
  static constexpr const char* kTimingTips[] = {
      "No simulated time: events run in trace order, no locks are modelled (fastest).",
      "Go 1.15+: mcentral keeps spans in lock-free span sets (atomic push/pop); only mheap.lock, the spine locks "
      "and stop-the-world can make a P wait.",
      "Go ≤ 1.14 and the textbook: one mutex per span class around mcentral's lists; Ps refilling the same size "
      "class queue on it.",
  };
  for (int t = 0; t < 3; ++t) {
    ImGui::RadioButton(timingChoiceLabel(static_cast<TimingChoice>(t)), &timing_, t);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kTimingTips[t]);
  }
  drawTimingKnobs();
  if (!error_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", error_.c_str());
    ImGui::PopStyleColor();
  }

  if (ImGui::Button("Apply", ImVec2(100, 0))) {
    // Read the cost model now, so a bad file is reported here rather than when the trace reloads.
    if (costPath_[0] == '\0' || traces::loadCostModel(costPath_, &error_)) {
      *out = chosen();
      applied = true;
      open_ = false;
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(80, 0))) open_ = false;
  if (!open_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return applied;
}

void EngineDialog::drawTimingKnobs() {
  ImGui::BeginDisabled(timing_ == 0);
  TwoChoices("Clock", &clock_, {"trace", "An event starts at its trace time, or when its P is free if later."},
             {"model", "Each P runs its events back to back; the trace's times are ignored."});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputScalar("Time from event", ImGuiDataType_U64, &timeFrom_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Events before this index run untimed (a benchmark's set-up phase).");
  ImGui::SetNextItemWidth(-160);
  ImGui::InputTextWithHint("Cost model JSON", "built-in: go1.19-amd64", costPath_, sizeof costPath_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A spanscope-cost-model file (e.g. assets/cost_models/go1.19-amd64.json): simulated ns per "
                      "operation. Empty: the built-in Go 1.19 amd64 model.");
  ImGui::EndDisabled();
}

model::EngineSettings EngineDialog::chosen() const {
  model::EngineSettings o;
  o.costModel = costPath_;
  const auto procs = static_cast<uint32_t>(procs_);
  const auto live = liveness_ == 1 ? sim::Liveness::Immediate : sim::Liveness::GC;
  const int32_t gogc = gogcOff_ ? -1 : gogc_;
  const auto sweep = sweep_ == 1 ? sim::SweepMode::Eager : sim::SweepMode::Lazy;
  const auto gcCycles = gcCycles_ == 1 ? sim::GCCycles::Pacer : sim::GCCycles::Trace;
  const uint64_t limit = memoryLimitMiB_ << 20;
  const auto timing = static_cast<TimingChoice>(timing_);
  const auto clock = clock_ == 1 ? sim::ClockSource::Model : sim::ClockSource::Trace;
  const auto go = goVersion_ == 1 ? sim::GoVersion::Go126 : sim::GoVersion::Go119;
  if (go != base_.goVersion) o.goVersion = go;
  if (procs != base_.gomaxprocs) o.procs = procs;
  if (live != base_.liveness) o.liveness = live;
  if (gogc != base_.gogc) o.gogc = gogc;
  if (sweep != base_.sweep) o.sweep = sweep;
  if (gcCycles != base_.gcCycles) o.gcCycles = gcCycles;
  if ((traceGaps_ == 1) != base_.traceGapsRunning) o.traceGapsRunning = traceGaps_ == 1;
  if (limit != base_.scavenger.memoryLimit) o.memoryLimit = limit;
  if (scavenger_ != base_.scavenger.enabled) o.scavenger = scavenger_;
  if (timing != timingChoiceOf(base_)) setTimingChoice(o, timing);
  else if (timing == TimingChoice::Off) o.timing = false; // the clock and cost knobs alone would turn it on
  if (clock != base_.timing.clock) o.clock = clock;
  if (timeFrom_ != base_.timing.fromEvent) o.timeFrom = timeFrom_;
  return o;
}

} // namespace gui
