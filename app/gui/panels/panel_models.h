// What the allocator panels show, computed from the engine without ImGui: one Build* function per
// panel (span inspector, size classes, Ps, mcentral, mheap, stats). Each panel file defines its
// model next to its drawing; tests check the models against hand computations.
#pragma once

#include "app/gui/panel.h"
#include "app/model/session.h"
#include "sim/heapview.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace gui {

// "class 5 noscan (48 B)" / "large scan" — a span class in words.
std::string SpanClassLabel(const sim::SizeClassTable& t, sim::SpanClass spc);

// ---------------------------------------------------------------------------------------------
// Span inspector

// A span's sweepgen read against mheap's (Go: mgcsweep.go, the table above mspan.sweepgen).
enum class SweepState { NeedsSweep, BeingSwept, Swept, CachedStale, Cached, Unknown };
SweepState SweepStateOf(uint32_t spanSweepgen, uint32_t heapSweepgen);
const char* SweepStateName(SweepState s);    // short: "unswept", "swept", "cached", ...
const char* SweepStateMeaning(SweepState s); // one sentence for the tooltip

struct SpanObject {
  uint64_t id = 0;      // the engine's dense object id
  uint64_t traceId = 0; // the id the trace file gives it (what the user reads in the file and the lesson)
  uint64_t addr = 0;
  uint64_t size = 0; // requested bytes
  uint32_t slot = 0;
};

struct SlotState {
  uint64_t addr = 0;
  bool allocated = false; // allocated as the allocator sees it (below freeindex or allocBits set)
  bool allocBit = false;  // allocBits: allocated as of the last sweep
  bool marked = false;    // gcmarkBits
  bool reachable = false; // the trace has not freed what is in it
  bool allocBlack = false; // marked by its allocation during the mark in progress (gcmarknewobject)
};
SlotState SlotStateOf(const sim::HeapView& v, sim::SpanId s, uint32_t slot);

struct SpanInspectorModel {
  bool valid = false;  // false: nothing selected or the id names no span in use
  std::string problem; // why not valid, for the panel
  sim::SpanId id = sim::kNoSpan;
  sim::SpanState state = sim::SpanState::Dead;
  sim::SpanClass spanclass = 0;
  uint32_t sizeclass = 0;
  bool noscan = false, large = false, tinyBlocks = false, needzero = false;
  uint64_t elemsize = 0, base = 0, limit = 0, bytes = 0;
  uint32_t npages = 0, nelems = 0, allocCount = 0, freeindex = 0;
  uint32_t sweepgen = 0, heapSweepgen = 0;
  SweepState sweep = SweepState::Unknown;
  std::string home;     // where the span sits: "mcache of P0", "mcentral partial swept set", ...
  std::string homeHelp; // what that means
  // allocCache: inverted allocBits from freeindex to the end of freeindex's 64-slot word
  // (bit 0 = slot freeindex); the slots it covers are [cacheFirst, cacheEnd).
  uint64_t allocCache = 0;
  uint32_t cacheFirst = 0, cacheEnd = 0;
  uint32_t cacheFree = 0; // set bits of allocCache for the slots it covers (bits past them mean nothing)
  uint32_t allocBitsSet = 0, markedSlots = 0, reachableSlots = 0;
  bool marking = false;        // a GC mark is in progress
  uint32_t allocBlackSlots = 0; // of markedSlots, those allocated black during it (0 when not marking)
  uint64_t liveBytes = 0, roundingWaste = 0, deadBytes = 0, tailWaste = 0, freeSlotBytes = 0;
  uint64_t spanMetaBytes = 0; // Go 1.26: heap bits and inline mark bits, part of tailWaste
  std::vector<SpanObject> objects; // reachable objects in the span, by address
};
// trace: maps the engine's dense object ids back to the file's (nullptr: they are shown as they are).
SpanInspectorModel BuildSpanInspector(const sim::HeapView& v, sim::SpanId id, const traces::Trace* trace = nullptr);

// ---------------------------------------------------------------------------------------------
// Size classes

struct SizeClassRow {
  sim::SpanClass spanClass = 0;
  uint32_t sizeClass = 0;
  bool noscan = false;
  bool large = false;        // span class 0/1: objects > maxSmall, one per span
  uint64_t objectSize = 0;   // class size (large: 0, sizes vary)
  uint32_t pagesPerSpan = 0; // class's pages (large: 0, varies)
  uint32_t objectsPerSpan = 0;
  uint64_t spans = 0;         // spans in use
  uint64_t objects = 0;       // allocated slots (allocCount: live + dead not yet swept)
  uint64_t capacity = 0;      // slots in those spans (nelems)
  uint64_t liveObjects = 0;   // slots holding reachable objects
  uint64_t liveBytes = 0;     // requested bytes of reachable objects
  uint64_t roundingWaste = 0; // slot bytes of reachable objects beyond their request
  uint64_t tailWaste = 0;     // span bytes past the last slot
  uint64_t spanBytes = 0;     // pages of those spans, in bytes
  double occupancy() const { return capacity ? static_cast<double>(objects) / static_cast<double>(capacity) : 0.0; }
};

