// The Locks panel and the engine settings: the panel's model (lock rows, heat map, timeline, step
// lines) on hand-made inputs and on the locks scenarios, the engine settings re-opening the trace
// with the chosen config, and the panel drawn window-less with ImGui's stack check.
#include "ui_harness.h"

#include "app/gui/engine_dialog.h"
#include "app/gui/panels/locks_model.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>


namespace {

using uitest::Harness;

const std::string kOneClass = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/locks_one_class.json";
// Span class 89 = size class 44 (4096 B) << 1 | noscan, as the scenario's lesson says.
constexpr sim::LockId kClass44Lock = sim::makeLockId(sim::LockKind::Central, 89);

using uitest::checkedFrame;

void onlyLocksPanel(gui::App& app) {
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = i == gui::panelIndex("locks") || i == gui::panelIndex("eventlog");
}

// The app with locks_one_class.json opened under the given timing choice, at its end.
void openOneClass(Harness& h, gui::App& app, gui::TimingChoice t) {
  model::EngineSettings o;
  gui::setTimingChoice(o, t);
  app.setEngine(o);
  ASSERT_TRUE(app.loadNow(kOneClass)) << (app.errors().empty() ? "" : app.errors().front());
  app.seek(app.session()->eventCount());
  h.frame(app);
}

// [SECTION] Model on hand-made input

TEST(LocksModelTest, CentralLocksAreTheMutexAndTheSpineLocks) {
  EXPECT_TRUE(gui::IsCentralLock(kClass44Lock));
  EXPECT_TRUE(gui::IsCentralLock(sim::makeLockId(sim::LockKind::SpineFull, 89)));
  EXPECT_TRUE(gui::IsCentralLock(sim::makeLockId(sim::LockKind::SpinePartial, 3)));
  EXPECT_FALSE(gui::IsCentralLock(sim::kHeapLock));
  EXPECT_FALSE(gui::IsCentralLock(sim::kWorldLock));
  sim::TimingFigures f;
  f.locks.push_back({sim::kHeapLock, "mheap.lock", 5, 2, 1000, 0, 0, 0, 0});
  f.locks.push_back({kClass44Lock, "c44", 5, 2, 300, 0, 0, 0, 0});
  f.locks.push_back({sim::makeLockId(sim::LockKind::SpineFull, 7), "s", 1, 1, 20, 0, 0, 0, 0});
  EXPECT_EQ(gui::CentralWait(f), 320u) << "300 + 20: mcentral's own locks, not mheap.lock";
}

TEST(LocksModelTest, SortingByAColumnKeepsLockOrderForTies) {
  std::vector<sim::LockFigures> rows(3);
  rows[0].lock = kClass44Lock, rows[0].waitTotal = 50, rows[0].acquisitions = 9;
  rows[1].lock = sim::kHeapLock, rows[1].waitTotal = 70, rows[1].acquisitions = 9;
  rows[2].lock = sim::kWorldLock, rows[2].waitTotal = 10, rows[2].acquisitions = 1;
  gui::SortLockRows(rows, gui::LockColumn::WaitTotal, false);
  EXPECT_EQ(rows[0].lock, sim::kHeapLock);
  EXPECT_EQ(rows[1].lock, kClass44Lock);
  EXPECT_EQ(rows[2].lock, sim::kWorldLock);
  gui::SortLockRows(rows, gui::LockColumn::Acquisitions, true);
  EXPECT_EQ(rows[0].lock, sim::kWorldLock);
  EXPECT_EQ(rows[1].lock, sim::kHeapLock) << "tie at 9: mheap.lock's id (kind 0) is lower than mcentral's";
  EXPECT_EQ(rows[2].lock, kClass44Lock);
}

TEST(LocksModelTest, HeatLevelIsZeroForNoWaitOneForTheMaximumAndGrowsBetween) {
  EXPECT_EQ(gui::HeatLevel(0, 1000), 0.0f);
  EXPECT_EQ(gui::HeatLevel(1000, 1000), 1.0f);
  EXPECT_GT(gui::HeatLevel(1, 1000000), 0.0f) << "a nanosecond beside a millisecond still shows";
  EXPECT_LT(gui::HeatLevel(10, 1000), gui::HeatLevel(100, 1000));
  EXPECT_LT(gui::HeatLevel(100, 1000), gui::HeatLevel(999, 1000));
}

TEST(LocksModelTest, HeatMapColumnsEndAtTheLastEventAndRowsPutTheMostWaitFirst) {
  sim::WaitHeatMap h;
  h.add(0, sim::kHeapLock, 0, 100);     // 100 ns in column 0 (columns are 1000 ns at first)
  h.add(1, kClass44Lock, 1500, 2000);   // 500 ns in column 1
  h.add(1, kClass44Lock, 2000, 2300);   // 300 ns in column 2
  const gui::HeatMapModel m = gui::BuildHeatMap(h, 2500);
  EXPECT_EQ(m.columns, 3u) << "2500 ns over 1000-ns columns: three";
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(m.rows[0], kClass44Lock) << "800 ns of wait beats 100";
  EXPECT_EQ(m.rowTotal[0], 800u);
  EXPECT_EQ(m.cell(0, 1), 500u);
  EXPECT_EQ(m.cell(0, 2), 300u);
  EXPECT_EQ(m.cell(1, 0), 100u);
  EXPECT_EQ(m.maxCell, 500u);
}

TEST(LocksModelTest, TimelinePlacesRunsThenWaitsAndAddsTheGCWorkerRow) {
  std::vector<sim::TimeSegment> segs = {
      {0, 0, 100, 0, sim::TimeSegment::Run, 0, sim::kNoHolder},
      {1, 10, 50, 1, sim::TimeSegment::Run, 0, sim::kNoHolder},
      {1, 10, 30, 1, sim::TimeSegment::Wait, kClass44Lock, 0},
      {2, 150, 250, 1, sim::TimeSegment::Run, 0, sim::kNoHolder}, // after the range: left out
      {3, 60, 80, sim::kGCWorker, sim::TimeSegment::Run, 0, sim::kNoHolder},
  };
  const gui::TimelineLayout L = gui::LayoutTimeline(segs, 2, 0, 100, 200.0f); // 2 px per ns
  ASSERT_EQ(L.rowWho.size(), 3u);
  EXPECT_EQ(L.rowWho[2], sim::kGCWorker);
  ASSERT_EQ(L.bars.size(), 4u);
  EXPECT_FALSE(L.bars[0].wait);
  EXPECT_EQ(L.bars[0].x1, 200.0f);
  EXPECT_EQ(L.bars[1].row, 1u);
  EXPECT_EQ(L.bars[1].x0, 20.0f);
  EXPECT_EQ(L.bars[1].x1, 100.0f);
  EXPECT_EQ(L.bars[2].row, 2u) << "the GC worker's row";
  EXPECT_EQ(L.bars[2].x0, 120.0f);
  ASSERT_TRUE(L.bars[3].wait) << "waits come last, to be drawn over the runs";
  EXPECT_EQ(L.bars[3].lock, kClass44Lock);
  EXPECT_EQ(L.bars[3].x0, 20.0f);
  EXPECT_EQ(L.bars[3].x1, 60.0f);
  EXPECT_EQ(L.bars[3].segment, 2u);
}

TEST(LocksModelTest, TimelineMergesSegmentsNarrowerThanAPixel) {
  // 1000 back-to-back 1-ns runs of P0 over 100 px: one bar, not a thousand.
  std::vector<sim::TimeSegment> segs;
  for (uint64_t i = 0; i < 1000; ++i) segs.push_back({i, i, i + 1, 0, sim::TimeSegment::Run, 0, sim::kNoHolder});
  const gui::TimelineLayout L = gui::LayoutTimeline(segs, 1, 0, 1000, 100.0f);
  ASSERT_EQ(L.bars.size(), 1u);
  EXPECT_EQ(L.bars[0].x0, 0.0f);
  EXPECT_EQ(L.bars[0].x1, 100.0f);
  EXPECT_EQ(L.bars[0].segment, 999u) << "the last segment merged in";
}

TEST(LocksModelTest, TheDefaultViewFramesTheWaits) {
  std::vector<sim::TimeSegment> segs = {
      {0, 0, 10000, 0, sim::TimeSegment::Run, 0, sim::kNoHolder},
      {1, 8000, 8400, 1, sim::TimeSegment::Wait, kClass44Lock, 0},
      {2, 8400, 8800, 2, sim::TimeSegment::Wait, kClass44Lock, 1},
      {3, 8000, 9000, 1, sim::TimeSegment::Run, 0, sim::kNoHolder},
  };
  // Waits cover 8000..8800; a quarter of that (200 ns) on each side.
  EXPECT_EQ(gui::WaitFocusRange(segs), (std::pair<uint64_t, uint64_t>{7800, 9000}));
  segs.erase(segs.begin() + 1, segs.begin() + 3);
  EXPECT_EQ(gui::WaitFocusRange(segs), (std::pair<uint64_t, uint64_t>{0, 10000})) << "no waits: everything";
}

TEST(LocksModelTest, SegmentAndStepTextsNameTheLockAndTheHolder) {
  const sim::TimeSegment w{57, 10000, 11200, 3, sim::TimeSegment::Wait, kClass44Lock, 1};
  EXPECT_EQ(gui::DescribeSegment(w), "P3 waited 1.20 µs for mcentral[class 44 noscan].lock held by P1 (event #57, from 10.0 µs)");
  const sim::TimeSegment r{58, 500, 1500, sim::kGCWorker, sim::TimeSegment::Run, 0, sim::kNoHolder};
  EXPECT_EQ(gui::DescribeSegment(r), "GC worker ran event #58 at 500 ns for 1.00 µs");

  sim::StepRecord s;
  EXPECT_TRUE(gui::StepTimingLines(s).empty()) << "timing off: nothing to say";
  s.start = 1000, s.end = 2500, s.wait = 1200, s.hold = 300, s.locksTaken = 1;
  s.locks[0] = {kClass44Lock, 1, 1200, 300};
  const std::vector<std::string> lines = gui::StepTimingLines(s);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "at 1.00 µs for 1.50 µs (waited 1.20 µs, held locks 300 ns)");
  EXPECT_EQ(lines[1], "mcentral[class 44 noscan].lock: waited 1.20 µs for P1, held 300 ns");
  s.kind = sim::EventKind::Annotate;
  EXPECT_TRUE(gui::StepTimingLines(s).empty()) << "a lesson step takes no time";
}

