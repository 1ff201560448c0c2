// The desktop app's command line (app/gui/options.h): flags from the README, bad usage refused.
#include "app/gui/options.h"

#include <gtest/gtest.h>

namespace {

std::optional<gui::Options> parse(std::vector<const char*> args, std::string* err = nullptr) {
  args.insert(args.begin(), "spanscope");
  std::string e;
  auto o = gui::parseOptions(static_cast<int>(args.size()), args.data(), err ? err : &e);
  return o;
}

TEST(OptionsTest, HeadlessScreenshotFlags) {
  auto o = parse({"--screenshot", "out.png", "--trace", "t.json", "--at", "42", "--panels", "heapmap,eventlog", "--size", "800x600"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->screenshot, "out.png");
  EXPECT_EQ(o->trace, "t.json");
  EXPECT_EQ(o->at, 42u);
  EXPECT_EQ(o->panels, (std::vector<std::string>{"heapmap", "eventlog"}));
  EXPECT_EQ(o->width, 800);
  EXPECT_EQ(o->height, 600);
}

TEST(OptionsTest, PositionalTraceAndBenchFlags) {
  auto o = parse({"big.bin", "--bench-frames", "300", "--play", "max"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->trace, "big.bin");
  EXPECT_EQ(o->benchFrames, 300u);
  ASSERT_TRUE(o->play);
  EXPECT_EQ(*o->play, 0.0) << "max = as fast as possible";
  auto p = parse({"--play", "1000000"});
  ASSERT_TRUE(p);
  EXPECT_EQ(*p->play, 1e6);
}

TEST(OptionsTest, EngineFlags) {
  auto o = parse({"t.json", "--procs", "8", "--locks", "mutex"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->engine.procs, 8u);
  EXPECT_EQ(o->engine.timing, true);
  EXPECT_EQ(o->engine.locks, sim::CentralMode::Mutex);
  auto l = parse({"--locks", "lockfree", "--procs", "1024"});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->engine.timing, true);
  EXPECT_EQ(l->engine.locks, sim::CentralMode::LockFree) << "lockfree: timing on, mcentral lock-free";
  EXPECT_EQ(l->engine.procs, 1024u) << "the CLI's --procs range is 1..1024";
  auto none = parse({"t.json"});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->engine.procs);
  EXPECT_FALSE(none->engine.timing) << "timing stays as the trace says unless asked";
  EXPECT_FALSE(none->engine.locks);
  EXPECT_FALSE(none->engine.goVersion);
  auto g = parse({"t.json", "--go", "1.26"});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->engine.goVersion, sim::GoVersion::Go126);
  std::string err;
  EXPECT_FALSE(parse({"t.json", "--go", "1.7"}, &err));
  EXPECT_NE(err.find("--go: expected 1.19 or 1.26"), std::string::npos) << err;
}

TEST(OptionsTest, CompareTablesAndPanel) {
  auto o = parse({"--compare", "go1.19,tcmalloc,my table.json", "--panels", "compare"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->compare, (std::vector<std::string>{"go1.19", "tcmalloc", "my table.json"}));
  EXPECT_EQ(o->panels, (std::vector<std::string>{"compare"}));
  auto none = parse({"t.json"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->compare.empty()) << "no comparison unless asked";
}

TEST(OptionsTest, BadUsageIsRefusedWithAReason) {
  const std::vector<std::vector<const char*>> bad = {
      {"--at"}, {"--at", "x"}, {"--size", "800"}, {"--size", "10x10"}, {"--panels", "heapmap,nope"},
      {"--bench-frames", "0"}, {"--play", "-5"}, {"--frobnicate"}, {"a.json", "b.json"},
      {"--heapmap-geometry", "g.json"},
      {"--compare"}, {"--compare", "go1.19,,pow2"}, {"--compare", ","},
      {"--procs", "0"}, {"--procs", "1025"}, {"--procs", "x"}, {"--procs"}, {"--locks", "spin"}, {"--locks"},
  };
  for (const auto& args : bad) {
    std::string err;
    EXPECT_FALSE(parse(args, &err)) << args[0];
    EXPECT_EQ(err.rfind("spanscope: ", 0), 0u) << err;
  }
}

} // namespace
