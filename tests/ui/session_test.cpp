// Session: the GUI's engine position. Seeking (forwards, backwards, across checkpoints) must give
// exactly the state a straight replay gives; the first pass must describe every event as the
// engine ran it. References are independent straight replays and hand counts of the scenario file.
#include "app/model/session.h"

#include "traces/binary_trace.h"
#include "traces/event_stream.h"
#include "traces/json_trace.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace sim;

traces::Trace loadScenario(const char* name) {
  std::string err;
  auto t = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/" + name, &err);
  EXPECT_TRUE(t.has_value()) << err;
  return t ? *t : traces::Trace{};
}

// A long random trace so that seeks cross several checkpoints (interval >= 4096).
traces::Trace longTrace(size_t n) {
  traces::Trace t;
  std::mt19937_64 rng(11);
  std::vector<uint64_t> live;
  uint64_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 100 < 60 || live.empty()) {
      t.events.push_back(allocEvent(next, 1 + rng() % 1500, true, static_cast<uint32_t>(rng() % 2)));
      live.push_back(next++);
    } else if (rng() % 200 == 0) {
      t.events.push_back(gcEvent());
    } else {
      const size_t k = rng() % live.size();
      t.events.push_back(freeEvent(live[k]));
      live[k] = live.back();
      live.pop_back();
    }
  }
  return t;
}

World straightTo(const traces::Trace& t, const Config& cfg, uint64_t n) {
  World w(cfg);
  for (uint64_t i = 0; i < n; ++i) EXPECT_TRUE(w.step(t.events[i]));
  return w;
}

void expectSameState(const World& a, const World& b) {
  const MemStats ma = a.memStats(), mb = b.memStats();
  EXPECT_EQ(a.eventsApplied(), b.eventsApplied());
  EXPECT_EQ(ma.HeapAlloc, mb.HeapAlloc);
  EXPECT_EQ(ma.HeapInuse, mb.HeapInuse);
  EXPECT_EQ(ma.HeapSys, mb.HeapSys);
  EXPECT_EQ(ma.Mallocs, mb.Mallocs);
  EXPECT_EQ(ma.NumGC, mb.NumGC);
  const HeapView va = a.view(), vb = b.view();
  ASSERT_EQ(va.objectIdLimit(), vb.objectIdLimit());
  for (uint64_t id = 0; id < va.objectIdLimit(); ++id) ASSERT_EQ(va.objectAddr(id), vb.objectAddr(id)) << "object " << id;
  ASSERT_EQ(va.spanCount(), vb.spanCount());
  for (SpanId s = 0; s < va.spanCount(); ++s) {
    ASSERT_EQ(va.span(s).freeindex, vb.span(s).freeindex) << "span " << s;
    ASSERT_EQ(va.span(s).allocCache, vb.span(s).allocCache) << "span " << s;
    ASSERT_EQ(va.span(s).words, vb.span(s).words) << "span " << s;
    for (uint32_t k = 0; k < 3 * va.span(s).words; ++k) ASSERT_EQ(va.span(s).bits[k], vb.span(s).bits[k]) << "span " << s;
  }
  EXPECT_EQ(a.last().index, b.last().index);
  EXPECT_EQ(a.last().path, b.last().path);
}

TEST(Session, OpensAtTheStartAndDescribesEveryEvent) {
  traces::Trace t = loadScenario("classroom.json");
  const size_t n = t.events.size();
  ASSERT_EQ(n, 28u) << "classroom.json: 9 alloc + 3 free + 1 gc + 1 readmemstats + 14 annotate";
  auto s = model::Session::open(t, "classroom.json", Config{});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->position(), 0u);
  EXPECT_EQ(s->lastRecord(), nullptr);
  ASSERT_EQ(s->eventCount(), n);
  ASSERT_EQ(s->gcEvents().size(), 1u) << "the scenario has one gc op";
  EXPECT_EQ(t.events[s->gcEvents()[0]].kind, EventKind::GC);
  // Each EventInfo equals what a straight replay's StepRecord says.
  World w;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(w.step(t.events[i]));
    EXPECT_EQ(s->info(i).pathMask, w.last().path) << "event " << i;
    EXPECT_EQ(s->info(i).addr, w.last().addr) << "event " << i;
    EXPECT_EQ(s->info(i).sizeClass, w.last().sizeclass) << "event " << i;
  }
  // Stats: ascending, first before any event, last after all of them.
  ASSERT_GE(s->stats().size(), 2u);
  EXPECT_EQ(s->stats().front().event, 0u);
  EXPECT_EQ(s->stats().back().event, n);
  EXPECT_EQ(s->stats().back().mem.HeapAlloc, w.memStats().HeapAlloc);
  for (size_t i = 1; i < s->stats().size(); ++i) EXPECT_LT(s->stats()[i - 1].event, s->stats()[i].event);
}

