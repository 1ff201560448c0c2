// The allocator panels drawn without a window: an ImGui context with a display size and a built font
// atlas, frames driven in a loop, mouse input through ImGuiIO (Dear ImGui 1.86: io.MousePos and
// io.MouseDown). Every panel is drawn on an empty heap, the classroom scenario and a large heap;
// clicks are checked through the state they change (selection, commands).
//
// About ImGui's asserts: Debian's libimgui.a is prebuilt with assert(), so a failed IM_ASSERT inside
// the library aborts this test binary (a failure ctest reports); it cannot be turned into a gtest
// failure. What a panel can get wrong without an assert, unbalanced Begin/End, PushID/PopID,
// tables, tree nodes or style stacks, is caught after each frame by ErrorCheckEndFrameRecover,
// whose messages fail the test. ID collisions are not detected by 1.86.
#include "app/gui/panel.h"
#include "app/gui/panel_registry.h"
#include "app/gui/panels/panel_models.h"
#include "traces/json_trace.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <functional>
#include <iterator>
#include <random>

namespace {

using namespace sim;

constexpr float kW = 1600, kH = 1000;
constexpr uint64_t kBase = 0xc000000000;

class Ui {
 public:
  Ui() {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(kW, kH);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  ~Ui() { ImGui::DestroyContext(ctx_); }
  Ui(const Ui&) = delete;
  Ui& operator=(const Ui&) = delete;

  // One frame: the panel in a window filling the display, then the stack check.
  void frame(const std::function<void()>& draw) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(kW, kH), ImGuiCond_Always);
    draw();
    recovered_.clear();
    ImGui::ErrorCheckEndFrameRecover(&Ui::logRecovery, this);
    EXPECT_TRUE(recovered_.empty()) << "unbalanced ImGui calls: " << recovered_.front();
    ImGui::EndFrame();
    int tooltips = 0; // two at once means two items claimed the same hover
    for (ImGuiWindow* w : GImGui->Windows)
      if (w->Active && (w->Flags & ImGuiWindowFlags_Tooltip)) ++tooltips;
    if (tooltips > 0) ++tooltipFrames;
    EXPECT_LE(tooltips, 1) << "stacked tooltips at " << ImGui::GetIO().MousePos.x << "," << ImGui::GetIO().MousePos.y;
    // 16-bit indices: Render() asserts (aborts) on a window draw list of 65536 vertices or more,
    // unless the renderer supports vertex offsets. Check it here as a test failure instead.
    bool fits = true;
    for (ImGuiWindow* w : GImGui->Windows) {
      if (!w->Active || (w->DrawList->VtxBuffer.Size < (1 << 16) && w->DrawList->_VtxCurrentIdx < (1u << 16))) continue;
      ADD_FAILURE() << "window '" << w->Name << "' drew " << w->DrawList->VtxBuffer.Size << " vertices";
      fits = false;
    }
    if (!fits) return;
    ImGui::Render();
    vertices = ImGui::GetDrawData()->TotalVtxCount;
  }
  void frames(int n, const std::function<void()>& draw) {
    for (int i = 0; i < n; ++i) frame(draw);
  }
  // Hover, press, release: a Selectable fires on the release frame, a canvas on the press frame.
  void click(ImVec2 at, const std::function<void()>& draw) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = at;
    frame(draw);
    io.MouseDown[0] = true;
    frame(draw);
    io.MouseDown[0] = false;
    frame(draw);
  }
  void moveTo(ImVec2 at) { ImGui::GetIO().MousePos = at; }

  int vertices = 0;
  int tooltipFrames = 0; // frames that showed a tooltip

 private:
  static void logRecovery(void* self, const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    static_cast<Ui*>(self)->recovered_.emplace_back(buf);
  }
  ImGuiContext* ctx_ = nullptr;
  std::vector<std::string> recovered_;
};

// What the app hands a panel each frame.
struct Frame {
  explicit Frame(const model::Session& s) : session(s), view(s.world().view()) {}
  gui::PanelContext ctx() { return gui::PanelContext{session, view, selection, commands}; }
  const model::Session& session;
  HeapView view;
  gui::Selection selection;
  std::vector<gui::Command> commands;
};

std::unique_ptr<model::Session> openTrace(traces::Trace t, Config cfg = {}) {
  traces::applyTraceConfig(t.meta, cfg);
  auto s = model::Session::open(std::move(t), "test", cfg);
  EXPECT_NE(s, nullptr);
  return s;
}

