// The ImGui file browser: see file_dialog.h.
#include "app/gui/file_dialog.h"

#include "app/gui/format.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace gui {

void FileDialog::open(const std::string& directory) {
  std::error_code ec;
  std::string start = directory;
  if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec).string();
  list(start);
  open_ = justOpened_ = true;
}

void FileDialog::list(const std::string& directory) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(directory), ec);
  dir_ = ec ? directory : p.string();
  entries_.clear();
  listError_.clear();
  selected_ = -1;
  std::snprintf(pathBox_, sizeof pathBox_, "%s", dir_.c_str());
  fs::directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    listError_ = dir_ + ": " + ec.message();
    return;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    Entry e;
    e.name = it->path().filename().string();
    if (!showHidden_ && !e.name.empty() && e.name[0] == '.') continue;
    std::error_code ec2;
    e.isDir = it->is_directory(ec2);
    if (!e.isDir) e.size = it->file_size(ec2);
    entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.isDir != b.isDir ? a.isDir : a.name < b.name;
  });
}

bool FileDialog::draw(std::string* picked) {
  if (!open_) return false;
  if (justOpened_) ImGui::OpenPopup("Open trace###filedialog");
  justOpened_ = false;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(760.0f, display.x * 0.9f), std::min(520.0f, display.y * 0.8f)), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  bool result = false;
  if (!ImGui::BeginPopupModal("Open trace###filedialog", &open_)) return false;

  if (ImGui::Button("Up")) list(fs::path(dir_).parent_path().string());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  if (ImGui::InputText("##path", pathBox_, sizeof pathBox_, ImGuiInputTextFlags_EnterReturnsTrue)) {
    std::error_code ec;
    if (fs::is_directory(pathBox_, ec)) {
      list(pathBox_);
    } else {
      *picked = pathBox_;
      result = true;
    }
  }
  if (!listError_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", listError_.c_str());

  const float footer = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
  if (ImGui::BeginTable("##files", 2, ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter,
                        ImVec2(0, -footer))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_WidthFixed, 90);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(entries_.size()));
    std::string enter;
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const Entry& e = entries_[static_cast<size_t>(i)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(i);
        std::string label = e.isDir ? e.name + "/" : e.name;
        if (ImGui::Selectable(label.c_str(), selected_ == i, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
          selected_ = i;
          std::snprintf(pathBox_, sizeof pathBox_, "%s", (fs::path(dir_) / e.name).string().c_str());
          if (ImGui::IsMouseDoubleClicked(0)) {
            if (e.isDir) enter = e.name;
            else *picked = pathBox_, result = true;
          }
        }
        ImGui::PopID();
        ImGui::TableNextColumn();
        if (!e.isDir) ImGui::TextUnformatted(FormatBytes(e.size).c_str());
      }
    }
    ImGui::EndTable();
    if (!enter.empty()) list((fs::path(dir_) / enter).string());
  }
  if (ImGui::Checkbox("Hidden files", &showHidden_)) list(dir_);
  ImGui::SameLine(ImGui::GetWindowWidth() - 170);
  const bool canOpen = selected_ >= 0 && !entries_[static_cast<size_t>(selected_)].isDir;
  if (!canOpen) ImGui::BeginDisabled();
  if (ImGui::Button("Open", ImVec2(75, 0))) *picked = pathBox_, result = true;
  if (!canOpen) ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(75, 0))) open_ = false;
  if (result) open_ = false;
  if (!open_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return result;
}

} // namespace gui
