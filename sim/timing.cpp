// The timing and lock model: scheduling each event on its P. Design essay: sim/malloc.h.
// Go: which operation takes which lock follows mheap.go/mcentral.go/mspanset.go (1.19) and
// mcentral.go (1.14); see go-allocator-1.19.md §4.6 in the project's reference notes.
#include "sim/timing.h"

#include <algorithm>

namespace sim {

const char* centralModeName(CentralMode m) { return m == CentralMode::Mutex ? "mutex" : "lockfree"; }
const char* clockSourceName(ClockSource c) { return c == ClockSource::Model ? "model" : "trace"; }

const std::vector<CostField>& costFields() {
  using C = CostModel;
  static const std::vector<CostField> f = {
      {"zero_size", &C::zeroSize, "mallocgc(0): &zerobase"},
      {"tiny_hit", &C::tinyHit, "mallocgc packing into the current tiny block"},
      {"mcache_hit", &C::mcacheHit, "mallocgc with a slot from nextFreeFast, end to end"},
      {"next_free", &C::nextFree, "extra: mcache.nextFree's nextFreeIndex search"},
      {"refill", &C::refill, "extra: mcache.refill's own bookkeeping"},
      {"span_set_pop", &C::spanSetPop, "lockfree: one spanSet pop in cacheSpan"},
      {"span_set_push", &C::spanSetPush, "lockfree: one spanSet push"},
      {"spine_grow", &C::spineGrow, "lockfree: held under spineLock to add a 512-span block"},
      {"central_take", &C::centralTake, "mutex: cacheSpan's list scan, held under mcentral.lock"},
      {"central_list_op", &C::centralListOp, "mutex: one list move, held under mcentral.lock"},
      {"sweep_span", &C::sweepSpan, "sweeping one span"},
      {"alloc_span", &C::allocSpan, "allocSpan's span initialisation (no lock)"},
      {"page_cache_hit", &C::pageCacheHit, "pageCache.alloc (no lock)"},
      {"page_cache_refill", &C::pageCacheRefill, "pageAlloc.allocToCache, held under mheap.lock"},
      {"page_alloc", &C::pageAlloc, "pageAlloc.alloc, held under mheap.lock"},
      {"mspan_refill", &C::mspanRefill, "allocMSpanLocked (64 mspan structs), held under mheap.lock"},
      {"heap_grow", &C::heapGrow, "mheap.grow per 4 MiB chunk, held under mheap.lock"},
      {"arena_reserve", &C::arenaReserve, "sysReserve of a 64 MiB arena, held under mheap.lock"},
      {"large_alloc", &C::largeAlloc, "mallocgc + allocLarge outside allocSpan"},
      {"free_span", &C::freeSpan, "mheap.freeSpanLocked, held under mheap.lock"},
      {"free_reclaim", &C::freeReclaim, "immediate liveness: reclaiming a freed slot"},
      {"gc_sweep_termination", &C::gcSweepTermination, "GC: the first stop-the-world pause"},
      {"gc_mark_termination", &C::gcMarkTermination, "GC: the second stop-the-world pause"},
      {"gc_mark_base", &C::gcMarkBase, "GC mark, fixed part"},
      {"gc_mark_span", &C::gcMarkSpan, "GC mark, per in-use span"},
      {"gc_scan_kib", &C::gcScanKiB, "GC mark: scan work, per KiB scanned (assists and mark workers)"},
      {"alloc_touch_kib", &C::allocTouchKiB, "mutator time per KiB allocated (zeroing, first touch): the GC mark's clock"},
      {"read_mem_stats", &C::readMemStats, "ReadMemStats' stop-the-world"},
      {"scavenge_page", &C::scavengePage, "background scavenger: per 4 KiB page returned to the OS"},
      {"scavenge_call", &C::scavengeCall, "background scavenger: per free range returned (scavengeOne, sysUnused)"},
  };
  return f;
}

// The defaults; assets/cost_models/go1.19-amd64.json says where each number came from (and a test
// checks that the two agree).
CostModel CostModel::go119Amd64() {
  CostModel c;
  c.name = "go1.19-amd64";
  c.zeroSize = 2;
  c.tinyHit = 5;
  c.mcacheHit = 16;
  c.nextFree = 8;
  c.refill = 60;
  c.spanSetPop = 6;
  c.spanSetPush = 6;
  c.spineGrow = 150;
  c.centralTake = 60;
  c.centralListOp = 25;
  c.sweepSpan = 150;
  c.allocSpan = 440;
  c.pageCacheHit = 20;
  c.pageCacheRefill = 300;
  c.pageAlloc = 400;
  c.mspanRefill = 1000;
  c.heapGrow = 5000;
  c.arenaReserve = 10000;
  c.largeAlloc = 250;
  c.freeSpan = 150;
  c.freeReclaim = 10;
  c.gcSweepTermination = 4000;
  c.gcMarkTermination = 1000;
  c.gcMarkBase = 58000;
  c.gcMarkSpan = 88;
  c.gcScanKiB = 1400;
  c.allocTouchKiB = 265;
  c.readMemStats = 840;
  c.scavengePage = 0;
  c.scavengeCall = 2600;
  return c;
}

// ---------------------------------------------------------------------------------------------
// WaitHeatMap

void WaitHeatMap::widen() {
  width_ *= 2;
  for (size_t r = 0; r < rowLock_.size(); ++r) {
    uint64_t* row = &cells_[r * kColumns];
    for (uint32_t c = 0; c < kColumns / 2; ++c) row[c] = row[2 * c] + row[2 * c + 1];
    std::fill(row + kColumns / 2, row + kColumns, 0);
  }
}

void WaitHeatMap::add(size_t lockIndex, LockId lock, uint64_t begin, uint64_t end) {
  if (end <= begin) return;
  if (rowOf_.size() <= lockIndex) rowOf_.resize(lockIndex + 1, -1);
  if (rowOf_[lockIndex] < 0) {
    rowOf_[lockIndex] = static_cast<int32_t>(rowLock_.size());
    rowLock_.push_back(lock);
    cells_.resize(cells_.size() + kColumns, 0);
  }
  // A wait before the origin (a P running behind the first event) is drawn from the origin.
  if (begin < origin_) {
    end = origin_ + (end - begin);
    begin = origin_;
  }
  constexpr uint64_t kMaxWidth = uint64_t{1} << 56; // 128 columns of it still fit 64 bits
  while (end - origin_ > kColumns * width_ && width_ < kMaxWidth) widen();
  uint64_t* row = &cells_[static_cast<size_t>(rowOf_[lockIndex]) * kColumns];
  for (uint64_t c = (begin - origin_) / width_; c < kColumns; ++c) {
    const uint64_t lo = origin_ + c * width_, hi = lo + width_;
    if (lo >= end) break;
    row[c] += std::min(end, hi) - std::max(begin, lo);
  }
}

// ---------------------------------------------------------------------------------------------
// LockModel

struct LockModel::Cursor {
  uint32_t who;      // P or kGCWorker
  uint64_t t;        // where this executor is now
  uint64_t begin;    // when it started this event's work
  Exec* ex;
  StepRecord* rec;   // the event's record (the event's own P only)
  uint64_t event;
};

LockModel::LockModel(const TimingConfig& cfg, uint32_t procs, uint32_t numSpanClasses)
    : cfg_(cfg), nspc_(numSpanClasses), procs_(procs == 0 ? 1 : procs),
      timelines_(2 + 3 * static_cast<size_t>(numSpanClasses)), stats_(timelines_.size()) {
  for (PathStep s : {PathStep::NextFree, PathStep::Refill, PathStep::FreeReclaim})
    slowPathMask_ |= uint64_t{1} << static_cast<unsigned>(s);
}

size_t LockModel::lockIndex(LockId id) const {
  const size_t spc = lockSpanClass(id);
  switch (lockKind(id)) {
    case LockKind::Heap: return 0;
    case LockKind::World: return 1;
    case LockKind::Central: return 2 + spc;
    case LockKind::SpinePartial: return 2 + nspc_ + spc;
    case LockKind::SpineFull: return 2 + 2 * size_t{nspc_} + spc;
  }
  return 0;
}

// The cost of the event's own path before its logged operations: mallocgc down to mcache.refill.
uint64_t LockModel::pathCost(const StepRecord& r) const {
  const CostModel& c = cfg_.cost;
  uint64_t ns = 0;
  if (r.kind == EventKind::Alloc) {
    if (r.has(PathStep::ZeroSize)) ns = c.zeroSize;
    else if (r.has(PathStep::TinyHit)) ns = c.tinyHit;
    else if (r.has(PathStep::LargeAlloc)) ns = c.largeAlloc;
    else ns = c.mcacheHit;
  }
  if ((r.path & slowPathMask_) == 0) return ns;
  if (r.has(PathStep::NextFree)) ns += c.nextFree;
  if (r.has(PathStep::Refill)) ns += c.refill;
  if (r.has(PathStep::FreeReclaim)) ns += c.freeReclaim;
  return ns;
}

void LockModel::pushSegment(const TimeSegment& s) {
  if (ring_.size() < kRecent) {
    ring_.push_back(s);
    return;
  }
  ring_[ringNext_] = s;
  ringNext_ = (ringNext_ + 1) % kRecent;
}

void LockModel::work(Cursor& c, uint64_t ns) {
  c.t += ns;
  c.ex->busy += ns;
}

void LockModel::take(Cursor& c, LockId lock, uint64_t hold) {
  const size_t i = lockIndex(lock);
  const LockTimeline::Grant g = timelines_[i].acquire(c.t, hold, c.who);
  const uint64_t w = g.start - c.t;
  LockStats& s = stats_[i];
  s.acquisitions++;
  s.waitTotal += w;
  s.holdTotal += hold;
  s.waits.add(w);
  if (w) {
    s.contended++;
    heat_.add(i, lock, c.t, g.start);
    pushSegment({c.event, c.t, g.start, c.who, TimeSegment::Wait, lock, g.blocker});
    c.ex->waiting += w;
    if (lock == kHeapLock && c.rec) heapWaitByPs_ += w;
  }
  c.ex->busy += hold;
  if (c.rec) {
    StepRecord& r = *c.rec;
    if (r.locksTaken < StepRecord::kMaxLockTakes) r.locks[r.locksTaken] = {lock, w ? g.blocker : kNoHolder, w, hold};
    r.locksTaken++;
    r.wait += w;
    r.hold += hold;
  }
  c.t = g.start + hold;
}

// Waiting for something other than a grant: the stopped world to restart, or the GC worker to
// finish the previous cycle. Counted as a contended wait on `lock`, not as an acquisition.
void LockModel::waitUntil(Cursor& c, LockId lock, uint64_t until, uint32_t holder) {
  if (until <= c.t) return;
  const uint64_t w = until - c.t;
  const size_t i = lockIndex(lock);
  LockStats& s = stats_[i];
  s.contended++;
  s.waitTotal += w;
  s.waits.add(w);
  heat_.add(i, lock, c.t, until);
  pushSegment({c.event, c.t, until, c.who, TimeSegment::Wait, lock, holder});
  c.ex->waiting += w;
  if (c.rec) {
    StepRecord& r = *c.rec;
    if (r.locksTaken < StepRecord::kMaxLockTakes) r.locks[r.locksTaken] = {lock, holder, w, 0};
    r.locksTaken++;
    r.wait += w;
  }
  c.t = until;
}

void LockModel::stopWorld(Cursor& c, uint64_t ns) { take(c, kWorldLock, ns); }

// The GC worker takes over background work of this event: it starts when both it and the event
// are ready, and keeps its place if it already worked for this event.
void LockModel::startBackground(const Cursor& p, Cursor& bg) {
  if (!bgActive_) bg.t = bg.begin = std::max(gcWorker_.clock, p.t);
  else bg.t = std::max(bg.t, p.t);
  bgActive_ = true;
}

// One logged operation: which lock it takes (by the mcentral mode) and for how long.
void LockModel::runOp(Cursor& p, Cursor& bg, Cursor*& cur, const Op& op, bool triggered) {
  const CostModel& c = cfg_.cost;
  const bool mutex = cfg_.central == CentralMode::Mutex;
  const bool smallClass = spanClassSize(op.spc) != 0;
  switch (op.kind) {
    case OpKind::CentralTake: // Go 1.14: lock(&c.lock) around the list scan; 1.19: a pop
      if (mutex) take(*cur, makeLockId(LockKind::Central, op.spc), c.centralTake);
      else work(*cur, c.spanSetPop);
      break;
    case OpKind::CentralInsert: // Go 1.14: c.empty.insertBack(s) under c.lock after grow
      if (mutex) take(*cur, makeLockId(LockKind::Central, op.spc), c.centralListOp);
      break;
    case OpKind::CentralReturn:
      if (mutex) {
        // Go 1.14: a full span stays on `empty` (no lock); a span with free slots moves to
        // `nonempty` under c.lock. Large spans had no mcentral (mheap.sweepSpans).
        if (!(op.flags & kOpFull) && smallClass) take(*cur, makeLockId(LockKind::Central, op.spc), c.centralListOp);
      } else {
        work(*cur, c.spanSetPush);
        if (op.flags & kOpNewBlock)
          take(*cur, makeLockId(op.flags & kOpFull ? LockKind::SpineFull : LockKind::SpinePartial, op.spc), c.spineGrow);
      }
      break;
    case OpKind::SweepSpan: work(*cur, c.sweepSpan); break;
    case OpKind::PageCacheRefill: take(*cur, kHeapLock, c.pageCacheRefill); break;
    case OpKind::HeapAlloc: {
      uint64_t hold = 0;
      if (op.flags & kOpFind) hold += c.pageAlloc;
      if (op.flags & kOpGrow) hold += uint64_t{c.heapGrow} * op.count;
      if (op.flags & kOpArena) hold += c.arenaReserve;
      if (op.flags & kOpMSpanRefill) hold += c.mspanRefill;
      take(*cur, kHeapLock, hold);
      break;
    }
    case OpKind::SpanInit: work(*cur, c.allocSpan + (op.flags & kOpCacheHit ? c.pageCacheHit : 0)); break;
    case OpKind::FreeSpan: // Go 1.14: mcentral.freeSpan unlinks the span under c.lock first
      if (mutex && smallClass) take(*cur, makeLockId(LockKind::Central, op.spc), c.centralListOp);
      take(*cur, kHeapLock, c.freeSpan);
      break;
    case OpKind::GCStart:
      // A cycle starts only when the previous one is done (Go: gcStart finishes its sweep first,
      // and assists hold allocators back while the GC lags).
      waitUntil(*cur, kWorldLock, cycleEnd_, kGCWorker);
      stopWorld(*cur, c.gcSweepTermination);
      if (triggered && cur == &p) { // the rest of the cycle runs in the background
        startBackground(p, bg);
        cur = &bg;
        cycleOnWorker_ = true;
      }
      break;
    case OpKind::GCMark: work(*cur, c.gcMarkBase + uint64_t{c.gcMarkSpan} * op.count); break;
    case OpKind::GCMarkTermination: stopWorld(*cur, c.gcMarkTermination); break;
  }
}

void LockModel::observe(const Event& ev, StepRecord& rec, const std::vector<Op>& ops) {
  Exec& ex = procs_[rec.p];
  if (rec.kind == EventKind::Annotate || rec.index < cfg_.fromEvent) { // lesson text, or set-up: no time
    rec.start = rec.end = ex.clock;
    return;
  }
  // The trace's time if it has one (and the clock is "trace"). Otherwise each P runs its events
  // back to back, and a free waits until its object's allocation has finished (on any P).
  uint64_t t = ex.clock;
  const bool traceTime = cfg_.clock == ClockSource::Trace && ev.time != kNoTime;
  if (traceTime) t = std::max(t, ev.time);
  else if (rec.kind == EventKind::Free && ev.id < allocEnd_.size()) t = std::max(t, allocEnd_[ev.id]);
  const uint64_t start = t;
  if (firstStart_ == ~uint64_t{0}) heat_.setOrigin(start);
  firstStart_ = std::min(firstStart_, start);

  Cursor c{rec.p, t, t, &ex, &rec, rec.index};
  // An event cannot start while the world is stopped.
  const LockTimeline& world = timelines_[lockIndex(kWorldLock)];
  if (t < world.lastEnd()) {
    const LockTimeline::Grant g = world.firstFree(t);
    waitUntil(c, kWorldLock, g.start, g.blocker);
  }
  if (rec.kind == EventKind::ReadMemStats) stopWorld(c, cfg_.cost.readMemStats);
  work(c, pathCost(rec));

  Cursor bg{kGCWorker, 0, 0, &gcWorker_, nullptr, rec.index};
  Cursor* cur = &c;
  const bool triggered = rec.kind != EventKind::GC && rec.kind != EventKind::FreeOSMemory; // both run runtime.GC()
  bgActive_ = cycleOnWorker_ = false;
  for (const Op& op : ops) {
    if (op.flags & kOpBackground) { // the background sweeper's work: on the GC worker
      startBackground(c, bg);
      Cursor* worker = &bg;
      runOp(c, bg, worker, op, triggered);
    } else {
      runOp(c, bg, cur, op, triggered);
    }
  }
  if (bgActive_) {
    if (cycleOnWorker_) cycleEnd_ = bg.t;
    gcWorker_.clock = bg.t;
    gcWorker_.events++;
    lastEnd_ = std::max(lastEnd_, bg.t);
    pushSegment({rec.index, bg.begin, bg.t, kGCWorker, TimeSegment::Run, 0, kNoHolder});
  }

  rec.start = start;
  rec.end = c.t;
  ex.clock = c.t;
  ex.events++;
  if (rec.kind == EventKind::Alloc) {
    ex.allocs++;
    ex.latency.add(c.t - start);
    if (!traceTime) { // only frees without a trace time read it
      if (allocEnd_.size() <= ev.id) allocEnd_.resize(ev.id + 1, 0); // ids are dense (the engine's too)
      allocEnd_[ev.id] = c.t;
    }
  }
  lastEnd_ = std::max(lastEnd_, c.t);
  pushSegment({rec.index, start, c.t, rec.p, TimeSegment::Run, 0, kNoHolder});
}

LockId LockModel::lockAt(size_t i) const {
  if (i == 0) return kHeapLock;
  if (i == 1) return kWorldLock;
  const size_t k = (i - 2) / nspc_;
  const auto spc = static_cast<SpanClass>((i - 2) % nspc_);
  return makeLockId(k == 0 ? LockKind::Central : k == 1 ? LockKind::SpinePartial : LockKind::SpineFull, spc);
}

TimingFigures LockModel::figures() const {
  TimingFigures f;
  f.central = cfg_.central;
  f.clock = cfg_.clock;
  f.costModel = cfg_.cost.name;
  f.procs = procs();
  if (firstStart_ == ~uint64_t{0}) return f; // nothing timed yet
  f.firstStart = firstStart_;
  f.lastEnd = lastEnd_;
  f.makespan = lastEnd_ - firstStart_;
  LogHistogram all;
  uint64_t active = 0;
  auto proc = [&](uint32_t who, const Exec& e) {
    ProcFigures p;
    p.who = who;
    p.events = e.events;
    p.allocs = e.allocs;
    p.busy = e.busy;
    p.waiting = e.waiting;
    p.idle = f.makespan > e.busy + e.waiting ? f.makespan - e.busy - e.waiting : 0;
    p.latencyP50 = e.latency.quantile(500);
    p.latencyP99 = e.latency.quantile(990);
    p.latencyMax = e.latency.max();
    return p;
  };
  for (uint32_t i = 0; i < procs(); ++i) {
    const Exec& e = procs_[i];
    f.executors.push_back(proc(i, e));
    f.events += e.events;
    f.allocs += e.allocs;
    active += e.busy + e.waiting;
    all.merge(e.latency);
  }
  if (gcWorker_.events) f.executors.push_back(proc(kGCWorker, gcWorker_));
  f.allocsPerSecond = f.makespan ? static_cast<double>(f.allocs) * 1e9 / static_cast<double>(f.makespan) : 0;
  f.latencyP50 = all.quantile(500);
  f.latencyP99 = all.quantile(990);
  f.latencyMax = all.max();
  f.heapWait = heapWaitByPs_;
  f.heapWaitShare = active ? static_cast<double>(heapWaitByPs_) / static_cast<double>(active) : 0;
  for (size_t i = 0; i < stats_.size(); ++i) {
    const LockStats& s = stats_[i];
    if (s.acquisitions == 0 && s.contended == 0) continue;
    LockFigures l;
    l.lock = lockAt(i);
    l.name = lockName(l.lock);
    l.acquisitions = s.acquisitions;
    l.contended = s.contended;
    l.waitTotal = s.waitTotal;
    l.waitP99 = s.waits.quantile(990);
    l.waitMax = s.waits.max();
    l.holdTotal = s.holdTotal;
    l.utilisation = f.makespan ? static_cast<double>(s.holdTotal) / static_cast<double>(f.makespan) : 0;
    f.locks.push_back(std::move(l));
  }
  std::sort(f.locks.begin(), f.locks.end(), [](const LockFigures& a, const LockFigures& b) { return a.lock < b.lock; });
  return f;
}

std::vector<TimeSegment> LockModel::recent() const {
  std::vector<TimeSegment> out;
  out.reserve(ring_.size());
  for (size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[(ringNext_ + i) % ring_.size()]);
  return out;
}

size_t LockModel::footprintBytes() const {
  size_t b = sizeof(*this) + ring_.capacity() * sizeof(TimeSegment) + procs_.capacity() * sizeof(Exec) +
             allocEnd_.capacity() * sizeof(uint64_t);
  for (const LockTimeline& t : timelines_) b += sizeof(t) + t.bytes();
  for (const LockStats& s : stats_) b += sizeof(s) + s.waits.bytes();
  for (const Exec& e : procs_) b += e.latency.bytes();
  b += static_cast<size_t>(heat_.rows()) * WaitHeatMap::kColumns * sizeof(uint64_t);
  return b;
}

} // namespace sim