// The ledger walks every span, so the first pass takes it at fewer samples than MemStats: at a
// sample at least eventCount/512 events after the previous walk, and, at a heap of more than 4,096
// spans, at least as many events as there are spans after it (and at the end); not at each of the
// ~2048 MemStats samples or every GC cycle. The rule is checked at every sample against a straight
// replay; each ledger taken is the engine's at that sample's event. Returns the walks, and in
// *bySpans those that the span count spaced.
size_t checkLedgerSamples(const traces::Trace& t, size_t* bySpans) {
  const uint64_t n = t.events.size();
  auto s = model::Session::open(t, "long", Config{});
  EXPECT_NE(s, nullptr);
  if (!s) return 0;
  const auto& st = s->stats();
  EXPECT_TRUE(st.front().hasLedger);
  EXPECT_TRUE(st.back().hasLedger) << "the end of the trace always has one";
  World w;
  size_t next = 0, withLedger = 1;
  uint64_t lastLedger = 0;
  *bySpans = 0;
  for (size_t i = 1; i < st.size(); ++i) {
    for (; next < st[i].event; ++next) EXPECT_TRUE(w.step(t.events[next]));
    const uint64_t spans = w.view().spanCount();
    const uint64_t every = std::max<uint64_t>(std::max<uint64_t>(1, n / 512), spans > 4096 ? spans : 0);
    const bool due = st[i].event - lastLedger >= every || st[i].event == n;
    EXPECT_EQ(st[i].hasLedger, due) << "sample at " << st[i].event << ", last walk at " << lastLedger << ", " << spans << " spans";
    if (!st[i].hasLedger) {
      EXPECT_EQ(st[i].ledger.total(), 0u) << "sample " << i << ": no walk, no values";
      continue;
    }
    ++withLedger;
    if (spans > 4096 && spans > n / 512) ++*bySpans;
    lastLedger = st[i].event;
    const WasteLedger l = w.ledger();
    EXPECT_EQ(st[i].ledger.total(), st[i].mem.HeapSys) << "sample at " << st[i].event;
    EXPECT_EQ(st[i].ledger.liveBytes, l.liveBytes) << st[i].event;
    EXPECT_EQ(st[i].ledger.deadBytes, l.deadBytes) << st[i].event;
    EXPECT_EQ(st[i].ledger.freeSlots, l.freeSlots) << st[i].event;
    EXPECT_EQ(st[i].ledger.freePages, l.freePages) << st[i].event;
  }
  return withLedger;
}

TEST(Session, LedgerSamplesFollowTheTraceLength) {
  size_t bySpans = 0;
  const size_t walks = checkLedgerSamples(longTrace(60000), &bySpans); // a gc op every ~500 events
  EXPECT_EQ(bySpans, 0u) << "about 1,000 spans: short walks";
  EXPECT_GE(walks, 400u);
  EXPECT_LE(walks, 514u);
}

TEST(Session, LedgerSamplesAtAHeapOfManySpansFollowTheSpanCount) {
  traces::Trace t;
  for (uint64_t id = 0; id < 5000; ++id) t.events.push_back(allocEvent(id, 40000)); // a span each, kept
  for (sim::Event e : longTrace(55000).events) {
    if (e.kind == sim::EventKind::Alloc || e.kind == sim::EventKind::Free) e.id += 5000;
    t.events.push_back(e);
  }
  size_t bySpans = 0;
  const size_t walks = checkLedgerSamples(t, &bySpans);
  EXPECT_GE(bySpans, 8u) << "over 5,000 spans from event ~4,100 on: a walk every ~5,000+ events";
  EXPECT_LT(walks, 60u) << "the length alone would allow 512";
}