// [SECTION] Model on the locks scenario, both mcentral models

TEST(LocksModelTest, OneClassScenarioWaitsForMCentralWithTheMutexOnly) {
  Harness h;
  {
    gui::App app;
    openOneClass(h, app, gui::TimingChoice::Mutex);
    const sim::LockModel* lm = app.session()->world().timing();
    ASSERT_NE(lm, nullptr);
    const sim::TimingFigures f = lm->figures();
    EXPECT_EQ(f.central, sim::CentralMode::Mutex);
    // The scenario's lesson: 8 Ps refill class 44 at the same instants; with a mutex they queue.
    EXPECT_GT(gui::CentralWait(f), 0u);
    EXPECT_EQ(f.heapWait, 0u) << "the lesson: nobody waits for mheap.lock in either mode";
    const gui::HeatMapModel m = gui::BuildHeatMap(lm->heatMap(), f.lastEnd);
    ASSERT_FALSE(m.rows.empty());
    EXPECT_EQ(m.rows[0], kClass44Lock) << "the most waited-for lock is mcentral[class 44 noscan]";
    // Hand computation: the 8th P in the queue waits behind 7 cacheSpan scans of 60 ns each
    // (central_take in assets/cost_models/go1.19-amd64.json).
    uint64_t longest = 0;
    for (const sim::LockFigures& l : f.locks)
      if (l.lock == kClass44Lock) longest = l.waitMax;
    EXPECT_EQ(longest, 7u * 60u);
    // The timeline: one row per P (the trace asks for 8 and GOGC off, so no GC worker), and
    // wait bars for the class-44 lock held by another P.
    const std::vector<sim::TimeSegment> segs = lm->recent();
    const auto [t0, t1] = gui::SegmentRange(segs);
    const gui::TimelineLayout L = gui::LayoutTimeline(segs, lm->procs(), t0, t1, 800.0f);
    EXPECT_EQ(L.rowWho.size(), 8u);
    size_t classWaits = 0;
    for (const sim::TimeSegment& s : segs)
      if (s.kind == sim::TimeSegment::Wait && s.lock == kClass44Lock) {
        ++classWaits;
        EXPECT_NE(s.holder, s.who) << "a P never waits for itself";
        EXPECT_LT(s.holder, 8u);
      }
    EXPECT_GT(classWaits, 0u);
    EXPECT_TRUE(std::any_of(L.bars.begin(), L.bars.end(), [](const gui::TimelineBar& b) { return b.wait; }));
  }
  {
    gui::App app;
    openOneClass(h, app, gui::TimingChoice::LockFree);
    const sim::LockModel* lm = app.session()->world().timing();
    ASSERT_NE(lm, nullptr);
    const sim::TimingFigures f = lm->figures();
    EXPECT_EQ(f.central, sim::CentralMode::LockFree);
    EXPECT_EQ(gui::CentralWait(f), 0u) << "lock-free span sets: nobody waits (the scenario's lesson)";
    EXPECT_TRUE(gui::BuildHeatMap(lm->heatMap(), f.lastEnd).rows.empty()) << "no lock made anyone wait";
  }
}

