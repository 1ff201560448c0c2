// The app driven through ImGuiIO alone: shortcuts move the engine, playback honours speed and
// breakpoints, the heap map's click selects the span under the mouse, the lesson keys walk the
// scenario. Assertions are on app state (Session::position, Selection), with expected values from
// Go 1.19's allocator behaviour or from the trace files themselves, never from the panels.
#include "ui_harness.h"

#include "app/model/lessons.h"
#include "app/gui/panels/heap_map.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace {

using uitest::Harness;

const std::string kScenarios = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/";
const std::string kBreakpoints = std::string(SPANSCOPE_TEST_DATA) + "/ui/breakpoints.json";

// 3000 allocations of 48 bytes: enough events for the ×1000 step.
traces::Trace manyAllocs() {
  traces::Trace t;
  for (uint64_t i = 0; i < 3000; ++i) t.events.push_back(sim::allocEvent(i, 48));
  return t;
}

TEST(AppTest, ArrowKeysStepByOneTenHundredAndThousand) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(manyAllocs()));
  h.frame(app);
  h.pressNamed(app, ImGuiKey_RightArrow);
  EXPECT_EQ(app.session()->position(), 1u);
  h.pressNamed(app, ImGuiKey_LeftArrow);
  EXPECT_EQ(app.session()->position(), 0u);
  h.pressNamed(app, ImGuiKey_RightArrow, false, true);
  EXPECT_EQ(app.session()->position(), 10u);
  h.pressNamed(app, ImGuiKey_RightArrow, true, false);
  EXPECT_EQ(app.session()->position(), 110u);
  h.pressNamed(app, ImGuiKey_RightArrow, true, true);
  EXPECT_EQ(app.session()->position(), 1110u);
  h.pressNamed(app, ImGuiKey_LeftArrow, true, true);
  EXPECT_EQ(app.session()->position(), 110u);
  h.pressNamed(app, ImGuiKey_End);
  EXPECT_EQ(app.session()->position(), 3000u);
  h.pressNamed(app, ImGuiKey_RightArrow);
  EXPECT_EQ(app.session()->position(), 3000u) << "stepping past the end is clamped";
  h.pressNamed(app, ImGuiKey_Home);
  EXPECT_EQ(app.session()->position(), 0u);
  h.pressNamed(app, ImGuiKey_LeftArrow);
  EXPECT_EQ(app.session()->position(), 0u) << "stepping before the start is clamped";
}

TEST(AppTest, StepBackGivesTheSameStateAsNeverSteppingForward) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kScenarios + "classroom.json"));
  h.frame(app);
  for (int i = 0; i < 12; ++i) h.pressNamed(app, ImGuiKey_RightArrow);
  const sim::MemStats at12 = app.session()->world().memStats();
  h.pressNamed(app, ImGuiKey_RightArrow);
  h.pressNamed(app, ImGuiKey_LeftArrow);
  EXPECT_EQ(app.session()->position(), 12u);
  const sim::MemStats back = app.session()->world().memStats();
  EXPECT_EQ(back.HeapAlloc, at12.HeapAlloc);
  EXPECT_EQ(back.Mallocs, at12.Mallocs);
  EXPECT_EQ(back.HeapInuse, at12.HeapInuse);
}

TEST(AppTest, SpacePlaysAtTheChosenSpeedAndPausesAgain) {
  Harness h; // DeltaTime is 1/60 s, so 60 events/s is one event per frame
  gui::App app;
  app.setSession(uitest::openTrace(manyAllocs()));
  app.transport().speed = 60;
  h.frame(app);
  h.pressNamed(app, ImGuiKey_Space); // the press frame toggles; the release frame plays one event
  ASSERT_TRUE(app.transport().playing);
  const uint64_t start = app.session()->position();
  h.frames(app, 30);
  EXPECT_EQ(app.session()->position(), start + 30);
  h.pressNamed(app, ImGuiKey_Space);
  ASSERT_FALSE(app.transport().playing);
  const uint64_t paused = app.session()->position();
  h.frames(app, 10);
  EXPECT_EQ(app.session()->position(), paused);
}

