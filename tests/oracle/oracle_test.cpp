// The engine against the REAL Go 1.19 runtime. Every expected number here comes from a Go program
// under tests/oracle/go/<name>/ built and run at test time (GOMAXPROCS=1 GOGC=off), never from the
// engine's own output. Each test feeds the engine (a fresh sim::World: 1 P, GOGC off, GC liveness)
// the same allocation / drop / GC / ReadMemStats sequence, checks the invariants after every step,
// and compares what the reference (go-allocator-1.19.md §7.5) says is reproducible:
//   * MemStats deltas between two ReadMemStats (Mallocs, Frees, HeapObjects, HeapAlloc,
//     TotalAlloc) exactly;
//   * HeapInuse deltas where no runtime-owned span is involved (large objects, classes the runtime
//     holds no span of, spans freed by a GC);
//   * addresses relative to their span / 16-byte block, and the order in which spans are used.
// Absolute addresses and anything measured from process start are not comparable: the runtime's
// init allocates ~130 objects (and a varying number of them) before main.
//
// How the Go programs keep the measured intervals clean: they run with an empty environment (the
// harness uses env -i), settle the runtime first (runtime.GC, a 2 ms sleep, runtime.GC twice; see
// settle() in any of them for why the sleep), keep objects in preallocated global arrays, record
// addresses in preallocated []uintptr, and print only after the last ReadMemStats. Every delta
// compared below was identical in 100+ runs of each program, also with the CPUs busy. What does
// vary between runs, and so is never compared: absolute addresses and page layout, and how many
// free slots the runtime's own partial spans have (48 B: 163 or 164; scan 1024 B, the class of
// runtime.m: 5 or 6), which only moves where Go's first fresh span starts (see OracleSlots).
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using oracle::GoAlloc;
using oracle::GoGroup;
using oracle::GoOutput;

constexpr uint64_t kPage = sim::kPageSize;

// ---------------------------------------------------------------------------------------------
// The engine side.

class Engine {
 public:
  explicit Engine(sim::GoVersion v = sim::GoVersion::Go119) : w_(config(v)) {}

  static sim::Config config(sim::GoVersion v = sim::GoVersion::Go119) {
    sim::Config c;
    c.goVersion = v;
    c.gomaxprocs = 1;
    c.gogc = -1; // GOGC=off
    c.liveness = sim::Liveness::GC;
    return c;
  }

  // Allocates object `id`; returns its address.
  uint64_t alloc(uint64_t id, uint64_t size, bool noscan) {
    step(sim::allocEvent(id, size, noscan), "alloc id " + std::to_string(id) + " size " + std::to_string(size));
    return w_.last().addr;
  }
  void free(uint64_t id) { step(sim::freeEvent(id), "free id " + std::to_string(id)); }
  void gc() { step(sim::gcEvent(), "gc"); }
  // runtime.ReadMemStats: flushes the mcache, then reads.
  sim::MemStats readMemStats() {
    step(sim::readMemStatsEvent(), "readmemstats");
    return w_.memStats();
  }
  // What runtime/metrics would see now (no flush, no state change).
  sim::MemStats peek() const { return w_.memStats(); }

  const sim::World& world() const { return w_; }
  sim::HeapView view() const { return w_.view(); }

 private:
  // Every step must succeed and leave a consistent state; otherwise the test stops here
  // (gtest reports the exception as a fatal failure of the test).
  void step(const sim::Event& ev, const std::string& what) {
    std::string err;
    if (!w_.step(ev, &err)) throw std::runtime_error("World::step(" + what + ") failed: " + err);
    std::vector<std::string> bad = sim::checkInvariants(w_);
    if (!bad.empty()) {
      std::string msg = "invariants violated after " + what + ":";
      for (const std::string& b : bad) msg += "\n  " + b;
      throw std::runtime_error(msg);
    }
  }

  sim::World w_;
};

uint64_t field(const sim::MemStats& m, const std::string& f) {
  if (f == "Mallocs") return m.Mallocs;
  if (f == "Frees") return m.Frees;
  if (f == "HeapObjects") return m.HeapObjects;
  if (f == "HeapAlloc") return m.HeapAlloc;
  if (f == "TotalAlloc") return m.TotalAlloc;
  if (f == "HeapInuse") return m.HeapInuse;
  if (f == "HeapSys") return m.HeapSys;
  if (f == "NumGC") return m.NumGC;
  if (f == "MSpanInuse") return m.MSpanInuse;
  if (f == "MCacheInuse") return m.MCacheInuse;
  if (f == "MCacheSys") return m.MCacheSys;
  throw std::logic_error("unknown MemStats field " + f);
}

int64_t engineDelta(const sim::MemStats& before, const sim::MemStats& after, const std::string& f) {
  return static_cast<int64_t>(field(after, f) - field(before, f));
}

const std::vector<std::string> kCountFields = {"Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc"};

// Go's delta between two of its snapshots must equal the engine's between the matching two.
void expectSameDeltas(const GoOutput& go, const std::string& goBefore, const std::string& goAfter,
                      const sim::MemStats& engBefore, const sim::MemStats& engAfter,
                      const std::vector<std::string>& fields, const std::string& context) {
  for (const std::string& f : fields) {
    const int64_t g = go.delta(goBefore, goAfter, f);
    const int64_t e = engineDelta(engBefore, engAfter, f);
    EXPECT_EQ(g, e) << context << ": delta " << f << " from " << goBefore << " to " << goAfter
                    << " -- Go " << g << ", engine " << e;
  }
}

// MemStats.BySize, classes 1..60 (Go's fixed [61] array cannot hold classes 61..67): the class
// sizes must agree, and so must the per-class Mallocs and Frees deltas.
void expectSameBySize(const GoOutput& go, const std::string& goBefore, const std::string& goAfter,
                      const sim::MemStats& engBefore, const sim::MemStats& engAfter, const std::string& context) {
  ASSERT_GT(engAfter.BySize.size(), 60u);
  auto it = go.ms.find(goAfter);
  ASSERT_NE(it, go.ms.end());
  for (uint32_t c = 1; c <= 60; ++c) {
    const std::string k = "BySize" + std::to_string(c);
    auto size = it->second.find(k + "Size");
    ASSERT_NE(size, it->second.end()) << "Go snapshot " << goAfter << " lacks " << k << "Size";
    EXPECT_EQ(size->second, engAfter.BySize[c].Size) << context << ": size of class " << c;
    const int64_t gm = go.delta(goBefore, goAfter, k + "Mallocs"), gf = go.delta(goBefore, goAfter, k + "Frees");
    const int64_t em = static_cast<int64_t>(engAfter.BySize[c].Mallocs - engBefore.BySize[c].Mallocs);
    const int64_t ef = static_cast<int64_t>(engAfter.BySize[c].Frees - engBefore.BySize[c].Frees);
    EXPECT_EQ(gm, em) << context << ": delta BySize[" << c << "].Mallocs (" << size->second << " B) -- Go " << gm
                      << ", engine " << em;
    EXPECT_EQ(gf, ef) << context << ": delta BySize[" << c << "].Frees (" << size->second << " B) -- Go " << gf
                      << ", engine " << ef;
  }
}

