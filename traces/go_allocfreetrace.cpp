// Go allocfreetrace importer: see go_allocfreetrace.h. Grammar: shared reference trace-formats.md
// §4 (from runtime/mprof.go tracealloc/tracefree/tracegc, Go 1.19).
//
// Policies (each counted in the import summary's notes):
// * Frees at sweep time. The runtime prints tracegc() at mark termination and tracefree while it
//   sweeps afterwards; the sweep of cycle k ends before cycle k+1 starts, so every tracefree
//   between tracegc #k and tracegc #k+1 is an object GC #k found unreachable. The engine's Free
//   means "became unreachable", taking effect at the next GC. So the GC event is held back: frees
//   of cycle k go out as they come, then GC #k, then the allocations printed after the tracegc
//   (which the runtime made after marking, so they survive GC #k). The held allocations are
//   bounded (kGoSweepWindow); past that the GC goes out and the rest of its sweep's frees count as
//   late (they take effect one GC later in a replay).
// * Forced or background: tracegc prints every goroutine's stack; a cycle some goroutine waits for
//   in runtime.GC() (gcWaitOnMark; debug.FreeOSMemory calls runtime.GC too) is a forced one and
//   replays as a gc event; any other is the program's pacer at work and replays as a background
//   GC event (sim::kBackgroundGC), which Config::gcCycles replays (trace) or drops (pacer).
// * Requested size: the first argument of the runtime.mallocgc frame when that is the first
//   frame, is not marked '?', and rounds to the printed slot size; else the slot size. A
//   pointer-free 16-byte slot replays as 16 B: it is a tiny block (or a 16-byte object; class 2
//   noscan either way), and replaying the first sub-object's request would let the engine pack
//   later traced blocks into it (the sub-objects packed by the runtime are never traced).
// * noscan: 8-byte slots are scan (a pointer-free object under 16 B always goes to the tiny
//   allocator, whose slots are 16 B); a 16-byte slot of a request ≤ 8 B is a tiny block, so
//   noscan; no printed type means typ == nil, noscan; otherwise the type text decides
//   (go_typestring.h), and a named type, whose fields are not printed, is assumed to hold pointers.
// * Threads: goroutine ids in order of first appearance. A tracefree carries the goroutine that
//   swept (bgsweep or whoever called runtime.GC), not the owner.
// * Orphan frees (objects allocated before GODEBUG was read, in schedinit) are counted and dropped.
//   A tracealloc of a live address, a tracefree whose size differs from the live object's, a
//   malformed or truncated record, or a number out of range is a TraceError naming file and line.
#include "traces/go_allocfreetrace.h"

#include "sim/sizeclasses.h"
#include "traces/go_typestring.h"
#include "traces/id_map.h"
#include "traces/json_io.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace traces {

