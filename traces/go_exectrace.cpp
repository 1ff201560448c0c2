// Go execution trace importer: see go_exectrace.h. Events of the AllocFree experiment
// (runtime/traceallocfree.go, Go 1.26) and what they say:
//   Span/SpanAlloc [id, npages, kindclass]  span at minPageHeapAddr + id*pageSize; kindclass =
//                                           spanclass<<1 for a heap span, 1 for stacks/manual
//   SpanFree [id]
//   HeapObject/HeapObjectAlloc [id, type]    object at minPageHeapAddr + id*minHeapAlign: the
//                                           pointer mallocgc returned; type = types-batch id (0: nil)
//   HeapObjectFree [id]                     slot freed by the sweeper: its base address
//
// Policies (each counted in the import summary's notes):
// * Slot, size class and scan/noscan come from the span holding the object (the span class'
//   low bit is noscan), not from a guess on the type.
// * A malloc header (Go 1.22+: a pointerful small object above 512 B) makes the returned pointer
//   slot + 8; the object is keyed by its slot, which is what the free names.
// * Tiny allocations: the runtime reports every tiny sub-allocation at its own address inside a
//   16-byte block of a noscan class-2 span (rounded down to 8 bytes by the id), and frees the
//   block once. The allocation at the block's
//   start is replayed as one 16-byte noscan object (the engine's tiny allocator does not pack it);
//   the ones packed after it inside the block are counted and not replayed — as allocfreetrace,
//   which never traced them.
// * Requested size: the type's size (plus the header) when it rounds to the object's slot — a
//   single value of that type; otherwise (arrays: make([]T, n) reports T; a nil type) the largest
//   request the slot holds: slot size minus the header.
// * Objects alive at trace start (HeapObject, the snapshot) are allocations at the start.
// * Frees at sweep time, as for allocfreetrace: GCEnd #k opens a window in which the sweep of
//   cycle k reports its frees; allocations in the window are held back; the GC event goes out at
//   GCBegin #k+1 (the sweep has ended by then) or the end of the trace, then the held allocations.
//   A free of a held object, or more than kGoSweepWindow held, closes the window early. A cycle
//   still running when the trace stops (GCBegin, no GCEnd) gives no GC event: nothing it freed is
//   in the trace.
// * Forced or background: a cycle whose GCBegin stack has runtime.GC (debug.FreeOSMemory calls it
//   too) is a forced GC event (NumForcedGC), any other a background one (sim::kBackgroundGC),
//   which Config::gcCycles replays (trace, the default here) or drops (pacer).
// * Threads: the P the event's thread held (ProcStart/ProcStop/ProcSteal/ProcStatus); 0 if none.
// * Order: Go's parser's merge of the threads' batches by timestamp (go_exectrace_reader.cpp), assuming
//   the earliest event may always go first; Go's scheduler-state ordering only reorders events
//   whose timestamps contradict causality, and the oracle test checks our recordings against it.
// * Goroutine stacks (GoroutineStack*) are counted, not replayed: they do not name their goroutine.
#include "traces/go_exectrace.h"

#include "sim/sizeclasses.h"
#include "traces/go_allocfreetrace.h" // kGoSweepWindow
#include "traces/go_exectrace_reader.h"
#include "traces/id_map.h"

#include <cstdio>
#include <deque>
#include <map>

namespace traces {

namespace {

constexpr uint64_t kHeaderMinElem = 512; // Go: gc.MinSizeForMallocHeader (exclusive)
constexpr uint64_t kMallocHeader = 8;    // Go: gc.MallocHeaderSize
constexpr uint64_t kTinyBlock = 16;      // Go: maxTinySize
constexpr uint32_t kTinyClass = 2;       // Go: tinySizeClass
constexpr uint64_t kMaxSmallObject = 32768 - kMallocHeader; // Go 1.22+: larger requests are large objects

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace

struct GoExecTraceStream::Impl {
  explicit Impl(std::unique_ptr<ByteSource> s) : src(std::move(s)), reader(*src) {}

