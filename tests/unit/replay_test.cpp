// sim::Replay, the one cursor: wherever it is moved (forwards, back, from checkpoints), its World
// is the World of a fresh replay straight to that position, bit for bit; observers see each event
// once, in order; runUntil stops just after the event the condition names; checkpoints stay within
// their budget. The reference is always an independent World stepped by hand.
#include "sim/replay.h"
#include "traces/event_stream.h"
#include "traces/replay_source.h"
#include "world_fingerprint.h"

#include <gtest/gtest.h>

namespace {

using namespace sim;
using spanscope_test::fingerprint;
using spanscope_test::mixedTrace;

Config twoPs() {
  Config cfg;
  cfg.gomaxprocs = 2;
  return cfg;
}

std::string straightTo(const std::vector<Event>& evs, uint64_t target, const Config& cfg) {
  World w(cfg);
  for (uint64_t i = 0; i < target; ++i) EXPECT_TRUE(w.step(evs[i]));
  return fingerprint(w);
}

// Records what it is told.
struct Recorder : ReplayObserver {
  std::vector<uint64_t> steps, restores, checkpoints;
  std::vector<Event> events;
  void onStep(const World& w, const Event& ev, const StepRecord& r) override {
    EXPECT_EQ(&r, &w.last());
    EXPECT_EQ(r.index + 1, w.eventsApplied()) << "told after the event ran";
    steps.push_back(r.index);
    events.push_back(ev);
  }
  void onCheckpoint(uint64_t p) override { checkpoints.push_back(p); }
  void onRestore(uint64_t p) override { restores.push_back(p); }
};

TEST(Replay, SeekAndStepEqualAFreshReplay) {
  const std::vector<Event> evs = mixedTrace(20000, 11);
  MemorySource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{1000, size_t{1} << 30});
  ASSERT_EQ(r.runTo(evs.size()), ReplayStop::Target);
  // Back, forwards within an interval, across checkpoints, to both ends, one event at a time.
  for (uint64_t target : {12345ull, 0ull, 1ull, 999ull, 1000ull, 1001ull, 19999ull, 5000ull, 20000ull, 7777ull}) {
    ASSERT_TRUE(r.seek(target));
    ASSERT_EQ(r.position(), target);
    EXPECT_EQ(fingerprint(r.world()), straightTo(evs, target, twoPs())) << "seek " << target;
  }
  ASSERT_TRUE(r.step(-1));
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 7776, twoPs())) << "one back";
  ASSERT_TRUE(r.step(+25));
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 7801, twoPs())) << "25 on";
}

// Hands out one event per call and counts the calls: each call is one event the replay runs.
class CountingSource final : public EventSource {
 public:
  explicit CountingSource(const std::vector<Event>& evs) : evs_(evs) {}
  const Event* events(uint64_t first, size_t* n) override {
    *n = first < evs_.size() ? 1 : 0;
    if (*n == 0) return nullptr;
    ++fetched;
    return &evs_[first];
  }
  bool seekable() const override { return true; }
  uint64_t fetched = 0;

 private:
  const std::vector<Event>& evs_;
};

// A long seek keeps copies nearTarget and nearTarget/8 events before its target: stepping back
// from the target then starts from the nearer copy (at most nearTarget/8 events run), further back
// from the farther one (keeping a new nearer copy on the way), and stays exact.
TEST(Replay, ALongSeekKeepsCopiesNearItsTarget) {
  const std::vector<Event> evs = mixedTrace(20000, 5);
  CountingSource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{10000, size_t{1} << 30, 300}); // copies 300 and 37 back
  ASSERT_EQ(r.runTo(evs.size()), ReplayStop::Target);
  ASSERT_TRUE(r.seek(9000)); // from the checkpoint at 0; copies kept at 8700 and 8963
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 9000, twoPs()));
  // Scratch engines (the event log, searches) may start from the copies too: each is exact.
  for (const auto& [pos, expected] : {std::pair<uint64_t, uint64_t>{8990, 8963}, {8963, 8963}, {8800, 8700}, {8699, 0}}) {
    uint64_t at = ~0ull;
    World w;
    ASSERT_TRUE(r.nearestAtOrBefore(pos, &w, &at));
    EXPECT_EQ(at, expected) << "nearest at or before " << pos;
    EXPECT_EQ(fingerprint(w), straightTo(evs, at, twoPs())) << "the World kept at " << at;
  }
  struct Back {
    uint64_t target, from;
    const char* why;
  };
  for (const Back& b : {Back{8999, 8963, "from the near copy"}, Back{8963, 8963, "at the near copy"},
                        Back{8700, 8700, "at the far copy"}, Back{8950, 8700, "forwards from the far copy, where it is"},
                        Back{8920, 8700, "from the far copy: the run to 8950 was too short to keep one"},
                        Back{8900, 8883, "from the near copy the last step back kept 37 before 8920"},
                        Back{8699, 0, "before both copies: from the checkpoint at 0 (new copies at 8399, 8662)"},
                        Back{8600, 8399, "from the new far copy"}, Back{8590, 8563, "from the new near copy"}}) {
    src.fetched = 0;
    ASSERT_TRUE(r.seek(b.target));
    EXPECT_EQ(src.fetched, b.target - b.from) << "back to " << b.target << ": " << b.why;
    EXPECT_EQ(fingerprint(r.world()), straightTo(evs, b.target, twoPs())) << "back to " << b.target;
  }
  // With an observer attached the copies are not used: observers keep their state per checkpoint.
  Recorder rec;
  r.addObserver(&rec);
  ASSERT_TRUE(r.seek(8580));
  ASSERT_FALSE(rec.restores.empty());
  EXPECT_EQ(rec.restores.back(), 0u);
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 8580, twoPs()));
}