namespace {

constexpr uint64_t kAddrLimit = uint64_t{1} << 48;      // Go: heapAddrBits on every 64-bit target
constexpr size_t kMaxGoroutines = size_t{1} << 22;      // distinct goroutine ids (threads)
constexpr uint64_t kTinyBlock = 16;                     // Go: maxTinySize

bool isRecordHeader(std::string_view line) {
  return line.starts_with("tracealloc(") || line.starts_with("tracefree(") || line.starts_with("tracegc(");
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "0x1f" → 31. Fails on a missing prefix, a non-hex digit or a value above 64 bits.
enum class NumResult { Ok, Bad, TooLarge };
NumResult parseHex(std::string_view s, uint64_t* v) {
  if (!s.starts_with("0x") || s.size() == 2) return NumResult::Bad;
  uint64_t x = 0;
  for (char c : s.substr(2)) {
    uint64_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<uint64_t>(c - 'A' + 10);
    else return NumResult::Bad;
    if (x >> 60) return NumResult::TooLarge;
    x = x << 4 | d;
  }
  *v = x;
  return NumResult::Ok;
}

NumResult parseDecimal(std::string_view s, uint64_t* v) {
  if (s.empty()) return NumResult::Bad;
  uint64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return NumResult::Bad;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (x > (~uint64_t{0} - d) / 10) return NumResult::TooLarge;
    x = x * 10 + d;
  }
  *v = x;
  return NumResult::Ok;
}

// The slot Go 1.19 gives a request: its size class, or whole pages above 32 KiB. 0 if absurd.
uint64_t goSlotSize(const sim::SizeClassTable& t, uint64_t request) {
  if (request == 0 || request >= kAddrLimit) return 0;
  if (request <= t.maxSmall()) return t.cls(t.classOf(request)).size;
  return (request + sim::kPageSize - 1) / sim::kPageSize * sim::kPageSize;
}

bool isGoSlotSize(const sim::SizeClassTable& t, uint64_t size) {
  return size <= t.maxSmall() ? goSlotSize(t, size) == size : size % sim::kPageSize == 0;
}

// A traceback line: "pkg.f(args)", "\t/file.go:12 +0x1 fp=..", "created by pkg.f", "...elided...".
bool isStackLine(std::string_view line) {
  return line.starts_with('\t') || line.starts_with("created by ") || line.starts_with("...") ||
         (line.back() == ')' && line.find('(') != std::string_view::npos);
}

// MemStats from one JSON object; messages start with `where`.
std::optional<GoMemStats> memStatsFromJson(std::string_view json, const std::string& where, std::string* error) {
  std::string err;
  std::optional<nlohmann::json> j = parseJsonText(std::string(json), &err);
  if (!j) {
    if (error) *error = where + ": MemStats are not JSON: " + err;
    return std::nullopt;
  }
  if (!j->is_object()) {
    if (error) *error = where + ": MemStats must be a JSON object of Go field names";
    return std::nullopt;
  }
  GoMemStats ms;
  for (auto it = j->begin(); it != j->end(); ++it)
    if (it.value().is_number_unsigned()) ms[it.key()] = it.value().get<uint64_t>();
  if (ms.empty()) {
    if (error) *error = where + ": MemStats hold no unsigned integer field";
    return std::nullopt;
  }
  return ms;
}

} // namespace

struct GoAllocFreeTraceStream::Impl {
  explicit Impl(std::unique_ptr<ByteSource> s) : src(std::move(s)), lines(*src) {}

  enum class Kind { Alloc, Free };
  enum class State { Between, Record, GcBlock };
  struct Record {
    Kind kind = Kind::Alloc;
    uint64_t addr = 0, slot = 0, line = 0, goroutine = 0;
    bool hasType = false, haveGoroutine = false;
    std::string type;
    std::optional<uint64_t> request; // from the runtime.mallocgc frame
    uint64_t stackLines = 0;
  };
  struct Held { // an allocation waiting behind the GC event
    uint64_t addr, slot, size, line;
    uint32_t thread;
    bool noscan;
  };
  struct Ready {
    sim::Event ev;
    uint64_t addr;
  };

  std::unique_ptr<ByteSource> src;
  LineReader lines;
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  TraceMeta meta;
  SummaryCounter counter{"Go allocfreetrace (GODEBUG=allocfreetrace=1)"};
  IdMap ids;                            // address -> dense id; Live::size = slot size
  std::vector<uint64_t> sizeOf;         // dense id -> replayed (requested) size
  std::vector<uint64_t> handedAddr;     // dense id -> address, as of the last event handed out
  std::unordered_map<uint64_t, uint32_t> threadOf; // goroutine id -> thread
  std::deque<Ready> ready;

  State state = State::Between;
  Record rec;
  uint64_t gcLine = 0; // where the tracegc block being skipped started

  bool windowOpen = false, lateSweep = false;
  bool windowForced = false; // the held GC had runtime.GC() on a goroutine's stack
  uint64_t forcedGcs = 0, backgroundGcs = 0;
  std::vector<Held> held;
  std::unordered_set<uint64_t> heldAddrs;

  uint64_t records = 0, liveSlotBytes = 0, totalSlotBytes = 0;
  uint64_t fromFrame = 0, fromSlot = 0, tinyBlocks = 0, oddSlots = 0;
  uint64_t noscanNoType = 0, noscanByType = 0, noscanTiny = 0, scanByType = 0, scanAssumed = 0, scanSmall = 0;
  uint64_t lateFrees = 0, windowsClosedEarly = 0;
  uint64_t firstUnknownLine = 0;
  std::string firstUnknownText;
  std::optional<GoGcCheckpoint> checkpoint;
  std::optional<GoMemStats> memstats;
  std::string memstatsError;
  bool ended = false;