  struct SpanRec {
    uint64_t npages, kindclass;
  };
  struct Held {
    uint64_t id, slot, size, addr, time;
    uint32_t thread;
    bool noscan;
  };
  struct Ready {
    sim::Event ev;
    uint64_t addr, slot;
  };

  std::unique_ptr<ByteSource> src;
  GoExecTraceReader reader;
  const sim::SizeClassTable table = sim::SizeClassTable::go119(); // 1.26's table is identical
  TraceMeta meta;
  SummaryCounter counter{"Go execution trace (GODEBUG=traceallocfree=1)"};
  std::map<uint64_t, SpanRec> spans; // base -> span
  IdMap ids;                         // slot -> dense id; Live::size = slot size
  std::vector<uint64_t> sizeOf;      // dense id -> replayed size
  std::vector<uint64_t> handedAddr, handedSlot; // dense id -> as of the last event handed out
  std::deque<Ready> ready;
  bool ended = false;
  bool haveT0 = false;
  int64_t t0 = 0;

  bool windowOpen = false, lateSweep = false;
  bool cycleForced = false;  // the running cycle's GCBegin had runtime.GC on its stack
  bool windowForced = false; // ... that of the cycle whose sweep window is open
  uint64_t gcEndTime = 0;
  std::vector<Held> held;     // in the order allocated; their ids are taken already
  std::vector<uint8_t> isHeld; // dense id -> in `held`

  uint64_t snapshotObjects = 0, packedTiny = 0, tinyBlocks = 0, headerObjects = 0;
  uint64_t sizeFromType = 0, sizeFromSlot = 0, noP = 0, stackEvents = 0, spanEvents = 0;
  uint64_t lateFrees = 0, windowsClosedEarly = 0, gcBegins = 0;
  uint64_t forcedGcs = 0, backgroundGcs = 0, activeAtStart = 0;

  [[noreturn]] void fail(const GoExecEvent& e, const std::string& what) const {
    reader.fail(e.offset, goEventName(e.type) + ": " + what);
  }

  const GoAllocFreeInfo& info(const GoExecEvent& e) const {
    const GoAllocFreeInfo* i = reader.allocFreeInfo();
    if (!i) fail(e, "an AllocFree event but no AllocFree info batch in the trace");
    return *i;
  }

  uint64_t address(const GoExecEvent& e, uint64_t id, uint64_t unit) const {
    const uint64_t base = info(e).minPageHeapAddr;
    if (id > (~uint64_t{0} - base) / unit) fail(e, "id " + std::to_string(id) + " is past the end of the address space");
    return base + id * unit;
  }

  uint64_t time(const GoExecEvent& e) {
    if (!haveT0) t0 = e.time, haveT0 = true;
    return static_cast<uint64_t>(e.time - t0);
  }

  uint32_t thread(const GoExecEvent& e) {
    if (e.p < 0) return ++noP, 0;
    if (e.p > 0xffff) fail(e, "P id " + std::to_string(e.p) + " out of range");
    return static_cast<uint32_t>(e.p);
  }

  // ---- events ------------------------------------------------------------------------------

  void onEvent(const GoExecEvent& e) {
    switch (e.type) {
      case goev::ProcsChange:
        if (!meta.config.gomaxprocs && e.args[0] >= 1 && e.args[0] <= 4096) meta.config.gomaxprocs = static_cast<uint32_t>(e.args[0]);
        return;
      case goev::GCBegin:
      case goev::GCActive:
        ++gcBegins;
        if (windowOpen) closeWindow(/*complete=*/true);
        // Go: gcStart's traceGCStart records its caller's stack: runtime.GC for a forced cycle
        // (work.userForced, NumForcedGC), mallocgc or forcegchelper for the pacer's. A cycle
        // already running at trace start (GCActive) has no stack: counted as background.
        cycleForced = e.type == goev::GCBegin && reader.stackHasFunction(e.args[1], "runtime.GC");
        if (e.type == goev::GCActive) ++activeAtStart;
        return;
      case goev::GCEnd:
        if (windowOpen) closeWindow(/*complete=*/true); // a GCEnd without its GCBegin in the trace
        gcEndTime = time(e);
        windowOpen = true;
        windowForced = cycleForced;
        cycleForced = false;
        lateSweep = false;
        return;
      case goev::Span:
      case goev::SpanAlloc: return spanAlloc(e);
      case goev::SpanFree:
        ++spanEvents;
        spans.erase(address(e, e.args[0], info(e).pageSize));
        return;
      case goev::HeapObject: ++snapshotObjects; [[fallthrough]];
      case goev::HeapObjectAlloc: return objectAlloc(e);
      case goev::HeapObjectFree: return objectFree(e);
      case goev::GoroutineStack:
      case goev::GoroutineStackAlloc:
      case goev::GoroutineStackFree: ++stackEvents; return;
      default: return;
    }
  }

