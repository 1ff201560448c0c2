// App settings that persist between runs: settings.json under the user's config directory
// ($XDG_CONFIG_HOME/spanscope or ~/.config/spanscope), with ImGui's window layout (imgui.ini)
// beside it.
#pragma once

#include "app/gui/panel_registry.h"

#include <array>
#include <string>
#include <vector>

namespace gui {

inline constexpr size_t kMaxRecentFiles = 10;

struct Settings {
  std::vector<std::string> recentFiles; // most recent first, at most kMaxRecentFiles
  std::array<bool, kPanelCount> panelOpen = defaultPanelOpen();
  double speed = 50;                    // playback speed in events per second; 0 = as fast as possible
  std::string lastDirectory;            // where the file dialog opens
  bool largeText = false;               // the larger font (projectors)
  bool present = false;                 // presentation mode: everything scaled, the lesson layout
  int windowWidth = 1600, windowHeight = 1000;
  bool operator==(const Settings&) const = default;
};

// $XDG_CONFIG_HOME/spanscope, else $HOME/.config/spanscope; "" if neither variable is set.
std::string configDirectory();

// Reads settings from `path`. A missing file gives the defaults silently; a file that cannot be
// parsed gives the defaults and *error = "<path>: <why>". Unknown keys are ignored.
Settings loadSettings(const std::string& path, std::string* error);

// Writes settings atomically, creating the directory if needed. False with *error on failure.
bool saveSettings(const Settings& s, const std::string& path, std::string* error);

// Moves `path` to the front of the recent list (dropping duplicates and the oldest beyond the limit).
void addRecentFile(Settings& s, const std::string& path);

} // namespace gui