  [[noreturn]] void fail(uint64_t line, const std::string& what) const {
    throw TraceError(src->path() + ": line " + std::to_string(line) + ": " + what);
  }

  // ---- parsing -------------------------------------------------------------------------------

  void onLine(std::string_view line) {
    switch (state) {
      case State::Between: return between(line);
      case State::Record: return inRecord(line);
      case State::GcBlock: return inGcBlock(line);
    }
  }

  void between(std::string_view line) {
    if (line.empty()) return;
    if (line.starts_with("tracealloc(") || line.starts_with("tracefree(")) {
      parseHeader(line);
      state = State::Record;
    } else if (line.starts_with("tracegc(")) {
      if (line != "tracegc()") fail(lines.lineNumber(), "malformed tracegc record: expected \"tracegc()\"");
      ++records;
      onGc();
      gcLine = lines.lineNumber();
      state = State::GcBlock;
    } else if (line.starts_with("MEMSTATS ")) {
      std::string err;
      if (auto ms = memStatsFromJson(line.substr(9), src->path() + ": line " + std::to_string(lines.lineNumber()), &err)) {
        memstats = std::move(ms);
      } else {
        memstatsError = err;
        unknown(line);
      }
    } else {
      unknown(line);
    }
  }

  void unknown(std::string_view line) {
    if (counter.summary().unknownLines++ == 0) {
      firstUnknownLine = lines.lineNumber();
      firstUnknownText = std::string(line.substr(0, 80));
    }
  }

  // "tracealloc(0xADDR, 0xSIZE)", "tracealloc(0xADDR, 0xSIZE, TYPE)", "tracefree(0xADDR, 0xSIZE)".
  // The type may hold ", " and parentheses, so it is everything up to the final ')'.
  void parseHeader(std::string_view line) {
    const uint64_t n = lines.lineNumber();
    std::string type = std::move(rec.type); // keep its buffer: one type string per record
    type.clear();
    rec = Record{};
    rec.type = std::move(type);
    rec.line = n;
    rec.kind = line.starts_with("tracealloc(") ? Kind::Alloc : Kind::Free;
    const char* name = rec.kind == Kind::Alloc ? "tracealloc" : "tracefree";
    const char* expected = rec.kind == Kind::Alloc ? "tracealloc(0xADDR, 0xSIZE[, TYPE])" : "tracefree(0xADDR, 0xSIZE)";
    auto malformed = [&](const std::string& why) {
      fail(n, std::string("malformed ") + name + " record (" + why + "): expected " + expected);
    };
    if (line.back() != ')') malformed("no closing parenthesis; truncated?");
    std::string_view rest = line.substr(line.find('(') + 1);
    rest.remove_suffix(1);
    const size_t comma = rest.find(", ");
    if (comma == std::string_view::npos) malformed("no size");
    std::string_view sizeText = rest.substr(comma + 2);
    const size_t comma2 = sizeText.find(", ");
    if (comma2 != std::string_view::npos) {
      if (rec.kind == Kind::Free) malformed("a tracefree has no type");
      rec.type.assign(sizeText.substr(comma2 + 2));
      rec.hasType = true;
      sizeText = sizeText.substr(0, comma2);
      if (rec.type.empty()) malformed("empty type");
    }
    auto number = [&](std::string_view text, const char* what, uint64_t* v) {
      switch (parseHex(text, v)) {
        case NumResult::Ok: return;
        case NumResult::TooLarge: fail(n, std::string(name) + " " + what + " " + std::string(text.substr(0, 40)) + " does not fit 64 bits");
        case NumResult::Bad: malformed(std::string("bad ") + what + " \"" + std::string(text.substr(0, 40)) + "\"");
      }
    };
    number(rest.substr(0, comma), "address", &rec.addr);
    number(sizeText, "size", &rec.slot);
    if (rec.addr == 0) fail(n, std::string(name) + " of address 0x0");
    if (rec.slot == 0) fail(n, std::string(name) + " of size 0 (the runtime never traces zero-size allocations)");
    if (rec.addr >= kAddrLimit || rec.slot >= kAddrLimit - rec.addr)
      fail(n, std::string(name) + "(" + hex(rec.addr) + ", " + hex(rec.slot) + ") runs past Go's 48-bit heap address space");
  }

