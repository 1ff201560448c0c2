// The allocator panels' models (span inspector, size classes, Ps, mcentral, mheap, stats), built on
// small hand-made scenarios and checked against values computed by hand from Go 1.19's rules
// (go-allocator-1.19.md): the class table (48 B: 170 slots per 8 KiB page, 32 B tail; 112 B: 73
// slots, 16 B tail), slot order, sweepgen states, the page cache and mspan cache refills, heap growth.
#include "app/gui/panels/panel_models.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace sim;
using gui::CentralSet;

Config gogcOff(uint32_t procs = 1) {
  Config c;
  c.gogc = -1;
  c.gomaxprocs = procs;
  return c;
}

void run(World& w, const Event& ev) {
  std::string err;
  ASSERT_TRUE(w.step(ev, &err)) << err;
}

constexpr uint64_t kBase = 0xc000000000;

// Go 1.26 mheap.go initSpan: an 80 B scan span reserves 128 B of heap bits (8192 / 64) and 128 B of
// inline mark bits: 99 slots, tail 8192 - 99*80 = 272 B of which 256 B metadata. Go 1.19: none.
TEST(SpanInspectorModel, Go126TailNamesItsHeapAndMarkBits) {
  for (const GoVersion gv : {GoVersion::Go126, GoVersion::Go119}) {
    Config c = gogcOff();
    c.goVersion = gv;
    World w(c);
    run(w, allocEvent(0, 80, /*noscan=*/false));
    const gui::SpanInspectorModel m = gui::BuildSpanInspector(w.view(), w.view().spanAt(kBase));
    ASSERT_TRUE(m.valid) << m.problem;
    EXPECT_EQ(m.nelems, gv == GoVersion::Go126 ? 99u : 102u);
    EXPECT_EQ(m.tailWaste, gv == GoVersion::Go126 ? 272u : 32u);
    EXPECT_EQ(m.spanMetaBytes, gv == GoVersion::Go126 ? 256u : 0u);
  }
}

TEST(SpanInspectorModel, ThreeAllocationsOf48BytesLeaveFreeindexAt3) {
  World w(gogcOff());
  for (uint64_t id = 0; id < 3; ++id) run(w, allocEvent(id, 48));
  const HeapView v = w.view();
  const SpanId sid = v.spanAt(kBase);
  ASSERT_NE(sid, kNoSpan);
  const gui::SpanInspectorModel m = gui::BuildSpanInspector(v, sid);
  ASSERT_TRUE(m.valid) << m.problem;
  EXPECT_EQ(m.sizeclass, 5u) << "48 B is class 5";
  EXPECT_EQ(m.spanclass, 11u) << "5<<1 | noscan";
  EXPECT_TRUE(m.noscan);
  EXPECT_EQ(m.elemsize, 48u);
  EXPECT_EQ(m.npages, 1u);
  EXPECT_EQ(m.nelems, 170u) << "8192 / 48 = 170.67";
  EXPECT_EQ(m.allocCount, 3u);
  EXPECT_EQ(m.freeindex, 3u) << "slots are handed out in order 0, 1, 2";
  EXPECT_EQ(m.base, kBase) << "the first span of the heap";
  EXPECT_EQ(m.tailWaste, 32u) << "8192 - 170*48";
  EXPECT_EQ(m.liveBytes, 144u);
  EXPECT_EQ(m.roundingWaste, 0u);
  EXPECT_EQ(m.freeSlotBytes, 167u * 48);
  EXPECT_EQ(m.sweep, gui::SweepState::Cached) << "refill sets sweepgen to sg+3";
  EXPECT_EQ(m.sweepgen, m.heapSweepgen + 3);
  EXPECT_EQ(m.home, "mcache P0");
  EXPECT_EQ(m.cacheFirst, 3u);
  EXPECT_EQ(m.cacheEnd, 64u) << "allocCache covers freeindex to the end of its 64-slot word";
  EXPECT_EQ(m.allocCache, ~uint64_t{0} >> 3) << "a fresh span's cache is all ones, shifted past 3 slots";
  EXPECT_EQ(m.cacheFree, 61u) << "slots 3..63 are free";
  EXPECT_EQ(m.allocBitsSet, 0u) << "allocBits of a fresh span stay 0 until a sweep";
  ASSERT_EQ(m.objects.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(m.objects[i].id, i);
    EXPECT_EQ(m.objects[i].addr, kBase + 48 * i);
    EXPECT_EQ(m.objects[i].slot, i);
    EXPECT_EQ(m.objects[i].size, 48u);
  }
  const gui::SlotState s0 = gui::SlotStateOf(v, sid, 0), s3 = gui::SlotStateOf(v, sid, 3);
  EXPECT_TRUE(s0.allocated);
  EXPECT_FALSE(s0.allocBit) << "allocated since the last sweep: below freeindex, not in allocBits";
  EXPECT_TRUE(s0.reachable);
  EXPECT_FALSE(s3.allocated);
  EXPECT_EQ(s3.addr, kBase + 144);
}

