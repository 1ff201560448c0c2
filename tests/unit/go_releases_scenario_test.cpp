// The bundled scenario assets/scenarios/go119_vs_go126.json: its lessons state what Go 1.19 and
// Go 1.26 do with the same seven allocations. This replays it under each profile and checks every
// number a lesson states against the engine, and that the lesson states it, so text and engine
// cannot drift apart. The numbers themselves come from Go's source, by hand:
//   Go 1.19.8 malloc.go: every object up to maxSmallSize = 32768 is small; sizeclasses.go: class 32
//     is 1024 B (8 per 8 KiB span), class 7 80 B (8192 / 80 = 102), class 2 16 B (512).
//   Go 1.26.8 malloc.go mallocgc: size <= maxSmallSize - gc.MallocHeaderSize (32760) is small;
//     a pointerful object with !heapBitsInSpan(size) (size > gc.MinSizeForMallocHeader = 512)
//     gets an 8-byte header, size += 8 (mallocgcSmallScanHeader): 1032 B -> class 33, 1152 B, 7 per
//     span; mheap.go initSpan: reserve = 128 (spanInlineMarkBits, gcUsesSpanInlineMarkBits: 16..512)
//     + nbytes / 8 / 8 = 128 (heap bits, scan spans with heapBitsInSpan): 80 B scan (8192 - 256) / 80
//     = 99, noscan (8192 - 128) / 80 = 100, the tiny class (8192 - 128) / 16 = 504.
#include "sim/malloc.h"
#include "traces/json_trace.h"
#include "traces/trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using sim::GoVersion;

struct Step {
  std::string text;                     // the lesson
  std::vector<sim::StepRecord> records; // the events after it, up to the next lesson
};

struct Replayed {
  std::vector<Step> steps;
  sim::WasteLedger end;
  sim::MemStats stats;
  std::vector<uint32_t> nelems; // of the span each allocation landed in, in event order
};

traces::Trace load() {
  std::string err;
  auto t = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/go119_vs_go126.json", &err);
  EXPECT_TRUE(t.has_value()) << err;
  return t ? *t : traces::Trace{};
}

// The scenario under `v` (its own config otherwise), checking the invariants after every event.
Replayed replay(GoVersion v) {
  const traces::Trace t = load();
  sim::Config cfg;
  traces::applyTraceConfig(t.meta, cfg);
  cfg.goVersion = v;
  cfg.table = v == GoVersion::Go126 ? sim::SizeClassTable::go126() : sim::SizeClassTable::go119();
  sim::World w(cfg);
  Replayed out;
  std::string err;
  for (const sim::Event& ev : t.events) {
    EXPECT_TRUE(w.step(ev, &err)) << err;
    const std::vector<std::string> bad = sim::checkInvariants(w);
    EXPECT_TRUE(bad.empty()) << bad.front();
    if (ev.kind == sim::EventKind::Annotate) {
      out.steps.push_back(Step{t.annotations.at(ev.id), {}});
      continue;
    }
    out.steps.back().records.push_back(w.last());
    out.nelems.push_back(w.last().span == sim::kNoSpan ? 0 : w.view().span(w.last().span).nelems);
  }
  out.end = w.ledger();
  out.stats = w.memStats();
  return out;
}

bool hasFunction(const sim::StepRecord& r, const std::string& f) {
  const std::vector<const char*> fs = sim::goFunctions(r);
  return std::any_of(fs.begin(), fs.end(), [&](const char* g) { return f == g; });
}

void says(const Step& s, const std::string& what) { EXPECT_NE(s.text.find(what), std::string::npos) << "lesson lacks \"" << what << "\": " << s.text; }

TEST(GoReleasesScenario, OpensUnderGo126) {
  const traces::Trace t = load();
  sim::Config cfg;
  traces::applyTraceConfig(t.meta, cfg);
  EXPECT_EQ(cfg.goVersion, GoVersion::Go126);
}