#define REQUIRE_GO(var, name)                                                                   \
  const GoOutput& var = oracle::runGoOracle(name);                                              \
  ASSERT_TRUE(var.ok) << var.error

// The tests below run against both real runtimes, each against its own engine profile: Go 1.19
// (/usr/lib/go-1.19) with GoVersion::Go119, Go 1.26 (`go` on PATH) with GoVersion::Go126.
struct Toolchain {
  oracle::GoToolchain go;
  sim::GoVersion engine;
};
const Toolchain kToolchains[] = {{oracle::GoToolchain::Go119, sim::GoVersion::Go119},
                                 {oracle::GoToolchain::Go126, sim::GoVersion::Go126}};
std::string toolchainTestName(const ::testing::TestParamInfo<Toolchain>& i) {
  return i.param.go == oracle::GoToolchain::Go126 ? "go1_26" : "go1_19";
}
class OracleBoth : public ::testing::TestWithParam<Toolchain> {
 protected:
  sim::GoVersion version() const { return GetParam().engine; }
  bool go126() const { return GetParam().go == oracle::GoToolchain::Go126; }
  const GoOutput& run(const std::string& name) const { return oracle::runGoOracle(name, GetParam().go); }
};
#define REQUIRE_GO_P(var, name)                                                                 \
  const GoOutput& var = run(name);                                                              \
  ASSERT_TRUE(var.ok) << oracle::toolchainName(GetParam().go) << ": " << var.error

std::vector<GoAlloc> groupAllocs(const GoOutput& go, const GoGroup& g) {
  return std::vector<GoAlloc>(go.allocs.begin() + static_cast<std::ptrdiff_t>(g.first),
                              go.allocs.begin() + static_cast<std::ptrdiff_t>(g.first + g.count));
}

const sim::SizeClass& classFor(const sim::SizeClassTable& t, uint64_t size) { return t.cls(t.classOf(size)); }