TEST(SpanInspectorModel, RoundingWasteOf33ByteObjects) {
  World w(gogcOff());
  for (uint64_t id = 0; id < 3; ++id) run(w, allocEvent(id, 33));
  const gui::SpanInspectorModel m = gui::BuildSpanInspector(w.view(), w.view().spanAt(kBase));
  ASSERT_TRUE(m.valid);
  EXPECT_EQ(m.liveBytes, 99u);
  EXPECT_EQ(m.roundingWaste, 45u) << "3 x (48 - 33)";
}

TEST(SpanInspectorModel, AGcSweepsTheFreedSlotAndQueuesTheSpanInPartialSwept) {
  Config cfg = gogcOff(); // explicit GC events only
  World w(cfg);
  for (uint64_t id = 0; id < 3; ++id) run(w, allocEvent(id, 48));
  run(w, freeEvent(1));
  const SpanId sid = w.view().spanAt(kBase);
  {
    const gui::SpanInspectorModel m = gui::BuildSpanInspector(w.view(), sid);
    EXPECT_EQ(m.allocCount, 3u) << "gc liveness: the slot stays allocated until a sweep";
    EXPECT_EQ(m.deadBytes, 48u);
    EXPECT_EQ(m.objects.size(), 2u) << "only reachable objects are listed";
  }
  run(w, gcEvent());
  const gui::SpanInspectorModel m = gui::BuildSpanInspector(w.view(), sid);
  ASSERT_TRUE(m.valid);
  EXPECT_EQ(m.allocCount, 2u);
  EXPECT_EQ(m.freeindex, 0u) << "a sweep resets freeindex";
  EXPECT_EQ(m.allocBitsSet, 2u) << "the mark bits (slots 0 and 2) became allocBits";
  EXPECT_EQ(m.markedSlots, 0u) << "and gcmarkBits were cleared";
  EXPECT_EQ(m.sweep, gui::SweepState::Swept);
  EXPECT_EQ(m.home, "partial swept") << "mark termination flushed the mcache; the sweep queued it";
  EXPECT_TRUE(m.needzero) << "a sweep that frees slots sets needzero";
  EXPECT_FALSE(gui::SlotStateOf(w.view(), sid, 1).allocated);
}

TEST(SpanInspectorModel, NoSelectionAndFreedSpansAreExplained) {
  World w(gogcOff());
  EXPECT_FALSE(gui::BuildSpanInspector(w.view(), kNoSpan).valid);
  EXPECT_NE(gui::BuildSpanInspector(w.view(), kNoSpan).problem.find("click one in the heap map"), std::string::npos);
  EXPECT_FALSE(gui::BuildSpanInspector(w.view(), 7).valid) << "no span 7 in an empty heap";
}

TEST(SweepStates, FollowGosSweepgenTable) {
  EXPECT_EQ(gui::SweepStateOf(2, 4), gui::SweepState::NeedsSweep);
  EXPECT_EQ(gui::SweepStateOf(3, 4), gui::SweepState::BeingSwept);
  EXPECT_EQ(gui::SweepStateOf(4, 4), gui::SweepState::Swept);
  EXPECT_EQ(gui::SweepStateOf(5, 4), gui::SweepState::CachedStale);
  EXPECT_EQ(gui::SweepStateOf(7, 4), gui::SweepState::Cached);
  EXPECT_EQ(gui::SweepStateOf(6, 4), gui::SweepState::Unknown);
}

