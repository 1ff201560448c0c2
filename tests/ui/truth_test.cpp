// Issue 15, "truth on screen": what the app shows never contradicts the trace or the position.
// Object ids are the file's (the classroom lesson's text names them), the status line describes the
// position the user is at, C allocator recordings replay with liveness immediate and say so, the
// command line's engine flags open the Locks panel, and the Locks panel puts the trace's duration
// beside the model's. Expected values come from the trace files and the lesson text.
#include "ui_harness.h"

#include "app/gui/options.h"
#include "app/gui/panels/locks_model.h"
#include "app/gui/panels/panel_models.h"
#include "app/model/engine_settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

using uitest::Harness;

const std::string kScenarios = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/";
const std::string kData = std::string(SPANSCOPE_TEST_DATA);

std::string tempFile(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "-" + name)).string();
  std::ofstream(path) << text;
  return path;
}

// The classroom lesson before its GC: "The 48-byte span keeps objects 2 and 8 and gets slot 0
// back", then object 9 "reuses slot 0". The span at the arena's base is that class-5 span, so in
// address order its reachable objects are 9 (slot 0), 2 (slot 1), 8 (slot 2): the file's ids,
// not the engine's dense ones (8, 1, 7).
TEST(TruthTest, SpanInspectorListsTheTraceFilesObjectIds) {
  Harness h;
  gui::App app;
  ASSERT_TRUE(app.loadNow(kScenarios + "classroom.json")); // the app's own loading path (readAll)
  app.seek(app.session()->eventCount());
  h.frame(app);
  const sim::HeapView v = app.session()->world().view();
  const sim::SpanId span = v.spanAt(0xc000000000);
  ASSERT_NE(span, sim::kNoSpan);
  const gui::SpanInspectorModel m = gui::BuildSpanInspector(v, span, &app.session()->trace());
  ASSERT_EQ(m.objects.size(), 3u);
  EXPECT_EQ(m.objects[0].traceId, 9u);
  EXPECT_EQ(m.objects[1].traceId, 2u);
  EXPECT_EQ(m.objects[2].traceId, 8u);
  EXPECT_EQ(m.objects[0].slot, 0u);
  // The event log and the status line name the last allocation by the file's id too.
  app.seek(app.session()->eventCount() - 2); // after "alloc id 9" (then an annotation and readmemstats)
  h.frame(app);
  EXPECT_NE(app.statusLine().find("alloc id 9:"), std::string::npos) << app.statusLine();
}

// A free of an object the trace never allocated (file id 1 of 2 objects): the error names the
// file's id 1, not the engine's dense id.
TEST(TruthTest, ReplayErrorsNameTheFilesObjectId) {
  Harness h;
  gui::App app;
  const std::string path = tempFile("truth-double-alloc.json",
                                    R"({"format": "spanscope-trace", "version": 1, "events": [
      {"op": "alloc", "id": 7, "size": 16}, {"op": "alloc", "id": 1, "size": 16}, {"op": "alloc", "id": 1, "size": 32}]})");
  EXPECT_FALSE(app.loadNow(path));
  ASSERT_FALSE(app.errors().empty());
  EXPECT_NE(app.errors().front().find("id 1"), std::string::npos) << app.errors().front();
  EXPECT_EQ(app.errors().front().find("id 0"), std::string::npos) << app.errors().front();
  std::filesystem::remove(path);
}

TEST(TruthTest, StatusLineFollowsThePositionAfterABreakpointStop) {
  Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kScenarios + "classroom.json"));
  app.breakpoints().refill = true;
  h.frame(app);
  app.runToBreakpoint();
  h.frame(app);
  const uint64_t stop = app.session()->position();
  ASSERT_GT(stop, 0u);
  EXPECT_EQ(app.statusLine().rfind("Stopped at event #" + std::to_string(stop - 1), 0), 0u) << app.statusLine();
  app.step(3);
  h.frame(app);
  const uint64_t pos = app.session()->position();
  ASSERT_EQ(pos, stop + 3);
  EXPECT_EQ(app.statusLine().find("Stopped"), std::string::npos) << "a stale stop message: " << app.statusLine();
  EXPECT_EQ(app.statusLine().rfind("#" + std::to_string(pos - 1) + " ", 0), 0u) << app.statusLine();
  app.seek(stop); // back where it stopped: the reason holds again
  h.frame(app);
  EXPECT_NE(app.statusLine().find("Stopped at event"), std::string::npos);
}