// Where an object of `size` lands, by the rules of the Go release's source, computed here (not by
// the engine): Go 1.19 malloc.go mallocgc; Go 1.26 malloc.go mallocgcSmallScanHeader (a pointerful
// object above 512 B looks up size + 8 and is returned at slot + 8) and mheap.go initSpan
// (nelems = (span bytes - reserve) / elemsize, reserve = 128 B of Green Tea inline mark bits for
// 16 <= elemsize <= 512, plus span bytes / 64 of heap bits for scan spans of elemsize <= 512).
struct ClassShape {
  uint32_t sizeclass = 0;
  uint64_t size = 0;   // elemsize
  uint64_t npages = 0;
  uint64_t nelems = 0;
  uint64_t header = 0; // bytes between the slot and the address the program sees
};
ClassShape shapeFor(sim::GoVersion v, uint64_t size, bool noscan) {
  const sim::SizeClassTable t = sim::SizeClassTable::go119();
  ClassShape c;
  const bool g126 = v == sim::GoVersion::Go126;
  c.header = g126 && !noscan && size > 512 ? 8 : 0;
  c.sizeclass = t.classOf(size + c.header);
  c.size = t.cls(c.sizeclass).size;
  c.npages = t.cls(c.sizeclass).npages;
  const uint64_t spanBytes = c.npages * kPage;
  uint64_t reserve = 0;
  if (g126 && c.size >= 16 && c.size <= 512) reserve += 128;
  if (g126 && !noscan && c.size <= 512) reserve += spanBytes / 64;
  c.nelems = (spanBytes - reserve) / c.size;
  return c;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// Maximal runs of consecutive slots: each address is the previous one plus elemsize (and, for
// 1-page spans, on the same page: spans of classes without tail waste can be adjacent).
struct SlotRun {
  uint64_t start = 0;
  uint64_t len = 0;
};
// maxRun (0: none): multi-page spans without tail waste can be adjacent too, and runs are only
// taken from fresh spans filled from slot 0, so a run ends after nelems slots.
std::vector<SlotRun> runsOf(const std::vector<uint64_t>& addrs, uint64_t elemsize, bool onePageSpans,
                            uint64_t maxRun = 0) {
  std::vector<SlotRun> runs;
  for (size_t i = 0; i < addrs.size(); ++i) {
    const bool continues = i > 0 && addrs[i] == addrs[i - 1] + elemsize &&
                           (!onePageSpans || addrs[i] / kPage == addrs[i - 1] / kPage) &&
                           (maxRun == 0 || runs.back().len < maxRun);
    if (continues) runs.back().len++;
    else runs.push_back({addrs[i], 1});
  }
  return runs;
}

std::string lengths(const std::vector<SlotRun>& runs) {
  std::string s = "[";
  for (size_t i = 0; i < runs.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(runs[i].len);
  }
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// 1 and 7: slot order, stride, objects per span; HeapInuse of fresh spans (program "slots").

// What Go did with one case of the "slots" program, split into the allocations that continued
// spans the runtime already owned and the runs that filled fresh spans.
struct SlotCase {
  uint64_t id = 0;
  uint64_t size = 0;
  bool noscan = true;
  uint64_t count = 0;
  ClassShape cls;
  std::vector<uint64_t> goAddrs; // slot addresses (a Go 1.26 malloc header's 8 bytes taken off)
  std::vector<SlotRun> goRuns;  // all of Go's runs
  uint64_t freshSpans = 0;      // Δ HeapInuse / span bytes
  uint64_t prefix = 0;          // allocations before the first fresh span (runtime-owned spans)
  std::vector<SlotRun> goFresh; // the last freshSpans runs
  int64_t goDeltaInuse = 0;
  std::string label;
};

// Classes whose spans the Go runtime already holds after init with GOMAXPROCS=1, so the first
// allocations may continue one of them (seen with GODEBUG=allocfreetrace=1): 48 B (used
// everywhere); scan 9472 B, the class of runtime.p (procresize's new(p): the one P sits in slot 0
// of a 7-page span); scan 1024 B, the class of runtime.m (one per thread started so far: 2 or 3,
// it varies between runs). Go 1.26: a 1024 B pointerful object has a header and shares class 33
// (1152 B) with runtime.m; runtime.p (9480 B with its header) shares 9728 B with scan 9472.
bool runtimeMayOwn(uint64_t size, bool noscan) {
  return size == 48 || (!noscan && (size == 9472 || size == 1024));
}

uint64_t tailOf(const ClassShape& c) { return c.npages * kPage - c.nelems * c.size; }

std::vector<SlotCase> slotCases(const GoOutput& go, sim::GoVersion v) {
  std::vector<SlotCase> out;
  for (const GoGroup& g : go.groups) {
    if (g.kind != "case") continue;
    SlotCase c;
    c.id = g.id;
    c.size = g.size;
    c.noscan = g.noscan;
    c.count = g.count;
    c.cls = shapeFor(v, g.size, g.noscan);
    c.label = "case " + std::to_string(g.id) + " (" + std::to_string(g.size) + " B " +
              (g.noscan ? "noscan" : "scan") + ", class size " + std::to_string(c.cls.size) + ", " +
              std::to_string(c.cls.nelems) + " per " + std::to_string(c.cls.npages) + "-page span" +
              (c.cls.header ? ", 8-byte malloc header)" : ")");
    for (const GoAlloc& a : groupAllocs(go, g)) c.goAddrs.push_back(a.addr - c.cls.header);
    c.goRuns = runsOf(c.goAddrs, c.cls.size, c.cls.npages == 1, tailOf(c.cls) == 0 ? c.cls.nelems : 0);
    const std::string id = std::to_string(g.id);
    c.goDeltaInuse = go.delta("case" + id + "_before", "case" + id + "_after", "HeapInuse");
    const uint64_t spanBytes = uint64_t{c.cls.npages} * kPage;
    if (c.goDeltaInuse >= 0 && static_cast<uint64_t>(c.goDeltaInuse) % spanBytes == 0)
      c.freshSpans = static_cast<uint64_t>(c.goDeltaInuse) / spanBytes;
    else
      c.freshSpans = ~uint64_t{0}; // reported by the caller
    if (c.freshSpans <= c.goRuns.size()) {
      const size_t firstFresh = c.goRuns.size() - c.freshSpans;
      for (size_t i = 0; i < c.goRuns.size(); ++i) {
        if (i < firstFresh) c.prefix += c.goRuns[i].len;
        else c.goFresh.push_back(c.goRuns[i]);
      }
    }
    out.push_back(c);
  }
  return out;
}

// Go: slots are handed out in increasing index order (freeindex only rises, mbitmap.go
// nextFreeIndex), a fresh span (mcentral.grow) is filled from slot 0 to nelems-1, and the next
// allocation refills from another span. Tolerance: the first run(s) may continue spans the runtime
// already owned (its init objects occupy some slots). Which runs those are is read from Go's own
// Δ HeapInuse: F = Δ HeapInuse / span bytes fresh spans were taken, so the last F runs are the
// fresh spans and everything before them ("prefix") landed in runtime-owned spans. The prefix is
// not compared with the engine (it starts empty); each of its runs must be shorter than nelems (a
// whole run of nelems would have been a fresh span), and it must be empty for classes the runtime
// does not use. The engine is fed count - prefix allocations of the same class.
using OracleSlots = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleSlots, ::testing::ValuesIn(kToolchains), toolchainTestName);

// anyPrefix: the program's consecutive cases may share a class (and continue each other's span),
// so any case may start in a span it did not take fresh (still each such run is below nelems).
void checkSlotCases(const GoOutput& go, sim::GoVersion v, bool anyPrefix) {
  std::vector<SlotCase> cases = slotCases(go, v);
  ASSERT_GE(cases.size(), 10u) << "the program prints one `case` line per class";
  for (const SlotCase& c : cases) {
    SCOPED_TRACE(c.label);
    const uint64_t spanBytes = uint64_t{c.cls.npages} * kPage;
    // Runs in adjacent multi-page spans merge unless the class has tail waste; runsOf then splits
    // them every nelems slots, which is right when the first run starts at a span base. For the
    // two such classes (3072 B in 3 pages, 28672 B in 7) slot 0 is the only page-aligned slot.
    if (c.cls.npages > 1 && tailOf(c.cls) == 0) {
      ASSERT_EQ(c.goAddrs.front() % kPage, 0u)
          << "test precondition: a class without tail waste must start in a fresh span, so runs split at nelems";
    }
    ASSERT_NE(c.freshSpans, ~uint64_t{0}) << "Go's Δ HeapInuse " << c.goDeltaInuse
                                          << " is not a whole number of spans of " << spanBytes << " B";
    ASSERT_LE(c.freshSpans, c.goRuns.size()) << "Go took more fresh spans than it has runs: " << lengths(c.goRuns);
    const std::string l = "case" + std::to_string(c.id);
    EXPECT_EQ(go.delta(l + "_before", l + "_after", "Mallocs"), static_cast<int64_t>(c.count))
        << "something else allocated inside Go's measured interval";

    // Go: inside a 1-page span, addresses strictly increase in allocation order (runtime-owned
    // spans included, whatever holes they have).
    if (c.cls.npages == 1) {
      std::map<uint64_t, uint64_t> lastInPage;
      for (uint64_t a : c.goAddrs) {
        auto [it, fresh] = lastInPage.emplace(a / kPage, a);
        if (!fresh) {
          EXPECT_GT(a, it->second) << "Go went back inside span " << hex(a & ~(kPage - 1));
          it->second = a;
        }
        EXPECT_EQ((a % kPage) % c.cls.size, 0u) << "Go address " << hex(a) << " is not on a slot boundary";
      }
    }

    // Go: the prefix (runtime-owned spans).
    for (size_t i = 0; i + c.goFresh.size() < c.goRuns.size(); ++i) {
      EXPECT_LT(c.goRuns[i].len, c.cls.nelems) << "Go run " << i << " of " << lengths(c.goRuns)
                                               << " fills a whole span but HeapInuse did not grow for it";
    }
    if (!anyPrefix && !runtimeMayOwn(c.size, c.noscan)) {
      EXPECT_EQ(c.prefix, 0u) << "Go continued a runtime-owned span of a class the runtime should not use; runs "
                              << lengths(c.goRuns);
    }

    // Go: the fresh spans.
    ASSERT_FALSE(c.goFresh.empty());
    for (size_t i = 0; i < c.goFresh.size(); ++i) {
      const SlotRun& r = c.goFresh[i];
      if (i + 1 < c.goFresh.size()) {
        EXPECT_EQ(r.len, c.cls.nelems) << "Go fresh span " << i << " of " << lengths(c.goFresh);
      } else {
        EXPECT_LE(r.len, c.cls.nelems);
      }
      EXPECT_EQ(r.start % kPage, 0u) << "Go fresh span " << i << " does not start on a page boundary: " << hex(r.start);
    }

    // The engine, from empty: count - prefix allocations.
    Engine e(v);
    const sim::MemStats before = e.readMemStats();
    std::vector<uint64_t> addrs;
    for (uint64_t k = 0; k < c.count - c.prefix; ++k) addrs.push_back(e.alloc(k, c.size, c.noscan) - c.cls.header);
    const sim::MemStats after = e.readMemStats();
    const std::vector<SlotRun> engRuns = runsOf(addrs, c.cls.size, c.cls.npages == 1, tailOf(c.cls) == 0 ? c.cls.nelems : 0);
    EXPECT_EQ(lengths(engRuns), lengths(c.goFresh)) << "run lengths: engine vs Go's fresh spans";
    for (size_t i = 0; i < engRuns.size(); ++i) {
      const sim::SpanId sid = e.view().spanAt(engRuns[i].start);
      ASSERT_NE(sid, sim::kNoSpan);
      const sim::MSpan& s = e.view().span(sid);
      EXPECT_EQ(engRuns[i].start, s.base()) << "engine run " << i << " does not start at its span's base";
      EXPECT_EQ(s.elemsize, c.cls.size);
      EXPECT_EQ(s.nelems, c.cls.nelems);
      EXPECT_EQ(s.npages, c.cls.npages);
    }
    EXPECT_EQ(c.goDeltaInuse, engineDelta(before, after, "HeapInuse"));
  }
}

TEST_P(OracleSlots, SlotOrderStrideAndObjectsPerSpanMatchGo) {
  REQUIRE_GO_P(go, "slots");
  checkSlotCases(go, version(), /*anyPrefix=*/false);
}

// Program "headers": pointerful objects of 80..3000 B and a few noscan ones. Go 1.26 (its source:
// malloc.go mallocgcSmallScanHeader, mheap.go initSpan) gives 513 and 520 B pointerful objects the
// 576 B class at slot + 8 (504 and 512 B stay in 512 B, no header), a 2048 B one the 2304 B class,
// and 99 scan / 100 noscan 80 B objects per span where Go 1.19 has 102. shapeFor says so; the slot
// checks above hold Go's addresses and Δ HeapInuse to it and the engine to Go.
TEST_P(OracleSlots, MallocHeadersAndSpanEndMetadataMatchGo) {
  REQUIRE_GO_P(go, "headers");
  checkSlotCases(go, version(), /*anyPrefix=*/true);
  // The worked examples, by hand from the source (independent of shapeFor).
  const ClassShape h513 = shapeFor(version(), 513, false), h1024 = shapeFor(version(), 1024, false);
  const ClassShape s80 = shapeFor(version(), 80, false), n80 = shapeFor(version(), 80, true);
  if (go126()) {
    EXPECT_EQ(h513.size, 576u);
    EXPECT_EQ(h513.header, 8u);
    EXPECT_EQ(h1024.size, 1152u);
    EXPECT_EQ(shapeFor(version(), 512, false).header, 0u);
    EXPECT_EQ(s80.nelems, (8192u - 128 - 128) / 80); // 99
    EXPECT_EQ(n80.nelems, (8192u - 128) / 80);       // 100
    EXPECT_EQ(shapeFor(version(), 16, true).nelems, 504u); // the tiny span
  } else {
    EXPECT_EQ(h513.size, 576u);
    EXPECT_EQ(h513.header, 0u);
    EXPECT_EQ(h1024.size, 1024u);
    EXPECT_EQ(s80.nelems, 102u);
    EXPECT_EQ(n80.nelems, 102u);
  }
  // Every pointerful object above 512 B is 8 bytes past a slot boundary in Go 1.26, on one in 1.19.
  for (const GoAlloc& a : go.allocs) {
    if (a.noscan || a.size <= 512) continue;
    const ClassShape c = shapeFor(version(), a.size, false);
    if (c.npages != 1) continue; // multi-page spans: the span base is not known from the address
    EXPECT_EQ((a.addr % kPage) % c.size, go126() ? 8u : 0u) << a.size << " B at " << hex(a.addr);
  }
}

// Go: mcentral.grow takes class_to_allocnpages pages per span, so N objects of a class nobody
// else uses cost ceil(N / nelems) whole spans of HeapInuse (Δ HeapInuse counts whole spans).
using OracleFreshSpans = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleFreshSpans, ::testing::ValuesIn(kToolchains), toolchainTestName);