  void inRecord(std::string_view line) {
    if (line.empty()) {
      if (!rec.haveGoroutine) fail(rec.line, "record ends before its \"goroutine N [status]:\" line");
      state = State::Between;
      finishRecord();
      return;
    }
    if (isRecordHeader(line)) {
      fail(lines.lineNumber(), "new record before the blank line ending the record of line " + std::to_string(rec.line) +
                                   " (truncated record?)");
    }
    if (!rec.haveGoroutine) return goroutineHeader(line);
    if (rec.stackLines++ == 0 && rec.kind == Kind::Alloc) mallocgcFrame(line);
    if (!isStackLine(line)) unknown(line); // foreign output inside the stack
  }

  // "goroutine 17 [running]:", "goroutine 1 [running, locked to thread]:".
  void goroutineHeader(std::string_view line) {
    const uint64_t n = lines.lineNumber();
    const size_t bracket = line.find(" [");
    if (!line.starts_with("goroutine ") || bracket == std::string_view::npos || !line.ends_with("]:"))
      fail(n, "expected \"goroutine N [status]:\" after the record header of line " + std::to_string(rec.line));
    switch (parseDecimal(line.substr(10, bracket - 10), &rec.goroutine)) {
      case NumResult::Ok: break;
      case NumResult::TooLarge: fail(n, "goroutine id does not fit 64 bits");
      case NumResult::Bad: fail(n, "bad goroutine id in \"" + std::string(line.substr(0, 60)) + "\"");
    }
    rec.haveGoroutine = true;
  }

  // "runtime.mallocgc(0x64, 0x4a4260, 0x1)": the first argument is the request, unless marked '?'.
  void mallocgcFrame(std::string_view line) {
    constexpr std::string_view kFrame = "runtime.mallocgc(";
    if (!line.starts_with(kFrame)) return;
    std::string_view arg = line.substr(kFrame.size());
    arg = arg.substr(0, arg.find_first_of(",)"));
    uint64_t v = 0;
    if (parseHex(arg, &v) == NumResult::Ok) rec.request = v; // "0x64?" fails to parse: unreliable
  }

  void inGcBlock(std::string_view line) {
    if (line.starts_with("runtime.GC(")) {
      windowForced = true; // a goroutine waits in runtime.GC() for this cycle: a forced one
    } else if (line == "end tracegc") {
      state = State::Between;
    } else if (isRecordHeader(line)) {
      fail(lines.lineNumber(), "record inside the tracegc block of line " + std::to_string(gcLine) +
                                   " (no \"end tracegc\"; truncated?)");
    }
  }

  uint32_t thread(uint64_t goroutine) {
    auto it = threadOf.find(goroutine);
    if (it != threadOf.end()) return it->second;
    if (threadOf.size() >= kMaxGoroutines)
      fail(rec.line, "more than " + std::to_string(kMaxGoroutines) + " distinct goroutines");
    const uint32_t t = static_cast<uint32_t>(threadOf.size());
    threadOf.emplace(goroutine, t);
    return t;
  }

  // ---- policies ------------------------------------------------------------------------------

  void finishRecord() {
    ++records;
    const uint32_t t = thread(rec.goroutine);
    if (rec.kind == Kind::Free) {
      if (windowOpen && heldAddrs.count(rec.addr)) closeWindow(/*complete=*/false); // keep file order
      emitFree(rec.addr, rec.slot, t, rec.line);
      return;
    }
    if (!isGoSlotSize(table, rec.slot)) ++oddSlots;
    const bool noscan = decideNoscan();
    const Held h{rec.addr, rec.slot, replaySize(noscan), rec.line, t, noscan};
    if (!windowOpen) return emitAlloc(h);
    if (held.size() >= kGoSweepWindow) {
      closeWindow(/*complete=*/false);
      return emitAlloc(h);
    }
    held.push_back(h);
    heldAddrs.insert(h.addr);
  }

