// What every panel gets each frame, and the panels' entry points (one file each in panels/).
// Panels read the engine only through const Session / HeapView; anything that changes the engine
// or the position goes through `commands` and is applied by the app between frames.
#pragma once

#include "app/model/session.h"
#include "sim/heapview.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gui {

class CompareView; // compare_view.h

// Window titles, written once here: the registry lists them, each panel opens its window under its
// own, and ImGui keys window state and the .ini layout on them (so they never change at run time).
inline constexpr const char* kHeapMapTitle = "Heap map";
inline constexpr const char* kSpanInspectorTitle = "Span inspector";
inline constexpr const char* kSizeClassesTitle = "Size classes";
inline constexpr const char* kPsTitle = "Ps and mcaches";
inline constexpr const char* kMCentralTitle = "mcentral";
inline constexpr const char* kMHeapTitle = "mheap";
inline constexpr const char* kEventLogTitle = "Event log";
inline constexpr const char* kStatsTitle = "Stats over time";
inline constexpr const char* kLessonTitle = "Lesson";
inline constexpr const char* kCompareTitle = "Compare";
inline constexpr const char* kLocksTitle = "Locks";
inline constexpr const char* kPathTitle = "Path";

// UI selection shared by panels (not engine state; panels may change it directly).
struct Selection {
  sim::SpanId span = sim::kNoSpan; // span open in the inspector (heap map click, lists)
  int32_t spanClassFilter = -1;    // heap map shows only this span class; -1 = all
  uint64_t address = 0;            // highlighted address, 0 = none
  // Follow mode: the inspector shows the span the current event touched with its slot highlighted,
  // and the heap map pulses its pages (on by default for scenarios with lessons).
  bool follow = false;
  double pulseAt = -1;             // ImGui time the followed span last changed; < 0 = no pulse
};

struct Command {
  enum Kind { Seek, Step, SetTiming, ExportCompare, OpenCompareTables, OpenDesigner, CompareGoReleases };
  Command(Kind k = Seek, int64_t a = 0, std::string p = {}) : kind(k), arg(a), path(std::move(p)) {}
  Kind kind;
  int64_t arg; // Seek: target position; Step: signed count; SetTiming: a gui::TimingChoice
               // (re-opens the trace with the timing model off / lock-free / mutex);
               // ExportCompare: a gui::ExportKind, written to `path` ("" = beside the trace);
               // CompareGoReleases: the trace under go1.19 and go1.26 in the Compare panel
  std::string path;
};

struct PanelContext {
  const model::Session& session;
  const sim::HeapView& view; // of session.world()
  Selection& selection;
  std::vector<Command>& commands; // applied after the frame
  const CompareView* compare = nullptr; // the comparison (owned by the app; exports are commands)
  // Seconds over which a panel may animate the event that just became current (one step forward,
  // or slow playback); 0 = show it at once (fast playback, seeks).
  double animateSeconds = 0;
  // Presentation mode's scale for what panels draw themselves (heap-map cells, slot grids, plots);
  // 1 otherwise. Text and widgets are scaled by the font and the style.
  float uiScale = 1.0f;
};

// A panel: one ImGui window and the view state it keeps from frame to frame (zoom, scroll, models
// cached until the position changes). The app owns one of each (panel_registry.h), so that state
// is the app's, not a function-local static shared by every App.
class Panel {
 public:
  virtual ~Panel() = default;
  // Draws the window; `open` is its close button state (as ImGui::Begin takes it).
  virtual void Draw(PanelContext& ctx, bool* open) = 0;
};

// Panels whose only state is ImGui's own (window, table sort specs) are one function each.
void DrawSpanInspectorPanel(PanelContext& ctx, bool* open);
void DrawMHeapPanel(PanelContext& ctx, bool* open);
void DrawStatsPanel(PanelContext& ctx, bool* open);
void DrawLessonPanel(PanelContext& ctx, bool* open);

template <void (*DrawFn)(PanelContext&, bool*)>
class FunctionPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override { DrawFn(ctx, open); }
};

// One factory per panel, as the registry lists them; each panel's file defines the ones with state.
std::unique_ptr<Panel> MakeHeapMapPanel();
inline std::unique_ptr<Panel> MakeSpanInspectorPanel() { return std::make_unique<FunctionPanel<DrawSpanInspectorPanel>>(); }
std::unique_ptr<Panel> MakeSizeClassesPanel();
std::unique_ptr<Panel> MakePsPanel();
std::unique_ptr<Panel> MakeMCentralPanel();
inline std::unique_ptr<Panel> MakeMHeapPanel() { return std::make_unique<FunctionPanel<DrawMHeapPanel>>(); }
std::unique_ptr<Panel> MakeEventLogPanel();
inline std::unique_ptr<Panel> MakeStatsPanel() { return std::make_unique<FunctionPanel<DrawStatsPanel>>(); }
inline std::unique_ptr<Panel> MakeLessonPanel() { return std::make_unique<FunctionPanel<DrawLessonPanel>>(); }
std::unique_ptr<Panel> MakeComparePanel();
std::unique_ptr<Panel> MakeLocksPanel();
std::unique_ptr<Panel> MakePathPanel();

} // namespace gui
