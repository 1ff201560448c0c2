// The generate-a-workload dialog: see generate_dialog.h.
#include "app/gui/generate_dialog.h"

#include "traces/generators.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>

namespace gui {

void GenerateDialog::select(size_t generator) {
  generator_ = generator;
  selected_ = true;
  values_.clear();
  for (const traces::GeneratorParam& p : traces::generators()[generator].params) {
    std::vector<char> buf(64, '\0');
    std::strncpy(buf.data(), p.defaultValue.c_str(), buf.size() - 1);
    values_.push_back(std::move(buf));
  }
}

bool GenerateDialog::draw(GenerateRequest* out) {
  if (!open_) return false;
  const auto& gens = traces::generators();
  if (gens.empty()) return false;
  if (!selected_) select(0);
  if (justOpened_) ImGui::OpenPopup("Generate a workload###generate");
  justOpened_ = false;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(680.0f, d.x * 0.9f), 0), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.3f), ImGuiCond_Appearing, ImVec2(0.5f, 0));
  if (!ImGui::BeginPopupModal("Generate a workload###generate", &open_)) return false;
  bool result = false;
  ImGui::SetNextItemWidth(240);
  if (ImGui::BeginCombo("Workload", gens[generator_].name.c_str())) {
    for (size_t i = 0; i < gens.size(); ++i)
      if (ImGui::Selectable(gens[i].name.c_str(), i == generator_)) select(i);
    ImGui::EndCombo();
  }
  const traces::GeneratorInfo& g = gens[generator_];
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", g.description.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  if (ImGui::BeginTable("##params", 2, ImGuiTableFlags_SizingStretchProp)) {
    for (size_t i = 0; i < g.params.size(); ++i) {
      const traces::GeneratorParam& p = g.params[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(p.name.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nRange: %s; default %s", p.meaning.c_str(), p.range().c_str(), p.defaultValue.c_str());
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(i));
      ImGui::SetNextItemWidth(-1);
      ImGui::InputText("##v", values_[i].data(), values_[i].size());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nRange: %s; default %s", p.meaning.c_str(), p.range().c_str(), p.defaultValue.c_str());
      ImGui::PopID();
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("seed");
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputScalar("##seed", ImGuiDataType_U64, &seed_);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Same workload, parameters and seed give the same events on every run.");
    ImGui::EndTable();
  }
  if (ImGui::Button("Generate and open", ImVec2(160, 0))) {
    out->name = g.name;
    out->seed = seed_;
    out->params.clear();
    for (size_t i = 0; i < g.params.size(); ++i)
      if (g.params[i].defaultValue != values_[i].data()) out->params[g.params[i].name] = values_[i].data();
    result = true;
    open_ = false;
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(80, 0))) open_ = false;
  if (!open_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return result;
}

} // namespace gui