// [SECTION] Engine settings

TEST(EngineSettingsTest, OverridesApplyOverTheTraceConfig) {
  sim::Config cfg;
  cfg.gomaxprocs = 8, cfg.gogc = -1; // as the trace's meta asks
  model::EngineSettings o;
  gui::setTimingChoice(o, gui::TimingChoice::Mutex);
  ASSERT_TRUE(model::applyEngineSettings(o, cfg, nullptr));
  EXPECT_EQ(cfg.gomaxprocs, 8u) << "not overridden: the trace's value stays";
  EXPECT_EQ(cfg.gogc, -1);
  EXPECT_TRUE(cfg.timing.enabled);
  EXPECT_EQ(cfg.timing.central, sim::CentralMode::Mutex);
  EXPECT_EQ(gui::engineSummary(cfg), "8 Ps · timing: mcentral mutex (Go ≤ 1.14)");
  gui::setTimingChoice(o, gui::TimingChoice::Off);
  o.procs = 1;
  ASSERT_TRUE(model::applyEngineSettings(o, cfg, nullptr));
  EXPECT_FALSE(cfg.timing.enabled);
  EXPECT_EQ(gui::engineSummary(cfg), "1 P · timing off");
  EXPECT_EQ(cfg.sweep, sim::SweepMode::Lazy) << "not overridden: the default stays";
  o.sweep = sim::SweepMode::Eager;
  ASSERT_TRUE(model::applyEngineSettings(o, cfg, nullptr));
  EXPECT_EQ(cfg.sweep, sim::SweepMode::Eager);
}