// 3 x 33 B noscan (class 5), 2 x 100 B scan (class 9, 112 B), one 40,000 B noscan large object.
World mixedHeap() {
  World w(gogcOff());
  uint64_t id = 0;
  for (int i = 0; i < 3; ++i) run(w, allocEvent(id++, 33, true));
  for (int i = 0; i < 2; ++i) run(w, allocEvent(id++, 100, false));
  run(w, allocEvent(id++, 40000, true));
  return w;
}

TEST(SizeClassesModel, RowsAndTotalsByHand) {
  World w = mixedHeap();
  const gui::SizeClassesModel m = gui::BuildSizeClasses(w.view(), /*includeEmpty=*/false);
  ASSERT_EQ(m.rows.size(), 3u);
  const gui::SizeClassRow& a = m.rows[0];
  EXPECT_EQ(a.spanClass, 11u);
  EXPECT_EQ(a.objectSize, 48u);
  EXPECT_EQ(a.spans, 1u);
  EXPECT_EQ(a.objects, 3u);
  EXPECT_EQ(a.capacity, 170u);
  EXPECT_EQ(a.roundingWaste, 45u);
  EXPECT_EQ(a.tailWaste, 32u);
  const gui::SizeClassRow& b = m.rows[1];
  EXPECT_EQ(b.spanClass, 18u) << "class 9 (112 B), scan";
  EXPECT_EQ(b.objectSize, 112u);
  EXPECT_EQ(b.capacity, 73u) << "8192 / 112 = 73.1";
  EXPECT_EQ(b.roundingWaste, 24u) << "2 x (112 - 100)";
  EXPECT_EQ(b.tailWaste, 16u) << "8192 - 73*112";
  const gui::SizeClassRow& c = m.rows[2];
  EXPECT_TRUE(c.large);
  EXPECT_EQ(c.spanClass, 1u) << "large noscan";
  EXPECT_EQ(c.spanBytes, 5u * 8192) << "ceil(40000 / 8192) = 5 pages";
  EXPECT_EQ(c.roundingWaste, 5u * 8192 - 40000);
  EXPECT_EQ(c.tailWaste, 0u);
  EXPECT_EQ(m.totals.spans, 3u);
  EXPECT_EQ(m.totals.objects, 6u);
  EXPECT_EQ(m.totals.capacity, 170u + 73 + 1);
  EXPECT_EQ(m.totals.roundingWaste, 45u + 24 + 960);
  EXPECT_EQ(m.totals.tailWaste, 48u);
  EXPECT_EQ(m.totals.spanBytes, 2u * 8192 + 40960);
  EXPECT_EQ(gui::BuildSizeClasses(w.view(), true).rows.size(), 68u * 2) << "every span class of Go's table";
}

TEST(SizeClassesModel, SortsByAnyColumnBothWays) {
  World w = mixedHeap();
  std::vector<gui::SizeClassRow> rows = gui::BuildSizeClasses(w.view(), false).rows;
  gui::SortSizeClassRows(rows, gui::SizeClassColumn::RoundingWaste, /*ascending=*/false);
  EXPECT_EQ(rows[0].spanClass, 1u);
  EXPECT_EQ(rows[1].spanClass, 11u);
  EXPECT_EQ(rows[2].spanClass, 18u);
  gui::SortSizeClassRows(rows, gui::SizeClassColumn::Occupancy, /*ascending=*/true);
  EXPECT_EQ(rows[0].spanClass, 11u) << "3/170";
  EXPECT_EQ(rows[1].spanClass, 18u) << "2/73";
  EXPECT_EQ(rows[2].spanClass, 1u) << "1/1";
  gui::SortSizeClassRows(rows, gui::SizeClassColumn::Class, true);
  EXPECT_EQ(rows[0].spanClass, 11u);
  EXPECT_EQ(rows[2].spanClass, 1u) << "large classes sort after the small ones";
}