enum class SizeClassColumn { Class, ObjectSize, Spans, Objects, Occupancy, RoundingWaste, TailWaste, Count };

struct SizeClassesModel {
  std::vector<SizeClassRow> rows; // by span class, large classes last
  SizeClassRow totals;            // sums over every span class (shown or not)
};
// includeEmpty: every span class of the table; otherwise only those with spans in use.
SizeClassesModel BuildSizeClasses(const sim::HeapView& v, bool includeEmpty);
void SortSizeClassRows(std::vector<SizeClassRow>& rows, SizeClassColumn column, bool ascending);

// ---------------------------------------------------------------------------------------------
// Ps and mcaches

struct CachedSpan {
  sim::SpanClass spanClass = 0;
  sim::SpanId span = sim::kNoSpan;
  uint64_t base = 0, elemsize = 0;
  uint32_t allocCount = 0, nelems = 0, freeindex = 0;
  uint32_t pending = 0; // allocations not yet counted in the global stats (allocCount - allocCountBeforeCache)
};

struct PModel {
  uint32_t p = 0;
  std::vector<CachedSpan> cached; // span classes with a span cached, ascending
  uint64_t tiny = 0;              // tiny block base, 0 if none
  uint32_t tinyoffset = 0;
  uint64_t tinyAllocs = 0, scanAlloc = 0;
  uint32_t flushGen = 0;
  uint64_t pendingAllocs = 0, pendingBytes = 0; // sum over cached spans of `pending` (and x elemsize)
  uint64_t pcacheBase = 0;                      // address of the page cache's first page (valid when pcacheBits != 0)
  uint64_t pcacheBits = 0, pcacheScav = 0;
  uint32_t pcacheFree = 0; // free pages in the page cache
  uint32_t mspancache = 0;
};
std::vector<PModel> BuildPs(const sim::HeapView& v);

// ---------------------------------------------------------------------------------------------
// mcentral

enum class CentralSet { PartialSwept, PartialUnswept, FullSwept, FullUnswept, Count };
inline constexpr size_t kCentralSets = static_cast<size_t>(CentralSet::Count);
const char* CentralSetName(CentralSet s);
const char* CentralSetMeaning(CentralSet s);

struct MCentralClass {
  sim::SpanClass spanClass = 0;
  std::array<size_t, kCentralSets> counts{};                // spans in each set
  std::array<std::vector<sim::SpanId>, kCentralSets> sets; // oldest first (pop order); only if listed
  size_t total() const;
};
// Counts for every span class (includeEmpty) or those with a queued span; the spans themselves
// only for the classes `listed` says (walking a set is the costly part on a large heap).
template <class Listed>
std::vector<MCentralClass> BuildMCentral(const sim::HeapView& v, bool includeEmpty, Listed listed);
std::vector<MCentralClass> BuildMCentral(const sim::HeapView& v, bool includeEmpty); // lists every class

// The panel's rows, flattened so every row has the same height (for the list clipper): a class
// row, then for an expanded class one row per span, set by set in CentralSet order.
struct MCentralLine {
  enum Kind : uint8_t { Class, Span } kind = Class;
  uint32_t classIndex = 0; // into the BuildMCentral result
  CentralSet set = CentralSet::PartialSwept;
  sim::SpanId span = sim::kNoSpan;
};
// Counts every span by where it sits (MSpan::home), one pass over the spans.
std::vector<std::array<size_t, kCentralSets>> CountMCentral(const sim::HeapView& v);

template <class Listed>
std::vector<MCentralClass> BuildMCentral(const sim::HeapView& v, bool includeEmpty, Listed listed) {
  const std::vector<std::array<size_t, kCentralSets>> counts = CountMCentral(v);
  std::vector<MCentralClass> out;
  const auto n = static_cast<uint32_t>(counts.size());
  for (uint32_t i = 0; i < n; ++i) {
    // Small span classes first, in table order; the two large ones last (as the size-class panel).
    const auto spc = static_cast<sim::SpanClass>(i + 2 < n ? i + 2 : i + 2 - n);
    MCentralClass c;
    c.spanClass = spc;
    c.counts = counts[spc];
    if (!includeEmpty && c.total() == 0) continue;
    if (c.total() > 0 && listed(spc)) {
      c.sets[0] = v.spansInSet(spc, /*partial=*/true, /*swept=*/true);
      c.sets[1] = v.spansInSet(spc, true, false);
      c.sets[2] = v.spansInSet(spc, false, true);
      c.sets[3] = v.spansInSet(spc, false, false);
    }
    out.push_back(std::move(c));
  }
  return out;
}

