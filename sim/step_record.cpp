// StepRecord: names, Go functions, one-line explanations. Design essay: sim/malloc.h.
#include "sim/step_record.h"

#include "sim/goversion.h"
#include "sim/sizeclasses.h"

#include <string>

namespace sim {

namespace {

struct StepInfo {
  const char* name;     // short name for reports and JSON
  const char* goFuncs[5]; // Go functions this step adds to the path, in call order
  const char* words;    // for describe()
};

constexpr StepInfo kSteps[] = {
    {"background_sweep", {"runtime.bgsweep", "runtime.sweepone"}, "background sweeper swept spans"},
    {"zero_size", {"runtime.mallocgc"}, "size 0 → &zerobase, nothing allocated"},
    {"tiny_hit", {"runtime.mallocgc"}, "packed into the current tiny block"},
    {"tiny_new_block", {"runtime.mallocgc"}, "new 16 B tiny block"},
    {"next_free_fast", {"runtime.nextFreeFast"}, "mcache hit (allocCache)"},
    {"next_free", {"runtime.(*mcache).nextFree", "runtime.(*mspan).nextFreeIndex"}, "mcache slow path (nextFreeIndex)"},
    {"refill", {"runtime.(*mcache).refill"}, ""},
    {"uncache_span", {"runtime.(*mcentral).uncacheSpan"}, "full span back to mcentral"},
    {"proportional_sweep", {"runtime.deductSweepCredit", "runtime.sweepone"}, "sweep debt paid (proportional sweep)"},
    {"cache_span_partial_swept", {"runtime.(*mcentral).cacheSpan", "runtime.(*spanSet).pop"}, "mcentral.cacheSpan: partial swept span"},
    {"cache_span_partial_unswept", {"runtime.(*mcentral).cacheSpan", "runtime.(*sweepLocked).sweep"}, "mcentral.cacheSpan: swept a partial unswept span"},
    {"cache_span_full_unswept", {"runtime.(*mcentral).cacheSpan", "runtime.(*sweepLocked).sweep"}, "mcentral.cacheSpan: swept a full unswept span"},
    {"central_grow", {"runtime.(*mcentral).cacheSpan", "runtime.(*mcentral).grow"}, "mcentral empty → mcentral.grow"},
    {"large_alloc", {"runtime.(*mcache).allocLarge"}, "large object → own span"},
    {"reclaim", {"runtime.(*mheap).reclaim", "runtime.(*mheap).reclaimChunk"}, "page reclaimer swept unmarked spans"},
    {"alloc_span", {"runtime.(*mheap).alloc", "runtime.(*mheap).allocSpan"}, "mheap.allocSpan"},
    {"page_cache_refill", {"runtime.(*pageAlloc).allocToCache"}, "P's page cache refilled (heap lock)"},
    {"page_cache_hit", {"runtime.(*pageCache).alloc"}, "pages from the P's page cache"},
    {"page_alloc_find", {"runtime.(*pageAlloc).alloc", "runtime.(*pageAlloc).find"}, "pages by first fit (heap lock)"},
    {"arena_reserve", {"runtime.(*mheap).grow", "runtime.(*mheap).sysAlloc", "runtime.sysReserve"}, "new 64 MiB arena reserved"},
    {"heap_grow", {"runtime.(*mheap).grow", "runtime.sysMap", "runtime.(*pageAlloc).grow"}, "heap grown from the OS"},
    {"free", {}, "object unreachable"},
    {"free_reclaim", {"runtime.(*sweepLocked).sweep"}, "slot reclaimed now (immediate mode)"},
    {"gc_trigger", {"runtime.gcTrigger.test", "runtime.gcStart"}, "heapLive reached the GC trigger"},
    {"gc_cycle", {"runtime.gcStart", "runtime.gcMarkTermination"}, "GC cycle: gcStart, mark (sweepgen += 2 at its termination)"},
    {"release_all", {"runtime.(*mcache).releaseAll"}, "mcaches flushed"},
    {"sweep", {"runtime.sweepone", "runtime.(*sweepLocked).sweep"}, ""},
    {"free_span", {"runtime.(*mheap).freeSpan", "runtime.(*pageAlloc).free"}, ""},
    {"read_mem_stats", {"runtime.ReadMemStats", "runtime.flushallmcaches"}, "ReadMemStats (flushes every mcache)"},
    {"annotate", {}, "annotation"},
    {"free_os_memory", {"runtime/debug.FreeOSMemory", "runtime.GC", "runtime.(*mheap).scavengeAll"}, ""},
    {"scavenge", {"runtime.(*pageAlloc).scavenge", "runtime.(*pageAlloc).scavengeOne", "runtime.sysUnused"}, ""},
    {"sys_used", {"runtime.sysUsed"}, "released pages taken back from the OS (sysUsed)"},
    {"gfree_reuse", {"runtime.gfget"}, "reused a dead goroutine's 2 KiB stack"},
    {"stack_alloc", {"runtime.stackalloc"}, ""},
    {"stack_free", {"runtime.stackfree"}, ""},
    {"alloc_black", {"runtime.gcmarknewobject"}, "allocated black (GC mark in progress)"},
    {"mark_assist", {"runtime.gcAssistAlloc", "runtime.gcDrainN"}, "mark assist (allocation in GC debt)"},
    {"mark_done", {"runtime.gcMarkDone", "runtime.gcMarkTermination"}, "mark done: mark termination, sweepgen += 2"},
};
static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == static_cast<size_t>(PathStep::Count));

std::string bytesText(uint64_t b) {
  if (b >= (uint64_t{1} << 20) && b % (uint64_t{1} << 20) == 0) return std::to_string(b >> 20) + " MiB";
  if (b >= 8192 && b % 1024 == 0) return std::to_string(b >> 10) + " KiB";
  return std::to_string(b) + " B";
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace

const char* pathStepName(PathStep s) { return kSteps[static_cast<size_t>(s)].name; }

// Go 1.26: malloc.go's sub-allocators (with GOEXPERIMENT=sizespecializedmalloc, off in go1.26.8's
// baseline, sizes <= 512 would go to malloc_generated.go's mallocgcTinySize<N> /
// mallocgcSmallNoScanSC<class> / mallocgcSmallScanNoHeaderSC<class> instead).
const char* mallocPathFunction(MallocPath m) {
  switch (m) {
    case MallocPath::None: return nullptr;
    case MallocPath::Tiny: return "runtime.mallocgcTiny";
    case MallocPath::SmallNoscan: return "runtime.mallocgcSmallNoscan";
    case MallocPath::SmallScanNoHeader: return "runtime.mallocgcSmallScanNoHeader";
    case MallocPath::SmallScanHeader: return "runtime.mallocgcSmallScanHeader";
    case MallocPath::Large: return "runtime.mallocgcLarge";
  }
  return nullptr;
}

// Go functions along the path, outermost first, each once.
std::vector<const char*> goFunctions(const StepRecord& r) {
  std::vector<const char*> out;
  if (r.kind == EventKind::Alloc) out.push_back("runtime.mallocgc");
  if (const char* sub = mallocPathFunction(r.mallocPath)) out.push_back(sub);
  if (r.kind == EventKind::GC) out.push_back("runtime.GC");
  if (r.kind == EventKind::GoStart) out.push_back("runtime.newproc");
  if (r.kind == EventKind::StackGrow) out.push_back("runtime.newstack");
  if (r.kind == EventKind::GoExit) out.push_back("runtime.goexit0");
  for (size_t i = 0; i < static_cast<size_t>(PathStep::Count); ++i) {
    if (!r.has(static_cast<PathStep>(i))) continue;
    for (const char* f : kSteps[i].goFuncs) {
      if (f == nullptr) break;
      bool seen = false;
      for (const char* g : out) seen = seen || std::string_view(g) == f;
      if (!seen) out.push_back(f);
    }
  }
  return out;
}

std::string describe(const StepRecord& r) {
  std::string s;
  switch (r.kind) {
    case EventKind::Alloc:
      s = std::to_string(r.size) + " B";
      if (r.has(PathStep::ZeroSize)) break;
      if (r.has(PathStep::LargeAlloc)) {
        s += " → large (" + std::to_string(r.newSpanPages) + " pages, " + bytesText(r.elemsize) + ")";
      } else if (r.has(PathStep::TinyHit) || r.has(PathStep::TinyNewBlock)) {
        s += " → tiny (noscan < 16 B)";
      } else {
        if (r.mallocPath == MallocPath::SmallScanHeader) // Go 1.22+: mallocgcSmallScanHeader
          s += " + 8-byte malloc header = " + std::to_string(r.size + kMallocHeaderSize) + " B";
        s += " → class " + std::to_string(r.sizeclass) + " (" + std::to_string(r.elemsize) + " B, span class " +
             std::to_string(r.spanclass) + ")";
      }
      break;
    case EventKind::Free:
      s = "free " + std::to_string(r.size) + " B at " + hex(r.addr);
      break;
    case EventKind::GC: s = "runtime.GC()"; break;
    case EventKind::ReadMemStats: s = "runtime.ReadMemStats()"; break;
    case EventKind::Annotate: return "annotation";
    case EventKind::FreeOSMemory: s = "debug.FreeOSMemory()"; break;
    case EventKind::GoStart: s = "goroutine " + std::to_string(r.id) + " starts, 2 KiB stack at " + hex(r.addr); break;
    case EventKind::StackGrow:
      s = "goroutine " + std::to_string(r.id) + " stack grows to " + bytesText(r.size) + " at " + hex(r.addr) + " (copied)";
      break;
    case EventKind::GoExit: s = "goroutine " + std::to_string(r.id) + " exits (" + bytesText(r.size) + " stack)"; break;
  }
  for (size_t i = 0; i < static_cast<size_t>(PathStep::Count); ++i) {
    PathStep st = static_cast<PathStep>(i);
    if (!r.has(st) || st == PathStep::Free || st == PathStep::Annotate || st == PathStep::ReadMemStats) continue;
    if (st == PathStep::Refill) { // say why: a full span, or none cached yet for this class
      s += r.has(PathStep::UncacheSpan) || r.has(PathStep::NextFree) ? ", mcache span full → refill"
                                                                     : ", no span cached for this class → refill";
      continue;
    }
    if (*kSteps[i].words == 0 || st == PathStep::LargeAlloc) continue; // said below, with counts
    s += ", ";
    s += kSteps[i].words;
  }
  if (r.kind == EventKind::Alloc && !r.has(PathStep::ZeroSize)) {
    s += " → " + hex(r.addr);
    if (r.has(PathStep::TinyHit) || r.has(PathStep::TinyNewBlock)) s += " (block offset " + std::to_string(r.tinyOffset) + ")";
    else if (r.mallocPath == MallocPath::SmallScanHeader) s += " (slot " + std::to_string(r.slot) + " + 8 B header)";
    else if (!r.has(PathStep::LargeAlloc)) s += " (slot " + std::to_string(r.slot) + ")";
  }
  if (r.newSpanPages && r.kind == EventKind::Alloc && !r.has(PathStep::LargeAlloc))
    s += ", new span at " + hex(r.newSpanBase) + " (" + std::to_string(r.newSpanPages) + (r.newSpanPages == 1 ? " page)" : " pages)");
  if (r.heapGrowBytes) s += ", heap +" + bytesText(r.heapGrowBytes);
  if (r.scavengedBytes) s += ", " + bytesText(r.scavengedBytes) + " returned to the OS";
  auto count = [](uint32_t n, const char* what) { return std::to_string(n) + (n == 1 ? " span " : " spans ") + what; };
  if (r.spansSwept) s += ", " + count(r.spansSwept, "swept");
  if (r.spansFreed) s += ", " + count(r.spansFreed, "freed to mheap");
  for (uint32_t i = 0; i < r.locksTaken && i < StepRecord::kMaxLockTakes; ++i) { // the timing model's waits
    const LockTake& t = r.locks[i];
    if (t.wait == 0) continue;
    s += ", waited " + durationText(t.wait) + " for " + lockName(t.lock);
    if (t.holder != kNoHolder) s += " (held by " + executorName(t.holder) + ")";
  }
  return s;
}

} // namespace sim