std::unique_ptr<model::Session> classroom() {
  std::string err;
  auto t = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json", &err);
  EXPECT_TRUE(t.has_value()) << err;
  return openTrace(t ? *t : traces::Trace{});
}

// 200,000 allocations on 4 threads over every size class (log-uniform sizes up to 32 KiB), one large
// object (32 KiB - 1 MiB) in 500, 40% of objects freed at random, GC by the pacer.
std::unique_ptr<model::Session> largeHeap() {
  traces::Trace t;
  std::mt19937_64 rng(7);
  std::vector<uint64_t> live;
  uint64_t next = 0;
  while (next < 200000) {
    if (!live.empty() && rng() % 100 < 40) {
      const size_t k = rng() % live.size();
      t.events.push_back(freeEvent(live[k], static_cast<uint32_t>(rng() % 4)));
      live[k] = live.back();
      live.pop_back();
      continue;
    }
    uint64_t size = next % 500 == 0 ? 32769 + rng() % (1u << 20)
                                    : static_cast<uint64_t>(std::exp2(static_cast<double>(rng() % 1500) / 100.0));
    t.events.push_back(allocEvent(next, size, rng() % 2 == 0, static_cast<uint32_t>(rng() % 4)));
    live.push_back(next++);
  }
  Config cfg;
  cfg.gomaxprocs = 4;
  return openTrace(std::move(t), cfg);
}

using PanelMaker = std::unique_ptr<gui::Panel> (*)();
const PanelMaker kMyPanels[] = {gui::MakeSpanInspectorPanel, gui::MakeSizeClassesPanel, gui::MakePsPanel,
                                gui::MakeMCentralPanel,      gui::MakeMHeapPanel,       gui::MakeStatsPanel};
const char* const kMyPanelNames[] = {"span inspector", "size classes", "ps", "mcentral", "mheap", "stats"};

// Draws every panel for a few frames, with the mouse over a few places of the window, and with a
// span selected (the first in-use span with the most slots, and a large one) and without.
void drawEverything(const model::Session& s, int maxVertices) {
  Ui ui;
  Frame f(s);
  SpanId most = kNoSpan, large = kNoSpan;
  for (SpanId i = 0; i < f.view.spanCount(); ++i) {
    const MSpan& sp = f.view.span(i);
    if (sp.state != SpanState::InUse) continue;
    if (most == kNoSpan || sp.nelems > f.view.span(most).nelems) most = i;
    if (spanClassSize(sp.spanclass) == 0 && large == kNoSpan) large = i;
  }
  for (SpanId sel : {kNoSpan, most, large}) {
    f.selection.span = sel;
    for (size_t p = 0; p < std::size(kMyPanels); ++p) {
      const std::unique_ptr<gui::Panel> panel = kMyPanels[p]();
      bool open = true;
      std::vector<ImVec2> spots{ImVec2(-1, -1)};
      for (float y = 10; y < kH; y += 90)
        for (float x = 30; x < kW; x += 260) spots.emplace_back(x, y);
      for (ImVec2 at : spots) {
        ui.moveTo(at);
        ui.frames(2, [&] {
          gui::PanelContext ctx = f.ctx();
          panel->Draw(ctx, &open);
        });
        EXPECT_LT(ui.vertices, maxVertices) << kMyPanelNames[p] << " drew too much geometry";
      }
      EXPECT_TRUE(open);
    }
  }
  EXPECT_TRUE(f.commands.empty()) << "hovering alone never moves the position";
  EXPECT_GT(ui.tooltipFrames, 100) << "the mouse really hovered the panels' items";
}

TEST(Panels, WindowTitlesAreTheRegistrysTitles) {
  // The app's menu and --panels find windows by these titles; the tests find them by the panels' own.
  const std::pair<const char*, const char*> mine[] = {
      {"inspector", gui::kSpanInspectorTitle}, {"sizeclasses", gui::kSizeClassesTitle}, {"ps", gui::kPsTitle},
      {"mcentral", gui::kMCentralTitle},       {"mheap", gui::kMHeapTitle},             {"stats", gui::kStatsTitle}};
  for (const auto& [key, title] : mine) {
    const size_t i = gui::panelIndex(key);
    ASSERT_LT(i, gui::kPanelCount) << key;
    EXPECT_STREQ(gui::kPanels[i].title, title);
  }
}