  void spanAlloc(const GoExecEvent& e) {
    ++spanEvents;
    const GoAllocFreeInfo& in = info(e);
    const uint64_t base = address(e, e.args[0], in.pageSize);
    const uint64_t npages = e.args[1];
    if (npages == 0 || npages > (~uint64_t{0} - base) / in.pageSize / 2)
      fail(e, "span at " + hex(base) + " of " + std::to_string(npages) + " pages");
    if (e.args[2] & 1) { // a stack or manual span: never holds heap objects
      spans.erase(base);
      return;
    }
    const uint64_t cls = e.args[2] >> 2;
    if (cls >= table.numClasses()) fail(e, "span class " + std::to_string(e.args[2] >> 1) + " of no size class");
    if (cls && npages != table.cls(static_cast<uint32_t>(cls)).npages)
      fail(e, "span of size class " + std::to_string(cls) + " with " + std::to_string(npages) + " pages (the class has " +
                  std::to_string(table.cls(static_cast<uint32_t>(cls)).npages) + ")");
    spans[base] = SpanRec{npages, e.args[2]};
  }

  void objectAlloc(const GoExecEvent& e) {
    const GoAllocFreeInfo& in = info(e);
    const uint64_t addr = address(e, e.args[0], in.minHeapAlign);
    auto it = spans.upper_bound(addr);
    if (it == spans.begin() || addr - std::prev(it)->first >= std::prev(it)->second.npages * in.pageSize)
      fail(e, "heap object at " + hex(addr) + " in no heap span the trace declared");
    --it;
    const uint64_t base = it->first;
    const uint64_t spanClass = it->second.kindclass >> 1;
    const uint32_t cls = static_cast<uint32_t>(spanClass >> 1);
    const bool noscan = spanClass & 1;
    const uint64_t elem = cls ? table.cls(cls).size : it->second.npages * in.pageSize;
    const uint64_t slot = base + (addr - base) / elem * elem;
    const bool tiny = cls == kTinyClass && noscan;
    uint64_t header = 0;
    // Ids are addresses / 8, so a tiny allocation packed in the block's first 8 bytes has the
    // block's id: in a tiny span, any allocation into a live block is a packed one.
    if (tiny && (addr != slot || ids.find(slot))) return void(++packedTiny);
    if (addr != slot) {
      if (addr - slot != kMallocHeader || noscan || cls == 0 || elem <= kHeaderMinElem)
        fail(e, "heap object at " + hex(addr) + " is " + std::to_string(addr - slot) + " bytes into its " +
                    std::to_string(elem) + "-byte slot (only a malloc header, 8 bytes, is expected)");
      header = kMallocHeader;
      ++headerObjects;
    }
    const std::optional<uint64_t> id = ids.alloc(slot, elem);
    if (!id) fail(e, "allocation at " + hex(addr) + " whose slot " + hex(slot) + " is still live (no free of it was seen)");
    uint64_t size = elem - header;
    if (tiny) {
      size = kTinyBlock, ++tinyBlocks;
    } else if (const GoTraceType* t = e.args[1] ? reader.type(e.args[1]) : nullptr; t && t->size && fitsSlot(t->size + header, cls, elem)) {
      size = t->size, ++sizeFromType;
    } else {
      ++sizeFromSlot;
    }
    if (sizeOf.size() <= *id) sizeOf.resize(*id + 1, 0), isHeld.resize(*id + 1, 0);
    sizeOf[*id] = size;
    const Held h{*id, slot, size, addr, time(e), thread(e), noscan};
    if (!windowOpen) return emitAlloc(h);
    if (held.size() >= kGoSweepWindow) {
      closeWindow(/*complete=*/false);
      return emitAlloc(h);
    }
    held.push_back(h);
    isHeld[*id] = 1;
  }