TEST(PsModel, CachedSpansTinyBlockPageCacheAndMSpanCache) {
  World w(gogcOff(2));
  run(w, allocEvent(0, 48, true, /*thread=*/0)); // P0
  run(w, allocEvent(1, 48, true, 1));            // P1
  run(w, allocEvent(2, 8, true, 1));             // P1, tiny
  const std::vector<gui::PModel> ps = gui::BuildPs(w.view());
  ASSERT_EQ(ps.size(), 2u);
  ASSERT_EQ(ps[0].cached.size(), 1u);
  EXPECT_EQ(ps[0].cached[0].spanClass, 11u);
  EXPECT_EQ(ps[0].cached[0].allocCount, 1u);
  EXPECT_EQ(ps[0].pendingAllocs, 1u);
  ASSERT_EQ(ps[1].cached.size(), 2u);
  EXPECT_EQ(ps[1].cached[0].spanClass, 5u) << "the tiny block's span class: class 2 noscan";
  EXPECT_EQ(ps[1].cached[1].spanClass, 11u);
  EXPECT_EQ(ps[1].pendingAllocs, 2u);
  EXPECT_NE(ps[1].tiny, 0u);
  EXPECT_EQ(ps[1].tinyoffset, 8u);
  EXPECT_EQ(ps[1].tinyAllocs, 0u) << "a new block is not a tiny sub-allocation hit";
  EXPECT_EQ(ps[0].tiny, 0u);
  // P0's first span found no pages at all (empty heap), so its page cache stayed empty and its page
  // came from the page allocator after mheap.grow. P1 then filled its cache with the 64-page block
  // holding the first free page (page 1) and took pages 1 and 2 from it.
  EXPECT_EQ(ps[0].pcacheBits, 0u);
  EXPECT_EQ(ps[1].pcacheBase, kBase);
  EXPECT_EQ(ps[1].pcacheBits, ~uint64_t{0} << 3);
  EXPECT_EQ(ps[1].pcacheFree, 61u);
  EXPECT_EQ(ps[1].pcacheScav, ~uint64_t{0} << 3) << "fresh pages are scavenged";
  // Each P refilled its mspan cache with 64 structs once: P0 used one, P1 two.
  EXPECT_EQ(ps[0].mspancache, 63u);
  EXPECT_EQ(ps[1].mspancache, 62u);
}

TEST(MCentralModel, SetsFollowCachingAndTheGc) {
  World w(gogcOff());
  // Fill one class-5 span (170 slots) and start a second: the first goes back to mcentral full.
  for (uint64_t id = 0; id < 171; ++id) run(w, allocEvent(id, 48));
  std::vector<gui::MCentralClass> cs = gui::BuildMCentral(w.view(), false);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].spanClass, 11u);
  const SpanId first = w.view().spanAt(kBase);
  EXPECT_EQ(cs[0].sets[static_cast<size_t>(CentralSet::FullSwept)], std::vector<SpanId>{first});
  EXPECT_EQ(cs[0].total(), 1u) << "the cached span is in no set";
  // Free one object in the full span; the GC sweeps it into partial swept, and the cached span,
  // flushed at mark termination, joins it behind (FIFO).
  run(w, freeEvent(5));
  run(w, gcEvent());
  cs = gui::BuildMCentral(w.view(), false);
  ASSERT_EQ(cs.size(), 1u);
  const auto& partial = cs[0].sets[static_cast<size_t>(CentralSet::PartialSwept)];
  ASSERT_EQ(partial.size(), 2u);
  EXPECT_TRUE(cs[0].sets[static_cast<size_t>(CentralSet::FullSwept)].empty());
  EXPECT_TRUE(cs[0].sets[static_cast<size_t>(CentralSet::PartialUnswept)].empty());
  EXPECT_TRUE(cs[0].sets[static_cast<size_t>(CentralSet::FullUnswept)].empty());
  EXPECT_EQ(gui::BuildMCentral(w.view(), true).size(), 136u);
  // Counted by where each span says it sits, the same as the queues say.
  EXPECT_EQ(cs[0].counts[static_cast<size_t>(CentralSet::PartialSwept)], 2u);
  EXPECT_EQ(cs[0].total(), 2u);
  const auto unlisted = gui::BuildMCentral(w.view(), false, [](SpanClass) { return false; });
  ASSERT_EQ(unlisted.size(), 1u);
  EXPECT_EQ(unlisted[0].total(), 2u) << "counts without listing";
  EXPECT_TRUE(unlisted[0].sets[0].empty());
  // Flattening: one class line, plus one line per span when expanded.
  EXPECT_EQ(gui::FlattenMCentral(cs, [](SpanClass) { return false; }).size(), 1u);
  const auto lines = gui::FlattenMCentral(cs, [](SpanClass) { return true; });
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].kind, gui::MCentralLine::Span);
  EXPECT_EQ(lines[1].span, partial[0]);
  EXPECT_EQ(lines[1].set, CentralSet::PartialSwept);
}