// C allocator recordings have explicit frees: every importer of them suggests liveness immediate,
// and the app replays them so and says why.
TEST(TruthTest, CAllocatorTracesOpenWithImmediateLiveness) {
  for (const std::string file : {"/heaptrack/allocdemo.zst", "/mtrace/allocdemo.mtrace", "/ltrace/allocdemo_plt_o.txt"}) {
    Harness h;
    gui::App app;
    ASSERT_TRUE(app.loadNow(kData + file)) << file << ": " << (app.errors().empty() ? "" : app.errors().front());
    EXPECT_EQ(app.session()->trace().meta.config.liveness, sim::Liveness::Immediate) << file;
    EXPECT_EQ(app.session()->world().config().liveness, sim::Liveness::Immediate) << file;
    EXPECT_STREQ(model::livenessSource(app.session()->trace().meta, app.engine(), sim::Liveness::Immediate), "the trace's");
    h.frame(app);
  }
  // A Go scenario keeps Go's semantics; the user's setting wins over the trace's.
  gui::App app;
  ASSERT_TRUE(app.loadNow(kScenarios + "classroom.json"));
  EXPECT_EQ(app.session()->world().config().liveness, sim::Liveness::GC);
  model::EngineSettings e;
  e.liveness = sim::Liveness::Immediate;
  app.reconfigure(e);
  app.waitForLoad();
  EXPECT_EQ(app.session()->world().config().liveness, sim::Liveness::Immediate);
  EXPECT_STREQ(model::livenessSource(app.session()->trace().meta, app.engine(), sim::Liveness::Immediate), "your setting");
}

TEST(TruthTest, LivenessFlagParsesAsTheCliDoes) {
  const char* ok[] = {"spanscope", "--liveness", "immediate"};
  std::string err;
  auto o = gui::parseOptions(3, ok, &err);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->engine.liveness, sim::Liveness::Immediate);
  const char* bad[] = {"spanscope", "--liveness", "sometimes"};
  EXPECT_FALSE(gui::parseOptions(3, bad, &err));
  EXPECT_NE(err.find("gc or immediate"), std::string::npos) << err;
}

TEST(TruthTest, ProcsAndLocksFlagsOpenTheLocksPanel) {
  const size_t locks = gui::panelIndex("locks");
  for (std::vector<const char*> args : {std::vector<const char*>{"spanscope", "--procs", "8", "--locks", "mutex"},
                                        std::vector<const char*>{"spanscope", "--locks", "lockfree"},
                                        std::vector<const char*>{"spanscope", "--procs", "4"}}) {
    std::string err;
    auto o = gui::parseOptions(static_cast<int>(args.size()), args.data(), &err);
    ASSERT_TRUE(o) << err;
    gui::Settings s;
    ASSERT_FALSE(s.panelOpen[locks]) << "closed by default";
    gui::applyOptions(*o, s);
    EXPECT_TRUE(s.panelOpen[locks]) << args[1];
  }
  // --panels is the user's explicit list: it wins.
  const char* listed[] = {"spanscope", "--procs", "8", "--panels", "heapmap"};
  std::string err;
  auto o = gui::parseOptions(5, listed, &err);
  ASSERT_TRUE(o);
  gui::Settings s;
  gui::applyOptions(*o, s);
  EXPECT_FALSE(s.panelOpen[locks]);
  EXPECT_TRUE(s.panelOpen[gui::panelIndex("heapmap")]);
}

// Two threads on two Ps: thread 1's events span 1 µs of trace time, thread 2's 10 µs. A model that
// needs 5 µs of work for P0 stretched thread 1 (5 > 1.25 × 1); 6 µs on P1 did not (6 < 10).
TEST(TruthTest, LocksPanelComparesTraceAndModelledDuration) {
  std::vector<sim::Event> ev;
  auto at = [](sim::Event e, uint64_t t) { return e.time = t, e; };
  ev.push_back(at(sim::allocEvent(0, 16, true, 1), 1000));
  ev.push_back(at(sim::allocEvent(1, 16, true, 2), 1000));
  ev.push_back(at(sim::allocEvent(2, 16, true, 1), 2000));
  ev.push_back(at(sim::allocEvent(3, 16, true, 2), 11000));
  sim::TimingFigures f;
  f.procs = 2;
  f.makespan = 12000;
  f.executors.push_back({.who = 0, .busy = 4000, .waiting = 1000});
  f.executors.push_back({.who = 1, .busy = 6000});
  const gui::TraceVsModel t = gui::CompareTraceTime([&](uint64_t i) { return ev[i]; }, ev.size(), f);
  ASSERT_TRUE(t.traceTimed);
  EXPECT_EQ(t.traceNs, 10000u);
  EXPECT_EQ(t.modelNs, 12000u);
  ASSERT_EQ(t.stretched.size(), 1u);
  EXPECT_EQ(t.stretched[0].p, 0u);
  EXPECT_EQ(t.stretched[0].traceNs, 1000u);
  EXPECT_EQ(t.stretched[0].modelNs, 5000u);
  // Up to the second event only: no time span yet on either P, nothing stretched beyond it.
  const gui::TraceVsModel early = gui::CompareTraceTime([&](uint64_t i) { return ev[i]; }, 2, f);
  EXPECT_EQ(early.traceNs, 0u);
}

} // namespace