TEST(AppTest, PlayingAsFastAsPossibleReachesTheEndAndStops) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(manyAllocs()));
  app.transport().speed = 0;
  app.togglePlay();
  for (int i = 0; i < 1000 && app.transport().playing; ++i) h.frame(app);
  EXPECT_EQ(app.session()->position(), 3000u);
  EXPECT_FALSE(app.transport().playing);
}

// Expected hits in tests/data/ui/breakpoints.json, by Go 1.19's rules (event numbers from 0):
//   #1  first 48 B alloc: mcache empty → refill → mcentral.grow → mheap grows from the OS
//   #2  second 48 B: nextFreeFast, nothing else
//   #3  100000 B > 32 KiB: large object; 13 pages fit in the 4 MiB already mapped (no growth)
//   #5  8 B noscan: tiny allocator, first tiny block → refill of span class 5 → mcentral.grow
//   #6  free of object 1 (its slot at the heap base, class 5)
//   #7  gc: a GC cycle
//   #8  5000000 B: large, 611 pages > what is left of the first chunk → the heap grows
//   #9  48 B with pointers: span class 10, a class never used → refill → mcentral.grow
struct Case {
  const char* name;
  void (*set)(model::Breakpoints&);
  std::vector<uint64_t> hits;
};

TEST(AppTest, RunToBreakpointStopsRightAfterEachExpectedEvent) {
  const Case cases[] = {
      {"refill", [](model::Breakpoints& b) { b.refill = true; }, {1, 5, 9}},
      {"central grow", [](model::Breakpoints& b) { b.centralGrow = true; }, {1, 5, 9}},
      {"heap grow", [](model::Breakpoints& b) { b.heapGrow = true; }, {1, 8}},
      {"large", [](model::Breakpoints& b) { b.large = true; }, {3, 8}},
      {"gc", [](model::Breakpoints& b) { b.gc = true; }, {7}},
      {"size class 5", [](model::Breakpoints& b) { b.sizeClassOn = true, b.sizeClass = 5; }, {1, 2, 6, 9}},
      {"span class 10", [](model::Breakpoints& b) { b.spanClassOn = true, b.spanClass = 10; }, {9}},
      // Object 1 is the heap's first object, at the arena base 0xc000000000; +10 is inside it.
      {"address", [](model::Breakpoints& b) { b.addressOn = true, b.address = 0xc000000000 + 10; }, {1, 6}},
  };
  Harness h;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    gui::App app;
    app.setSession(uitest::openFile(kBreakpoints));
    c.set(app.breakpoints());
    h.frame(app);
    std::vector<uint64_t> got;
    for (int i = 0; i < 10; ++i) {
      const uint64_t before = app.session()->position();
      h.press(app, 'B'); // run to the next breakpoint
      if (app.session()->position() == before) break;
      got.push_back(app.session()->position() - 1); // the event just applied
    }
    EXPECT_EQ(got, c.hits);
    // And back again with Shift+B, from the end.
    std::vector<uint64_t> back;
    for (int i = 0; i < 10; ++i) {
      const uint64_t before = app.session()->position();
      h.press(app, 'B', false, true);
      if (app.session()->position() == before) break;
      back.insert(back.begin(), app.session()->position() - 1);
    }
    std::vector<uint64_t> expectBack(c.hits.begin(), c.hits.end() - 1);
    EXPECT_EQ(back, expectBack);
  }
}

TEST(AppTest, PlaybackStopsAtTheFirstBreakpointHit) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kBreakpoints));
  app.breakpoints().gc = true;
  app.transport().speed = 0;
  app.togglePlay();
  for (int i = 0; i < 100 && app.transport().playing; ++i) h.frame(app);
  EXPECT_FALSE(app.transport().playing);
  EXPECT_EQ(app.session()->position(), 8u) << "stopped just after the gc event (#7)";
  EXPECT_NE(app.transport().status.find("GC"), std::string::npos) << app.transport().status;
}

