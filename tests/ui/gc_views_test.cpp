// The GC views: the heap map's unswept and stack colours, the pacer series of the stats plot, the
// "GC phase" text table, and the transport's "Step to end of this sweep". The trace is built here:
// 1 KiB objects, every other one freed, under GOGC=100 with lazy sweeping, so the pacer starts
// several cycles and each leaves hundreds of spans to sweep.
#include "ui_harness.h"
#include "app/model/gc_phase.h"
#include "app/gui/panels/heap_map.h"
#include "app/gui/panels/panel_models.h"
#include "sim/heapview.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

namespace {

constexpr uint64_t kObject = 1024; // size class 1024 B: exact, 8 slots per 8 KiB span
constexpr uint64_t kObjects = 12000;

traces::Trace lazySweepTrace(sim::SweepMode mode = sim::SweepMode::Lazy) {
  traces::Trace t;
  t.meta.name = "lazy sweep";
  t.meta.config.liveness = sim::Liveness::GC;
  t.meta.config.gogc = 100;
  t.meta.config.sweep = mode;
  for (uint64_t i = 0; i < kObjects; ++i) {
    t.events.push_back(sim::allocEvent(i, kObject));
    if (i % 2 == 1) t.events.push_back(sim::freeEvent(i - 1));
  }
  return t;
}

sim::Config lazyConfig() {
  sim::Config cfg;
  traces::applyTraceConfig(lazySweepTrace().meta, cfg);
  return cfg;
}

// Independently of the Session: a plain World stepped one event at a time to just after the first
// GC cycle. Returns that position.
uint64_t firstGcPosition(sim::World& w, const traces::Trace& t) {
  for (uint64_t i = 0; i < t.events.size(); ++i) {
    EXPECT_TRUE(w.step(t.events[i]));
    if (w.last().has(sim::PathStep::GCCycle)) return i + 1;
  }
  ADD_FAILURE() << "no GC cycle in the trace";
  return 0;
}

TEST(GcViews, UnsweptSpanGetsTheUnsweptColourAndASweepgenTooltip) {
  const traces::Trace t = lazySweepTrace();
  sim::World w(lazyConfig());
  const uint64_t pos = firstGcPosition(w, t);
  // One event later the allocation (or the background sweeper) has swept some span.
  sim::World later = w;
  ASSERT_TRUE(later.step(t.events[pos]));
  const sim::HeapView v = w.view(), lv = later.view();
  // Go: mheap.sweepgen starts at 0 and mark termination adds 2 per cycle.
  ASSERT_EQ(v.sweepgen(), 2 * w.memStats().NumGC);
  sim::SpanId stale = sim::kNoSpan, fresh = sim::kNoSpan;
  for (sim::SpanId s = 0; s < v.spanCount(); ++s) // mgcsweep.go: sweepgen sg-2 = needs sweeping
    if (v.span(s).state == sim::SpanState::InUse && v.span(s).sweepgen + 2 == v.sweepgen()) {
      stale = s;
      break;
    }
  for (sim::SpanId s = 0; s < lv.spanCount(); ++s) // sg = swept
    if (lv.span(s).state == sim::SpanState::InUse && lv.span(s).sweepgen == lv.sweepgen()) {
      fresh = s;
      break;
    }
  ASSERT_NE(stale, sim::kNoSpan) << "lazy sweep leaves spans unswept after the cycle";
  ASSERT_NE(fresh, sim::kNoSpan) << "the event's own allocation swept (or took a new) span";

  const uint64_t stalePage = (v.span(stale).base() - v.heapBase()) / sim::kPageSize;
  const gui::PageInfo si = gui::ClassifyPage(v, stalePage);
  EXPECT_TRUE(si.unswept);
  EXPECT_EQ(si.span, stale);
  gui::PageInfo swept = si;
  swept.unswept = false;
  EXPECT_EQ(gui::PageColour(si, 68), gui::UnsweptColour(gui::PageColour(swept, 68)));
  EXPECT_NE(gui::PageColour(si, 68), gui::PageColour(swept, 68));
  const std::string want = "Span " + std::to_string(stale) + ": unswept — sweepgen " + std::to_string(v.sweepgen() - 2) +
                           ", mheap.sweepgen " + std::to_string(v.sweepgen());
  EXPECT_EQ(gui::SweepStateLine(v, stale), want);

  const gui::PageInfo fi = gui::ClassifyPage(lv, (lv.span(fresh).base() - lv.heapBase()) / sim::kPageSize);
  EXPECT_FALSE(fi.unswept);
  EXPECT_NE(gui::SweepStateLine(lv, fresh).find("swept this cycle"), std::string::npos);
}

TEST(GcViews, HeapMapTextureShowsTheUnsweptSpan) {
  uitest::Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = i == gui::panelIndex("heapmap");
  app.setSession(uitest::openTrace(lazySweepTrace()));
  sim::World w(lazyConfig());
  const uint64_t pos = firstGcPosition(w, lazySweepTrace());
  app.seek(pos);
  h.frames(app, 3);
  ASSERT_EQ(app.session()->position(), pos);
  const sim::HeapView v = app.session()->world().view();
  const gui::HeapMapGeometry g = app.heapMapGeometry();
  ASSERT_EQ(h.textures.textures.size(), 1u);
  const auto& tex = h.textures.textures.begin()->second;
  ASSERT_EQ(static_cast<uint32_t>(tex.w), g.cols) << "one texel per page at this heap size";
  uint64_t checked = 0;
  for (uint64_t page = 0; page < v.mappedPages(); ++page) {
    const sim::SpanId s = v.spanAt(v.heapBase() + page * sim::kPageSize);
    if (s == sim::kNoSpan || v.span(s).state != sim::SpanState::InUse || v.span(s).sweepgen + 2 != v.sweepgen()) continue;
    gui::PageInfo p;
    p.state = v.span(s).home == sim::SpanHome::MCache ? gui::PageState::Cached : gui::PageState::InUse;
    p.spanclass = v.span(s).spanclass;
    p.unswept = true;
    ASSERT_EQ(tex.pixels[page / g.cols * static_cast<uint64_t>(tex.w) + page % g.cols], gui::PageColour(p, v.table().numClasses()))
        << "page " << page;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

TEST(GcViews, StatsSeriesIncludeTheHeapGoalAndTrigger) {
  const traces::Trace t = lazySweepTrace();
  auto s = uitest::openTrace(t);
  ASSERT_FALSE(s->gcEvents().empty());
  const uint64_t g = s->gcEvents()[0];
  // Objects live after event g, counted from the trace itself: each 1 KiB slot is marked.
  uint64_t live = 0;
  for (uint64_t i = 0; i <= g; ++i) {
    if (t.events[i].kind == sim::EventKind::Alloc) ++live;
    else --live;
  }
  const uint64_t marked = live * kObject;
  // Go 1.19 gcControllerState.commit: goal = marked + marked * GOGC/100 (no stacks or globals
  // here), and never below heapMinimum = 4 MiB * GOGC/100.
  const uint64_t goal = std::max<uint64_t>(marked * 2, uint64_t{4} << 20);
  const auto& samples = s->stats();
  const int64_t k = gui::SampleAt(samples, g + 1);
  ASSERT_GE(k, 0);
  ASSERT_EQ(samples[static_cast<size_t>(k)].event, g + 1) << "the session samples right after each GC";
  EXPECT_EQ(gui::StatValue(samples[static_cast<size_t>(k)], gui::StatSeries::NextGC), goal);
  const uint64_t trigger = gui::StatValue(samples[static_cast<size_t>(k)], gui::StatSeries::GCTrigger);
  EXPECT_GT(trigger, marked);
  EXPECT_LT(trigger, goal);
  EXPECT_EQ(gui::StatValue(samples[static_cast<size_t>(k)], gui::StatSeries::StackInuse), 0u) << "no goroutines in this trace";
  EXPECT_STREQ(gui::StatSeriesName(gui::StatSeries::NextGC), "NextGC (goal)");
  // The plot's downsampled columns carry the goal from the GC on.
  const auto cols = gui::DownsampleSeries(samples, gui::StatSeries::NextGC, g + 1, g + 1, 1);
  ASSERT_TRUE(cols[0].any);
  EXPECT_EQ(cols[0].first, goal);
}

TEST(GcViews, StepToEndOfSweepLandsWhereTheSweepEnds) {
  const traces::Trace t = lazySweepTrace();
  // Independent reference: a plain World, one event at a time, from the first GC to the first
  // position where no span is left unswept.
  sim::World w(lazyConfig());
  const uint64_t start = firstGcPosition(w, t);
  ASSERT_TRUE(w.view().sweepInProgress());
  uint64_t expect = start;
  while (w.view().sweepInProgress()) {
    ASSERT_LT(expect, t.events.size());
    ASSERT_TRUE(w.step(t.events[expect]));
    ++expect;
    ASSERT_FALSE(w.last().has(sim::PathStep::GCCycle)) << "this trace finishes each sweep before the next GC";
  }
  ASSERT_GT(expect, start + 1) << "the sweep takes more than one event";

  uitest::Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = i == gui::panelIndex("lesson") || i == gui::panelIndex("stats");
  app.setSession(uitest::openTrace(t));
  app.seek(start);
  h.frames(app, 2);
  ASSERT_TRUE(app.session()->world().view().sweepInProgress());
  h.press(app, 'S');
  h.frames(app, 1);
  EXPECT_EQ(app.session()->position(), expect);
  EXPECT_FALSE(app.session()->world().view().sweepInProgress());
  EXPECT_NE(app.transport().status.find("Sweep done"), std::string::npos) << app.transport().status;

  // With no sweep in progress it stays put and says why.
  app.runToSweepEnd();
  h.frames(app, 1);
  EXPECT_EQ(app.session()->position(), expect);
  EXPECT_NE(app.transport().status.find("No sweep in progress"), std::string::npos) << app.transport().status;
}

TEST(GcViews, EagerSweepHasNoSweepToStepThrough) {
  auto s = uitest::openTrace(lazySweepTrace(sim::SweepMode::Eager));
  ASSERT_FALSE(s->gcEvents().empty());
  s->seek(s->gcEvents()[0] + 1);
  const model::SweepEnd end = model::findSweepEnd(*s);
  EXPECT_FALSE(end.inProgress);
  EXPECT_EQ(end.position, s->position());
}

TEST(GcViews, EveryGcStepHasALessonNoteAndNoOtherStepDoes) {
  using sim::PathStep;
  // The GC, sweep, scavenger and stack steps of sim/step_record.h, listed by hand from its comments.
  const PathStep gcSteps[] = {PathStep::BackgroundSweep, PathStep::ProportionalSweep, PathStep::CacheSpanPartialUnswept,
                              PathStep::CacheSpanFullUnswept, PathStep::Reclaim, PathStep::GCTrigger, PathStep::GCCycle,
                              PathStep::Sweep, PathStep::FreeOSMemory, PathStep::Scavenge, PathStep::SysUsed,
                              PathStep::GFreeReuse, PathStep::StackAlloc, PathStep::StackFree, PathStep::AllocBlack,
                              PathStep::MarkAssist, PathStep::MarkDone};
  for (unsigned i = 0; i < static_cast<unsigned>(PathStep::Count); ++i) {
    const auto step = static_cast<PathStep>(i);
    const bool isGc = std::find(std::begin(gcSteps), std::end(gcSteps), step) != std::end(gcSteps);
    const model::GcPhaseNote* n = model::gcPhaseNote(step);
    EXPECT_EQ(n != nullptr, isGc) << sim::pathStepName(step);
    if (!n) continue;
    EXPECT_EQ(n->step, step);
    EXPECT_GT(std::string(n->title).size(), 3u) << sim::pathStepName(step);
    EXPECT_GT(std::string(n->text).size(), 60u) << sim::pathStepName(step);
  }
  // Notes come in call order, one per step taken.
  sim::StepRecord r;
  r.add(PathStep::Sweep);
  r.add(PathStep::BackgroundSweep);
  r.add(PathStep::NextFreeFast);
  const auto notes = model::gcPhaseNotes(r);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]->step, PathStep::BackgroundSweep);
  EXPECT_EQ(notes[1]->step, PathStep::Sweep);
}

TEST(GcViews, SessionKeepsPathStepsAbove32) {
  // Stack steps are bits 32+ of the path: the first pass must keep all 64 bits for the event log
  // and breakpoints. A goroutine start allocates its 2 KiB stack (stackalloc).
  traces::Trace t;
  t.events.push_back(sim::goStartEvent(1));
  auto s = uitest::openTrace(t);
  ASSERT_GE(static_cast<unsigned>(sim::PathStep::StackAlloc), 32u);
  EXPECT_TRUE((s->info(0).pathMask >> static_cast<unsigned>(sim::PathStep::StackAlloc)) & 1);
}

} // namespace