TEST(MCentralModel, CountsAgreeWithTheQueuesOnARandomHeap) {
  // Two independent readings of the same state: each span's recorded placement (counts) and the
  // FIFO queues with their stale entries skipped (lists).
  World w(gogcOff(2));
  std::mt19937_64 rng(3);
  std::vector<uint64_t> live;
  for (uint64_t id = 0; id < 20000; ++id) {
    run(w, allocEvent(id, 1 + rng() % 3000, rng() % 2 == 0, static_cast<uint32_t>(rng() % 2)));
    live.push_back(id);
    if (rng() % 3 == 0) {
      const size_t k = rng() % live.size();
      run(w, freeEvent(live[k]));
      live[k] = live.back();
      live.pop_back();
    }
    if (id % 5000 == 4999) run(w, gcEvent());
  }
  size_t queued = 0;
  for (const gui::MCentralClass& c : gui::BuildMCentral(w.view(), false)) {
    for (size_t k = 0; k < gui::kCentralSets; ++k) EXPECT_EQ(c.counts[k], c.sets[k].size()) << c.spanClass;
    queued += c.total();
  }
  EXPECT_GT(queued, 50u);
}

TEST(MCentralModel, LargeSpansSitInTheFullSweptSetOfClass0) {
  World w(gogcOff());
  run(w, allocEvent(0, 40000, false));
  const std::vector<gui::MCentralClass> cs = gui::BuildMCentral(w.view(), false);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].spanClass, 0u) << "large scan";
  EXPECT_EQ(cs[0].sets[static_cast<size_t>(CentralSet::FullSwept)].size(), 1u);
}

TEST(MHeapModel, OneSmallSpanInAFreshHeap) {
  World w(gogcOff());
  run(w, allocEvent(0, 48));
  const gui::MHeapModel m = gui::BuildMHeap(w.view());
  ASSERT_EQ(m.arenas.size(), 1u);
  EXPECT_EQ(m.arenas[0].base, kBase);
  EXPECT_EQ(m.arenas[0].size, 64u << 20);
  EXPECT_EQ(m.arenas[0].mapped, 4u << 20) << "mheap.grow maps one 4 MiB chunk";
  ASSERT_EQ(m.chunks.size(), 1u);
  EXPECT_EQ(m.chunks[0].inUse, 1u);
  EXPECT_EQ(m.chunks[0].pcache, 0u) << "the page cache could not be filled from an empty heap";
  EXPECT_EQ(m.chunks[0].free, 511u);
  EXPECT_EQ(m.chunks[0].scavenged, 511u) << "fresh memory counts as released until a span uses it";
  ASSERT_EQ(m.freeRuns.size(), 1u);
  EXPECT_EQ(m.freeRuns[0].addr, kBase + 8192);
  EXPECT_EQ(m.freeRuns[0].pages, 511u);
  EXPECT_EQ(m.mem.HeapSys, 4u << 20);
  EXPECT_EQ(m.mem.HeapInuse, 8192u);
  EXPECT_EQ(m.mem.HeapReleased, 511u * 8192);
  // The ledger by hand: 48 live, 32 tail, 169 free slots of 48 B in the cached span, 511 released pages.
  ASSERT_EQ(m.ledger.size(), static_cast<size_t>(gui::LedgerKind::Count));
  auto bytes = [&](gui::LedgerKind k) { return m.ledger[static_cast<size_t>(k)].bytes; };
  EXPECT_EQ(bytes(gui::LedgerKind::Live), 48u);
  EXPECT_EQ(bytes(gui::LedgerKind::Tail), 32u);
  EXPECT_EQ(bytes(gui::LedgerKind::CachedFreeSlots), 169u * 48);
  EXPECT_EQ(bytes(gui::LedgerKind::FreeSlots), 0u);
  EXPECT_EQ(bytes(gui::LedgerKind::FreePages), 0u);
  EXPECT_EQ(bytes(gui::LedgerKind::Released), 511u * 8192);
  EXPECT_EQ(m.ledgerTotal, 4u << 20);
  EXPECT_TRUE(m.ledgerBalances());
}