// Stepping forwards from here (playback) keeps a copy only when the run is long next to the
// copy's cost, more than 8 times its distance: short steps copy nothing.
TEST(Replay, ForwardStepsKeepCopiesOnlyWhenLong) {
  const std::vector<Event> evs = mixedTrace(20000, 5);
  MemorySource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{10000, size_t{1} << 30, 300}); // copies 300 and 37 back
  ASSERT_EQ(r.runTo(evs.size()), ReplayStop::Target);
  ASSERT_TRUE(r.seek(0));
  auto nearest = [&](uint64_t pos) {
    uint64_t at = ~0ull;
    World w;
    EXPECT_TRUE(r.nearestAtOrBefore(pos, &w, &at));
    EXPECT_EQ(fingerprint(w), straightTo(evs, at, twoPs())) << "the World kept at " << at;
    return at;
  };
  ASSERT_TRUE(r.step(+290)); // not more than 8 x 37: nothing kept
  EXPECT_EQ(nearest(289), 0u);
  ASSERT_TRUE(r.step(+500)); // to 790: more than 8 x 37, not 8 x 300: the near copy only
  EXPECT_EQ(nearest(789), 753u);
  EXPECT_EQ(nearest(700), 0u) << "no copy 300 back";
  ASSERT_TRUE(r.step(+3000)); // to 3790: both
  EXPECT_EQ(nearest(3789), 3753u);
  EXPECT_EQ(nearest(3700), 3490u);
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 3790, twoPs()));
}

TEST(Replay, StepClampsAtTheStart) {
  const std::vector<Event> evs = mixedTrace(3000, 12);
  MemorySource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{1000, size_t{1} << 30});
  ASSERT_TRUE(r.seek(2500));
  r.step(-100000);
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 0, twoPs()));
  EXPECT_FALSE(r.step(+100000)) << "the trace ends first";
  EXPECT_EQ(r.position(), evs.size());
}

TEST(Replay, ObserversSeeEveryEventOnceInOrder) {
  const std::vector<Event> evs = mixedTrace(5000, 13);
  MemorySource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{1000, size_t{1} << 30});
  Recorder rec;
  r.addObserver(&rec);
  // Forwards in uneven pieces: every event once, in trace order, with its own fields.
  r.runTo(7);
  r.step(1);
  r.seek(2999);
  EXPECT_EQ(r.runTo(~uint64_t{0}), ReplayStop::End);
  ASSERT_EQ(rec.steps.size(), evs.size());
  for (uint64_t i = 0; i < evs.size(); ++i) {
    ASSERT_EQ(rec.steps[i], i);
    ASSERT_EQ(rec.events[i].id, evs[i].id);
    ASSERT_EQ(rec.events[i].kind, evs[i].kind);
  }
  EXPECT_EQ(rec.checkpoints, (std::vector<uint64_t>{1000, 2000, 3000, 4000, 5000})) << "0 was kept before any observer";
  EXPECT_TRUE(rec.restores.empty());

  // Back to 2500: restored from the checkpoint at 2000, whose events 2000..2499 run (and are told) again.
  rec.steps.clear();
  ASSERT_TRUE(r.seek(2500));
  EXPECT_EQ(rec.restores, (std::vector<uint64_t>{2000}));
  ASSERT_EQ(rec.steps.size(), 500u);
  EXPECT_EQ(rec.steps.front(), 2000u);
  EXPECT_EQ(rec.steps.back(), 2499u);

  r.removeObserver(&rec);
  r.seek(2600);
  EXPECT_EQ(rec.steps.size(), 500u) << "a removed observer is not told";
}

