// The bundled scenario assets/scenarios/gc_mark_window.json: each lesson step's text says what the
// engine does at that step (allocate-black, the deletion barrier, assists, mark termination); this
// replays it and checks every claim against the engine's state, so the lesson cannot drift from
// what the engine does.
#include "sim/malloc.h"
#include "traces/json_trace.h"
#include "traces/trace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Step {
  std::vector<sim::StepRecord> records; // the events after annotation k, up to the next one
  sim::MemStats after;
  bool markingAfter = false;
};

std::vector<Step> replayLessons() {
  std::string err;
  auto trace = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/gc_mark_window.json", &err);
  EXPECT_TRUE(trace.has_value()) << err;
  if (!trace) return {};
  sim::Config cfg;
  traces::applyTraceConfig(trace->meta, cfg);
  sim::World w(cfg);
  std::vector<Step> steps;
  for (const sim::Event& ev : trace->events) {
    EXPECT_TRUE(w.step(ev, &err)) << err;
    if (ev.kind == sim::EventKind::Annotate) {
      steps.emplace_back();
      continue;
    }
    if (steps.empty()) continue;
    steps.back().records.push_back(w.last());
    steps.back().after = w.memStats();
    steps.back().markingAfter = w.pacer().marking;
  }
  return steps;
}

bool any(const Step& s, sim::PathStep p) {
  for (const sim::StepRecord& r : s.records)
    if (r.has(p)) return true;
  return false;
}

TEST(GcMarkWindowScenario, EachLessonShowsWhatItsTextSays) {
  const std::vector<Step> s = replayLessons();
  ASSERT_EQ(s.size(), 7u);
  // 0, 1: no cycle yet.
  EXPECT_EQ(s[1].after.NumGC, 0u);
  EXPECT_FALSE(s[1].markingAfter);
  // 2: object 5 crosses the trigger; the mark starts and does not finish in that event.
  EXPECT_TRUE(any(s[2], sim::PathStep::GCTrigger));
  EXPECT_TRUE(s[2].markingAfter) << "the mark is a window, not an instant";
  EXPECT_EQ(s[2].after.NumGC, 0u);
  // 3: a free during the mark: the mark goes on.
  EXPECT_TRUE(s[3].markingAfter);
  // 4, 5: allocated black, after an assist; still marking.
  for (int k : {4, 5}) {
    EXPECT_TRUE(any(s[k], sim::PathStep::AllocBlack)) << k;
    EXPECT_TRUE(any(s[k], sim::PathStep::MarkAssist)) << k;
    EXPECT_TRUE(s[k].markingAfter) << k;
  }
  // 6: the assist finishes the mark before the allocation (not black); the sweep frees object 2's
  // span, object 3 (freed during the mark) stays allocated: HeapAlloc = objects 1, 3..8.
  EXPECT_TRUE(any(s[6], sim::PathStep::MarkAssist));
  EXPECT_TRUE(any(s[6], sim::PathStep::MarkDone));
  EXPECT_FALSE(any(s[6], sim::PathStep::AllocBlack));
  EXPECT_FALSE(s[6].markingAfter);
  EXPECT_EQ(s[6].after.NumGC, 1u);
  EXPECT_TRUE(any(s[6], sim::PathStep::FreeSpan));
  EXPECT_EQ(s[6].after.HeapAlloc, uint64_t{256 << 10} + 3 * uint64_t{1 << 20} + 3 * uint64_t{64 << 10});
}

} // namespace
