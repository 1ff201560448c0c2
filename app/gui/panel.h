// What every panel gets each frame, and the panels' entry points (one file each in panels/).
// Panels read the engine only through const Session / HeapView; anything that changes the engine
// or the position goes through `commands` and is applied by the app between frames.
#pragma once

#include "app/model/session.h"
#include "sim/heapview.h"

#include <cstdint>
#include <vector>

namespace gui {

class CompareView; // compare_view.h

// UI selection shared by panels (not engine state; panels may change it directly).
struct Selection {
  sim::SpanId span = sim::kNoSpan; // span open in the inspector (heap map click, lists)
  int32_t spanClassFilter = -1;    // heap map shows only this span class; -1 = all
  uint64_t address = 0;            // highlighted address, 0 = none
};

struct Command {
  enum Kind { Seek, Step, SetTiming } kind = Seek;
  int64_t arg = 0; // Seek: target position; Step: signed count; SetTiming: a gui::TimingChoice
                   // (re-opens the trace with the timing model off / lock-free / mutex)
};

struct PanelContext {
  const model::Session& session;
  const sim::HeapView& view; // of session.world()
  Selection& selection;
  std::vector<Command>& commands; // applied after the frame
  CompareView* compare = nullptr; // the Compare panel's tables and exports (owned by the app)
};

// Each returns nothing and draws one ImGui window titled as in the README; `open` is the window's
// close button state (as ImGui::Begin takes it).
void DrawHeapMapPanel(PanelContext& ctx, bool* open);
void DrawSpanInspectorPanel(PanelContext& ctx, bool* open);
void DrawSizeClassesPanel(PanelContext& ctx, bool* open);
void DrawPsPanel(PanelContext& ctx, bool* open);
void DrawMCentralPanel(PanelContext& ctx, bool* open);
void DrawMHeapPanel(PanelContext& ctx, bool* open);
void DrawEventLogPanel(PanelContext& ctx, bool* open);
void DrawStatsPanel(PanelContext& ctx, bool* open);
void DrawLessonPanel(PanelContext& ctx, bool* open);
void DrawComparePanel(PanelContext& ctx, bool* open);
void DrawLocksPanel(PanelContext& ctx, bool* open);

} // namespace gui