TEST(Panels, DrawOnAnEmptyHeap) {
  auto s = openTrace(traces::Trace{});
  ASSERT_NE(s, nullptr);
  drawEverything(*s, 20000);
}

TEST(Panels, DrawOnTheClassroomScenarioAtEveryEvent) {
  auto s = classroom();
  ASSERT_NE(s, nullptr);
  Ui ui;
  Frame f(*s);
  std::vector<std::unique_ptr<gui::Panel>> panels;
  for (PanelMaker make : kMyPanels) panels.push_back(make());
  for (uint64_t pos = 0; pos <= s->eventCount(); ++pos) {
    s->seek(pos);
    Frame at(*s);
    at.selection.span = s->lastRecord() ? s->lastRecord()->span : kNoSpan;
    for (const std::unique_ptr<gui::Panel>& panel : panels)
      ui.frame([&] {
        gui::PanelContext ctx = at.ctx();
        panel->Draw(ctx, nullptr);
      });
  }
  drawEverything(*s, 40000);
}

TEST(Panels, DrawOnALargeHeap) {
  auto s = largeHeap();
  ASSERT_NE(s, nullptr);
  s->seek(s->eventCount());
  ASSERT_GT(s->world().memStats().HeapObjects, 50000u) << "the heap really is large";
  drawEverything(*s, 150000);
  s->seek(s->eventCount() / 2);
  drawEverything(*s, 150000);
}

// The centre of data row `row` (0 = the first row after `frozenRows` frozen rows, the first of them
// the header) of a scrolling table drawn in the window `title`, from the table's own geometry: the
// header's height as the table measured it last frame, then rows of one text line plus cell padding.
ImVec2 tableRowCentre(const char* title, const char* tableId, int frozenRows, int row) {
  ImGuiWindow* w = ImGui::FindWindowByName(title);
  EXPECT_NE(w, nullptr);
  if (w == nullptr) return ImVec2(-1, -1);
  ImGuiTable* t = ImGui::TableFindByID(w->GetIDNoKeepAlive(tableId));
  EXPECT_NE(t, nullptr) << tableId;
  if (t == nullptr) return ImVec2(-1, -1);
  const float rowH = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
  const float y =
      t->OuterRect.Min.y + t->LastFirstRowHeight + static_cast<float>(frozenRows - 1 + row) * rowH + rowH * 0.5f;
  return ImVec2(t->OuterRect.Min.x + 40, y);
}

TEST(SizeClassesPanel, ClickingARowFiltersTheHeapMapToThatClass) {
  auto s = classroom();
  ASSERT_NE(s, nullptr);
  s->seek(s->eventCount());
  Frame f(*s);
  const std::vector<gui::SizeClassRow> rows = gui::BuildSizeClasses(f.view, false).rows;
  ASSERT_GE(rows.size(), 3u) << "the classroom heap uses several span classes";
  Ui ui;
  const std::unique_ptr<gui::Panel> sizeClasses = gui::MakeSizeClassesPanel();
  auto draw = [&] {
    gui::PanelContext ctx = f.ctx();
    sizeClasses->Draw(ctx, nullptr);
  };
  ui.frames(2, draw);
  // Rows are in span-class order (the default sort); header and totals are frozen above them.
  ui.click(tableRowCentre(gui::kSizeClassesTitle, "size_classes", 2, 1), draw);
  EXPECT_EQ(f.selection.spanClassFilter, rows[1].spanClass);
  ui.click(tableRowCentre(gui::kSizeClassesTitle, "size_classes", 2, 2), draw);
  EXPECT_EQ(f.selection.spanClassFilter, rows[2].spanClass);
  ui.click(tableRowCentre(gui::kSizeClassesTitle, "size_classes", 2, 2), draw);
  EXPECT_EQ(f.selection.spanClassFilter, -1) << "a second click on the same row clears the filter";
  ui.click(tableRowCentre(gui::kSizeClassesTitle, "size_classes", 2, 0), draw);
  EXPECT_EQ(f.selection.spanClassFilter, rows[0].spanClass);
  EXPECT_TRUE(f.commands.empty());
}