TEST_P(OracleFreshSpans, HeapInuseGrowsByWholeSpansForUnsharedClasses) {
  REQUIRE_GO_P(go, "slots");
  for (const SlotCase& c : slotCases(go, version())) {
    SCOPED_TRACE(c.label);
    if (runtimeMayOwn(c.size, c.noscan)) continue; // Go's first allocations continue runtime spans
    const uint64_t spanBytes = uint64_t{c.cls.npages} * kPage;
    const uint64_t want = (c.count + c.cls.nelems - 1) / c.cls.nelems * spanBytes;
    EXPECT_EQ(c.goDeltaInuse, static_cast<int64_t>(want)) << "Go, " << c.count << " objects";
    Engine e(version());
    const sim::MemStats before = e.readMemStats();
    for (uint64_t k = 0; k < c.count; ++k) e.alloc(k, c.size, c.noscan);
    const sim::MemStats after = e.readMemStats();
    EXPECT_EQ(engineDelta(before, after, "HeapInuse"), static_cast<int64_t>(want)) << "engine, " << c.count << " objects";
  }
}

// ---------------------------------------------------------------------------------------------
// 2: tiny allocator packing (program "tiny").

// Per allocation: the offset inside its 16-byte block, and the first allocation (index within the
// sequence) that lives in the same block. Both are address-independent.
struct TinyShape {
  std::vector<uint64_t> offset;
  std::vector<uint64_t> sharesWith;
  uint64_t blocks = 0;
};
TinyShape tinyShape(const std::vector<uint64_t>& addrs) {
  TinyShape t;
  std::map<uint64_t, uint64_t> firstInBlock;
  for (size_t i = 0; i < addrs.size(); ++i) {
    t.offset.push_back(addrs[i] & 15);
    auto it = firstInBlock.emplace(addrs[i] & ~uint64_t{15}, i).first;
    t.sharesWith.push_back(it->second);
  }
  t.blocks = firstInBlock.size();
  return t;
}

// The LCG of tests/oracle/go/tiny: x = x*1103515245 + 12345 mod 2^31, size = 1 + (x>>16) % 16.
std::vector<uint64_t> tinyLcgSizes(size_t n) {
  std::vector<uint64_t> sizes;
  uint32_t x = 42;
  for (size_t i = 0; i < n; ++i) {
    x = (x * 1103515245u + 12345u) & 0x7fffffffu;
    sizes.push_back(1 + (x >> 16) % 16);
  }
  return sizes;
}