  bool decideNoscan() {
    if (rec.slot < kTinyBlock) return ++scanSmall, false;
    if (rec.slot == kTinyBlock && rec.request && *rec.request <= 8) return ++noscanTiny, true;
    if (!rec.hasType) return ++noscanNoType, true;
    switch (goTypePointers(rec.type)) {
      case GoPointers::None: return ++noscanByType, true;
      case GoPointers::Some: return ++scanByType, false;
      case GoPointers::Unknown: break;
    }
    return ++scanAssumed, false;
  }

  uint64_t replaySize(bool noscan) {
    if (noscan && rec.slot == kTinyBlock) {
      if (rec.request && *rec.request < kTinyBlock) return ++tinyBlocks, kTinyBlock;
      if (rec.request && *rec.request == kTinyBlock) return ++fromFrame, kTinyBlock;
      return ++fromSlot, kTinyBlock;
    }
    if (rec.request && goSlotSize(table, *rec.request) == rec.slot) return ++fromFrame, *rec.request;
    return ++fromSlot, rec.slot;
  }

  void push(const sim::Event& ev, uint64_t addr) {
    ready.push_back({ev, addr});
    ++counter.summary().events;
  }

  void emitAlloc(const Held& h) {
    std::optional<uint64_t> id = ids.alloc(h.addr, h.slot);
    if (!id) fail(h.line, "tracealloc of " + hex(h.addr) + ", which is still live (no tracefree of it was seen)");
    if (sizeOf.size() <= *id) sizeOf.resize(*id + 1, 0);
    sizeOf[*id] = h.size;
    counter.alloc(h.size, h.thread);
    liveSlotBytes += h.slot;
    totalSlotBytes += h.slot;
    push(sim::allocEvent(*id, h.size, h.noscan, h.thread), h.addr);
  }

  void emitFree(uint64_t addr, uint64_t slot, uint32_t t, uint64_t line) {
    const IdMap::Live* live = ids.find(addr);
    if (!live) {
      ++counter.summary().orphanFrees;
      counter.seeThread(t);
      return;
    }
    if (live->size != slot)
      fail(line, "tracefree(" + hex(addr) + ", " + hex(slot) + ") of an object traced with size " + hex(live->size));
    const uint64_t id = ids.free(addr)->id;
    counter.free(sizeOf[id], t);
    liveSlotBytes -= slot;
    if (lateSweep) ++lateFrees;
    push(sim::freeEvent(id, t), addr);
  }

  void onGc() {
    if (windowOpen) closeWindow(/*complete=*/true);
    windowOpen = true;
    windowForced = false;
    lateSweep = false;
  }

  // The sweep of the held GC is over (or we stop waiting for it): the GC event, then what the
  // program allocated after the tracegc.
  void closeWindow(bool complete) {
    push(windowForced ? sim::gcEvent() : sim::backgroundGCEvent(), 0);
    ++(windowForced ? forcedGcs : backgroundGcs);
    ImportSummary& s = counter.summary();
    ++s.gcs;
    checkpoint = GoGcCheckpoint{s.gcs, s.allocs, s.frees, s.orphanFrees, s.liveObjects, liveSlotBytes, totalSlotBytes, s.events, complete};
    windowOpen = false;
    if (!complete) {
      lateSweep = true;
      ++windowsClosedEarly;
    }
    for (const Held& h : held) emitAlloc(h);
    held.clear();
    heldAddrs.clear();
  }

  // Parses until an event is ready or the input ends.
  void fill() {
    std::string_view line;
    while (ready.empty() && !ended) {
      if (lines.next(line)) {
        onLine(line);
        continue;
      }
      ended = true;
      if (state == State::Record) fail(rec.line, "truncated record: the file ends inside it (no blank line after its stack)");
      if (state == State::GcBlock) fail(gcLine, "truncated tracegc block: the file ends before \"end tracegc\"");
      if (records == 0)
        throw TraceError(src->path() + ": line " + std::to_string(lines.lineNumber()) +
                         ": no tracealloc, tracefree or tracegc record in the file");
      if (windowOpen) closeWindow(/*complete=*/true);
    }
  }

  // ---- summary -------------------------------------------------------------------------------