  // Would mallocgc put a request of `n` bytes (header included) in this slot?
  bool fitsSlot(uint64_t n, uint32_t cls, uint64_t elem) const {
    if (cls) return n <= kMaxSmallObject && table.classOf(n) == cls;
    return n > kMaxSmallObject && (n + sim::kPageSize - 1) / sim::kPageSize * sim::kPageSize == elem;
  }

  void objectFree(const GoExecEvent& e) {
    const uint64_t slot = address(e, e.args[0], info(e).minHeapAlign);
    const uint32_t t = thread(e);
    const std::optional<IdMap::Live> live = ids.free(slot);
    if (!live) {
      ++counter.summary().orphanFrees;
      counter.seeThread(t);
      return;
    }
    const uint64_t id = live->id;
    if (isHeld[id]) closeWindow(/*complete=*/false); // its allocation goes out first: the trace's order
    counter.free(sizeOf[id], t);
    if (lateSweep) ++lateFrees;
    sim::Event ev = sim::freeEvent(id, t);
    ev.time = time(e);
    push(ev, 0, slot);
  }

  void push(const sim::Event& ev, uint64_t addr, uint64_t slot) {
    ready.push_back({ev, addr, slot});
    ++counter.summary().events;
  }

  void emitAlloc(const Held& h) {
    isHeld[h.id] = 0;
    counter.alloc(h.size, h.thread);
    sim::Event ev = sim::allocEvent(h.id, h.size, h.noscan, h.thread);
    ev.time = h.time;
    push(ev, h.addr, h.slot);
  }

  void closeWindow(bool complete) {
    sim::Event gc = windowForced ? sim::gcEvent() : sim::backgroundGCEvent();
    gc.time = gcEndTime;
    push(gc, 0, 0);
    ++counter.summary().gcs;
    ++(windowForced ? forcedGcs : backgroundGcs);
    windowOpen = false;
    if (!complete) lateSweep = true, ++windowsClosedEarly;
    for (const Held& h : held) emitAlloc(h);
    held.clear();
  }

  void fill() {
    GoExecEvent e;
    while (ready.empty() && !ended) {
      if (reader.next(e)) {
        onEvent(e);
        continue;
      }
      ended = true;
      if (!reader.allocFreeInfo())
        throw TraceError(src->path() + ": byte " + std::to_string(src->offset()) +
                         ": no alloc/free events: record with GODEBUG=traceallocfree=1 (Go 1.23 or later)");
      if (windowOpen) closeWindow(/*complete=*/true);
    }
  }

