// The size-class designer: see class_designer.h.
#include "app/gui/class_designer.h"

#include "app/gui/compare_view.h"
#include "app/gui/format.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace gui {

Optimised optimiseAgainstGo(const sim::SizeHistogram& h, uint32_t budget, uint32_t step, bool keepTiny) {
  const sim::SizeClassTable go = sim::SizeClassTable::go119();
  sim::OptimizeOptions opt;
  opt.classes = budget;
  opt.step = step;
  opt.keepTiny16 = keepTiny;
  opt.baseline = &go;
  sim::OptimizeResult r = sim::optimizeTable(h, opt);
  return Optimised{std::move(r.table), r.waste, sim::expectedWaste(go, h), budget};
}

ClassDesigner::ClassDesigner() : table_(sim::SizeClassTable::generate(knobs, "designed")) {}

bool ClassDesigner::regenerate() {
  // The same limits as `spanscope-cli classes --generate` (app/cli/classes_cmd.cpp).
  if (knobs.pageSize < 1024 || knobs.pageSize > (1u << 20)) why_ = "page size must be 1 KiB .. 1 MiB";
  else if (knobs.maxSmall < 16 || knobs.maxSmall > (1u << 20)) why_ = "max small size must be 16 B .. 1 MiB";
  else if (knobs.tailWasteDiv < 2 || knobs.tailWasteDiv > 1024) why_ = "waste bound must be 1/2 .. 1/1024";
  else if (knobs.minAlign < 1 || knobs.minAlign > 4096) why_ = "minimum alignment must be 1 .. 4096";
  else if (knobs.maxAlign < 1 || knobs.maxAlign > 65536) why_ = "maximum alignment must be 1 .. 65536";
  else if (knobs.minAlign > knobs.maxAlign) why_ = "minimum alignment must not exceed the maximum";
  else why_.clear();
  if (!why_.empty()) return false;
  table_ = sim::SizeClassTable::generate(knobs, "designed");
  return true;
}

void ClassDesigner::optimise(const sim::SizeHistogram& h) {
  try {
    optimised_ = optimiseAgainstGo(h, budget, step, keepTiny);
    why_.clear();
  } catch (const std::invalid_argument& e) { // a budget too small for 16 B and the top class
    optimised_.reset();
    why_ = e.what();
  }
}

namespace {

// An unsigned knob as an int input; true when it changed to a value within [lo, hi].
bool knob(const char* label, uint32_t* v, int lo, int hi, const char* help) {
  int x = static_cast<int>(*v);
  ImGui::SetNextItemWidth(140);
  bool changed = ImGui::InputInt(label, &x, 0, 0) && x >= lo && x <= hi;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
  if (changed) *v = static_cast<uint32_t>(x);
  return changed;
}

std::string wasteText(const sim::TableWaste& w) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s rounding + %s tail = %s (%.2f%% of %s requested)",
                FormatBytes(static_cast<uint64_t>(w.rounding + 0.5)).c_str(), FormatBytes(static_cast<uint64_t>(w.tail + 0.5)).c_str(),
                FormatBytes(static_cast<uint64_t>(w.total() + 0.5)).c_str(),
                w.requestedBytes ? 100.0 * w.total() / static_cast<double>(w.requestedBytes) : 0.0,
                FormatBytes(w.requestedBytes).c_str());
  return buf;
}

void classList(const sim::SizeClassTable& t) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV;
  if (!ImGui::BeginTable("##classes", 5, flags, ImVec2(0, std::max(160.0f, ImGui::GetContentRegionAvail().y)))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("class");
  ImGui::TableSetupColumn("bytes/obj");
  ImGui::TableSetupColumn("pages");
  ImGui::TableSetupColumn("objects");
  ImGui::TableSetupColumn("tail waste");
  ImGui::TableHeadersRow();
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(t.numClasses()) - 1);
  while (clip.Step())
    for (int row = clip.DisplayStart; row < clip.DisplayEnd; ++row) {
      const sim::SizeClass& c = t.cls(static_cast<uint32_t>(row + 1));
      const uint64_t span = uint64_t{c.npages} * t.pageSize();
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", row + 1);
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.size);
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.npages);
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.nelems);
      ImGui::TableNextColumn();
      ImGui::Text("%llu B", static_cast<unsigned long long>(span - uint64_t{c.nelems} * c.size));
    }
  ImGui::EndTable();
}

} // namespace