  ImportSummary summary() const {
    ImportSummary s = counter.summary();
    s.threads = threadOf.size();
    s.notes.push_back(
        "frees at sweep time: the tracefree records printed after tracegc #k are cycle k's sweep, so they are "
        "emitted before GC event #k, and allocations printed after the tracegc after it (held back, at most " +
        std::to_string(kGoSweepWindow) + ")");
    if (windowsClosedEarly)
      s.notes.push_back(std::to_string(windowsClosedEarly) + " sweep window(s) closed early; " + std::to_string(lateFrees) +
                        " frees came after their GC event and take effect one GC later in a replay");
    s.notes.push_back("requested size: " + std::to_string(fromFrame) + " from the runtime.mallocgc frame, " +
                      std::to_string(fromSlot) + " = the printed slot size (no usable frame), " + std::to_string(tinyBlocks) +
                      " tiny blocks replayed as 16 B (objects later packed into a block are never traced)");
    s.notes.push_back("noscan: " + std::to_string(noscanNoType) + " no type printed (typ == nil), " + std::to_string(noscanByType) +
                      " pointer-free type, " + std::to_string(noscanTiny) + " tiny blocks (16 B slot of a request <= 8 B); scan: " +
                      std::to_string(scanByType) + " type with pointers, " + std::to_string(scanSmall) +
                      " 8-byte slots (pointer-free objects under 16 B go to the tiny allocator), " + std::to_string(scanAssumed) +
                      " named types (fields not printed; assumed to hold pointers)");
    if (oddSlots) s.notes.push_back(std::to_string(oddSlots) + " allocations have a size that is no Go 1.19 slot size");
    s.notes.push_back("threads: goroutine ids in order of first appearance; a tracefree carries the sweeping goroutine");
    s.notes.push_back("replay with liveness gc, GOGC off and gc_cycles trace: every GC of the run is a tracegc record (" +
                      std::to_string(forcedGcs) + " forced by runtime.GC(), " + std::to_string(backgroundGcs) +
                      " background; --gc-cycles pacer --gogc N drops the background ones and lets the engine's pacer collect)");
    if (firstUnknownLine)
      s.notes.push_back("first unknown line: " + std::to_string(firstUnknownLine) + ": " + firstUnknownText);
    if (checkpoint) {
      const GoGcCheckpoint& c = *checkpoint;
      s.notes.push_back("after the sweep of the last GC (#" + std::to_string(c.gcs) + ", event " + std::to_string(c.events) +
                        "): " + std::to_string(c.allocs) + " allocs, " + std::to_string(c.frees) + " frees, " +
                        std::to_string(c.orphanFrees) + " orphan frees, " + std::to_string(c.liveObjects) + " objects live in " +
                        std::to_string(c.liveSlotBytes) + " B of slots" + (c.exact ? "" : " (approximate: late frees)") +
                        "; compare with runtime.MemStats read right after runtime.GC()");
    }
    if (memstats && checkpoint && ended) s.comparisons = compareGoMemStats(*memstats, *checkpoint);
    else if (!memstatsError.empty()) s.notes.push_back(memstatsError);
    else if (ended) s.notes.push_back("no MEMSTATS line in the input: MemStats can be compared with compareGoMemStats");
    return s;
  }
};

GoAllocFreeTraceStream::GoAllocFreeTraceStream(std::unique_ptr<ByteSource> src) {
  impl_ = std::make_unique<Impl>(std::move(src));
  impl_->meta.description = "Go heap objects traced by GODEBUG=allocfreetrace=1";
  impl_->meta.source = impl_->src->path();
  impl_->meta.config.liveness = sim::Liveness::GC;
  impl_->meta.config.gogc = -1;
  impl_->meta.config.gcCycles = sim::GCCycles::Trace;
}

GoAllocFreeTraceStream::~GoAllocFreeTraceStream() = default;

size_t GoAllocFreeTraceStream::read(sim::Event* out, size_t max) {
  Impl& m = *impl_;
  size_t n = 0;
  while (n < max) {
    if (m.ready.empty()) m.fill();
    if (m.ready.empty()) break;
    const Impl::Ready& r = m.ready.front();
    out[n++] = r.ev;
    if (r.ev.kind != sim::EventKind::GC) {
      if (m.handedAddr.size() <= r.ev.id) m.handedAddr.resize(r.ev.id + 1, 0);
      m.handedAddr[r.ev.id] = r.addr;
    }
    m.ready.pop_front();
  }
  return n;
}

