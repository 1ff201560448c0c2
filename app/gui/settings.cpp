// Settings file: JSON read leniently (a bad value keeps its default), written atomically.
#include "app/gui/settings.h"

#include "traces/json_io.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace gui {

std::string configDirectory() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/spanscope";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/spanscope";
  return {};
}

Settings loadSettings(const std::string& path, std::string* error) {
  Settings s;
  if (!std::filesystem::exists(path)) return s;
  std::string why;
  auto text = traces::readWholeFile(path, &why);
  if (!text) {
    if (error) *error = why;
    return s;
  }
  auto j = traces::parseJsonText(*text, &why);
  if (!j || !j->is_object()) {
    if (error) *error = path + ": " + (j ? std::string("not a JSON object") : why);
    return s;
  }
  // Each field is taken only if it has the right type, so one bad value does not lose the rest.
  if (auto it = j->find("recent_files"); it != j->end() && it->is_array())
    for (const auto& f : *it)
      if (f.is_string() && s.recentFiles.size() < kMaxRecentFiles) s.recentFiles.push_back(f.get<std::string>());
  if (auto it = j->find("panels"); it != j->end() && it->is_object())
    for (size_t i = 0; i < kPanelCount; ++i)
      if (auto p = it->find(kPanels[i].key); p != it->end() && p->is_boolean()) s.panelOpen[i] = p->get<bool>();
  if (auto it = j->find("speed"); it != j->end() && it->is_number() && it->get<double>() >= 0)
    s.speed = it->get<double>();
  if (auto it = j->find("last_directory"); it != j->end() && it->is_string()) s.lastDirectory = it->get<std::string>();
  if (auto it = j->find("large_text"); it != j->end() && it->is_boolean()) s.largeText = it->get<bool>();
  if (auto it = j->find("present"); it != j->end() && it->is_boolean()) s.present = it->get<bool>();
  if (auto it = j->find("window"); it != j->end() && it->is_array() && it->size() == 2 &&
      (*it)[0].is_number_integer() && (*it)[1].is_number_integer()) {
    s.windowWidth = std::clamp((*it)[0].get<int>(), 320, 16384);
    s.windowHeight = std::clamp((*it)[1].get<int>(), 240, 16384);
  }
  return s;
}

bool saveSettings(const Settings& s, const std::string& path, std::string* error) {
  nlohmann::json j;
  j["recent_files"] = s.recentFiles;
  nlohmann::json panels = nlohmann::json::object();
  for (size_t i = 0; i < kPanelCount; ++i) panels[kPanels[i].key] = s.panelOpen[i];
  j["panels"] = panels;
  j["speed"] = s.speed;
  j["last_directory"] = s.lastDirectory;
  j["large_text"] = s.largeText;
  j["present"] = s.present;
  j["window"] = {s.windowWidth, s.windowHeight};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    if (error) *error = path + ": cannot create its directory: " + ec.message();
    return false;
  }
  return traces::writeFileAtomic(path, traces::dumpJson(j, 2) + "\n", error);
}

void addRecentFile(Settings& s, const std::string& path) {
  std::erase(s.recentFiles, path);
  s.recentFiles.insert(s.recentFiles.begin(), path);
  if (s.recentFiles.size() > kMaxRecentFiles) s.recentFiles.resize(kMaxRecentFiles);
}

} // namespace gui