TEST(AppTest, ClickingAHeapMapPageSelectsItsSpan) {
  Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = i == gui::panelIndex("heapmap");
  app.setSession(uitest::openFile(kScenarios + "small_refill.json"));
  app.seek(app.session()->eventCount());
  h.frames(app, 3);
  const gui::HeapMapGeometry g = app.heapMapGeometry();
  ASSERT_GT(g.cell, 2.0f);
  const sim::HeapView v = app.session()->world().view();
  // small_refill fills one class-5 span (170 slots) and starts a second: the two spans are the
  // heap's first two pages (address-ordered first fit from the arena base).
  for (uint64_t page : {uint64_t{0}, uint64_t{1}}) {
    const sim::SpanId expect = v.spanAt(v.heapBase() + page * 8192);
    ASSERT_NE(expect, sim::kNoSpan);
    h.click(app, g.pageCentre(page));
    EXPECT_EQ(app.selection().span, expect) << "page " << page;
    EXPECT_EQ(v.span(expect).base(), v.heapBase() + page * 8192);
  }
  // A page far beyond the P's 64-page cache is released and belongs to no span.
  h.click(app, g.pageCentre(300));
  EXPECT_EQ(app.selection().span, sim::kNoSpan);
}

TEST(AppTest, HeapMapTextureHoldsEachPageInItsStateColour) {
  Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = i == gui::panelIndex("heapmap");
  app.setSession(uitest::openFile(kScenarios + "small_refill.json"));
  // Right after the 171st allocation (the last alloc event), before the final ReadMemStats.
  uint64_t lastAlloc = 0;
  for (uint64_t i = 0; i < app.session()->eventCount(); ++i)
    if (app.session()->trace().events[i].kind == sim::EventKind::Alloc) lastAlloc = i;
  app.seek(lastAlloc + 1);
  h.frames(app, 3);
  ASSERT_EQ(h.textures.textures.size(), 1u);
  const auto& tex = h.textures.textures.begin()->second;
  const gui::HeapMapGeometry g = app.heapMapGeometry();
  ASSERT_EQ(static_cast<uint32_t>(tex.w), g.cols) << "one texel per page at this size";
  // Go 1.19: one 4 MiB chunk mapped (released until used); the P's page cache takes pages 0..63;
  // the first class-5 span (span class 11) is page 0, full after 170 objects and handed back to
  // mcentral by the 171st allocation, which caches a new span on page 1.
  auto colour = [](gui::PageState s) {
    gui::PageInfo p;
    p.state = s;
    p.spanclass = sim::makeSpanClass(5, true);
    return gui::PageColour(p, 68);
  };
  auto texel = [&](uint64_t page) { return tex.pixels[page / g.cols * static_cast<uint64_t>(tex.w) + page % g.cols]; };
  EXPECT_EQ(texel(0), colour(gui::PageState::InUse));
  EXPECT_EQ(texel(1), colour(gui::PageState::Cached));
  for (uint64_t p = 2; p < 64; ++p) EXPECT_EQ(texel(p), colour(gui::PageState::PageCache)) << "page " << p;
  for (uint64_t p = 64; p < 512; ++p) EXPECT_EQ(texel(p), colour(gui::PageState::Released)) << "page " << p;
  // The texture is rebuilt when the position changes, not every frame.
  const int uploads = h.textures.uploads;
  h.frames(app, 5);
  EXPECT_EQ(h.textures.uploads, uploads);
  h.pressNamed(app, ImGuiKey_RightArrow);
  EXPECT_EQ(h.textures.uploads, uploads + 1);
}

TEST(AppTest, GoToEventTypesANumberAndSeeksJustAfterIt) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(manyAllocs()));
  h.frame(app);
  h.press(app, 'G', true);
  h.frame(app); // the keyboard focus lands on the box
  h.type(app, "1234");
  h.pressNamed(app, ImGuiKey_Enter);
  EXPECT_EQ(app.session()->position(), 1235u) << "event #1234 applied";
}

TEST(AppTest, PageDownWalksTheLessonOneAnnotationAtATime) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kBreakpoints));
  h.frame(app);
  // Annotations at events #0 and #4: a step is an annotation and the events it explains.
  h.pressNamed(app, ImGuiKey_PageDown);
  EXPECT_EQ(app.session()->position(), 4u) << "step one complete: events #0..#3";
  ASSERT_NE(app.session()->currentLesson(), nullptr);
  EXPECT_EQ(*app.session()->currentLesson(), "step one");
  h.pressNamed(app, ImGuiKey_PageDown);
  EXPECT_EQ(app.session()->position(), 10u) << "step two runs to the end of the trace";
  EXPECT_EQ(*app.session()->currentLesson(), "step two");
  h.pressNamed(app, ImGuiKey_PageUp);
  EXPECT_EQ(app.session()->position(), 4u);
  h.pressNamed(app, ImGuiKey_PageUp);
  EXPECT_EQ(app.session()->position(), 0u) << "before the first lesson";
  EXPECT_EQ(app.session()->currentLesson(), nullptr);
}