TEST(Session, AShortTraceHasALedgerAtEverySample) {
  size_t bySpans = 0;
  const traces::Trace t = longTrace(300);
  EXPECT_EQ(checkLedgerSamples(t, &bySpans), model::Session::open(t, "short", Config{})->stats().size());
}

// Opening at the end (--at end) and the event log's last rows must not replay a whole checkpoint
// interval: the first pass keeps a copy 8,192 events before the end, which thinning never drops.
TEST(Session, TheEndIsAShortReplayFromAKeptCheckpoint) {
  const traces::Trace t = longTrace(100000); // checkpoints 65,536 apart: 0 and 65,536
  auto s = model::Session::open(t, "long", Config{});
  ASSERT_NE(s, nullptr);
  uint64_t at = 0;
  ASSERT_TRUE(s->checkpoints().atOrBefore(100000, &at));
  EXPECT_EQ(at, 100000u - 8192u);
  ASSERT_TRUE(s->checkpoints().atOrBefore(91807, &at));
  EXPECT_EQ(at, 65536u) << "the regular checkpoints stay";
  s->seek(100000);
  expectSameState(s->world(), straightTo(t, Config{}, 100000));
  s->seek(100000 - 8192 + 5);
  expectSameState(s->world(), straightTo(t, Config{}, 100000 - 8192 + 5));
}

// After a long seek, the event log's rows before the target are recomputed from the copies the
// seek kept (8,192 and 1,024 events back) rather than from the checkpoint at 0: each row must still
// be what a straight replay did at that event.
TEST(Session, RowsBeforeASeekTargetEqualAStraightReplay) {
  const traces::Trace t = longTrace(100000); // checkpoints at 0, 65,536 and 91,808 (pinned)
  auto s = model::Session::open(t, "long", Config{});
  ASSERT_NE(s, nullptr);
  s->seek(60000); // from 0: copies kept at 51,808 and 58,976
  World w;
  for (uint64_t i = 0; i < 60000; ++i) {
    ASSERT_TRUE(w.step(t.events[i]));
    if (i < 50000) continue;
    ASSERT_EQ(s->info(i).pathMask, w.last().path) << "event " << i;
    ASSERT_EQ(s->info(i).addr, w.last().addr) << "event " << i;
    ASSERT_EQ(s->info(i).sizeClass, w.last().sizeclass) << "event " << i;
  }
  // Rows far back, then past the target, then near it again: each scan starts in the World the
  // scan before left behind (its storage reused), copied or unpacked over whatever it held.
  for (uint64_t i : {100ull, 70000ull, 99990ull, 59000ull}) {
    const World at = straightTo(t, Config{}, i + 1);
    EXPECT_EQ(s->info(i).addr, at.last().addr) << "event " << i;
    EXPECT_EQ(s->info(i).pathMask, at.last().path) << "event " << i;
  }
  s->step(-1);
  expectSameState(s->world(), straightTo(t, Config{}, 59999));
}

TEST(Session, LessonIsTheLastAnnotationAtOrBeforeTheCurrentEvent) {
  traces::Trace t = loadScenario("classroom.json");
  auto s = model::Session::open(t, "classroom.json", Config{});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->currentLesson(), nullptr) << "nothing has run yet";
  size_t lastAnnot = ~size_t{0};
  for (size_t i = 0; i < t.events.size(); ++i) {
    s->seek(i + 1);
    if (t.events[i].kind == EventKind::Annotate) lastAnnot = t.events[i].id;
    const std::string* lesson = s->currentLesson();
    if (lastAnnot == ~size_t{0}) {
      EXPECT_EQ(lesson, nullptr);
    } else {
      ASSERT_NE(lesson, nullptr) << "after event " << i;
      EXPECT_EQ(*lesson, t.annotations[lastAnnot]);
    }
  }
}