TEST(GoReleasesScenario, EveryNumberALessonStatesHoldsUnderItsRelease) {
  const Replayed n = replay(GoVersion::Go126), o = replay(GoVersion::Go119);
  ASSERT_EQ(n.steps.size(), 9u);
  ASSERT_EQ(o.steps.size(), 9u);
  for (size_t k = 1; k <= 7; ++k) ASSERT_EQ(n.steps[k].records.size(), 1u) << k;

  // 1: a 1024 B pointerful object.
  const sim::StepRecord& a1 = n.steps[1].records[0];
  const sim::StepRecord& b1 = o.steps[1].records[0];
  for (const char* s : {"8-byte malloc header", "1024 + 8 = 1032", "class 33", "1152 B", "7 per", "start + 8",
                        "runtime.mallocgcSmallScanHeader", "class 32", "1024 B slots", "8 per span"})
    says(n.steps[1], s);
  EXPECT_EQ(a1.sizeclass, 33u);
  EXPECT_EQ(a1.elemsize, 1152u);
  EXPECT_EQ(n.nelems[0], 7u);
  EXPECT_EQ(a1.addr, a1.newSpanBase + 8);
  EXPECT_EQ(a1.mallocPath, sim::MallocPath::SmallScanHeader);
  EXPECT_TRUE(hasFunction(a1, "runtime.mallocgcSmallScanHeader"));
  EXPECT_EQ(b1.sizeclass, 32u);
  EXPECT_EQ(b1.elemsize, 1024u);
  EXPECT_EQ(o.nelems[0], 8u);
  EXPECT_EQ(b1.addr, b1.newSpanBase);
  EXPECT_FALSE(hasFunction(b1, "runtime.mallocgcSmallScanHeader"));

  // 2: a 1024 B noscan object: class 32 in both, its own span.
  for (const char* s : {"no header", "Class 32", "1024 B, 8 per span", "runtime.mallocgcSmallNoscan"}) says(n.steps[2], s);
  for (const Replayed* r : {&n, &o}) {
    const sim::StepRecord& x = r->steps[2].records[0];
    EXPECT_EQ(x.sizeclass, 32u);
    EXPECT_EQ(x.addr, x.newSpanBase) << "a new span, no header";
    EXPECT_EQ(r->nelems[1], 8u);
  }
  EXPECT_EQ(n.steps[2].records[0].mallocPath, sim::MallocPath::SmallNoscan);
  EXPECT_TRUE(hasFunction(n.steps[2].records[0], "runtime.mallocgcSmallNoscan"));

  // 3: 80 B scan: 102 (32 B tail) vs 99 (16 B tail).
  for (const char* s : {"class 7", "8192 / 80 = 102", "32 B tail", "8192 / 64 = 128", "128 B of inline mark bits",
                        "(8192 - 256) / 80 = 99", "tail is 272 B", "256 B of metadata and 16 B", "runtime.mallocgcSmallScanNoHeader"})
    says(n.steps[3], s);
  EXPECT_EQ(n.steps[3].records[0].sizeclass, 7u);
  EXPECT_EQ(n.nelems[2], 99u);
  EXPECT_EQ(o.nelems[2], 102u);
  EXPECT_EQ(8192 - uint64_t{n.nelems[2]} * 80, 272u) << "the tail, metadata included";
  EXPECT_EQ(8192 - uint64_t{o.nelems[2]} * 80, 32u);
  EXPECT_TRUE(hasFunction(n.steps[3].records[0], "runtime.mallocgcSmallScanNoHeader"));

  // 4: 80 B noscan: 100 vs 102.
  for (const char* s : {"128 B", "(8192 - 128) / 80 = 100", "tail 192 B: 128 B of mark bits and 64 B", "102 in Go 1.19"})
    says(n.steps[4], s);
  EXPECT_EQ(n.nelems[3], 100u);
  EXPECT_EQ(8192 - uint64_t{n.nelems[3]} * 80, 192u);
  EXPECT_EQ(o.nelems[3], 102u);

  // 5: the tiny span: 504 vs 512 blocks.
  for (const char* s : {"class 2", "8192 / 16 = 512", "(8192 - 128) / 16 = 504", "runtime.mallocgcTiny"}) says(n.steps[5], s);
  for (const Replayed* r : {&n, &o}) {
    const sim::StepRecord& x = r->steps[5].records[0];
    EXPECT_TRUE(x.has(sim::PathStep::TinyNewBlock));
    EXPECT_EQ(x.sizeclass, 2u);
  }
  EXPECT_EQ(n.nelems[4], 504u);
  EXPECT_EQ(o.nelems[4], 512u);
  EXPECT_TRUE(hasFunction(n.steps[5].records[0], "runtime.mallocgcTiny"));

  // 6: 32760 B: class 67 in both.
  for (const char* s : {"32760", "Class 67", "32768 B, one per 4-page span"}) says(n.steps[6], s);
  for (const Replayed* r : {&n, &o}) {
    EXPECT_FALSE(r->steps[6].records[0].has(sim::PathStep::LargeAlloc));
    EXPECT_EQ(r->steps[6].records[0].sizeclass, 67u);
    EXPECT_EQ(r->steps[6].records[0].newSpanPages, 4u);
    EXPECT_EQ(r->nelems[5], 1u);
  }

  // 7: 32768 B: class 67 in Go 1.19, large in Go 1.26.
  for (const char* s : {"class 67 again", "32768 - 8 = 32760", "runtime.mallocgcLarge", "4-page span"}) says(n.steps[7], s);
  const sim::StepRecord& a7 = n.steps[7].records[0];
  EXPECT_TRUE(a7.has(sim::PathStep::LargeAlloc));
  EXPECT_FALSE(a7.has(sim::PathStep::Refill)) << "no mcache, no mcentral";
  EXPECT_EQ(a7.newSpanPages, 4u);
  EXPECT_EQ(a7.mallocPath, sim::MallocPath::Large);
  EXPECT_TRUE(hasFunction(a7, "runtime.mallocgcLarge"));
  EXPECT_FALSE(o.steps[7].records[0].has(sim::PathStep::LargeAlloc));
  EXPECT_EQ(o.steps[7].records[0].sizeclass, 67u);

  // 8: the ledger at the end.
  for (const char* s : {"8 B of malloc headers", "512 B of span-end", "256 B in the 80 B scan span", "128 B in the 80 B noscan span",
                        "128 B in the tiny span", "both are 0"})
    says(n.steps[8], s);
  EXPECT_EQ(n.end.headerBytes, 8u);
  EXPECT_EQ(n.end.spanMetaBytes, 256u + 128 + 128);
  EXPECT_EQ(o.end.headerBytes, 0u);
  EXPECT_EQ(o.end.spanMetaBytes, 0u);
  EXPECT_EQ(n.end.total(), n.stats.HeapSys);
  EXPECT_EQ(o.end.total(), o.stats.HeapSys);
}

} // namespace