TEST(MCentralPanel, ClickingASpanSelectsIt) {
  // 171 objects of 48 B: the first class-5 span fills and goes back to mcentral (full swept), the
  // 171st object starts a second span that stays in the mcache.
  traces::Trace t;
  for (uint64_t id = 0; id < 171; ++id) t.events.push_back(allocEvent(id, 48));
  Config cfg;
  cfg.gogc = -1;
  auto s = openTrace(std::move(t), cfg);
  ASSERT_NE(s, nullptr);
  s->seek(s->eventCount());
  Frame f(*s);
  const SpanId full = f.view.spanAt(kBase);
  ASSERT_NE(full, kNoSpan);
  Ui ui;
  const std::unique_ptr<gui::Panel> mcentral = gui::MakeMCentralPanel();
  auto draw = [&] {
    gui::PanelContext ctx = f.ctx();
    mcentral->Draw(ctx, nullptr);
  };
  ui.frames(2, draw);
  // Row 0: span class 11, collapsed. Clicking it lists its span on row 1.
  ui.click(tableRowCentre(gui::kMCentralTitle, "mcentral", 1, 0), draw);
  EXPECT_EQ(f.selection.span, kNoSpan) << "opening a class selects nothing";
  ui.click(tableRowCentre(gui::kMCentralTitle, "mcentral", 1, 1), draw);
  EXPECT_EQ(f.selection.span, full);
  EXPECT_EQ(f.selection.spanClassFilter, -1);
}

TEST(SpanInspectorPanel, ShowsThreeAllocationsOf48BytesAndSelectsAClickedSlot) {
  traces::Trace t;
  for (uint64_t id = 0; id < 3; ++id) t.events.push_back(allocEvent(id, 48));
  Config cfg;
  cfg.gogc = -1;
  auto s = openTrace(std::move(t), cfg);
  ASSERT_NE(s, nullptr);
  s->seek(3);
  Frame f(*s);
  f.selection.span = f.view.spanAt(kBase);
  // What the panel shows is its model; by hand: slots 0-2 taken in order, so freeindex = 3.
  const gui::SpanInspectorModel m = gui::BuildSpanInspector(f.view, f.selection.span);
  EXPECT_EQ(m.freeindex, 3u);
  EXPECT_EQ(m.allocCount, 3u);
  Ui ui;
  auto draw = [&] {
    gui::PanelContext ctx = f.ctx();
    gui::DrawSpanInspectorPanel(ctx, nullptr);
  };
  ui.frames(2, draw);
  // Find the slot grid by moving down the window over slot 1's column until the grid is hovered
  // (the grid has 64 columns of 14 px in a window this wide, starting at the content's left edge).
  ImGuiWindow* w = ImGui::FindWindowByName(gui::kSpanInspectorTitle);
  ASSERT_NE(w, nullptr);
  const ImGuiID grid = w->GetIDNoKeepAlive("##slots");
  const float x = w->Pos.x + ImGui::GetStyle().WindowPadding.x + 14 * 1.5f;
  float y = w->Pos.y;
  for (; y < kH; y += 3) {
    ui.moveTo(ImVec2(x, y));
    ui.frame(draw);
    if (ImGui::GetHoveredID() == grid) break;
  }
  ASSERT_LT(y, kH) << "the slot grid was not found";
  ui.click(ImVec2(x, y + 4), draw);
  EXPECT_EQ(f.selection.address, kBase + 48) << "slot 1 of the span";
  EXPECT_EQ(f.selection.span, f.view.spanAt(kBase)) << "the inspected span stays selected";
}

TEST(StatsPanel, ClickingThePlotSeeksThere) {
  auto s = classroom();
  ASSERT_NE(s, nullptr);
  Frame f(*s);
  const uint64_t n = s->eventCount();
  ASSERT_GT(n, 10u);
  Ui ui;
  auto draw = [&] {
    gui::PanelContext ctx = f.ctx();
    gui::DrawStatsPanel(ctx, nullptr);
  };
  ui.frames(2, draw);
  // The plot fills the window below the series toggles. The window's middle is 720 px into a
  // 1504 px plot (72 px of axis labels and the window padding on the left): about 48% of the way.
  ui.click(ImVec2(kW / 2, kH / 2), draw);
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].kind, gui::Command::Seek);
  EXPECT_GE(f.commands[0].arg, static_cast<int64_t>(n * 40 / 100));
  EXPECT_LE(f.commands[0].arg, static_cast<int64_t>(n * 55 / 100));
  f.commands.clear();
  ui.click(ImVec2(kW - 20, kH / 2), draw);
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_GE(f.commands[0].arg, static_cast<int64_t>(n * 95 / 100)) << "the right edge is the end of the trace";
  EXPECT_LE(f.commands[0].arg, static_cast<int64_t>(n));
}

} // namespace