TEST(EngineSettingsTest, ReconfigureReopensTheTraceWithTheChosenConfigAtTheSamePosition) {
  Harness h;
  gui::App app;
  onlyLocksPanel(app);
  ASSERT_TRUE(app.loadNow(kOneClass));
  EXPECT_EQ(app.session()->world().timing(), nullptr) << "timing is off unless asked";
  app.seek(100);
  h.frame(app);
  model::EngineSettings o;
  o.procs = 4;
  gui::setTimingChoice(o, gui::TimingChoice::Mutex);
  app.reconfigure(o);
  app.waitForLoad();
  h.frame(app); // applies the seek back to the old position
  const sim::Config& c = app.session()->world().config();
  EXPECT_EQ(c.gomaxprocs, 4u);
  EXPECT_TRUE(c.timing.enabled);
  EXPECT_EQ(c.timing.central, sim::CentralMode::Mutex);
  EXPECT_EQ(c.gogc, -1) << "the trace's meta config (gogc off) still applies";
  EXPECT_EQ(app.session()->position(), 100u);
  EXPECT_EQ(app.session()->path(), kOneClass);
  EXPECT_TRUE(app.panelOpen(gui::panelIndex("locks"))) << "turning timing on shows the Locks panel";

  // The panel's buttons and radio buttons send SetTiming; the app re-opens lock-free.
  app.commands().push_back(gui::Command{gui::Command::SetTiming, static_cast<int64_t>(gui::TimingChoice::LockFree)});
  h.frame(app);
  app.waitForLoad();
  h.frame(app);
  EXPECT_EQ(app.session()->world().config().timing.central, sim::CentralMode::LockFree);
  EXPECT_EQ(app.session()->world().config().gomaxprocs, 4u) << "the other settings stay";
  EXPECT_EQ(app.session()->position(), 100u);
  EXPECT_TRUE(app.errors().empty());
}