TEST(AppTest, ALoadErrorBecomesAMessageNamingTheFile) {
  Harness h;
  gui::App app;
  const std::string bad = std::string(SPANSCOPE_TEST_DATA) + "/traces/truncated.json";
  EXPECT_FALSE(app.loadNow(bad));
  ASSERT_EQ(app.errors().size(), 1u);
  EXPECT_NE(app.errors()[0].find("truncated.json"), std::string::npos) << app.errors()[0];
  EXPECT_EQ(app.session(), nullptr);
  h.frames(app, 2); // the error popup draws without a session
}

TEST(AppTest, BackgroundLoadFinishesWhileFramesRun) {
  Harness h;
  gui::App app;
  app.load(kScenarios + "classroom.json");
  for (int i = 0; i < 2000 && app.loading(); ++i) h.frame(app);
  ASSERT_NE(app.session(), nullptr);
  EXPECT_EQ(app.session()->path(), kScenarios + "classroom.json");
  EXPECT_EQ(app.settings().recentFiles.front(), kScenarios + "classroom.json");
}

TEST(AppTest, GenerateAWorkloadOpensItWithTheRequestedLength) {
  Harness h;
  gui::App app;
  gui::GenerateRequest r;
  r.name = "larson";
  r.params["events"] = "5000"; // the generators' documented length parameter
  r.seed = 3;
  app.generate(r);
  app.waitForLoad();
  ASSERT_NE(app.session(), nullptr) << (app.errors().empty() ? "" : app.errors()[0]);
  EXPECT_EQ(app.session()->eventCount(), 5000u);
  EXPECT_TRUE(app.settings().recentFiles.empty()) << "a generated workload is not a file";
  h.frames(app, 2);
}

TEST(AppTest, ABadGeneratorParameterBecomesAMessage) {
  gui::App app;
  gui::GenerateRequest r;
  r.name = "larson";
  r.params["threads"] = "0"; // below the documented range 1..1024
  app.generate(r);
  app.waitForLoad();
  EXPECT_EQ(app.session(), nullptr);
  ASSERT_EQ(app.errors().size(), 1u);
  EXPECT_NE(app.errors()[0].find("threads"), std::string::npos) << app.errors()[0];
}

TEST(AppTest, SettingsAreWrittenWhenTheyChangeAndReadBack) {
  const std::string dir = std::filesystem::temp_directory_path() / ("spanscope-app-settings-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/settings.json";
  {
    Harness h;
    gui::App app(gui::Settings{}, path);
    ASSERT_TRUE(app.loadNow(kScenarios + "tiny.json"));
    app.panelOpen(gui::panelIndex("stats")) = false;
    ImGui::GetIO().DeltaTime = 1.0f; // the app checks for changes every 3 seconds
    h.frames(app, 4);
    ASSERT_TRUE(std::filesystem::exists(path)) << "written while running, not only at exit";
  }
  std::string err;
  const gui::Settings s = gui::loadSettings(path, &err);
  EXPECT_TRUE(err.empty()) << err;
  ASSERT_FALSE(s.recentFiles.empty());
  EXPECT_EQ(s.recentFiles.front(), kScenarios + "tiny.json");
  EXPECT_FALSE(s.panelOpen[gui::panelIndex("stats")]);
  EXPECT_TRUE(s.panelOpen[gui::panelIndex("heapmap")]);
  std::filesystem::remove_all(dir);
}

TEST(AppTest, CancelledLoadLeavesThePreviousSession) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(manyAllocs(), "first"));
  app.load(kScenarios + "classroom.json");
  app.cancelLoad();
  EXPECT_FALSE(app.loading());
  h.frames(app, 3);
  EXPECT_EQ(app.session()->path(), "first");
}

} // namespace
