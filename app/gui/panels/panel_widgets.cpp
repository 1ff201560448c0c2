// Small ImGui helpers shared by the allocator panels (see panel_widgets.h).
#include "app/gui/panels/panel_widgets.h"

#include <algorithm>

namespace gui::ui {

bool ModelKey::changed(const model::Session& s, uint64_t extra) {
  const int frame = ImGui::GetFrameCount();
  const bool diff = session_ != &s || events_ != s.eventCount() || position_ != s.position() || extra_ != extra ||
                    frame < frame_ || frame_ < 0;
  session_ = &s;
  events_ = s.eventCount();
  position_ = s.position();
  extra_ = extra;
  frame_ = frame;
  return diff;
}

static void WrappedTooltip(const char* text) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

ImU32 LedgerColour(LedgerKind k) {
  switch (k) {
    case LedgerKind::Live: return color::kLive;
    case LedgerKind::Rounding: return color::kRounding;
    case LedgerKind::Dead: return color::kDead;
    case LedgerKind::Tail: return IM_COL32(150, 80, 80, 255);
    case LedgerKind::FreeSlots: return IM_COL32(120, 128, 140, 255);
    case LedgerKind::CachedFreeSlots: return IM_COL32(160, 200, 230, 255);
    case LedgerKind::FreePages: return IM_COL32(100, 110, 125, 255);
    case LedgerKind::Released: return color::kReleased;
    case LedgerKind::Count: break;
  }
  return color::kDim;
}

void HelpMarker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) WrappedTooltip(text);
}

void ItemTooltip(const char* text) {
  if (ImGui::IsItemHovered()) WrappedTooltip(text);
}

void ItemTooltip(const std::string& text) { ItemTooltip(text.c_str()); }

void TextTip(const std::string& text, const std::string& tooltip) {
  ImGui::TextUnformatted(text.c_str());
  ItemTooltip(tooltip);
}

void RowTooltip(const std::string& text) {
  if (ImGui::IsItemHovered() && (ImGui::TableGetColumnFlags(0) & ImGuiTableColumnFlags_IsHovered))
    WrappedTooltip(text.c_str());
}

void FillBar(float fraction, ImVec2 size, ImU32 fill, ImU32 background) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  fraction = std::clamp(fraction, 0.0f, 1.0f);
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), background);
  if (fraction > 0.0f) {
    // At least one pixel, so a nearly empty span never looks entirely empty.
    const float w = std::max(1.0f, size.x * fraction);
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + size.y), fill);
  }
  ImGui::Dummy(size);
}

float LegendItemWidth(const char* label) {
  return ImGui::GetTextLineHeight() * 0.7f + 2.0f + ImGui::CalcTextSize(label).x;
}

void Flow::next(float width) {
  if (first_) {
    first_ = false;
    return;
  }
  const float spacing = spacing_ >= 0 ? spacing_ : ImGui::GetStyle().ItemSpacing.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + spacing + width <= right) ImGui::SameLine(0.0f, spacing);
}

void Flow::nextText(const char* text) { next(ImGui::CalcTextSize(text).x); }

void LegendItem(ImU32 colour, const char* label, const char* tooltip, ImU32 rim) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 a(p.x, p.y + h * 0.2f), b(p.x + h * 0.6f, p.y + h * 0.8f);
  ImGui::GetWindowDrawList()->AddRectFilled(a, b, colour);
  if (rim != 0) ImGui::GetWindowDrawList()->AddRect(a, b, rim, 0.0f, 0, std::max(1.0f, h / 15.0f));
  ImGui::Dummy(ImVec2(h * 0.7f, h));
  ItemTooltip(tooltip);
  ImGui::SameLine(0.0f, 2.0f);
  ImGui::TextUnformatted(label);
  ItemTooltip(tooltip);
}

} // namespace gui::ui
