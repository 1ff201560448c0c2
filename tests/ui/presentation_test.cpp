// Presentation mode and the layout (issue 15 item 3): at 1280×720 with the presentation font every
// toolbar control is inside the window, the heap map's cells are scaled, the four lesson panels are
// the ones open, a panel can be maximised and restored, and --panels tiles the listed panels.
#include "ui_harness.h"

#include "app/gui/options.h"
#include "app/gui/panels/heap_map.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>

#include <cmath>

namespace {

using uitest::Harness;

const std::string kClassroom = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json";

TEST(PresentationTest, EveryToolbarControlFitsAt1280x720) {
  Harness h(1280, 720);
  uitest::loadPresentationFonts();
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  app.setPresentation(true);
  h.frames(app, 4);
  ASSERT_EQ(ImGui::GetIO().FontDefault, ImGui::GetIO().Fonts->Fonts[1]) << "the presentation font";
  const auto& rects = app.toolbarRects();
  ASSERT_GE(rects.size(), 18u) << "13 step buttons, speed, go to, breakpoints, run, sweep, engine, seek bar";
  for (const ImVec4& r : rects) {
    EXPECT_GE(r.x, 0.0f);
    EXPECT_LE(r.z, 1280.0f) << "a control past the right edge at x " << r.x;
    EXPECT_LE(r.w, app.toolbarBottom()) << "a control below the toolbar's own height";
  }
  EXPECT_LT(app.toolbarBottom(), 720.0f * 0.4f) << "the toolbar leaves the panels most of the window";
  // The panels start below the wrapped toolbar: the Lesson window's top is not under it.
  ImGuiWindow* lesson = ImGui::FindWindowByName("Lesson");
  ASSERT_NE(lesson, nullptr);
  EXPECT_GE(lesson->Pos.y + 0.5f, app.toolbarBottom());
}

// On a projector the heap map panel is short: its legend (four lines at the presentation font)
// folds into a Legend button, so the pages get most of the panel (with the legend drawn above
// them, one row and a half of cells was left); hovering the button shows the legend in a tooltip.
TEST(PresentationTest, TheHeapMapLegendFoldsIntoAButtonOnAProjector) {
  Harness h(1280, 720);
  uitest::loadPresentationFonts();
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  app.setPresentation(true);
  app.seek(app.session()->eventCount());
  for (int i = 0; i < 3; ++i) uitest::checkedFrame(app);
  const gui::HeapMapGeometry g = app.heapMapGeometry();
  ImGuiWindow* map = ImGui::FindWindowByName(gui::kHeapMapTitle);
  ASSERT_NE(map, nullptr);
  const float canvas = g.canvasMax.y - g.canvasMin.y;
  EXPECT_GE(canvas / g.cell, 3.5f) << "rows of pages in view";
  EXPECT_GE(canvas, 0.55f * map->Size.y) << "the pages take most of the panel";
  // Sweep the pointer along the header's first line: over the Legend button a tooltip opens.
  const float y = map->Pos.y + map->TitleBarHeight() + ImGui::GetStyle().WindowPadding.y + ImGui::GetFontSize() * 0.5f;
  bool tooltip = false;
  for (float x = map->Pos.x + 4; x < map->Pos.x + map->Size.x && !tooltip; x += 12) {
    ImGui::GetIO().MousePos = ImVec2(x, y);
    uitest::checkedFrame(app);
    const ImGuiWindow* tip = ImGui::FindWindowByName("##Tooltip_00");
    tooltip = tip && tip->Active && tip->Size.y > 8 * ImGui::GetTextLineHeight();
  }
  EXPECT_TRUE(tooltip) << "the legend, one entry per line, in a tooltip over its button";
}

TEST(PresentationTest, OpensTheLessonPanelsAndScalesTheHeapMapCells) {
  Harness h(1280, 720);
  uitest::loadPresentationFonts();
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  app.seek(5);
  h.frames(app, 3);
  const float normal = app.heapMapGeometry().cell;
  app.setPresentation(true);
  h.frames(app, 3);
  for (const char* key : {"lesson", "path", "heapmap", "inspector"}) EXPECT_TRUE(app.panelOpen(gui::panelIndex(key))) << key;
  for (const char* key : {"eventlog", "sizeclasses", "mheap", "stats"}) EXPECT_FALSE(app.panelOpen(gui::panelIndex(key))) << key;
  const float presented = app.heapMapGeometry().cell;
  EXPECT_GE(presented, 14.0f * gui::App::kPresentScale) << "cells at least the presentation minimum";
  EXPECT_GT(presented, normal);
  app.setPresentation(false);
  h.frames(app, 2);
  EXPECT_TRUE(app.panelOpen(gui::panelIndex("eventlog"))) << "the panels open before come back";
}

TEST(PresentationTest, MaximiseGivesAPanelTheWholeAreaAndRestoreBringsItBack) {
  Harness h(1280, 720);
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  h.frames(app, 3);
  ImGuiWindow* map = ImGui::FindWindowByName("Heap map");
  ASSERT_NE(map, nullptr);
  const ImVec2 before = map->Size;
  app.toggleMaximised(gui::panelIndex("heapmap"));
  h.frames(app, 2);
  EXPECT_FLOAT_EQ(map->Size.x, 1280.0f);
  EXPECT_GT(map->Size.y, 720.0f - app.toolbarBottom() - 1.0f);
  EXPECT_FALSE(ImGui::FindWindowByName("Event log")->Active) << "the other panels are not drawn";
  app.toggleMaximised(gui::panelIndex("heapmap"));
  h.frames(app, 2);
  EXPECT_FLOAT_EQ(map->Size.x, before.x);
  EXPECT_FLOAT_EQ(map->Size.y, before.y);
}

TEST(PresentationTest, PanelsFlagTilesTheListedPanelsOverTheWindow) {
  const char* args[] = {"spanscope", "--panels", "heapmap", "--present"};
  std::string err;
  auto o = gui::parseOptions(4, args, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_TRUE(o->present);
  gui::Settings s;
  gui::applyOptions(*o, s);
  EXPECT_TRUE(s.present);
  Harness h(1280, 720);
  gui::App app(s);
  app.tilePanels(true);
  app.setSession(uitest::openFile(kClassroom));
  h.frames(app, 3);
  ImGuiWindow* map = ImGui::FindWindowByName("Heap map");
  ASSERT_NE(map, nullptr);
  EXPECT_FLOAT_EQ(map->Pos.x, 0.0f);
  EXPECT_FLOAT_EQ(map->Size.x, 1280.0f);
  EXPECT_NEAR(map->Pos.y + map->Size.y, 720.0f, 1.0f) << "down to the bottom of the window";
  EXPECT_EQ(ImGui::FindWindowByName("Lesson"), nullptr) << "--panels wins over the presentation panels";
}

} // namespace

namespace {

// Issue 15 item 5: small classes side by side must not share a colour (classes 2, 5 and 9 were
// one salmon): every class differs clearly from the next three.
TEST(ColourTest, NeighbouringSizeClassesAreDistinguishable) {
  uitest::Harness h;
  auto distance = [](ImU32 a, ImU32 b) {
    auto ch = [](ImU32 c, int shift) { return static_cast<int>((c >> shift) & 0xff); };
    const int dr = ch(a, IM_COL32_R_SHIFT) - ch(b, IM_COL32_R_SHIFT), dg = ch(a, IM_COL32_G_SHIFT) - ch(b, IM_COL32_G_SHIFT),
              db = ch(a, IM_COL32_B_SHIFT) - ch(b, IM_COL32_B_SHIFT);
    return std::sqrt(static_cast<double>(dr * dr + dg * dg + db * db));
  };
  for (uint32_t c = 1; c < 67; ++c)
    for (uint32_t d = c + 1; d <= std::min(67u, c + 3); ++d)
      EXPECT_GT(distance(gui::SizeClassColour(c, 68), gui::SizeClassColour(d, 68)), 40.0) << "classes " << c << " and " << d;
  EXPECT_GT(distance(gui::SizeClassColour(2, 68), gui::SizeClassColour(5, 68)), 40.0);
  EXPECT_GT(distance(gui::SizeClassColour(5, 68), gui::SizeClassColour(9, 68)), 40.0);
  EXPECT_GT(distance(gui::SizeClassColour(2, 68), gui::SizeClassColour(9, 68)), 40.0);
}

} // namespace

namespace {

TEST(PresentationTest, DoubleClickOnATitleMaximisesAndRestores) {
  uitest::Harness h(1280, 720);
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  h.frames(app, 3);
  ImGuiWindow* map = ImGui::FindWindowByName("Heap map");
  ASSERT_NE(map, nullptr);
  const ImVec2 before = map->Size;
  const ImRect title = map->TitleBarRect();
  const ImVec2 at(title.Min.x + 60, (title.Min.y + title.Max.y) * 0.5f);
  h.click(app, at);
  h.click(app, at); // within ImGui's double-click time (six frames of 1/60 s)
  h.frames(app, 2);
  EXPECT_EQ(app.maximised(), gui::panelIndex("heapmap"));
  EXPECT_FLOAT_EQ(map->Size.x, 1280.0f);
  EXPECT_FALSE(map->Collapsed) << "ImGui's own double-click collapse is undone";
  h.frames(app, 30); // half a second: the next two clicks are a double-click of their own
  const ImRect title2 = map->TitleBarRect();
  const ImVec2 at2(title2.Min.x + 60, (title2.Min.y + title2.Max.y) * 0.5f);
  h.click(app, at2);
  h.click(app, at2);
  h.frames(app, 2);
  EXPECT_EQ(app.maximised(), gui::kPanelCount);
  EXPECT_FLOAT_EQ(map->Size.x, before.x);
  EXPECT_FALSE(map->Collapsed);
}

} // namespace