// Go: malloc.go mallocgc's tiny path (noscan && size < 16): align the offset by 8/4/2 by size,
// pack into the current block if it fits, else take a new 16-byte slot of span class 5 and keep
// whichever block has more room; a 16-byte noscan object is an ordinary class-2 object. Each
// sequence starts right after ReadMemStats, which dropped the current block (releaseAll). Block
// addresses are the runtime's (its class-5 spans are shared with init objects), so what is
// compared is each object's offset in its block and which earlier object's block it shares.
using OracleTiny = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleTiny, ::testing::ValuesIn(kToolchains), toolchainTestName);

TEST_P(OracleTiny, PackingMatchesGoBlockForBlock) {
  REQUIRE_GO_P(go, "tiny");
  const GoGroup* seqs[2] = {go.group("seq", 0), go.group("seq", 1)};
  ASSERT_TRUE(seqs[0] && seqs[1]) << "the tiny program prints `seq 0` and `seq 1`";

  // The Go program's sizes are what we think they are.
  const std::vector<uint64_t> example = {5, 5, 3, 8, 12, 1, 2, 4, 16, 6, 10};
  const std::vector<uint64_t> lcg = tinyLcgSizes(seqs[1]->count);
  ASSERT_EQ(seqs[1]->count, 2000u);
  for (int s = 0; s < 2; ++s) {
    const std::vector<uint64_t>& want = s == 0 ? example : lcg;
    ASSERT_EQ(seqs[s]->count, want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const GoAlloc& a = go.allocs[seqs[s]->first + i];
      ASSERT_EQ(a.size, want[i]) << "seq " << s << " allocation " << i;
      ASSERT_TRUE(a.noscan);
    }
  }

  // The same sequence as main() in tests/oracle/go/tiny.
  Engine e(version());
  sim::MemStats ms[4];
  std::vector<uint64_t> engAddrs[2];
  ms[0] = e.readMemStats();
  uint64_t id = 0;
  for (int s = 0; s < 2; ++s) {
    for (const GoAlloc& a : groupAllocs(go, *seqs[s])) engAddrs[s].push_back(e.alloc(id++, a.size, true));
    ms[s + 1] = e.readMemStats();
  }
  const GoGroup* seq2 = go.group("seq", 2);
  const GoGroup* seq3 = go.group("seq", 3);
  ASSERT_TRUE(seq2 && seq3);
  std::vector<uint64_t> goGC, engGC; // sequences 2 and 3, with a GC between them
  for (const GoAlloc& a : groupAllocs(go, *seq2)) {
    goGC.push_back(a.addr);
    engGC.push_back(e.alloc(id++, a.size, true));
  }
  e.gc();
  for (const GoAlloc& a : groupAllocs(go, *seq3)) {
    goGC.push_back(a.addr);
    engGC.push_back(e.alloc(id++, a.size, true));
  }
  ms[3] = e.readMemStats();

  for (int s = 0; s < 2; ++s) {
    SCOPED_TRACE("seq " + std::to_string(s));
    std::vector<uint64_t> goAddrs;
    for (const GoAlloc& a : groupAllocs(go, *seqs[s])) goAddrs.push_back(a.addr);
    const TinyShape g = tinyShape(goAddrs), m = tinyShape(engAddrs[s]);
    int reported = 0;
    for (size_t i = 0; i < goAddrs.size() && reported < 10; ++i) {
      const uint64_t size = go.allocs[seqs[s]->first + i].size;
      if (g.offset[i] != m.offset[i] || g.sharesWith[i] != m.sharesWith[i]) {
        ++reported;
        ADD_FAILURE() << "allocation " << i << " (" << size << " B): Go offset " << g.offset[i] << " in the block of #"
                      << g.sharesWith[i] << ", engine offset " << m.offset[i] << " in the block of #" << m.sharesWith[i];
      }
    }
    EXPECT_EQ(g.blocks, m.blocks) << "distinct 16-byte blocks";
    const std::string id0 = "seq" + std::to_string(s);
    expectSameDeltas(go, id0 + "_before", id0 + "_after", ms[s], ms[s + 1], kCountFields, "tiny " + id0);
    expectSameBySize(go, id0 + "_before", id0 + "_after", ms[s], ms[s + 1], "tiny " + id0);
    EXPECT_EQ(go.delta(id0 + "_before", id0 + "_after", "Mallocs"), static_cast<int64_t>(goAddrs.size()))
        << "something else allocated inside Go's measured interval";
  }

  // The worked example, replayed by hand with the rules of reference §3.3 (independent of both
  // Go and the engine): 5, 5, 3 pack block A at 0, 5, 10 (offset 13); 8 needs alignment 8 -> 16,
  // does not fit, opens block B and, as 8 < 13, B becomes current (offset 8); 12 (align 4 -> 8,
  // 8 + 12 > 16) opens block C, but 12 >= 8 keeps B current; 1, 2, 4 go to B at 8, 10, 12; 16 is
  // an ordinary class-2 object; 6 opens block D (6 < 16: current); 10 (align 2) goes to D at 6.
  // (The reference's measured addresses differ: its program appended to a []uintptr between the
  // allocations, and started with a block the runtime had left at offset 8.)
  const std::vector<uint64_t> wantOff = {0, 5, 10, 0, 0, 8, 10, 12, 0, 0, 6};
  const std::vector<uint64_t> wantShare = {0, 0, 0, 3, 4, 3, 3, 3, 8, 9, 9};
  std::vector<uint64_t> goAddrs;
  for (const GoAlloc& a : groupAllocs(go, *seqs[0])) goAddrs.push_back(a.addr);
  const TinyShape g = tinyShape(goAddrs);
  EXPECT_EQ(g.offset, wantOff) << "Go disagrees with the reference's tiny rules";
  EXPECT_EQ(g.sharesWith, wantShare) << "Go disagrees with the reference's tiny rules";

  // Across a GC: mark termination flushes the mcache (prepareForSweep -> releaseAll), so the first
  // tiny object after runtime.GC() opens a new block although the old one has 10 bytes left.
  {
    SCOPED_TRACE("seq 2, runtime.GC(), seq 3");
    const TinyShape gs = tinyShape(goGC), es = tinyShape(engGC);
    EXPECT_EQ(gs.offset, es.offset) << "offsets in the block: Go (left) vs engine (right)";
    EXPECT_EQ(gs.sharesWith, es.sharesWith) << "block sharing: Go (left) vs engine (right)";
    EXPECT_EQ(gs.sharesWith, (std::vector<uint64_t>{0, 0, 0, 3, 3, 3, 3, 3})) << "Go vs reference §3.3/§3.6";
    expectSameDeltas(go, "seq2_before", "seq3_after", ms[2], ms[3], kCountFields, "tiny across a GC");
    expectSameBySize(go, "seq2_before", "seq3_after", ms[2], ms[3], "tiny across a GC");
  }
}