TEST(Session, SeekingAnywhereEqualsAStraightReplay) {
  traces::Trace t = longTrace(200000);
  Config cfg;
  cfg.gomaxprocs = 2;
  auto s = model::Session::open(t, "long", cfg);
  ASSERT_NE(s, nullptr);
  ASSERT_GE(s->checkpoints().count(), 3u) << "200000 events at interval 65536 cross checkpoints";
  // Forwards, far backwards, across and within checkpoint intervals, to both ends; back by less
  // than the copy a long seek keeps before its target, and by more.
  for (uint64_t target : {170000ull, 3ull, 199999ull, 65536ull, 65535ull, 200000ull, 0ull, 131072ull, 131073ull,
                          180000ull, 179000ull, 140000ull}) {
    s->seek(target);
    ASSERT_EQ(s->position(), target);
    expectSameState(s->world(), straightTo(t, cfg, target));
  }
  s->seek(500);
  s->step(-1);
  EXPECT_EQ(s->position(), 499u);
  s->step(10);
  EXPECT_EQ(s->position(), 509u);
  expectSameState(s->world(), straightTo(t, cfg, 509));
  s->step(-100000);
  EXPECT_EQ(s->position(), 0u) << "clamped at the start";
  s->step(1000000);
  EXPECT_EQ(s->position(), 200000u) << "clamped at the end";
}

TEST(Session, AnEngineErrorNamesTheFileAndTheEvent) {
  traces::Trace t;
  t.events = {allocEvent(0, 8), freeEvent(0), freeEvent(0)};
  try {
    model::Session::open(t, "double.json", Config{});
    FAIL() << "a double free must not load";
  } catch (const traces::TraceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("double.json"), std::string::npos) << what;
    EXPECT_NE(what.find("event #2"), std::string::npos) << what;
  }
}

TEST(Session, CancelStopsTheFirstPass) {
  model::LoadProgress progress;
  progress.cancel = true;
  EXPECT_EQ(model::Session::open(longTrace(1000), "x", Config{}, &progress), nullptr);
}

// A binary trace file read in place (no events in memory) must behave exactly as the same trace in
// memory: positions, states, per-event infos far from the position, events, lessons.
TEST(Session, ABinaryFileReadInPlaceEqualsTheTraceInMemory) {
  traces::Trace t = longTrace(70000);
  t.events.insert(t.events.begin() + 50000, Event{EventKind::Annotate, true, 0, 0, 0, kNoTime});
  t.annotations.push_back("half way");
  const std::string path = ::testing::TempDir() + "session_in_place.sst";
  {
    traces::BinaryTraceWriter w(path, t.meta, {.zstd = true, .blockBytes = 4096});
    for (const Event& ev : t.events) {
      if (ev.kind == EventKind::Annotate) w.annotate(t.annotations[ev.id]);
      else w.write(ev);
    }
    w.finish();
  }
  Config cfg;
  cfg.gomaxprocs = 2;
  auto mem = model::Session::open(t, "long", cfg);
  auto file = model::Session::open(std::make_unique<traces::BinaryTraceFile>(path), path, cfg);
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->trace().events.empty()) << "the events stay in the file";
  ASSERT_EQ(file->eventCount(), t.events.size());
  EXPECT_EQ(file->trace().annotations, t.annotations);
  EXPECT_EQ(file->annotationEvents(), mem->annotationEvents());
  EXPECT_EQ(file->gcEvents(), mem->gcEvents());
  EXPECT_EQ(file->stats().size(), mem->stats().size());
  for (uint64_t target : {60000ull, 7ull, 70001ull, 33333ull, 49999ull, 50001ull, 0ull}) {
    file->seek(target);
    ASSERT_EQ(file->position(), target);
    expectSameState(file->world(), straightTo(t, cfg, target));
    if (target > 50000) {
      ASSERT_NE(file->currentLesson(), nullptr);
      EXPECT_EQ(*file->currentLesson(), "half way");
    }
  }
  // Rows far from the position, in an order that defeats any cache.
  file->seek(10);
  for (uint64_t i : {69999ull, 5ull, 41000ull, 8191ull, 8192ull, 50000ull}) {
    const Event a = file->event(i), b = t.events[i];
    EXPECT_TRUE(a.kind == b.kind && a.id == b.id && a.size == b.size && a.thread == b.thread) << "event " << i;
    EXPECT_EQ(file->info(i).pathMask, mem->info(i).pathMask) << "event " << i;
    EXPECT_EQ(file->info(i).addr, mem->info(i).addr) << "event " << i;
    EXPECT_EQ(file->info(i).addr, straightTo(t, cfg, i + 1).last().addr) << "event " << i;
  }
  EXPECT_EQ(file->position(), 10u) << "looking at rows does not move the session";
}

} // namespace