TEST(MHeapModel, ASecondSpanFillsThePageCache) {
  World w(gogcOff());
  run(w, allocEvent(0, 48));
  run(w, allocEvent(1, 100, false));
  const gui::MHeapModel m = gui::BuildMHeap(w.view());
  // allocToCache took the 64-page block holding page 1; the new span took page 1 from it.
  ASSERT_EQ(m.chunks.size(), 1u);
  EXPECT_EQ(m.chunks[0].inUse, 2u);
  EXPECT_EQ(m.chunks[0].pcache, 62u);
  EXPECT_EQ(m.chunks[0].free, 448u);
  EXPECT_EQ(m.chunks[0].scavenged, 510u);
  EXPECT_EQ(m.chunks[0].pcacheScavenged, 62u);
  ASSERT_EQ(m.freeRuns.size(), 1u);
  EXPECT_EQ(m.freeRuns[0].addr, kBase + 64 * 8192) << "page-cache pages are not free runs";
  EXPECT_EQ(m.freeRuns[0].pages, 448u);
  EXPECT_EQ(m.inUsePages * 8192, m.mem.HeapInuse);
  EXPECT_TRUE(m.ledgerBalances());
}

// Hand-made samples: HeapAlloc 0 from position 0, 100 from 10, 50 from 20; the trace has 30 positions.
std::vector<model::StatsSample> threeSamples() {
  std::vector<model::StatsSample> s(3);
  s[0].event = 0;
  s[1].event = 10;
  s[1].mem.HeapAlloc = 100;
  s[2].event = 20;
  s[2].mem.HeapAlloc = 50;
  return s;
}

TEST(StatsModel, SampleInForceAtAPosition) {
  const auto s = threeSamples();
  EXPECT_EQ(gui::SampleAt(s, 0), 0);
  EXPECT_EQ(gui::SampleAt(s, 9), 0);
  EXPECT_EQ(gui::SampleAt(s, 10), 1);
  EXPECT_EQ(gui::SampleAt(s, 1000), 2);
  std::vector<model::StatsSample> late(1);
  late[0].event = 5;
  EXPECT_EQ(gui::SampleAt(late, 4), -1);
}

TEST(StatsModel, DownsamplingKeepsEverySpike) {
  const auto s = threeSamples();
  using gui::StatSeries;
  // Three columns of ten positions each.
  auto cols = gui::DownsampleSeries(s, StatSeries::HeapAlloc, 0, 29, 3);
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].hi, 0u);
  EXPECT_EQ(cols[1].lo, 100u);
  EXPECT_EQ(cols[1].hi, 100u);
  EXPECT_EQ(cols[2].first, 50u);
  // One column for everything: it spans 0..100 and ends at 50.
  cols = gui::DownsampleSeries(s, StatSeries::HeapAlloc, 0, 29, 1);
  EXPECT_EQ(cols[0].first, 0u);
  EXPECT_EQ(cols[0].lo, 0u);
  EXPECT_EQ(cols[0].hi, 100u);
  EXPECT_EQ(cols[0].last, 50u);
  // More columns than positions: column c shows position c/2.
  cols = gui::DownsampleSeries(s, StatSeries::HeapAlloc, 0, 29, 60);
  EXPECT_EQ(cols[19].hi, 0u) << "position 9";
  EXPECT_EQ(cols[20].lo, 100u) << "position 10";
  EXPECT_EQ(cols[40].lo, 50u) << "position 20";
  // A window that starts before any sample: nothing in force there.
  std::vector<model::StatsSample> late(1);
  late[0].event = 5;
  cols = gui::DownsampleSeries(late, StatSeries::HeapAlloc, 0, 9, 10);
  EXPECT_FALSE(cols[4].any);
  EXPECT_TRUE(cols[5].any);
}

