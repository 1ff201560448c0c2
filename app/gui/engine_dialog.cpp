// The engine settings and their dialog: see engine_dialog.h.
#include "app/gui/engine_dialog.h"

#include "traces/cost_model_json.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>

namespace gui {

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

void applyOverrides(const EngineOverrides& o, sim::Config& cfg) {
  if (o.procs) cfg.gomaxprocs = *o.procs;
  if (o.liveness) cfg.liveness = *o.liveness;
  if (o.gogc) cfg.gogc = *o.gogc;
  if (o.sweep) cfg.sweep = *o.sweep;
  if (o.timing) {
    cfg.timing.enabled = *o.timing != TimingChoice::Off;
    if (cfg.timing.enabled)
      cfg.timing.central = *o.timing == TimingChoice::Mutex ? sim::CentralMode::Mutex : sim::CentralMode::LockFree;
  }
  if (o.costModel) cfg.timing.cost = *o.costModel;
}

std::string engineSummary(const sim::Config& cfg) {
  std::string s = std::to_string(cfg.gomaxprocs) + (cfg.gomaxprocs == 1 ? " P" : " Ps");
  const TimingChoice t = timingChoiceOf(cfg);
  if (t == TimingChoice::Off) return s + " · timing off";
  return s + " · timing: " + timingChoiceLabel(t);
}

void EngineDialog::open(const sim::Config& current, const sim::Config& base, const EngineOverrides& overrides) {
  open_ = justOpened_ = true;
  base_ = base;
  procs_ = static_cast<int>(current.gomaxprocs);
  liveness_ = current.liveness == sim::Liveness::Immediate ? 1 : 0;
  gogcOff_ = current.gogc < 0;
  gogc_ = current.gogc < 0 ? 100 : current.gogc;
  sweep_ = current.sweep == sim::SweepMode::Eager ? 1 : 0;
  timing_ = static_cast<int>(timingChoiceOf(current));
  std::strncpy(costPath_, overrides.costModelPath.c_str(), sizeof costPath_ - 1);
  costPath_[sizeof costPath_ - 1] = '\0';
  error_.clear();
}

bool EngineDialog::draw(EngineOverrides* out) {
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

  ImGui::TextUnformatted("Liveness");
  ImGui::SameLine();
  ImGui::RadioButton("gc", &liveness_, 0);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Go semantics: a freed object's slot is reclaimed when a GC cycle sweeps its span.");
  ImGui::SameLine();
  ImGui::RadioButton("immediate", &liveness_, 1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The slot is reclaimed at the free, as if its span had just been swept (malloc/free traces).");

  ImGui::Checkbox("GOGC off", &gogcOff_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("GOGC=off: the pacer never starts a GC cycle.");
  if (!gogcOff_) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("GOGC", &gogc_);
    gogc_ = std::clamp(gogc_, 0, 100000);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Heap growth (percent over the live heap) that triggers the next GC cycle. Only in gc liveness.");
  }
  ImGui::TextUnformatted("Sweep");
  ImGui::SameLine();
  ImGui::RadioButton("lazy", &sweep_, 0);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Go's concurrent sweep: after a cycle the pacer starts, spans stay unswept until an allocation, "
                      "the page reclaimer, sweep credit or the background sweeper gets to them.");
  ImGui::SameLine();
  ImGui::RadioButton("eager", &sweep_, 1);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Every cycle sweeps all spans before its event ends (as runtime.GC() waits for).");

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
  ImGui::BeginDisabled(timing_ == 0);
  ImGui::SetNextItemWidth(-160);
  ImGui::InputTextWithHint("Cost model JSON", "built-in: go1.19-amd64", costPath_, sizeof costPath_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A spanscope-cost-model file (e.g. assets/cost_models/go1.19-amd64.json): simulated ns per "
                      "operation. Empty: the built-in Go 1.19 amd64 model.");
  ImGui::EndDisabled();
  if (!error_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", error_.c_str());
    ImGui::PopStyleColor();
  }

  if (ImGui::Button("Apply", ImVec2(100, 0))) {
    EngineOverrides o;
    o.costModelPath = costPath_;
    if (!o.costModelPath.empty()) o.costModel = traces::loadCostModel(o.costModelPath, &error_);
    if (o.costModelPath.empty() || o.costModel) {
      const auto procs = static_cast<uint32_t>(procs_);
      const auto live = liveness_ == 1 ? sim::Liveness::Immediate : sim::Liveness::GC;
      const int32_t gogc = gogcOff_ ? -1 : gogc_;
      const auto timing = static_cast<TimingChoice>(timing_);
      if (procs != base_.gomaxprocs) o.procs = procs;
      if (live != base_.liveness) o.liveness = live;
      if (gogc != base_.gogc) o.gogc = gogc;
      if (const auto sweep = sweep_ == 1 ? sim::SweepMode::Eager : sim::SweepMode::Lazy; sweep != base_.sweep) o.sweep = sweep;
      if (timing != timingChoiceOf(base_)) o.timing = timing;
      *out = std::move(o);
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

} // namespace gui