// ---------------------------------------------------------------------------------------------
// 3: MemStats deltas (program "memstats").

// Go: mstats.go readmemstats_m after flushallmcaches. Mallocs = large + small + tiny
// sub-allocations; Frees also counts every tiny sub-allocation at once (they never free
// individually); HeapAlloc/TotalAlloc count whole slots (a tiny block 16 B, a large object
// npages*8192); BySize counts slots per class (tiny blocks in class 2). Counts reach the globals at
// refill/releaseAll, so only ReadMemStats-to-ReadMemStats deltas are compared. Size 0 returns
// &runtime.zerobase and counts nothing. Sequence 3 allocates both ends of every class and the
// seams of the two lookup tables (1016/1017), so BySize pins the size -> class mapping.
using OracleMemStats = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleMemStats, ::testing::ValuesIn(kToolchains), toolchainTestName);

TEST_P(OracleMemStats, DeltasMatchGoExactlyForMixedSequences) {
  REQUIRE_GO_P(go, "memstats");
  Engine e(version());
  sim::MemStats prev = e.readMemStats();
  uint64_t id = 0;
  int seqs = 0;
  std::set<uint64_t> goZero, engZero;
  for (uint64_t s = 0;; ++s) {
    const GoGroup* g = go.group("seq", s);
    if (!g) break;
    ++seqs;
    SCOPED_TRACE("seq " + std::to_string(s));
    bool tiny = false, small = false, scan = false, large = false;
    uint64_t zero = 0;
    for (const GoAlloc& a : groupAllocs(go, *g)) {
      const uint64_t addr = e.alloc(id++, a.size, a.noscan);
      tiny |= a.noscan && a.size > 0 && a.size < 16;
      small |= a.size >= 16 && a.size <= 32768;
      scan |= !a.noscan;
      large |= a.size > 32768;
      if (a.size == 0) {
        ++zero;
        goZero.insert(a.addr);
        engZero.insert(addr);
      }
    }
    const sim::MemStats now = e.readMemStats();
    const std::string l = "seq" + std::to_string(s);
    EXPECT_EQ(go.delta(l + "_before", l + "_after", "Mallocs"), static_cast<int64_t>(g->count - zero))
        << "something else allocated inside Go's measured interval";
    expectSameDeltas(go, l + "_before", l + "_after", prev, now, kCountFields, l);
    expectSameBySize(go, l + "_before", l + "_after", prev, now, l);
    if (s < 3) {
      EXPECT_TRUE(tiny && small && scan) << "sequences 0-2 mix tiny, small and scan objects";
    }
    if (s < 2) {
      EXPECT_TRUE(large) << "sequences 0 and 1 include large objects";
    }
    prev = now;
  }
  EXPECT_EQ(seqs, 4);
  EXPECT_EQ(goZero.size(), 1u) << "Go: every size-0 allocation returns &zerobase";
  EXPECT_EQ(engZero.size(), 1u) << "engine: every size-0 allocation returns one address";
}

// ---------------------------------------------------------------------------------------------
// 4: large objects (program "large").

// Go: mcache.allocLarge takes ceil(size/8192) pages for a span of its own; HeapAlloc and
// HeapInuse grow by exactly that (the span's elemsize), Mallocs by one.
using OracleLarge = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleLarge, ::testing::ValuesIn(kToolchains), toolchainTestName);

TEST_P(OracleLarge, HeapInuseAndHeapAllocGrowByWholePages) {
  REQUIRE_GO_P(go, "large");
  Engine e(version());
  int n = 0;
  for (const GoGroup& g : go.groups) {
    if (g.kind != "case") continue;
    ++n;
    SCOPED_TRACE("large case " + std::to_string(g.id) + ": " + std::to_string(g.size) + " B " +
                 (g.noscan ? "noscan" : "scan"));
    const std::string l = "case" + std::to_string(g.id);
    const int64_t want = static_cast<int64_t>((g.size + kPage - 1) / kPage * kPage);
    EXPECT_EQ(go.delta(l + "_before", l + "_after", "HeapInuse"), want) << "Go";
    EXPECT_EQ(go.delta(l + "_before", l + "_after", "HeapAlloc"), want) << "Go";
    EXPECT_EQ(go.delta(l + "_before", l + "_after", "Mallocs"), 1) << "Go";
    EXPECT_EQ(go.allocs[g.first].addr % kPage, 0u) << "Go: a large object starts its span";

    const sim::MemStats before = e.readMemStats();
    const uint64_t addr = e.alloc(g.first, g.size, g.noscan);
    const sim::MemStats after = e.readMemStats();
    EXPECT_EQ(engineDelta(before, after, "HeapInuse"), want) << "engine";
    EXPECT_EQ(engineDelta(before, after, "HeapAlloc"), want) << "engine";
    EXPECT_EQ(addr % kPage, 0u) << "engine";
    expectSameDeltas(go, l + "_before", l + "_after", before, after,
                     {"Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc", "HeapInuse"}, l);
  }
  EXPECT_EQ(n, 11);
}

// ---------------------------------------------------------------------------------------------
// 5: frees become visible after runtime.GC() (program "frees").