// The waste ledger is taken at fewer samples than MemStats: its series holds its last walked value
// across samples without one, and never reads a sample's zero ledger as a value.
TEST(StatsModel, LedgerSeriesSkipSamplesWithoutALedger) {
  std::vector<model::StatsSample> s(4);
  for (size_t i = 0; i < s.size(); ++i) s[i].event = 10 * i;
  s[0].hasLedger = true;
  s[0].ledger.liveBytes = 70;
  s[1].mem.HeapAlloc = 5; // no ledger at 10 and 20: their ledger fields stay 0
  s[3].hasLedger = true;
  s[3].ledger.liveBytes = 90;
  using gui::StatSeries;
  EXPECT_FALSE(gui::HasStatValue(s[1], StatSeries::Live));
  EXPECT_TRUE(gui::HasStatValue(s[1], StatSeries::HeapAlloc));
  EXPECT_EQ(gui::SampleWithValue(s, 2, StatSeries::Live), 0);
  EXPECT_EQ(gui::SampleWithValue(s, 2, StatSeries::HeapAlloc), 2);
  // Four columns of ten positions: 70 in force until position 30, never 0.
  auto cols = gui::DownsampleSeries(s, StatSeries::Live, 0, 39, 4);
  ASSERT_EQ(cols.size(), 4u);
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE(cols[c].any) << c;
    EXPECT_EQ(cols[c].lo, 70u) << c;
    EXPECT_EQ(cols[c].hi, 70u) << c;
  }
  EXPECT_EQ(cols[3].first, 90u);
  // A window that starts between ledger samples takes the earlier walk's value.
  cols = gui::DownsampleSeries(s, StatSeries::Live, 15, 24, 1);
  EXPECT_TRUE(cols[0].any);
  EXPECT_EQ(cols[0].lo, 70u);
  EXPECT_EQ(cols[0].hi, 70u);
  // One column over everything: 70 to 90, and MemStats series still see every sample.
  cols = gui::DownsampleSeries(s, StatSeries::Live, 0, 39, 1);
  EXPECT_EQ(cols[0].lo, 70u);
  EXPECT_EQ(cols[0].last, 90u);
  cols = gui::DownsampleSeries(s, StatSeries::HeapAlloc, 0, 39, 1);
  EXPECT_EQ(cols[0].hi, 5u);
}

TEST(StatsModel, PixelsAndPositionsRoundTrip) {
  // 100 positions over 400 px: 4 px each.
  EXPECT_EQ(gui::PlotPositionAt(0.0f, 400, 0, 99), 0u);
  EXPECT_EQ(gui::PlotPositionAt(3.9f, 400, 0, 99), 0u);
  EXPECT_EQ(gui::PlotPositionAt(4.0f, 400, 0, 99), 1u);
  EXPECT_EQ(gui::PlotPositionAt(399.0f, 400, 0, 99), 99u);
  EXPECT_EQ(gui::PlotPositionAt(1000.0f, 400, 0, 99), 99u) << "clamped";
  EXPECT_FLOAT_EQ(gui::PlotXOf(0, 400, 0, 99), 2.0f) << "the centre of position 0's 4 px";
  for (uint64_t p : {0u, 17u, 50u, 99u}) EXPECT_EQ(gui::PlotPositionAt(gui::PlotXOf(p, 400, 0, 99), 400, 0, 99), p);
  EXPECT_EQ(gui::PlotPositionAt(200.0f, 400, 1000, 1099), 1050u) << "offset windows";
}

} // namespace
