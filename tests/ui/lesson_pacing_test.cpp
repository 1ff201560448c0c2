// Lessons that pace themselves (issue 15 item 4): a scenario plays slowly and playback stops at
// the end of each lesson step, before the next annotation. Positions come from the classroom
// file: annotations at events 3 and 5 frame "alloc id 2" (event 4), and annotations at 19 and 22
// frame the two frees 20 and 21.
#include "ui_harness.h"

#include <gtest/gtest.h>

namespace {

const std::string kClassroom = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json";

TEST(LessonPacingTest, PlaybackStopsBeforeTheNextAnnotation) {
  uitest::Harness h;
  gui::App app;
  app.setSession(uitest::openFile(kClassroom));
  EXPECT_EQ(app.transport().speed, gui::kLessonSpeed) << "scenarios start slow";
  EXPECT_LE(gui::kLessonSpeed, 2.0);
  app.transport().speed = 0; // as fast as possible: only the lesson may stop it
  app.seek(3);
  h.frame(app);
  app.togglePlay();
  h.frames(app, 3);
  EXPECT_FALSE(app.transport().playing);
  EXPECT_EQ(app.session()->position(), 5u) << "annotation 3 and alloc id 2 applied, annotation 5 not yet";
  EXPECT_NE(app.statusLine().find("End of this lesson step"), std::string::npos) << app.statusLine();
  app.seek(19);
  h.frame(app);
  app.togglePlay();
  h.frames(app, 3);
  EXPECT_EQ(app.session()->position(), 22u) << "both frees of the step, then stop";
  // Without pacing it plays through.
  app.transport().paceLessons = false;
  app.togglePlay();
  h.frames(app, 3);
  EXPECT_EQ(app.session()->position(), app.session()->eventCount());
}

TEST(LessonPacingTest, TracesWithoutLessonsKeepTheUsersSpeed) {
  uitest::Harness h;
  gui::Settings s;
  s.speed = 500;
  gui::App app(s);
  traces::Trace t;
  for (uint64_t i = 0; i < 10; ++i) t.events.push_back(sim::allocEvent(i, 32));
  app.setSession(uitest::openTrace(t));
  EXPECT_EQ(app.transport().speed, 500.0);
  EXPECT_FALSE(app.transport().paceLessons);
  app.setSession(uitest::openFile(kClassroom));
  EXPECT_EQ(app.transport().speed, gui::kLessonSpeed);
  app.setSession(uitest::openTrace(t));
  EXPECT_EQ(app.transport().speed, 500.0) << "back to the user's speed after a scenario";
}

} // namespace