// Go: a dropped object stays allocated until a GC mark does not mark it and the sweep of its span
// frees the slot (mgcsweep.go sweep: smallFreeCount / largeFree; an empty span goes back to the
// heap with mheap.freeSpan, so HeapInuse shrinks by whole spans). runtime.GC() returns only after
// the sweep is complete, so the ReadMemStats right after it sees every free. The current tiny
// block is marked by the GC (gcMarkTinyAllocs) even when everything in it was dropped.
//
// No tolerance is needed. At first a few percent of the runs had Go's Frees one higher (and
// Mallocs one higher in others): an 8-byte runtime object, the backing array of the P's timer
// heap, which the background scavenger's first timer sleep allocates (runtime.doaddtimer) and a
// later growth leaves as garbage. settle() now provokes that growth before the baseline (a sleep)
// and collects the garbage (two GCs), and the GCs inside the measured intervals free nothing of
// the runtime's: 100+ identical runs.
//
// Phases (see tests/oracle/go/frees): 0 = allocate, drop, GC; 1 = allocate into the swept spans,
// ReadMemStats; 2 = one tiny block, drop a subset of phases 1 and 2, GC, then a second GC.
// Phase 0 has no ReadMemStats between its allocations and its GC (spans still cached at GC time
// are stale and swept at mark termination), so its HeapInuse "before" comes from runtime/metrics
// (heap objects + heap unused = inHeap = HeapInuse), which does not flush the mcache; the engine's
// counterpart is World::memStats() without a ReadMemStats event. Over the whole of phase 0
// HeapInuse is not comparable: Go's first 48-byte objects continue a runtime-owned span.
TEST(OracleFrees, FreesAppearAfterGCExactly) {
  REQUIRE_GO(go, "frees");
  const GoGroup* p0 = go.group("phase", 0);
  const GoGroup* p1 = go.group("phase", 1);
  const GoGroup* p2 = go.group("phase", 2);
  ASSERT_TRUE(p0 && p1 && p2);
  auto freesIn = [&](const GoGroup& g) {
    std::vector<uint64_t> f;
    for (uint64_t i : go.frees)
      if (i >= g.first && i < g.first + g.count) f.push_back(i);
    return f;
  };
  const std::vector<uint64_t> f0 = freesIn(*p0), f1 = freesIn(*p1), f2 = freesIn(*p2);
  ASSERT_EQ(f0.size() + f1.size() + f2.size(), go.frees.size());
  ASSERT_FALSE(f0.empty());
  ASSERT_FALSE(f1.empty());
  ASSERT_EQ(f2.size(), p2->count) << "phase 2's tiny objects are all dropped";

  // The same sequence as main() in tests/oracle/go/frees.
  Engine e;
  const sim::MemStats start = e.readMemStats();
  for (const GoAlloc& a : groupAllocs(go, *p0)) e.alloc(a.index, a.size, a.noscan);
  for (uint64_t i : f0) e.free(i);
  const sim::MemStats preGC = e.peek(); // runtime/metrics in Go: no mcache flush
  e.gc();
  const sim::MemStats p0gc = e.readMemStats();
  for (const GoAlloc& a : groupAllocs(go, *p1)) e.alloc(a.index, a.size, a.noscan);
  const sim::MemStats p1alloc = e.readMemStats();
  for (const GoAlloc& a : groupAllocs(go, *p2)) e.alloc(a.index, a.size, a.noscan);
  for (uint64_t i : f1) e.free(i);
  for (uint64_t i : f2) e.free(i);
  e.gc();
  const sim::MemStats p1gc = e.readMemStats();
  e.gc();
  const sim::MemStats p2gc = e.readMemStats();

  EXPECT_EQ(go.delta("p0_start", "p0_gc", "Mallocs"), static_cast<int64_t>(p0->count))
      << "something else allocated inside Go's measured interval";
  EXPECT_EQ(go.delta("p1_start", "p1_alloc", "Mallocs"), static_cast<int64_t>(p1->count))
      << "something else allocated inside Go's measured interval";
  EXPECT_EQ(go.delta("p1_alloc", "p1_gc", "Mallocs"), static_cast<int64_t>(p2->count))
      << "something else allocated inside Go's measured interval";
  expectSameDeltas(go, "p0_start", "p0_gc", start, p0gc, kCountFields, "phase 0: allocate, drop, GC");
  expectSameBySize(go, "p0_start", "p0_gc", start, p0gc, "phase 0: allocate, drop, GC");
  expectSameDeltas(go, "p0_pregc", "p0_gc", preGC, p0gc, {"HeapInuse"},
                   "phase 0's GC: whole spans freed (2688 B: one; 3200 B scan: one; 1408 B: the full one and "
                   "the cached one; 6784 B: the full cached one) and the 100000 B and 40000 B objects");
  expectSameDeltas(go, "p1_start", "p1_alloc", p0gc, p1alloc, kCountFields, "phase 1: allocate into swept spans");
  expectSameBySize(go, "p1_start", "p1_alloc", p0gc, p1alloc, "phase 1: allocate into swept spans");
  const std::vector<std::string> all = {"Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc", "HeapInuse"};
  expectSameDeltas(go, "p1_alloc", "p1_gc", p1alloc, p1gc, all,
                   "phase 2: one tiny block, drop, GC (frees among others a partial 1408 B span whole, from "
                   "partialUnswept, and the 100000 B object)");
  expectSameBySize(go, "p1_alloc", "p1_gc", p1alloc, p1gc, "phase 2: one tiny block, drop, GC");
  expectSameDeltas(go, "p1_gc", "p2_gc", p1gc, p2gc, all, "second GC: the tiny block the first one kept");
  expectSameBySize(go, "p1_gc", "p2_gc", p1gc, p2gc, "second GC: the tiny block the first one kept");
  EXPECT_EQ(go.delta("p1_gc", "p2_gc", "Frees"), 1) << "Go: gcMarkTinyAllocs kept the current block one cycle";
  EXPECT_EQ(go.delta("p0_start", "p0_gc", "NumGC"), 1);
}

// ---------------------------------------------------------------------------------------------
// 6: FIFO span reuse after GC (program "fifo").

// Per allocation: which span (numbered in order of first use within the class) and which slot.
struct SpanSlot {
  uint64_t span = 0;
  uint64_t slot = 0;
  bool operator==(const SpanSlot& o) const { return span == o.span && slot == o.slot; }
};
std::string show(const std::vector<SpanSlot>& v) {
  std::string s;
  for (const SpanSlot& x : v) {
    s += 'S';
    s += std::to_string(x.span);
    s += '/';
    s += std::to_string(x.slot);
    s += ' ';
  }
  return s;
}