TEST(Replay, RunUntilStopsJustAfterTheEventTheConditionNames) {
  // With GOGC off, only the trace's own gc events run a GC cycle, so the stops are known from the
  // trace alone: just after each of its gc events.
  const std::vector<Event> evs = mixedTrace(20000, 14);
  std::vector<uint64_t> gcs;
  for (uint64_t i = 0; i < evs.size(); ++i)
    if (evs[i].kind == EventKind::GC) gcs.push_back(i);
  ASSERT_GE(gcs.size(), 3u);
  Config cfg = twoPs();
  cfg.gogc = -1;
  MemorySource src(evs);
  Replay r(World(cfg), src);
  auto gcRan = [](const World& w) { return w.last().has(PathStep::GCCycle); };
  for (size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(r.runUntil(evs.size(), gcRan), ReplayStop::Predicate);
    EXPECT_EQ(r.position(), gcs[k] + 1) << "gc #" << k;
  }
  EXPECT_EQ(r.runUntil(gcs[3], gcRan), ReplayStop::Target) << "the limit comes before the next gc";
  EXPECT_EQ(r.position(), gcs[3]);
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, gcs[3], cfg));
}

TEST(Replay, CheckpointMemoryStaysWithinTheBudget) {
  const std::vector<Event> evs = mixedTrace(20000, 15);
  // Room for a handful of copies of the World as it is half way through the trace.
  World half(twoPs());
  for (size_t i = 0; i < evs.size() / 2; ++i) ASSERT_TRUE(half.step(evs[i]));
  const size_t budget = 5 * half.footprintBytes();
  MemorySource src(evs);
  Replay r(World(twoPs()), src, CheckpointPolicy{250, budget});
  for (uint64_t p = 0; p < evs.size(); p += 500) {
    ASSERT_EQ(r.runTo(p + 500), ReplayStop::Target);
    ASSERT_LE(r.checkpoints()->bytes(), budget) << "at " << r.position();
  }
  EXPECT_GT(r.checkpoints()->interval(), 250u) << "80 copies cannot fit: thinned";
  EXPECT_GE(r.checkpoints()->count(), 2u);
  ASSERT_TRUE(r.seek(123));
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 123, twoPs())) << "thinned checkpoints still seek exactly";
}

TEST(Replay, StopsOnARefusedEventAndSaysWhich) {
  std::vector<Event> evs = {allocEvent(0, 64), allocEvent(1, 64), freeEvent(0), freeEvent(0), allocEvent(2, 64)};
  MemorySource src(evs);
  Replay r(World(), src);
  EXPECT_EQ(r.runTo(evs.size()), ReplayStop::Error);
  EXPECT_EQ(r.position(), 3u) << "the double free is not applied";
  ASSERT_TRUE(r.error().has_value());
  EXPECT_EQ(r.error()->index, 3u);
  EXPECT_EQ(r.error()->event.kind, EventKind::Free);
  EXPECT_NE(r.error()->why.find("not live"), std::string::npos) << r.error()->why;
  EXPECT_FALSE(r.world().failed()) << "bad input leaves the engine usable";
}

TEST(Replay, AStreamGoesForwardOnlyAndStopsAtItsLimit) {
  traces::Trace t;
  t.events = mixedTrace(10000, 16);
  const std::vector<Event> evs = t.events;
  traces::VectorStream stream(std::move(t));
  traces::StreamSource src(stream, /*limit=*/9000, /*batch=*/700);
  Replay r(World(twoPs()), src);
  EXPECT_EQ(r.runTo(~uint64_t{0}), ReplayStop::End);
  EXPECT_EQ(r.position(), 9000u);
  EXPECT_FALSE(src.ended()) << "stopped by the limit, not by the end of the stream";
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 9000, twoPs()));
  EXPECT_FALSE(r.seek(10)) << "no checkpoints and a stream cannot go back";
  EXPECT_EQ(r.position(), 9000u);
  sim::Event rest[2000];
  EXPECT_EQ(stream.read(rest, 2000), 1000u) << "the stream was not read past the limit";
}

TEST(Replay, StartsWhereItsWorldIs) {
  const std::vector<Event> evs = mixedTrace(4000, 17);
  World w(twoPs());
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(w.step(evs[static_cast<size_t>(i)]));
  MemorySource src(evs);
  Replay r(w, src);
  EXPECT_EQ(r.position(), 1500u);
  ASSERT_EQ(r.runTo(3000), ReplayStop::Target);
  EXPECT_EQ(fingerprint(r.world()), straightTo(evs, 3000, twoPs()));
}

} // namespace
