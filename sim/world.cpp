// World: construction and the event loop. Design essay: sim/malloc.h.
// Go: mallocinit / procresize (set-up), and the callers of mallocgc, runtime.GC, ReadMemStats.
#include "sim/world.h"

#include "sim/bulk.h"
#include "sim/heapview.h"

#include <stdexcept>

namespace sim {

const char* livenessName(Liveness l) { return l == Liveness::GC ? "gc" : "immediate"; }
const char* gcCyclesName(GCCycles g) { return g == GCCycles::Trace ? "trace" : "pacer"; }
const char* sweepModeName(SweepMode m) { return m == SweepMode::Eager ? "eager" : "lazy"; }

const char* eventKindName(EventKind k) {
  switch (k) {
    case EventKind::Alloc: return "alloc";
    case EventKind::Free: return "free";
    case EventKind::GC: return "gc";
    case EventKind::ReadMemStats: return "readmemstats";
    case EventKind::Annotate: return "annotate";
    case EventKind::FreeOSMemory: return "free_os_memory";
    case EventKind::GoStart: return "go_start";
    case EventKind::StackGrow: return "stack_grow";
    case EventKind::GoExit: return "go_exit";
  }
  return "?";
}

// Go: mallocinit + procresize: Ps with empty mcaches (every slot points at emptymspan).
World::World(Config cfg) : cfg_(std::move(cfg)) {
  if (cfg_.gomaxprocs == 0) cfg_.gomaxprocs = 1;
  prof_ = goProfile(cfg_.goVersion);
  pages_.setScavengeIndex(prof_.scavengeIndexGenerations); // Go 1.21+ scavengeIndex
  // Go 1.22+: size <= maxSmallSize-mallocHeaderSize for every object, so that a header fits.
  smallMax_ = cfg_.table.maxSmall() - (prof_.mallocHeaders ? kMallocHeaderSize : 0);
  if (cfg_.tinyAlloc && cfg_.table.tinyClass() != 0) tinySpanClass_ = makeSpanClass(cfg_.table.tinyClass(), true);
  const uint32_t nspc = cfg_.table.numSpanClasses();
  central_.resize(nspc);
  ps_.resize(cfg_.gomaxprocs);
  for (P& p : ps_) p.mcache.alloc.assign(nspc, kNoSpan);
  stats_.smallAllocCount.assign(cfg_.table.numClasses(), 0);
  stats_.smallFreeCount.assign(cfg_.table.numClasses(), 0);
  curArenaBase_ = curArenaEnd_ = cfg_.arenaBase;
  if (cfg_.timing.enabled) timing_.emplace(cfg_.timing, cfg_.gomaxprocs, nspc);
  pacerCommit();
  scav_.heapGoal = pacer_.goal;
  stacks_.cache.resize(ps_.size());
  stacks_.gFree.resize(ps_.size());
}

HeapView World::view() const { return HeapView(*this); }

// Threads map to Ps in order of first appearance: 1:1 while there are enough Ps, then round-robin.
uint32_t World::procForLookup(uint32_t thread) {
  auto it = threadToP_.find(thread);
  if (it == threadToP_.end()) {
    uint32_t p = static_cast<uint32_t>(threadToP_.size() % ps_.size());
    it = threadToP_.emplace(thread, p).first;
  }
  lastThreadValid_ = true;
  lastThread_ = thread;
  lastThreadP_ = it->second;
  return it->second;
}

bool World::step(const Event& ev, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  if (failed_) return fail("the simulated runtime already stopped (out of memory)");

  // Validate before touching anything, so bad input leaves the state as it was.
  if (ev.kind == EventKind::Alloc) {
    if (objLive(ev.id))
      return fail("alloc of an object that is still live (its id was not freed)");
    // The per-object tables are sized by the largest id, so ids must be dense: the n-th alloc
    // (from 0) uses an id below n + kIdSlack, as importers number them (a freed id comes back).
    // The tables then grow with the trace, never with a number it chose (2^34 in 242 bytes).
    if (ev.id >= allocEvents_ + kIdSlack)
      return fail("object id " + std::to_string(ev.id) + " is not dense (ids stay below the allocations so far + " +
                  std::to_string(kIdSlack) + ", here " + std::to_string(allocEvents_ + kIdSlack) + ")");
    if (ev.size > cfg_.maxHeapBytes)
      return fail("absurd size " + std::to_string(ev.size) + " bytes (over the simulated heap limit of " +
                  std::to_string(cfg_.maxHeapBytes) + ")");
  } else if (ev.kind == EventKind::Free) {
    if (!objLive(ev.id))
      return fail("free of an object that is not live (never allocated or already freed)");
  } else if (std::string why = checkStackEvent(ev); !why.empty()) {
    return fail(why);
  }

  if (timing_) rec_ = StepRecord{};
  else rec_.clear(); // the timing fields were never written
  ops_.clear();
  rec_.index = events_;
  rec_.kind = ev.kind;
  rec_.id = ev.id;
  try {
    if (sweeper_.unswept > 0 && ev.kind != EventKind::Annotate) bgSweep(); // Go: bgsweep between events
    switch (ev.kind) {
      case EventKind::Alloc: {
        rec_.p = curP_ = procFor(ev.thread);
        mallocgc(ev, ps_[curP_]);
        ++allocEvents_;
        break;
      }
      case EventKind::Free:
        rec_.p = curP_ = procFor(ev.thread);
        freeObject(ev.id);
        break;
      case EventKind::GC:
        curP_ = 0;
        if (ev.id != kBackgroundGC) gcCycle(/*forced=*/true);
        else if (cfg_.gcCycles == GCCycles::Trace && cfg_.liveness == Liveness::GC) gcCycle(/*forced=*/false, /*recorded=*/true);
        break; // else dropped: the engine's pacer decides when to collect
      case EventKind::ReadMemStats:
        rec_.add(PathStep::ReadMemStats);
        for (P& p : ps_) { // Go: flushallmcaches, with the world stopped
          releaseAll(p);
          stackcacheClear(p);
        }
        break;
      case EventKind::Annotate:
        rec_.add(PathStep::Annotate);
        break;
      case EventKind::FreeOSMemory:
        curP_ = 0;
        freeOSMemory();
        break;
      case EventKind::GoStart:
      case EventKind::StackGrow:
      case EventKind::GoExit: {
        rec_.p = curP_ = procFor(ev.thread);
        P& p = ps_[curP_];
        if (ev.kind == EventKind::GoStart) goStart(p, ev.id);
        else if (ev.kind == EventKind::StackGrow) stackGrow(p, ev.id, ev.size);
        else goExit(p, ev.id);
        break;
      }
    }
    // The event's modelled time (the mark's and the scavenger's clock), taken once. A mark that
    // ends in gcMarkAdvance may sweep and free spans into this record: then it is taken again.
    uint64_t ns = modelledEventNs(cfg_.timing.cost, rec_);
    if (cfg_.liveness == Liveness::GC) {
      const bool marking = pacer_.marking; // gcMarkAdvance changes nothing else while not marking
      gcMarkAdvance(ev, ns); // the mark workers' share (sim/mgc.cpp)
      if (marking) ns = modelledEventNs(cfg_.timing.cost, rec_);
    }
    bgScavenge(ev, ns); // Go: bgscavenge, paced by simulated time (sim/mgcscavenge.cpp)
  } catch (const std::runtime_error& e) {
    failed_ = true;
    return fail(e.what());
  }
  events_++;
  if (timing_) timing_->observe(ev, rec_, ops_);
  if (timing_ && rec_.has(PathStep::GCCycle)) sweeper_.lastGCTime = rec_.end;
  return true;
}

// Not in Go: the checkpoint store (sim/checkpoint.h) budgets memory with this.
size_t World::footprintBytes() const {
  size_t b = sizeof(World) + spans_.footprintBytes();
  b += freeStructs_.capacity() * sizeof(SpanId) + spanOf_.capacity() * sizeof(SpanId);
  b += static_cast<size_t>(pages_.chunks()) * (kPallocChunkPages / 4 + 2 * sizeof(uint32_t) + 3); // bitmaps, index
  b += central_.capacity() * sizeof(MCentral);
  for (const MCentral& c : central_)
    for (const SpanSet* s : c.sets()) b += s->rawEntries() * sizeof(SpanSet::Entry);
  for (const P& p : ps_) b += sizeof(P) + p.mcache.alloc.capacity() * sizeof(SpanId);
  b += objects_.capacity() * sizeof(Object);
  b += hugeSizes_.size() * 32 + threadToP_.size() * 32;
  b += stacks_.live.size() * 48 + stacks_.manualFree.capacity() * sizeof(std::vector<uint64_t>);
  if (timing_) b += timing_->footprintBytes() + ops_.capacity() * sizeof(Op);
  return b;
}

void World::takeBulk(std::string& out) {
  out.reserve(out.size() + footprintBytes()); // more than the bulk: one allocation
  takeArray(objects_, out);
  takeArray(spanOf_, out);
  spans_.takeBulk(out);
  for (MCentral& c : central_)
    for (SpanSet* s : c.sets()) s->takeBulk(out);
}

void World::putBulk(std::string_view bytes) {
  putArray(bytes, objects_);
  putArray(bytes, spanOf_);
  spans_.putBulk(bytes);
  for (MCentral& c : central_)
    for (SpanSet* s : c.sets()) s->putBulk(bytes);
  if (!bytes.empty()) throw std::logic_error("checkpoint bulk has bytes left over");
}

} // namespace sim