// Go: mcentral's spanSets are FIFO (mspanset.go); at mark termination every mcache is flushed and
// its stale spans swept first, so they head partialSwept; sweepone (mgcsweep.go
// nextSpanForSweep) then sweeps each span class's full-unswept set, then its partial-unswept set,
// each in push order; cacheSpan pops partialSwept from the head; ReadMemStats' releaseAll pushes
// the cached span to the tail (reference §4.2, §6.2). Class 33 (1152 B, 7 per 1-page span), noscan
// and scan interleaved; spans never become empty, so a base seen again is the same span in both Go
// and the engine. The expected span order is spelled out in tests/oracle/go/fifo/main.go.
TEST(OracleFifo, SpansAreReusedInGoOrderAfterGC) {
  REQUIRE_GO(go, "fifo");
  const GoGroup* ph[4] = {go.group("phase", 0), go.group("phase", 1), go.group("phase", 2), go.group("phase", 3)};
  ASSERT_TRUE(ph[0] && ph[1] && ph[2] && ph[3]);
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  ASSERT_EQ(classFor(table, 1152).npages, 1u);
  ASSERT_EQ(classFor(table, 1152).nelems, 7u);
  auto dropRound = [&](Engine& e, uint64_t round) {
    for (size_t k = 0; k < go.frees.size(); ++k)
      if (go.freeRounds[k] == round) e.free(go.frees[k]);
  };

  // The same sequence as main() in tests/oracle/go/fifo.
  Engine e;
  sim::MemStats ms[6];
  std::vector<uint64_t> engAddr(go.allocs.size());
  auto allocPhase = [&](int p) {
    for (const GoAlloc& a : groupAllocs(go, *ph[p])) engAddr[a.index] = e.alloc(a.index, a.size, a.noscan);
  };
  ms[0] = e.readMemStats();
  allocPhase(0);
  dropRound(e, 0);
  e.gc();
  ms[1] = e.readMemStats();
  allocPhase(1);
  ms[2] = e.readMemStats();
  allocPhase(2);
  ms[3] = e.readMemStats();
  dropRound(e, 1);
  e.gc();
  ms[4] = e.readMemStats();
  allocPhase(3);
  ms[5] = e.readMemStats();

  const char* wantGo[4] = {nullptr, "S4/2 S4/4 S4/5 S4/6 S0/1 ", "S2/0 S3/6 S0/3 S5/0 S5/1 S5/2 ",
                           "S1/4 S3/1 S0/5 S5/0 S5/3 S5/4 S5/5 S5/6 S6/0 "};
  for (int noscan = 1; noscan >= 0; --noscan) {
    SCOPED_TRACE(noscan ? "noscan 1152 B" : "scan 1152 B");
    std::map<uint64_t, uint64_t> goSpan, engSpan;
    std::vector<SpanSlot> goSeq[4], engSeq[4];
    for (int p = 0; p < 4; ++p) {
      for (const GoAlloc& a : groupAllocs(go, *ph[p])) {
        if (a.noscan != (noscan == 1)) continue;
        const uint64_t gb = a.addr & ~(kPage - 1), eb = engAddr[a.index] & ~(kPage - 1);
        const uint64_t gs = goSpan.emplace(gb, goSpan.size()).first->second;
        const uint64_t es = engSpan.emplace(eb, engSpan.size()).first->second;
        goSeq[p].push_back({gs, (a.addr - gb) / 1152});
        engSeq[p].push_back({es, (engAddr[a.index] - eb) / 1152});
        const sim::SpanId sid = e.view().spanAt(engAddr[a.index]);
        ASSERT_NE(sid, sim::kNoSpan);
        EXPECT_EQ(e.view().span(sid).base(), eb);
      }
    }
    // Go itself: the first allocation opened a fresh span (the runtime has no 1152 B spans), and
    // the order is the one the reference predicts.
    ASSERT_EQ(goSeq[0].size(), 32u);
    EXPECT_EQ(goSeq[0][0].slot, 0u) << "Go continued a runtime-owned 1152 B span; pick another class";
    for (int p = 1; p < 4; ++p) EXPECT_EQ(show(goSeq[p]), wantGo[p]) << "Go vs reference §4.2/§6.2, phase " << p;
    for (int p = 0; p < 4; ++p)
      EXPECT_EQ(show(engSeq[p]), show(goSeq[p])) << "phase " << p << ": engine (left) vs Go (right)";
  }
  const char* labels[6] = {"start", "gc", "rms", "end", "gc2", "end2"};
  for (int i = 0; i < 5; ++i)
    expectSameDeltas(go, labels[i], labels[i + 1], ms[i], ms[i + 1],
                     {"Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc", "HeapInuse"},
                     std::string("fifo ") + labels[i] + " -> " + labels[i + 1]);
  for (int i = 0; i < 5; ++i)
    expectSameBySize(go, labels[i], labels[i + 1], ms[i], ms[i + 1], std::string("fifo ") + labels[i] + " -> " + labels[i + 1]);
}

// ---------------------------------------------------------------------------------------------
// Extra: MSpanInuse and the per-P mspan struct cache (program "mspan").

// Go: mheap.go allocMSpanLocked refills an empty P mspancache with 64 structs from spanalloc
// (MSpanInuse += 64 * 144 = 9216) and tryAllocMSpan / allocMSpanLocked pop one per span. The
// cache's fill level after init is unknown, so the Go program allocates one-span objects until
// MSpanInuse grows; the engine, which starts with an empty cache, does the same (its first span
// refills). From there both hold 63 structs, and the same 120 fresh spans (100 from the P's page
// cache, 20 of 25 pages under the heap lock) must cost the same MSpanInuse. Allocation only: a GC
// allocates and frees workbuf spans, which makes MSpanInuse vary by a few structs between runs.
// Go 1.26: the same mechanism with a 160-byte mspan (the profile's mspanStructBytes).
using OracleMSpan = OracleBoth;
INSTANTIATE_TEST_SUITE_P(Go, OracleMSpan, ::testing::ValuesIn(kToolchains), toolchainTestName);

TEST_P(OracleMSpan, MSpanInuseFollowsThePerPStructCache) {
  REQUIRE_GO_P(go, "mspan");
  const GoGroup* calib = go.group("phase", 0);
  const GoGroup* p1 = go.group("phase", 1);
  ASSERT_TRUE(calib && p1);
  ASSERT_LT(calib->count, 200u) << "Go's calibration never saw MSpanInuse grow";

  Engine e(version());
  sim::MemStats prev = e.readMemStats(), cur = prev;
  uint64_t id = 0;
  for (int k = 0; k < 200; ++k) {
    prev = cur;
    e.alloc(id++, 40960, true);
    cur = e.readMemStats();
    if (cur.MSpanInuse != prev.MSpanInuse) break;
  }
  EXPECT_EQ(id, 1u) << "the engine's first span should refill its empty mspancache";
  expectSameDeltas(go, "calib_before", "calib_after", prev, cur, {"MSpanInuse", "HeapInuse", "Mallocs"},
                   "the allocation that refilled the P's mspancache");

  const sim::MemStats start = e.readMemStats();
  for (const GoAlloc& a : groupAllocs(go, *p1)) e.alloc(id++, a.size, a.noscan);
  const sim::MemStats end = e.readMemStats();
  expectSameDeltas(go, "start", "end", start, end,
                   {"MSpanInuse", "HeapInuse", "Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc"},
                   "120 fresh spans after the calibration");
  // One P's mcache, absolute (GOMAXPROCS=1): sizeof(mcache) and its fixalloc chunk (1.19: 1200 B
  // in a 15600 B chunk; 1.26: 2296 B in 16072 B).
  for (const char* f : {"MCacheInuse", "MCacheSys"}) {
    const auto& snap = go.ms.at("end");
    ASSERT_TRUE(snap.count(f)) << f;
    EXPECT_EQ(snap.at(f), field(end, f)) << f << ": Go vs engine";
  }
}

} // namespace