template <class IsExpanded>
std::vector<MCentralLine> FlattenMCentral(const std::vector<MCentralClass>& classes, IsExpanded expanded) {
  std::vector<MCentralLine> out;
  for (uint32_t i = 0; i < classes.size(); ++i) {
    out.push_back({MCentralLine::Class, i, CentralSet::PartialSwept, sim::kNoSpan});
    if (!expanded(classes[i].spanClass)) continue;
    for (size_t k = 0; k < kCentralSets; ++k)
      for (sim::SpanId s : classes[i].sets[k]) out.push_back({MCentralLine::Span, i, static_cast<CentralSet>(k), s});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// mheap

struct ArenaRow {
  uint64_t base = 0, size = 0;
  uint64_t mapped = 0; // bytes of it mapped into the heap (whole 4 MiB chunks)
};
struct ChunkRow {
  uint64_t base = 0;
  uint32_t inUse = 0;           // pages of in-use spans
  uint32_t pcache = 0;          // free pages a P holds in its page cache
  uint32_t free = 0;            // free pages (including scavenged ones)
  uint32_t scavenged = 0;       // free pages released to the OS (page-cache ones included)
  uint32_t pcacheScavenged = 0; // of those, pages in a P's page cache
};
struct FreeRun {
  uint64_t addr = 0;
  uint64_t pages = 0;
  uint64_t scavenged = 0; // pages of the run released to the OS
};
enum class LedgerKind { Live, Rounding, Dead, Tail, FreeSlots, CachedFreeSlots, FreePages, Released, Count };
struct LedgerEntry {
  LedgerKind kind;
  const char* name;
  const char* help;
  uint64_t bytes;
};
struct MHeapModel {
  std::vector<ArenaRow> arenas;
  std::vector<ChunkRow> chunks;
  std::vector<FreeRun> freeRuns; // address order
  uint64_t mappedPages = 0, inUsePages = 0, pcachePages = 0, freePages = 0, scavengedPages = 0;
  uint64_t searchAddr = 0;
  sim::MemStats mem;
  std::vector<LedgerEntry> ledger; // the waste ledger, every byte of HeapSys once
  uint64_t ledgerTotal = 0;
  bool ledgerBalances() const { return ledgerTotal == mem.HeapSys; }
};
MHeapModel BuildMHeap(const sim::HeapView& v);
std::vector<LedgerEntry> LedgerEntries(const sim::WasteLedger& l);

// ---------------------------------------------------------------------------------------------
// Stats over time

enum class StatSeries {
  HeapAlloc,
  HeapInuse,
  HeapSys,
  HeapReleased,
  NextGC,     // the pacer's heap goal
  GCTrigger,  // heapLive at which the pacer starts the next cycle
  StackInuse, // stack spans (not part of the heap)
  Live,
  Rounding,
  Dead,
  Tail,
  FreeSlots,
  CachedFreeSlots,
  FreePages,
  Count
};
inline constexpr size_t kStatSeries = static_cast<size_t>(StatSeries::Count);
const char* StatSeriesName(StatSeries s);
const char* StatSeriesHelp(StatSeries s);
uint64_t StatValue(const model::StatsSample& s, StatSeries which);
// Whether sample s holds a value of the series (the waste ledger is taken at fewer samples).
bool HasStatValue(const model::StatsSample& s, StatSeries which);
// Index of the last sample at or before index i that holds a value of the series; -1 if none.
int64_t SampleWithValue(const std::vector<model::StatsSample>& samples, int64_t i, StatSeries which);

// Index of the sample in force at event position `pos` (the last with event <= pos); -1 if none.
int64_t SampleAt(const std::vector<model::StatsSample>& samples, uint64_t pos);

// One pixel column of a downsampled series: the values in force over the positions the column
// covers (first: at its first position; last: at its last; lo/hi: least and greatest), so a plot
// drawn from columns keeps every spike.
struct PlotColumn {
  uint64_t first = 0, last = 0, lo = 0, hi = 0;
  bool any = false; // false where no sample is in force yet
};
// The plot shows positions [first, last] over `width` pixel columns: position p owns the pixels
// [(p-first)*width/n, (p-first+1)*width/n) with n = last-first+1. The series is a step function of
// position (a sample holds until the next one that has a value of the series).
std::vector<PlotColumn> DownsampleSeries(const std::vector<model::StatsSample>& samples, StatSeries which, uint64_t first,
                                         uint64_t last, int width);
// The position under pixel offset dx (clamped to [first, last]), and the centre of position p.
uint64_t PlotPositionAt(float dx, float width, uint64_t first, uint64_t last);
float PlotXOf(uint64_t p, float width, uint64_t first, uint64_t last);

} // namespace gui