TEST(EngineSettingsTest, TheEngineSettingsApplyToTheNextTraceOpened) {
  Harness h;
  gui::App app;
  model::EngineSettings o;
  o.procs = 3;
  gui::setTimingChoice(o, gui::TimingChoice::LockFree);
  app.setEngine(o);
  ASSERT_TRUE(app.loadNow(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json"));
  EXPECT_EQ(app.session()->world().config().gomaxprocs, 3u);
  ASSERT_NE(app.session()->world().timing(), nullptr);
  EXPECT_EQ(app.session()->world().timing()->procs(), 3u);
}

// [SECTION] Drawing

TEST(EngineSettingsTest, TheDialogDrawsAndCancelLeavesTheSettingsAlone) {
  Harness h;
  sim::Config base;
  base.gomaxprocs = 8;
  sim::Config current = base;
  current.timing.enabled = true, current.timing.central = sim::CentralMode::Mutex;
  gui::EngineDialog d;
  d.open(current, base, {});
  model::EngineSettings out;
  out.procs = 77; // stays as it is unless Apply is pressed
  for (int i = 0; i < 3; ++i) {
    ImGui::NewFrame();
    EXPECT_FALSE(d.draw(&out));
    const std::vector<std::string> recovered = uitest::recoverEndOfFrame();
    EXPECT_TRUE(recovered.empty()) << recovered.front();
    ImGui::Render();
  }
  EXPECT_TRUE(d.isOpen());
  EXPECT_NE(ImGui::FindWindowByName("Engine settings###engine"), nullptr);
  EXPECT_EQ(out.procs, 77u);
}

TEST(EngineSettingsTest, TheDialogOffersEveryKnobOfTheCliAndAppliesOnlyWhatDiffersFromTheTrace) {
  sim::Config base; // what the trace asks for
  base.gomaxprocs = 2;
  base.gcCycles = sim::GCCycles::Trace; // as a Go trace suggests
  sim::Config current = base;
  current.scavenger.memoryLimit = uint64_t{64} << 20;
  current.scavenger.enabled = false;
  current.liveness = sim::Liveness::Immediate;
  current.timing.enabled = true, current.timing.central = sim::CentralMode::Mutex;
  current.timing.clock = sim::ClockSource::Model;
  current.timing.fromEvent = 1000;
  current.goVersion = sim::GoVersion::Go126;
  current.gcCycles = sim::GCCycles::Pacer;
  current.traceGapsRunning = true;
  gui::EngineDialog d;
  d.open(current, base, {});
  const model::EngineSettings s = d.chosen();
  EXPECT_EQ(s.gcCycles, sim::GCCycles::Pacer);
  EXPECT_EQ(s.traceGapsRunning, true);
  EXPECT_FALSE(s.procs) << "the trace's own GOMAXPROCS is not an override";
  EXPECT_EQ(s.goVersion, sim::GoVersion::Go126);
  EXPECT_EQ(s.liveness, sim::Liveness::Immediate);
  EXPECT_EQ(s.memoryLimit, uint64_t{64} << 20);
  EXPECT_EQ(s.scavenger, false);
  EXPECT_EQ(gui::timingChoiceOf(s), gui::TimingChoice::Mutex);
  EXPECT_EQ(s.clock, sim::ClockSource::Model);
  EXPECT_EQ(s.timeFrom, 1000u);
  sim::Config again = base;
  ASSERT_TRUE(model::applyEngineSettings(s, again, nullptr));
  EXPECT_EQ(again.scavenger.memoryLimit, current.scavenger.memoryLimit);
  EXPECT_EQ(again.timing.clock, current.timing.clock);
  EXPECT_EQ(again.timing.fromEvent, current.timing.fromEvent);
  EXPECT_EQ(again.gcCycles, sim::GCCycles::Pacer);
  EXPECT_TRUE(again.traceGapsRunning);
  EXPECT_EQ(gui::engineSummary(again), gui::engineSummary(current)) << "reopening gives the engine shown";
}

void drawAround(gui::App& app) {
  const uint64_t n = app.session()->eventCount();
  for (uint64_t at : {uint64_t{0}, uint64_t{1}, n / 2, n}) {
    app.seek(at);
    for (ImVec2 mouse : {ImVec2(-1, -1), ImVec2(700, 300), ImVec2(1000, 600), ImVec2(1300, 800), ImVec2(1500, 450)}) {
      ImGui::GetIO().MousePos = mouse;
      for (int i = 0; i < 2; ++i) checkedFrame(app);
    }
    ASSERT_EQ(app.session()->position(), at);
  }
}

TEST(LocksPanelTest, DrawsWithTimingOffMutexAndLockFree) {
  for (gui::TimingChoice t : {gui::TimingChoice::Off, gui::TimingChoice::Mutex, gui::TimingChoice::LockFree}) {
    Harness h;
    gui::App app;
    onlyLocksPanel(app);
    openOneClass(h, app, t);
    drawAround(app);
    ImGuiWindow* w = ImGui::FindWindowByName("Locks");
    ASSERT_NE(w, nullptr) << gui::timingChoiceLabel(t);
    EXPECT_TRUE(w->Active);
    EXPECT_TRUE(app.errors().empty());
  }
}

TEST(LocksPanelTest, WholeFrameWithEveryPanelOnALargerTimedTraceStaysWithinAVertexBudget) {
  Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = true;
  model::EngineSettings o;
  gui::setTimingChoice(o, gui::TimingChoice::Mutex);
  o.procs = 16;
  app.setEngine(o);
  app.setSession(nullptr);
  auto big = uitest::largeHeapTrace(uint64_t{256} << 20);
  sim::Config cfg;
  traces::applyTraceConfig(big.meta, cfg);
  ASSERT_TRUE(model::applyEngineSettings(o, cfg, nullptr));
  app.setSession(model::Session::open(std::move(big), "big", cfg));
  app.seek(app.session()->eventCount());
  for (int i = 0; i < 3; ++i) checkedFrame(app);
  ASSERT_NE(app.session()->world().timing(), nullptr);
  const ImDrawData* dd = ImGui::GetDrawData();
  ASSERT_NE(dd, nullptr);
  // The timeline draws at most one bar per recent segment (4096) and merges sub-pixel ones; the
  // heat map at most 10 rows x 128 cells: far below this bound even with every panel open.
  EXPECT_LT(dd->TotalVtxCount, 200000);
}

} // namespace
