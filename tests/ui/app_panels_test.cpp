// The whole app frame (menu, transport, all nine panels) drawn window-less on an empty, a typical
// and a 1 GiB heap: no ImGui assert (compiled into Debian's libimgui, they abort the test), no
// unbalanced ImGui stacks, and a frame a software renderer can draw at 60 frames per second.
#include "ui_harness.h"

#include "app/gui/panels/heap_map.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>


namespace {

using uitest::Harness;

using uitest::checkedFrame;

// Every panel for a few frames at the start, the middle and the end, with the mouse at a few places.
void drawEverywhere(gui::App& app) {
  const uint64_t n = app.session()->eventCount();
  for (uint64_t at : {uint64_t{0}, n / 2, n}) {
    app.seek(at);
    for (ImVec2 mouse : {ImVec2(-1, -1), ImVec2(300, 300), ImVec2(800, 600), ImVec2(1400, 200)}) {
      ImGui::GetIO().MousePos = mouse;
      for (int i = 0; i < 2; ++i) checkedFrame(app);
    }
    ASSERT_EQ(app.session()->position(), at);
  }
}

TEST(AppPanelsTest, EveryPanelOnAnEmptyTrace) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(uitest::emptyTrace()));
  drawEverywhere(app);
  EXPECT_EQ(app.heapMapGeometry().pages, 0u) << "an empty trace maps no heap";
  EXPECT_TRUE(app.errors().empty());
}

TEST(AppPanelsTest, EveryPanelOnTheClassroomScenario) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json"));
  drawEverywhere(app);
  // The classroom heap is one 4 MiB chunk: 512 pages (Go maps heap memory in 4 MiB chunks).
  EXPECT_EQ(app.heapMapGeometry().pages, 512u);
}

TEST(AppPanelsTest, HeapMapAndEventLogOnA1GiBHeapWithinADrawBudget) {
  Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i)
    app.panelOpen(i) = i == gui::panelIndex("heapmap") || i == gui::panelIndex("eventlog") || i == gui::panelIndex("lesson");
  app.setSession(uitest::openTrace(uitest::largeHeapTrace(uint64_t{1} << 30)));
  app.seek(app.session()->eventCount());
  for (int i = 0; i < 3; ++i) checkedFrame(app);
  const sim::MemStats m = app.session()->world().memStats();
  ASSERT_GE(m.HeapSys, uint64_t{1} << 30);
  // Every mapped page is on the map (HeapSys counts exactly the mapped heap pages).
  EXPECT_EQ(app.heapMapGeometry().pages * 8192, m.HeapSys);
  // Without a texture uploader the map is drawn as runs of equal colour. With 131072+ pages one
  // quad per page would be over half a million vertices; the frame must stay far below.
  const ImDrawData* dd = ImGui::GetDrawData();
  ASSERT_NE(dd, nullptr);
  EXPECT_LT(dd->TotalVtxCount, 200000) << "level of detail is not working";
  drawEverywhere(app);
}

TEST(AppPanelsTest, ClosedPanelsAreNotDrawnAndTheViewMenuFlagReopensThem) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json"));
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = false;
  h.frames(app, 2);
  for (const auto& p : gui::kPanels) EXPECT_EQ(ImGui::FindWindowByName(p.title), nullptr) << p.title;
  app.panelOpen(gui::panelIndex("heapmap")) = true;
  h.frames(app, 2);
  ImGuiWindow* w = ImGui::FindWindowByName("Heap map");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->Active);
}

} // namespace