  ImportSummary summary() const {
    ImportSummary s = counter.summary();
    s.notes.push_back("go 1." + std::to_string(reader.goMinor()) + " trace: " + std::to_string(reader.generations()) +
                      " generation(s), " + std::to_string(reader.events()) + " trace events, largest generation " +
                      std::to_string(reader.largestGenerationBytes()) + " B");
    s.notes.push_back(std::to_string(snapshotObjects) + " objects alive at trace start (the snapshot) replayed as allocations first");
    s.notes.push_back("requested size: " + std::to_string(sizeFromType) + " from the type's size, " + std::to_string(sizeFromSlot) +
                      " = the slot (minus a malloc header; arrays and untyped allocations), " + std::to_string(tinyBlocks) +
                      " tiny blocks replayed as 16 B");
    s.notes.push_back(std::to_string(packedTiny) + " tiny allocations packed into a live 16-byte block: not replayed");
    s.notes.push_back(std::to_string(headerObjects) + " objects with a malloc header (reported at slot + 8)");
    s.notes.push_back("noscan from the span class of the object's span; threads are Ps" +
                      (noP ? " (" + std::to_string(noP) + " events on a thread without a P: thread 0)" : std::string()));
    s.notes.push_back("frees at sweep time: a GC event goes out at the next GCBegin (or the end), after its sweep's frees; " +
                      std::to_string(gcBegins) + " GC cycles began in the trace");
    if (windowsClosedEarly)
      s.notes.push_back(std::to_string(windowsClosedEarly) + " sweep window(s) closed early; " + std::to_string(lateFrees) +
                        " frees came after their GC event");
    s.notes.push_back(std::to_string(spanEvents) + " span events tracked, " + std::to_string(stackEvents) +
                      " goroutine stack events not replayed (they do not name their goroutine)");
    s.notes.push_back("replay with liveness gc, GOGC off and gc_cycles trace: every GC of the run is in the trace (" +
                      std::to_string(forcedGcs) + " forced by runtime.GC(), " + std::to_string(backgroundGcs) + " background" +
                      (activeAtStart ? " (" + std::to_string(activeAtStart) + " already running at trace start: no stack)" : std::string()) +
                      "; --gc-cycles pacer --gogc N drops the background ones and lets the engine's pacer collect)");
    return s;
  }
};

GoExecTraceStream::GoExecTraceStream(std::unique_ptr<ByteSource> src) : impl_(std::make_unique<Impl>(std::move(src))) {
  Impl& m = *impl_;
  m.meta.description = "Go heap objects from an execution trace recorded with GODEBUG=traceallocfree=1";
  m.meta.source = m.src->path();
  m.meta.config.liveness = sim::Liveness::GC;
  m.meta.config.gogc = -1;
  m.meta.config.gcCycles = sim::GCCycles::Trace;
  m.meta.goVersion = "go1." + std::to_string(m.reader.goMinor());
  m.fill(); // reads up to the first heap event, so meta has GOMAXPROCS (ProcsChange comes first)
}

GoExecTraceStream::~GoExecTraceStream() = default;

size_t GoExecTraceStream::read(sim::Event* out, size_t max) {
  Impl& m = *impl_;
  size_t n = 0;
  while (n < max) {
    if (m.ready.empty()) m.fill();
    if (m.ready.empty()) break;
    const Impl::Ready& r = m.ready.front();
    out[n++] = r.ev;
    if (r.ev.kind == sim::EventKind::Alloc) {
      if (m.handedAddr.size() <= r.ev.id) m.handedAddr.resize(r.ev.id + 1, 0), m.handedSlot.resize(r.ev.id + 1, 0);
      m.handedAddr[r.ev.id] = r.addr;
      m.handedSlot[r.ev.id] = r.slot;
    }
    m.ready.pop_front();
  }
  return n;
}

const TraceMeta& GoExecTraceStream::meta() const { return impl_->meta; }

std::string GoExecTraceStream::describeObject(uint64_t denseId) const {
  return denseId < impl_->handedAddr.size() && impl_->handedAddr[denseId] ? hex(impl_->handedAddr[denseId]) : std::string();
}

uint64_t GoExecTraceStream::slotOffset(uint64_t denseId) const {
  if (denseId >= impl_->handedSlot.size() || !impl_->handedSlot[denseId]) return ~uint64_t{0};
  return impl_->handedSlot[denseId] - heapBase();
}

GoExecCounts GoExecTraceStream::counts() const {
  const Impl& m = *impl_;
  return GoExecCounts{m.snapshotObjects, m.packedTiny, m.headerObjects, m.gcBegins, m.forcedGcs, m.backgroundGcs};
}

uint64_t GoExecTraceStream::heapBase() const {
  const GoAllocFreeInfo* i = impl_->reader.allocFreeInfo();
  return i ? i->minPageHeapAddr : 0;
}

ImportSummary GoExecTraceStream::summary() const { return impl_->summary(); }
uint64_t GoExecTraceStream::bytesRead() const { return impl_->src->compressedRead(); }
uint64_t GoExecTraceStream::bytesTotal() const { return impl_->src->fileSize(); }

bool sniffGoExecTrace(std::string_view head) { return isGoExecTraceHeader(head); }

std::unique_ptr<EventStream> openGoExecTrace(std::unique_ptr<ByteSource> src) {
  return std::make_unique<GoExecTraceStream>(std::move(src));
}

} // namespace traces
