// The app's panels in one list: stable keys (settings, --panels), window titles and factories.
// Window titles are the keys ImGui stores layouts under, so they never change at run time.
#pragma once

#include "app/gui/panel.h"

#include <array>
#include <cstddef>
#include <string_view>

namespace gui {

struct PanelInfo {
  const char* key;   // settings and --panels name ("heapmap")
  const char* title; // menu label and the panel's ImGui window title (panel.h)
  std::unique_ptr<Panel> (*make)(); // the app makes one of each
  bool openByDefault = true; // on a first start (no settings yet)
};

inline constexpr std::array<PanelInfo, 12> kPanels = {{
    {"heapmap", kHeapMapTitle, MakeHeapMapPanel},
    {"path", kPathTitle, MakePathPanel},
    {"inspector", kSpanInspectorTitle, MakeSpanInspectorPanel},
    {"sizeclasses", kSizeClassesTitle, MakeSizeClassesPanel},
    {"ps", kPsTitle, MakePsPanel},
    {"mcentral", kMCentralTitle, MakeMCentralPanel},
    {"mheap", kMHeapTitle, MakeMHeapPanel},
    {"eventlog", kEventLogTitle, MakeEventLogPanel},
    {"stats", kStatsTitle, MakeStatsPanel},
    {"lesson", kLessonTitle, MakeLessonPanel},
    {"compare", kCompareTitle, MakeComparePanel, false}, // opens when tables are chosen
    {"locks", kLocksTitle, MakeLocksPanel, false},       // opens when timing is turned on
}};
inline constexpr size_t kPanelCount = kPanels.size();

inline constexpr std::array<bool, kPanelCount> defaultPanelOpen() {
  std::array<bool, kPanelCount> open{};
  for (size_t i = 0; i < kPanelCount; ++i) open[i] = kPanels[i].openByDefault;
  return open;
}

// Index of the panel with this key, or kPanelCount.
inline size_t panelIndex(std::string_view key) {
  for (size_t i = 0; i < kPanelCount; ++i)
    if (key == kPanels[i].key) return i;
  return kPanelCount;
}

} // namespace gui
