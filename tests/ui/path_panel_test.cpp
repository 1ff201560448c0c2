// The Path panel's model (panels/path_model.h): the stops of an event's path in Go's call order,
// each in the box of the allocator level that ran it, ending where the object landed. Expected
// paths come from the classroom lesson's text (itself from Go 1.19's malloc.go, mcache.go,
// mcentral.go and mheap.go), not from the panel.
#include "ui_harness.h"

#include "app/gui/panels/path_model.h"

#include <gtest/gtest.h>

namespace {

using gui::PathBox;

const std::string kClassroom = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json";

std::vector<PathBox> Boxes(const gui::PathModel& m) {
  std::vector<PathBox> out;
  for (const gui::PathStop& s : m.stops) out.push_back(s.box);
  return out;
}

// Event #2, the first allocation: "mallocgc calls mcache.refill, mcentral has no span either, so
// mcentral.grow asks mheap for a 1-page span ... mheap.grow reserves a 64 MiB arena".
TEST(PathPanelTest, FirstAllocationGoesAllTheWayToTheOS) {
  auto s = uitest::openFile(kClassroom);
  s->seek(3);
  const gui::PathModel m = gui::BuildPath(s->lastRecord(), s->objectId(s->lastRecord()->id));
  ASSERT_TRUE(m.valid);
  EXPECT_EQ(m.headline.rfind("alloc id 1: 48 B", 0), 0u) << m.headline;
  const std::vector<PathBox> b = Boxes(m);
  ASSERT_GE(b.size(), 5u);
  EXPECT_EQ(b.front(), PathBox::MCache) << "refill starts in the mcache";
  EXPECT_NE(std::find(b.begin(), b.end(), PathBox::MCentral), b.end());
  EXPECT_NE(std::find(b.begin(), b.end(), PathBox::Arenas), b.end()) << "a new arena";
  EXPECT_NE(std::find(b.begin(), b.end(), PathBox::OS), b.end()) << "mheap.grow maps from the OS";
  EXPECT_EQ(b.back(), PathBox::Span);
  EXPECT_NE(m.stops.back().what.find("slot 0"), std::string::npos) << m.stops.back().what;
  // Call order: mcentral before mheap, mheap before the OS.
  const auto at = [&](PathBox x) { return std::find(b.begin(), b.end(), x) - b.begin(); };
  EXPECT_LT(at(PathBox::MCentral), at(PathBox::Arenas));
  EXPECT_LT(at(PathBox::Arenas), at(PathBox::OS));
  bool growNamed = false;
  for (const gui::PathStop& st : m.stops) growNamed = growNamed || st.functions.find("runtime.(*mcentral).grow") != std::string::npos;
  EXPECT_TRUE(growNamed);
}

// Event #4, the second 48-byte object: "nextFreeFast finds the next free slot ... no lock, no
// search. The object lands 48 bytes after the first one": an mcache hit, then slot 1.
TEST(PathPanelTest, McacheHitStopsInTheMcache) {
  auto s = uitest::openFile(kClassroom);
  s->seek(5);
  const gui::PathModel m = gui::BuildPath(s->lastRecord(), s->objectId(s->lastRecord()->id));
  ASSERT_TRUE(m.valid);
  EXPECT_EQ(Boxes(m), (std::vector<PathBox>{PathBox::MCache, PathBox::Span}));
  EXPECT_EQ(m.stops[0].functions, "runtime.nextFreeFast");
  EXPECT_EQ(m.slot, 1u);
  EXPECT_EQ(m.addr, 0xc000000030u) << "48 bytes after the first object";
}

// The tiny allocator's second object: "3 more bytes ... at offset 5 of the same block".
TEST(PathPanelTest, TinyHitLandsAtItsOffset) {
  auto s = uitest::openFile(kClassroom);
  s->seek(13); // event #12: alloc id 6, 3 bytes
  const gui::PathModel m = gui::BuildPath(s->lastRecord(), s->objectId(s->lastRecord()->id));
  ASSERT_TRUE(m.valid);
  EXPECT_TRUE(m.tiny);
  EXPECT_EQ(m.stops.front().box, PathBox::Tiny);
  EXPECT_EQ(m.tinyOffset, 5u);
  EXPECT_NE(m.stops.back().what.find("offset 5"), std::string::npos) << m.stops.back().what;
}

TEST(PathPanelTest, StopsLightOneByOneWhenAnimated) {
  EXPECT_EQ(gui::LitStops(4, 0.0, 0.2), 1u) << "the first stop at once";
  EXPECT_EQ(gui::LitStops(4, 0.41, 0.2), 3u);
  EXPECT_EQ(gui::LitStops(4, 5.0, 0.2), 4u);
  EXPECT_EQ(gui::LitStops(4, 0.0, 0.0), 4u) << "no animation: every stop";
  EXPECT_EQ(gui::LitStops(0, 1.0, 0.2), 0u);
}

} // namespace

namespace {

// Follow mode (on for scenarios with lessons): each step selects the span the event touched and
// the object's address (the inspector's highlighted slot); off for traces without lessons.
TEST(FollowModeTest, InspectorFollowsTheCurrentEventInScenarios) {
  uitest::Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  EXPECT_TRUE(app.selection().follow);
  h.frame(app);
  app.seek(5); // after event #4: alloc id 2, slot 1 of the first span
  h.frame(app);
  h.frame(app);
  const sim::StepRecord* r = app.session()->lastRecord();
  ASSERT_NE(r, nullptr);
  const sim::SpanId first = r->span; // r is the world's last record: it changes with the position
  EXPECT_EQ(app.selection().span, first);
  EXPECT_EQ(app.selection().address, 0xc000000030u);
  app.step(1); // an annotation: the selection stays
  app.step(1); // event #6: alloc id 3, 100 B, a class-9 span of its own
  h.frame(app);
  h.frame(app);
  EXPECT_EQ(app.selection().span, app.session()->lastRecord()->span);
  EXPECT_NE(app.selection().span, first);

  // A seek that lands on a lesson (no object touched) shows the span of the allocation before it.
  app.seek(6); // after event #5, the annotation after alloc id 2
  h.frame(app);
  EXPECT_EQ(app.session()->lastRecord()->kind, sim::EventKind::Annotate);
  app.seek(0);
  h.frame(app);
  app.seek(6);
  h.frame(app);
  EXPECT_EQ(app.selection().span, first) << "alloc id 2's span, not nothing";
  EXPECT_EQ(app.selection().address, 0xc000000030u);

  traces::Trace plain;
  plain.events.push_back(sim::allocEvent(0, 48));
  app.setSession(uitest::openTrace(plain));
  EXPECT_FALSE(app.selection().follow) << "no lessons: the user picks spans";
}

} // namespace