const TraceMeta& GoAllocFreeTraceStream::meta() const { return impl_->meta; }

std::string GoAllocFreeTraceStream::describeObject(uint64_t denseId) const {
  return denseId < impl_->handedAddr.size() && impl_->handedAddr[denseId] ? hex(impl_->handedAddr[denseId]) : std::string();
}

ImportSummary GoAllocFreeTraceStream::summary() const { return impl_->summary(); }
uint64_t GoAllocFreeTraceStream::bytesRead() const { return impl_->src->compressedRead(); }
uint64_t GoAllocFreeTraceStream::bytesTotal() const { return impl_->src->fileSize(); }
std::optional<GoGcCheckpoint> GoAllocFreeTraceStream::lastGcCheckpoint() const { return impl_->checkpoint; }

bool sniffGoAllocFreeTrace(std::string_view head) {
  while (!head.empty()) {
    if (head.starts_with("tracealloc(0x") || head.starts_with("tracefree(0x") || head.starts_with("tracegc()")) return true;
    const size_t nl = head.find('\n');
    if (nl == std::string_view::npos) break;
    head.remove_prefix(nl + 1);
  }
  return false;
}

std::unique_ptr<EventStream> openGoAllocFreeTrace(std::unique_ptr<ByteSource> src) {
  return std::make_unique<GoAllocFreeTraceStream>(std::move(src));
}

// ---- MemStats ------------------------------------------------------------------------------------

std::optional<GoMemStats> parseGoMemStats(std::string_view text, const std::string& name, std::string* error) {
  // The last "MEMSTATS {...}" line, else the whole text as one JSON object.
  size_t lineNo = 0;
  std::optional<std::pair<std::string_view, size_t>> found;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = std::min(text.find('\n', pos), text.size());
    ++lineNo;
    const std::string_view line = text.substr(pos, nl - pos);
    if (line.starts_with("MEMSTATS ")) found = {line.substr(9), lineNo};
    pos = nl + 1;
  }
  if (found) return memStatsFromJson(found->first, name + ": line " + std::to_string(found->second), error);
  return memStatsFromJson(text, name, error);
}

std::vector<ImportSummary::Comparison> compareGoMemStats(const GoMemStats& theirs, const GoGcCheckpoint& ours) {
  std::vector<ImportSummary::Comparison> out;
  auto field = [&](const char* f) -> std::optional<uint64_t> {
    auto it = theirs.find(f);
    return it == theirs.end() ? std::nullopt : std::optional<uint64_t>(it->second);
  };
  // theirs >= ours, the gap shown beside our figure.
  auto atLeast = [&](const char* f, const std::string& what, uint64_t value) {
    if (auto t = field(f)) {
      const bool ok = *t >= value;
      out.push_back({std::string(f) + " >= " + what, std::to_string(*t),
                     std::to_string(value) + (ok ? " (gap " + std::to_string(*t - value) + ")" : ""), ok});
    }
  };
  if (auto t = field("NumGC")) out.push_back({"NumGC = tracegc records", std::to_string(*t), std::to_string(ours.gcs), *t == ours.gcs});
  const uint64_t tracedFrees = ours.frees + ours.orphanFrees;
  atLeast("Frees", "tracefree records (gap: tiny allocations packed into a block, never traced, counted in Mallocs and Frees)",
          tracedFrees);
  const uint64_t tinyGap = field("Frees") && *field("Frees") > tracedFrees ? *field("Frees") - tracedFrees : 0;
  atLeast("Mallocs", "tracealloc records + that tiny gap (gap: objects allocated before GODEBUG was read)", ours.allocs + tinyGap);
  atLeast("HeapObjects", "objects live after the last GC (gap: untraced early objects still live)", ours.liveObjects);
  atLeast("HeapAlloc", "slot bytes live after the last GC (gap: untraced early objects still live)", ours.liveSlotBytes);
  atLeast("TotalAlloc", "slot bytes traced up to the last GC (gap: objects allocated before GODEBUG was read)",
          ours.totalSlotBytes);
  return out;
}

} // namespace traces