// The stats plot's mark bands: Session::markWindows against a plain World stepped one event at a
// time — the state after `from` events is the first marking one, after `to` the first that is not.
TEST(GcViews, MarkWindowsAreWhereTheEngineMarks) {
  // 40 000 pointerful 1 KiB objects, every other one freed: the live heap grows to ~20 MiB, so
  // GOGC=100 starts a cycle at the 4 MiB minimum goal and at least one more at twice what that
  // one marked (at most ~5 MiB); each mark has heap to scan.
  traces::Trace t = lazySweepTrace();
  t.events.clear();
  for (uint64_t i = 0; i < 40000; ++i) {
    t.events.push_back(sim::allocEvent(i, kObject, /*noscan=*/false));
    if (i % 2 == 1) t.events.push_back(sim::freeEvent(i - 1));
  }
  auto s = model::Session::open(t, "lazy.json", lazyConfig());
  ASSERT_NE(s, nullptr);
  sim::World w(lazyConfig());
  std::vector<model::Session::MarkWindow> expected;
  bool was = false;
  for (uint64_t i = 0; i < t.events.size(); ++i) {
    ASSERT_TRUE(w.step(t.events[i]));
    const bool marking = w.view().pacer().marking;
    if (marking && !was) expected.push_back({i + 1, t.events.size()});
    if (!marking && was) expected.back().to = i + 1;
    was = marking;
  }
  ASSERT_GE(expected.size(), 2u) << "two goals on the way to 20 MiB";
  ASSERT_EQ(s->markWindows().size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(s->markWindows()[k].from, expected[k].from) << k;
    EXPECT_EQ(s->markWindows()[k].to, expected[k].to) << k;
    EXPECT_LT(expected[k].from, expected[k].to) << "a window spans events";
  }
  // Each window opens with the event that started a cycle.
  for (const model::Session::MarkWindow& m : s->markWindows())
    EXPECT_TRUE(std::binary_search(s->gcEvents().begin(), s->gcEvents().end(), m.from - 1)) << m.from;
}