bool ClassDesigner::draw(const sim::SizeHistogram* h, model::CompareTable* add) {
  ImGui::SetNextWindowSize(ImVec2(760, 640), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Size-class designer###classdesigner", &open)) {
    ImGui::End();
    return false;
  }
  bool added = false;
  if (ImGui::BeginTable("##designer", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("rules", ImGuiTableColumnFlags_WidthFixed, 330);
    ImGui::TableSetupColumn("table", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("Generator rules (mksizeclasses.go)");
    bool changed = false;
    changed |= knob("page size (B)", &knobs.pageSize, 1024, 1 << 20, "Spans are multiples of this many bytes (Go: 8192).");
    changed |= knob("max small size (B)", &knobs.maxSmall, 16, 1 << 20, "Largest size served from a class; above it, objects get their own span (Go: 32768).");
    changed |= knob("waste bound 1/N", &knobs.tailWasteDiv, 2, 1024,
                    "A class's span is the smallest whose leftover after cutting it into objects is at most 1/N of it (Go: 8, 12.5%).");
    changed |= knob("min alignment (B)", &knobs.minAlign, 1, 4096, "Step between the smallest sizes (Go: 8; 16 from 32 B up, then size/8).");
    changed |= knob("max alignment (B)", &knobs.maxAlign, 1, 65536, "Step from 2 KiB up (Go: 256).");
    if (changed) regenerate();
    ImGui::TextWrapped("Merge rule: a size whose span has the same pages and the same object count as the previous class "
                       "replaces it (the larger size costs nothing). Then every size is raised to the largest that keeps its "
                       "object count, in 128-byte steps.");
    if (ImGui::Button("Go 1.19 defaults")) {
      knobs = sim::SizeClassGeneratorKnobs{};
      regenerate();
    }
    if (!why_.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", why_.c_str());
    ImGui::Text("%u classes", table_.numClasses() - 1);
    if (ImGui::Button("Add designed table to comparison")) {
      *add = model::CompareTable{"designed", table_};
      added = true;
    }

    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextUnformatted("Optimise for this trace");
    ImGui::SetNextItemWidth(140);
    int b = static_cast<int>(budget);
    if (ImGui::InputInt("class budget N", &b, 1, 8) && b >= 1 && b <= 4096) budget = static_cast<uint32_t>(b);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Number of classes the optimiser may use (Go 1.19 has 67).");
    ImGui::Checkbox("keep a 16 B class (tiny allocator)", &keepTiny);
    if (h == nullptr) {
      ImGui::TextDisabled("Load a trace to optimise for it.");
    } else if (ImGui::Button("Optimise (exact, ~1 s)")) {
      optimise(*h);
      showOptimised_ = optimised_.has_value();
    }
    if (optimised_) {
      const Optimised& o = *optimised_;
      ImGui::TextWrapped("Go 1.19: %s", wasteText(o.goWaste).c_str());
      ImGui::TextWrapped("optimised (%u): %s", o.table.numClasses() - 1, wasteText(o.waste).c_str());
      if (o.goWaste.total() > 0)
        ImGui::Text("gain over Go 1.19: %.1f%% less expected waste", 100.0 * (o.goWaste.total() - o.waste.total()) / o.goWaste.total());
      if (ImGui::Button("Add optimised table to comparison")) {
        *add = model::CompareTable{"optimised-" + std::to_string(o.budget), o.table};
        added = true;
      }
    }

    ImGui::TableNextColumn();
    if (optimised_) {
      if (ImGui::RadioButton("designed", !showOptimised_)) showOptimised_ = false;
      ImGui::SameLine();
      if (ImGui::RadioButton("optimised", showOptimised_)) showOptimised_ = true;
    }
    classList(showOptimised_ && optimised_ ? optimised_->table : table_);
    ImGui::EndTable();
  }
  ImGui::End();
  return added;
}

} // namespace gui
