// Small ImGui helpers shared by the allocator panels: tooltips, "(?)" help markers, property rows,
// fill bars, and the colours that mean the same thing in every panel.
#pragma once

#include "app/gui/panels/panel_models.h"

#include <imgui.h>

#include <algorithm>

#include <cstdint>
#include <string>

namespace gui::ui {

// Says when a model cached by a panel must be rebuilt: the engine is deterministic, so the same
// session, trace length, position and `extra` (e.g. the selected span) give the same state. A new
// ImGui context (its frame count starts again) also invalidates, so caches never outlive a test.
class ModelKey {
 public:
  bool changed(const model::Session& s, uint64_t extra); // true once per new key; remembers it
 private:
  const model::Session* session_ = nullptr;
  uint64_t events_ = 0, position_ = 0, extra_ = 0;
  int frame_ = -1;
};

// Colours for slot and page states (the heap map uses the same meanings).
namespace color {
inline constexpr ImU32 kLive = IM_COL32(86, 180, 96, 255);      // reachable object
inline constexpr ImU32 kDead = IM_COL32(214, 130, 48, 255);     // allocated, unreachable, not yet swept
inline constexpr ImU32 kFree = IM_COL32(58, 62, 70, 255);       // free slot / free page
inline constexpr ImU32 kTail = IM_COL32(40, 40, 44, 255);       // span tail past the last slot
// Released (scavenged) pages: a dark blue-grey, darker than retained free pages (kFree) since they
// cost no RAM, and blue so they never read as the map's background.
inline constexpr ImU32 kReleased = IM_COL32(36, 48, 74, 255);
inline constexpr ImU32 kPCache = IM_COL32(150, 110, 190, 255);  // page held by a P's page cache
inline constexpr ImU32 kStack = IM_COL32(226, 204, 150, 255);   // page of a stack span (mSpanManual)
inline constexpr ImU32 kUnsweptGrey = IM_COL32(64, 64, 72, 255);  // what unswept spans fade towards
inline constexpr ImU32 kInUse = IM_COL32(86, 150, 200, 255);    // page of an in-use span
inline constexpr ImU32 kRounding = IM_COL32(200, 190, 80, 255); // rounding waste
inline constexpr ImU32 kMarker = IM_COL32(255, 255, 255, 230);  // freeindex, cursor
inline constexpr ImU32 kAllocCache = IM_COL32(80, 200, 230, 255);
inline constexpr ImU32 kSelected = IM_COL32(255, 220, 60, 255);
inline constexpr ImU32 kDim = IM_COL32(140, 140, 150, 255);
// Allocated black: allocated while the GC marks, so marked at once (gcmarknewobject). Black as in
// the tri-colour abstraction, with a light rim so it reads on the dark background too.
inline constexpr ImU32 kAllocBlack = IM_COL32(0, 0, 0, 255);
inline constexpr ImU32 kAllocBlackRim = IM_COL32(236, 236, 240, 255);
} // namespace color

// One colour per waste-ledger category (mheap's bar and legend, the stats plot).
ImU32 LedgerColour(LedgerKind k);

// A grey "(?)" on the current line whose tooltip is `text` (wrapped).
void HelpMarker(const char* text);
// A wrapped tooltip for the last item when it is hovered.
void ItemTooltip(const char* text);
void ItemTooltip(const std::string& text);
// Text followed by a tooltip on hover.
void TextTip(const std::string& text, const std::string& tooltip);
// For a Selectable spanning all columns of a table row: its tooltip only over the first column,
// so it never stacks on the tooltips of the other cells.
void RowTooltip(const std::string& text);
// A horizontal bar of `size` filled to `fraction` (0..1) with `fill`; an item that can be hovered.
void FillBar(float fraction, ImVec2 size, ImU32 fill, ImU32 background = color::kFree);
// A small legend swatch followed by its label on the same line, with a tooltip; `rim` (if not 0)
// outlines the swatch.
void LegendItem(ImU32 colour, const char* label, const char* tooltip, ImU32 rim = 0);
float LegendItemWidth(const char* label);
// A plot line's width for the font in use: 1 px at the 15 px UI font, thicker in presentation
// mode (22 px), so lines stay visible on a projector.
inline float PlotLineWidth(float atUiFont = 1.0f) { return atUiFont * std::max(1.0f, ImGui::GetFontSize() / 15.0f); }

// Lays items out left to right and wraps to a new line when the next one would not fit in the
// window (panels are often docked narrow). Call next(width of the coming item) before each item.
class Flow {
 public:
  explicit Flow(float spacing = -1.0f) : spacing_(spacing) {}
  void next(float width);
  void nextText(const char* text); // next() for a text item
 private:
  float spacing_;
  bool first_ = true;
};

} // namespace gui::ui
