// GC phases for the views: see gc_phase.h.
#include "app/model/gc_phase.h"

#include "app/report/units.h"

#include <iterator>

namespace model {

namespace {

using sim::PathStep;

// In PathStep (call) order, so gcPhaseNotes lists an event's phases in the order they ran.
constexpr GcPhaseNote kNotes[] = {
    {PathStep::BackgroundSweep, "Background sweep",
     "Before this event the background sweeper (Go: bgsweep, a goroutine of its own) swept spans with sweepone. "
     "It makes the sweep finish even when nothing allocates; here it sweeps a fixed budget before each event."},
    {PathStep::ProportionalSweep, "Proportional sweep",
     "Before taking a span the allocation paid sweep debt (deductSweepCredit → sweepone): the pacer wants every "
     "span swept before the heap reaches the next trigger, so allocating bytes costs sweeping pages in proportion "
     "(sweepPagesPerByte)."},
    {PathStep::CacheSpanPartialUnswept, "Lazy sweep: a partial unswept span",
     "mcentral.cacheSpan found no swept span with free slots and took one from the partial unswept set, sweeping "
     "it itself before handing it to the mcache. Allocation is one way lazy sweeping makes progress."},
    {PathStep::CacheSpanFullUnswept, "Lazy sweep: a full unswept span",
     "cacheSpan swept a span from the full unswept set: sweeping frees the slots of objects the last mark found "
     "dead. If it freed some, the mcache uses the span; if not, it goes to the full swept set."},
    {PathStep::Reclaim, "Page reclaimer",
     "Before allocating pages, mheap.reclaim swept unswept spans, those with no marked object first, until it had "
     "freed as many pages as it needs (or none were left): the heap reuses what the last GC found free before it "
     "grows."},
    {PathStep::GCTrigger, "GC trigger",
     "heapLive reached the pacer's trigger, so a GC cycle starts (gcStart). The trigger sits below the heap goal "
     "(NextGC) to leave room for allocation during the concurrent mark."},
    {PathStep::GCCycle, "GC cycle: gcStart, the mark begins",
     "A cycle starts (gcStart): the previous sweep is finished and reachability is snapshotted, so every reachable "
     "object will be marked (here the trace's frees say what is unreachable; Go scans from the roots). A cycle the "
     "pacer starts keeps marking over the next events, until its scan work is paid ('mark done'); one forced by "
     "runtime.GC() or recorded in the trace ends in this event. Mark termination flushes every mcache and does "
     "mheap.sweepgen += 2, so every in-use span is two behind (unswept) and its mark bits become its alloc bits when "
     "it is swept. An eager cycle sweeps everything at once; a lazy one leaves that to allocation, the reclaimer, "
     "proportional and background sweep."},
    {PathStep::Sweep, "Sweep",
     "Spans were swept (mspan.sweep): slots of unmarked objects become free (gcmarkBits becomes allocBits), "
     "allocCount is recounted, a span left empty goes back to the heap, and the span's sweepgen catches up with "
     "mheap.sweepgen."},
    {PathStep::FreeOSMemory, "debug.FreeOSMemory",
     "A forced GC cycle that sweeps everything, then every free page is returned to the OS (scavengeAll): "
     "HeapReleased grows to all of HeapIdle."},
    {PathStep::Scavenge, "Scavenge",
     "Free pages were returned to the OS (pageAlloc.scavenge, sysUnused: madvise). The background scavenger keeps "
     "the retained free memory near what the heap goal needs; a memory limit or heap growth can make an "
     "allocation scavenge too. Released pages cost no RAM but must be faulted in again when reused."},
    {PathStep::SysUsed, "Released pages reused",
     "The new span covers pages that had been released, so they were taken back from the OS (sysUsed) and "
     "HeapReleased shrinks by them."},
    {PathStep::GFreeReuse, "Dead goroutine reused",
     "newproc took a dead G from the P's free list (gfget) together with its 2 KiB stack, so no stack had to "
     "be allocated."},
    {PathStep::StackAlloc, "Stack allocation",
     "stackalloc: a small stack (2–16 KiB) comes from the P's stack cache, refilled from the global stack pool, "
     "which cuts 32 KiB manual spans from the heap's pages; a larger stack gets a span of its own. Stack spans "
     "count in StackInuse, not HeapInuse."},
    {PathStep::StackFree, "Stack free",
     "stackfree: a small stack goes back to the P's stack cache (the pool when the cache is full); a large stack's "
     "span goes back to the heap. A stack that grows is copied to one twice its size and the old one freed."},
    {PathStep::AllocBlack, "mark (allocate-black)",
     "A GC mark is in progress, so the new object was marked at once (gcmarknewobject): whatever is allocated "
     "during the mark survives this cycle and counts in the marked heap. An object freed during the mark stays "
     "marked too (the deletion barrier kept it): both are reclaimed only by the next cycle."},
    {PathStep::MarkAssist, "mark (assist)",
     "The allocating goroutine was in assist debt: each byte it allocates during the mark owes scan work, at the "
     "assist ratio revise() computes so that the mark ends by the heap goal. It did at least 64 KiB of mark work "
     "(gcAssistAlloc) before its allocation could proceed, first stealing credit the background worker banked."},
    {PathStep::MarkDone, "mark done: mark termination",
     "The cycle's scan work is all done (by assists and the background mark worker), so the mark ends "
     "(gcMarkDone): mark termination measures cons/mark for the pacer, sets the next heap goal and trigger, "
     "and mheap.sweepgen += 2 starts the sweep."},
};

} // namespace

const GcPhaseNote* gcPhaseNote(sim::PathStep s) {
  for (const GcPhaseNote& n : kNotes)
    if (n.step == s) return &n;
  return nullptr;
}

std::vector<const GcPhaseNote*> gcPhaseNotes(const sim::StepRecord& r) {
  std::vector<const GcPhaseNote*> out;
  for (const GcPhaseNote& n : kNotes)
    if (r.has(n.step)) out.push_back(&n);
  return out;
}

std::string gcPhaseFigures(const sim::StepRecord& r, const sim::HeapView& v) {
  std::string s = "mheap.sweepgen " + std::to_string(v.sweepgen());
  s += v.sweepInProgress() ? " · " + report::FormatCount(v.unsweptSpans()) + " span" + (v.unsweptSpans() == 1 ? "" : "s") + " unswept"
                           : " · sweep done";
  if (r.spansSwept) {
    s += " · this event swept " + report::FormatCount(r.spansSwept) + " span" + (r.spansSwept == 1 ? "" : "s");
    if (r.spansFreed) s += " (" + report::FormatCount(r.spansFreed) + " freed)";
  }
  if (r.scavengedBytes) s += " · " + report::FormatBytes(r.scavengedBytes) + " released to the OS";
  if (r.kind == sim::EventKind::StackGrow) s += " · stack grown to " + report::FormatBytes(r.size) + " (copystack)";
  return s;
}

SweepEnd findSweepEnd(const Session& s, uint64_t maxEvents) {
  SweepEnd out;
  out.inProgress = s.world().view().sweepInProgress();
  out.position = s.position();
  if (!out.inProgress) return out;
  const std::unique_ptr<sim::EventSource> events = s.newSource();
  sim::Replay r(s.world(), *events); // a copy of the engine: the session stays where it is
  auto sweepEnded = [&](const sim::World& w) {
    // The sweep is done, or a GC cycle ended it inside one event (and a new one began).
    return !w.view().sweepInProgress() || w.last().has(sim::PathStep::GCCycle);
  };
  const uint64_t limit = s.position() + std::min<uint64_t>(maxEvents, s.eventCount() - s.position());
  out.reached = r.runUntil(limit, sweepEnded) == sim::ReplayStop::Predicate;
  out.byGC = out.reached && r.world().view().sweepInProgress();
  out.position = r.position();
  return out;
}

} // namespace model
