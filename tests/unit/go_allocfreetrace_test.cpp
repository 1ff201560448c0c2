// The Go allocfreetrace importer (traces/go_allocfreetrace.h) and the type-text rule it uses
// (traces/go_typestring.h). Fixtures in tests/data/go/: allocfreetrace*.txt and memstats*.txt are
// copies of the shared samples (made by the sample workload main.go, also copied there, with
// `GODEBUG=allocfreetrace=1 GOGC=off GOMAXPROCS=1 bin/gotrace 2> allocfreetrace.txt > memstats.txt`);
// handmade/ and broken/ are written by hand. Expected values come from main.go's source, from
// grep counts on the sample (each command is in a comment), from the MemStats the program itself
// printed, and from the Go spec/runtime rules for the type texts.
#include "traces/go_allocfreetrace.h"

#include "sim/invariants.h"
#include "sim/world.h"
#include "traces/go_typestring.h"
#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace {

const std::string kData = std::string(SPANSCOPE_TEST_DATA) + "/go/";
const std::string kSample = kData + "allocfreetrace.txt";

struct Imported {
  std::vector<sim::Event> events;
  std::vector<std::string> addr; // the source address of each Alloc/Free event, "" for GC
  traces::ImportSummary summary;
  std::optional<traces::GoGcCheckpoint> checkpoint;

  // Index of the n-th (1-based) GC event; events.size() if there is none.
  size_t gcIndex(uint64_t n) const {
    for (size_t i = 0; i < events.size(); ++i)
      if (events[i].kind == sim::EventKind::GC && --n == 0) return i;
    return events.size();
  }
  // Index of the event of `kind` for `address` at or after `from`; events.size() if none.
  size_t find(sim::EventKind kind, const std::string& address, size_t from = 0) const {
    for (size_t i = from; i < events.size(); ++i)
      if (events[i].kind == kind && addr[i] == address) return i;
    return events.size();
  }
};

// Reads one event at a time, so describeObject names each event's own object.
Imported importFile(const std::string& path) {
  traces::GoAllocFreeTraceStream s(std::make_unique<traces::ByteSource>(path));
  Imported r;
  sim::Event ev;
  while (s.read(&ev, 1) == 1) {
    r.events.push_back(ev);
    r.addr.push_back(ev.kind == sim::EventKind::GC ? "" : s.describeObject(ev.id));
  }
  EXPECT_EQ(s.read(&ev, 1), 0u) << "the end stays the end";
  r.summary = s.summary();
  r.checkpoint = s.lastGcCheckpoint();
  return r;
}

// The TraceError of importing a broken file: one line starting with the path.
std::string importError(const std::string& path) {
  try {
    importFile(path);
  } catch (const traces::TraceError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "starts with the path: " << msg;
    return msg;
  }
  ADD_FAILURE() << path << " imported although it is broken";
  return "";
}

std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("spanscope-goimport-" + std::to_string(getpid()) + "-" + name)).string();
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool hasNote(const traces::ImportSummary& s, const std::string& part) {
  for (const std::string& n : s.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

sim::Config goReplayConfig() {
  sim::Config c;
  c.gomaxprocs = 1;
  c.gogc = -1; // GOGC=off: the GCs are the trace's
  c.liveness = sim::Liveness::GC;
  c.gcCycles = sim::GCCycles::Trace; // what a Go trace suggests
  return c;
}

// ---- type texts ----------------------------------------------------------------------------------

TEST(GoTypeStringTest, PointerFreeTypes) {
  using traces::GoPointers;
  // Go spec: numeric types and bool hold no pointers; arrays and structs of them neither;
  // a zero-length array holds nothing (Go: its ptrdata is 0).
  for (const char* t : {"uint8", "uint64", "float64", "bool", "complex128", "uintptr", "[4]int64", "[2][3]int32",
                        "struct {}", "struct { a int64; b [2]uint32 }", "[0]*int", "struct { a [2]int64; b [0]*int }",
                        "noalg.struct { F uintptr; n int }", "map.bucket[int64]int64",
                        "runtime.uint64InterfacePtr"}) // runtime/iface.go: type uint64InterfacePtr uint64
    EXPECT_EQ(traces::goTypePointers(t), GoPointers::None) << t;
}

TEST(GoTypeStringTest, TypesWithPointers) {
  using traces::GoPointers;
  // Pointers, strings, slices, maps, chans, funcs, interfaces hold pointers; so does any array or
  // struct containing one. The struct texts are real records of the sample (lines 237 and 2874).
  for (const char* t : {"*main.node", "*runtime.p", "string", "[]uint8", "map[string]int", "chan int", "<-chan int",
                        "chan<- *int", "func(int) (string, error)", "func()", "interface {}", "interface { M() int }",
                        "unsafe.Pointer", "[1]unsafe.Pointer", "[1][]int32", "error",
                        "struct { F uintptr; wg *sync.WaitGroup; f *json.encoderFunc }",
                        "struct { F uintptr; .autotmp_1 chan int }", "map.bucket[string]*unicode.RangeTable",
                        "map.bucket[int32]unsafe.Pointer", "struct { f func(); n int64 }", "struct { f func() int; g int8 }",
                        "struct { A int \"json:\\\"a)\\\"\"; B *int }", "struct { sync.Mutex; p *int }",
                        "runtime.sliceInterfacePtr"}) // runtime/iface.go: type sliceInterfacePtr []byte
    EXPECT_EQ(traces::goTypePointers(t), GoPointers::Some) << t;
}

TEST(GoTypeStringTest, NamedOrUnreadableTypesAreUnknown) {
  using traces::GoPointers;
  // A named type prints no fields, so the text cannot say (main.node has a pointer, sync.Mutex has
  // none); malformed text and absurd nesting are Unknown too, never a crash.
  const std::string deep = std::string(100, '[') + "int"; // not even valid
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += "[1]";
  nested += "int";
  for (const std::string& t : {std::string("main.node"), std::string("sync.Mutex"), std::string("main.Box[int]"),
                               std::string("struct { F uintptr; R json.floatEncoder }"), std::string("struct { a int"),
                               std::string(""), std::string("["), std::string("func(int"), deep, nested,
                               std::string("uint8 trailing")})
    EXPECT_EQ(traces::goTypePointers(t), GoPointers::Unknown) << t;
}

// ---- sniffing ------------------------------------------------------------------------------------

TEST(GoAllocFreeTraceTest, SniffsByContent) {
  EXPECT_TRUE(traces::sniffGoAllocFreeTrace(readText(kSample).substr(0, 4096)));
  EXPECT_TRUE(traces::sniffGoAllocFreeTrace("program says hi\ntracegc()\n"));
  EXPECT_TRUE(traces::sniffGoAllocFreeTrace("tracefree(0xc000010000, 0x30)\n"));
  EXPECT_FALSE(traces::sniffGoAllocFreeTrace(std::string("go 1.23 trace\0\0\0", 16))); // go_exectrace reads it
  EXPECT_FALSE(traces::sniffGoAllocFreeTrace("{\"format\": \"spanscope-trace\"}"));
  EXPECT_FALSE(traces::sniffGoAllocFreeTrace("tracealloc is mentioned here\n  tracealloc(0x1, 0x2)\n"));
  EXPECT_FALSE(traces::sniffGoAllocFreeTrace(""));
}

TEST(GoAllocFreeTraceTest, OpenTraceFindsItInAGzipFileWhateverItsName) {
  // Compressed, under a name that says JSON: the content decides.
  const std::string path = tempPath("sample.json");
  const std::string text = readText(kSample);
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  gzclose(gz);
  auto s = traces::openTrace(path);
  sim::Event buf[256];
  uint64_t n = 0;
  while (size_t got = s->read(buf, 256)) n += got;
  EXPECT_NE(s->summary().format.find("allocfreetrace"), std::string::npos);
  EXPECT_EQ(n, 177u + 16u + 2u); // as SampleCounts below
  EXPECT_EQ(s->meta().config.gogc, -1) << "suggests GOGC off: the trace has its GCs";
  EXPECT_EQ(s->meta().config.liveness, sim::Liveness::GC);
  std::filesystem::remove(path);
}

// ---- the sample ----------------------------------------------------------------------------------

TEST(GoAllocFreeTraceTest, SampleCounts) {
  const Imported r = importFile(kSample);
  // grep -c '^tracealloc(' = 177, grep -c '^tracefree(' = 19, grep -c '^tracegc()' = 2.
  // 3 of the freed addresses were never traced before their free (allocated before GODEBUG was
  // read): 0xc000000000 (free at line 2393, first tracealloc at 3125), 0xc000002000 (2469, 2769),
  // 0xc000004000 (2488, 3226). So 19 - 3 = 16 frees and 3 orphans.
  EXPECT_EQ(r.summary.allocs, 177u);
  EXPECT_EQ(r.summary.frees, 16u);
  EXPECT_EQ(r.summary.orphanFrees, 3u);
  EXPECT_EQ(r.summary.gcs, 2u);
  EXPECT_EQ(r.summary.events, 195u);
  EXPECT_EQ(r.events.size(), 195u);
  EXPECT_EQ(r.summary.liveObjects, 177u - 16u);
  // grep -A1 -E '^trace(alloc|free)\(' | grep '^goroutine' | sed 's/ \[.*//' | sort -u: goroutines
  // 0, 1, 3, 4, 6, 7.
  EXPECT_EQ(r.summary.threads, 6u);
  // Every line is part of a record: grep -v -E '^$|^\t|^goroutine |^trace|^end tracegc$|\)$|^created by '
  // prints nothing.
  EXPECT_EQ(r.summary.unknownLines, 0u);
  EXPECT_TRUE(hasNote(r.summary, "frees at sweep time"));
  EXPECT_TRUE(hasNote(r.summary, "no MEMSTATS line"));
}

TEST(GoAllocFreeTraceTest, SampleMainGoObjects) {
  const Imported r = importFile(kSample);
  // main.go: build(4) makes 4 *node (next *node + [5]int64 = 48 B, a pointer: scan); the trace
  // prints them at lines 2047-2092 with type main.node.
  for (const char* a : {"0xc000066150", "0xc000066180", "0xc0000661b0", "0xc0000661e0"}) {
    const size_t i = r.find(sim::EventKind::Alloc, a);
    ASSERT_LT(i, r.events.size()) << a;
    EXPECT_EQ(r.events[i].size, 48u) << a;
    EXPECT_FALSE(r.events[i].noscan) << a;
  }
  // make([]byte,100): slot 0x70 at line 2107, request 0x64 in its mallocgc frame; []byte is noscan.
  const size_t b100 = r.find(sim::EventKind::Alloc, "0xc000054070");
  ASSERT_LT(b100, r.events.size());
  EXPECT_EQ(r.events[b100].size, 100u);
  EXPECT_TRUE(r.events[b100].noscan);
  // make([]byte,40000): 5 pages (0xa000) at line 2133, request 0x9c40.
  const size_t b40k = r.find(sim::EventKind::Alloc, "0xc000074000");
  ASSERT_LT(b40k, r.events.size());
  EXPECT_EQ(r.events[b40k].size, 40000u);
  EXPECT_TRUE(r.events[b40k].noscan);
  // worker's make([]byte,33): slot 0x30 at line 2172, on another goroutine than main.
  const size_t b33 = r.find(sim::EventKind::Alloc, "0xc000018180");
  ASSERT_LT(b33, r.events.size());
  EXPECT_EQ(r.events[b33].size, 33u);
  EXPECT_TRUE(r.events[b33].noscan);
  EXPECT_NE(r.events[b33].thread, r.events[b100].thread);
  // main.go keeps them all through the first runtime.GC() and drops them before the second: their
  // tracefree lines (2594-2699) follow the second tracegc, so each Free must come after GC event
  // 1 and before GC event 2 (which then reclaims them), and none before GC event 1.
  const size_t gc1 = r.gcIndex(1), gc2 = r.gcIndex(2);
  ASSERT_LT(gc2, r.events.size());
  for (const char* a : {"0xc000066150", "0xc000066180", "0xc0000661b0", "0xc0000661e0", "0xc000054070", "0xc000074000",
                        "0xc000018180"}) {
    const size_t f = r.find(sim::EventKind::Free, a);
    EXPECT_GT(f, gc1) << a;
    EXPECT_LT(f, gc2) << a;
  }
}

TEST(GoAllocFreeTraceTest, SampleRequestAndNoscanRules) {
  const Imported r = importFile(kSample);
  auto at = [&](const char* a) -> const sim::Event& {
    const size_t i = r.find(sim::EventKind::Alloc, a);
    EXPECT_LT(i, r.events.size()) << a;
    return r.events[std::min(i, r.events.size() - 1)];
  };
  // Line 14: tracealloc(0xc00001e090, 0x10) from runtime.mallocgc(0x4, 0x0, 0x0): a tiny block
  // (no type: typ == nil), replayed as the 16-byte block.
  EXPECT_EQ(at("0xc00001e090").size, 16u);
  EXPECT_TRUE(at("0xc00001e090").noscan);
  // tracealloc(0xc00001e140, 0x10, uint64) from mallocgc(0x8, ..): a tiny block too.
  EXPECT_EQ(at("0xc00001e140").size, 16u);
  EXPECT_TRUE(at("0xc00001e140").noscan);
  // Line 1: tracealloc(0xc000014008, 0x8, *runtime.p): an 8-byte slot is never noscan.
  EXPECT_EQ(at("0xc000014008").size, 8u);
  EXPECT_FALSE(at("0xc000014008").noscan);
  // Line 27: tracealloc(0xc000024000, 0x2500, runtime.p), mallocgc(0x22d0, ..): the request.
  EXPECT_EQ(at("0xc000024000").size, 0x22d0u);
  // Line 2159: tracealloc(0xc000009040, 0x1a0, runtime.g) whose first frame is
  // runtime.systemstack_switch(): no request to read, so the slot size.
  EXPECT_EQ(at("0xc000009040").size, 0x1a0u);
}

TEST(GoAllocFreeTraceTest, SampleReplaysThroughTheEngine) {
  const Imported r = importFile(kSample);
  sim::World w(goReplayConfig());
  std::vector<sim::MemStats> afterGc;
  for (size_t i = 0; i < r.events.size(); ++i) {
    std::string err;
    ASSERT_TRUE(w.step(r.events[i], &err)) << "event " << i << " (" << r.addr[i] << "): " << err;
    const std::vector<std::string> bad = sim::checkInvariants(w);
    ASSERT_TRUE(bad.empty()) << "event " << i << ": " << bad.front();
    if (r.events[i].kind == sim::EventKind::GC) afterGc.push_back(w.memStats());
  }
  ASSERT_EQ(afterGc.size(), 2u);
  // After the second GC the engine holds exactly what the trace says is live, counted in the
  // slots the runtime printed, although the engine computed each slot from the request:
  // 102 tracealloc lines come before the first tracegc (line 2211), none between the two, their
  // slot sizes sum to 73608 (awk on 'NR<2211 && /^tracealloc\(/'); the 19 tracefree sizes sum to
  // 42184, minus the 3 orphans (0x18 + 0xa0 + 0x140 = 504) = 41680 freed. 73608 - 41680 = 31928.
  const sim::MemStats& m = afterGc[1];
  EXPECT_EQ(m.NumGC, 2u);
  EXPECT_EQ(m.Mallocs, 102u);
  EXPECT_EQ(m.Frees, 16u);
  EXPECT_EQ(m.HeapObjects, 86u);
  EXPECT_EQ(m.TotalAlloc, 73608u);
  EXPECT_EQ(m.HeapAlloc, 31928u);
  // The first GC's sweep freed 8 traced objects (tracefree lines 2298-2488, minus the 3 orphans).
  EXPECT_EQ(afterGc[0].Frees, 8u);
  ASSERT_TRUE(r.checkpoint);
  EXPECT_EQ(r.checkpoint->gcs, 2u);
  EXPECT_EQ(r.checkpoint->allocs, 102u);
  EXPECT_EQ(r.checkpoint->frees, 16u);
  EXPECT_EQ(r.checkpoint->orphanFrees, 3u);
  EXPECT_EQ(r.checkpoint->liveObjects, 86u);
  EXPECT_EQ(r.checkpoint->liveSlotBytes, 31928u);
  EXPECT_EQ(r.checkpoint->totalSlotBytes, 73608u);
  EXPECT_TRUE(r.checkpoint->exact);
  EXPECT_EQ(r.checkpoint->events, r.gcIndex(2) + 1);
}

// ---- MemStats ------------------------------------------------------------------------------------

TEST(GoAllocFreeTraceTest, ComparesWithTheProgramsMemStats) {
  const Imported r = importFile(kSample);
  ASSERT_TRUE(r.checkpoint);
  std::string err;
  auto ms = traces::parseGoMemStats(readText(kData + "memstats.txt"), "memstats.txt", &err);
  ASSERT_TRUE(ms) << err;
  // memstats.txt (printed by main.go after its last runtime.GC()): NumGC 2, Frees 22, Mallocs 153,
  // HeapObjects 131, HeapAlloc 35328, TotalAlloc 77512.
  std::map<std::string, traces::ImportSummary::Comparison> c;
  for (const auto& x : traces::compareGoMemStats(*ms, *r.checkpoint)) c[x.what.substr(0, x.what.find(' '))] = x;
  ASSERT_EQ(c.size(), 6u);
  for (const auto& [k, x] : c) EXPECT_TRUE(x.match) << k << ": " << x.theirs << " vs " << x.ours;
  EXPECT_EQ(c["NumGC"].theirs, "2");
  EXPECT_EQ(c["NumGC"].ours, "2");
  // Frees = traced frees (16 + 3 orphans) + tiny allocations (mstats.go adds tinyAllocCount to
  // both Mallocs and Frees): 22 - 19 = 3 untraced tiny allocations.
  EXPECT_EQ(c["Frees"].ours, "19 (gap 3)");
  // Mallocs = 102 traced + 3 tiny + 48 allocated before GODEBUG was read (153 - 105).
  EXPECT_EQ(c["Mallocs"].ours, "105 (gap 48)");
  // HeapObjects = Mallocs - Frees = 131; 86 traced objects live; the gap is 48 early objects less
  // the 3 freed (orphans).
  EXPECT_EQ(c["HeapObjects"].ours, "86 (gap 45)");
  EXPECT_EQ(c["HeapAlloc"].ours, "31928 (gap 3400)");
  EXPECT_EQ(c["TotalAlloc"].ours, "73608 (gap 3904)");

  // The env -i recording (3 environment variables instead of 37): HeapObjects 95, the gap falls to
  // 9 (fewer untraced environment strings); 102 allocs, 16 + 3 frees as before (same program).
  const Imported e = importFile(kData + "allocfreetrace_env-i.txt");
  auto msE = traces::parseGoMemStats(readText(kData + "memstats_env-i.txt"), "memstats_env-i.txt", &err);
  ASSERT_TRUE(msE && e.checkpoint) << err;
  for (const auto& x : traces::compareGoMemStats(*msE, *e.checkpoint)) {
    EXPECT_TRUE(x.match) << x.what;
    if (x.what.starts_with("HeapObjects")) {
      EXPECT_EQ(x.ours, "86 (gap 9)");
    }
  }
}

TEST(GoAllocFreeTraceTest, FlagsMemStatsThatDisagree) {
  traces::GoGcCheckpoint cp;
  cp.gcs = 2, cp.allocs = 10, cp.frees = 4, cp.liveObjects = 6, cp.liveSlotBytes = 600, cp.totalSlotBytes = 1000;
  const traces::GoMemStats ms{{"NumGC", 3}, {"Frees", 2}, {"Mallocs", 12}, {"HeapObjects", 10}, {"HeapAlloc", 500}};
  std::map<std::string, bool> match;
  for (const auto& x : traces::compareGoMemStats(ms, cp)) match[x.what.substr(0, x.what.find(' '))] = x.match;
  EXPECT_FALSE(match["NumGC"]);       // 3 GCs in the program, 2 tracegc records
  EXPECT_FALSE(match["Frees"]);       // fewer frees than traced: impossible
  EXPECT_TRUE(match["Mallocs"]);      // 12 >= 10
  EXPECT_TRUE(match["HeapObjects"]);  // 10 >= 6
  EXPECT_FALSE(match["HeapAlloc"]);   // 500 < 600
  EXPECT_EQ(match.count("TotalAlloc"), 0u) << "absent fields are not compared";
}

TEST(GoAllocFreeTraceTest, ParseMemStatsErrors) {
  std::string err;
  EXPECT_FALSE(traces::parseGoMemStats("MEMSTATS [1, 2]\n", "m.txt", &err));
  EXPECT_EQ(err.rfind("m.txt: line 1: ", 0), 0u) << err;
  EXPECT_FALSE(traces::parseGoMemStats("hello\nMEMSTATS {\"NumGC\": \n", "m.txt", &err));
  EXPECT_EQ(err.rfind("m.txt: line 2: MemStats are not JSON", 0), 0u) << err;
  EXPECT_FALSE(traces::parseGoMemStats("{\"GCCPUFraction\": 0.5}", "m.json", &err));
  EXPECT_NE(err.find("no unsigned integer"), std::string::npos) << err;
  auto ok = traces::parseGoMemStats("{\"NumGC\": 7, \"EnableGC\": true}", "m.json", &err);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("NumGC"), 7u);
  EXPECT_EQ(ok->count("EnableGC"), 0u);
}

TEST(GoAllocFreeTraceTest, MergedStdoutGivesComparisonsInTheSummary) {
  // `prog > out 2>&1`: the MEMSTATS line lands in the trace; the summary compares by itself.
  const std::string path = tempPath("merged.txt");
  std::ofstream(path, std::ios::binary) << readText(kSample) << readText(kData + "memstats.txt");
  const Imported r = importFile(path);
  EXPECT_EQ(r.summary.unknownLines, 0u);
  ASSERT_EQ(r.summary.comparisons.size(), 6u);
  for (const auto& c : r.summary.comparisons) EXPECT_TRUE(c.match) << c.what;
  EXPECT_NE(r.summary.toText().find("NumGC = tracegc records: producer says 2, we say 2"), std::string::npos);
  std::filesystem::remove(path);
}

// ---- hand-made traces ----------------------------------------------------------------------------

TEST(GoAllocFreeTraceTest, FreesReportedAfterTracegcGoBeforeTheGcEvent) {
  // handmade/sweep_order.txt, in file order: alloc A (0xc000010000), alloc B (0xc000010030),
  // tracegc, alloc C (0xc000020000, after the mark), tracefree A (GC #1's sweep), alloc D reusing
  // A's slot. GC #1 found A unreachable, C was made after marking: so free A, GC, then C and D.
  const Imported r = importFile(kData + "handmade/sweep_order.txt");
  ASSERT_EQ(r.events.size(), 6u);
  const std::vector<std::pair<sim::EventKind, std::string>> want = {
      {sim::EventKind::Alloc, "0xc000010000"}, {sim::EventKind::Alloc, "0xc000010030"},
      {sim::EventKind::Free, "0xc000010000"},  {sim::EventKind::GC, ""},
      {sim::EventKind::Alloc, "0xc000020000"}, {sim::EventKind::Alloc, "0xc000010000"}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.events[i].kind, want[i].first) << i;
    EXPECT_EQ(r.addr[i], want[i].second) << i;
  }
  EXPECT_EQ(r.events[4].size, 100u) << "runtime.mallocgc(0x64, ..)";

  // Replayed, GC #1 reclaims A as the runtime did (1 free, 3 objects left: B, C, D). In file
  // order the free would come after the GC, and A would still be counted at the end.
  auto replay = [](const std::vector<sim::Event>& evs) {
    sim::World w(goReplayConfig());
    for (const sim::Event& ev : evs) EXPECT_TRUE(w.step(ev));
    return w.memStats();
  };
  const sim::MemStats ours = replay(r.events);
  EXPECT_EQ(ours.Frees, 1u);
  EXPECT_EQ(ours.HeapObjects, 3u);
  EXPECT_EQ(ours.HeapAlloc, 48u + 112u + 48u); // B, C (100 B in the 112 B class), D
  const std::vector<sim::Event> fileOrder = {sim::allocEvent(0, 48, false), sim::allocEvent(1, 48, false), sim::gcEvent(),
                                             sim::allocEvent(2, 100, true), sim::freeEvent(0), sim::allocEvent(3, 48, false)};
  const sim::MemStats naive = replay(fileOrder);
  EXPECT_EQ(naive.Frees, 0u) << "file order would leave A unswept";
  EXPECT_EQ(naive.HeapObjects, 4u);
}

// Forced or background: the sample's two tracegc blocks show goroutine 1 waiting in runtime.GC()
// (its main.go calls runtime.GC() twice): gc events (id 0). sweep_order.txt's tracegc shows only
// forcegchelper: the program's pacer ran it, a background GC event. Replayed with gc_cycles trace
// it is a cycle that is not forced (lazy sweep: A's slot is reused by D all the same); with
// gc_cycles pacer and GOGC off it is dropped, and A is never reclaimed.
TEST(GoAllocFreeTraceTest, TracegcWithRuntimeGCOnAStackIsForced) {
  const Imported sample = importFile(kSample);
  size_t gcs = 0;
  for (const sim::Event& ev : sample.events)
    if (ev.kind == sim::EventKind::GC) {
      ++gcs;
      EXPECT_EQ(ev.id, 0u) << "runtime.GC() on goroutine 1's stack: forced";
    }
  EXPECT_EQ(gcs, 2u);

  const Imported r = importFile(kData + "handmade/sweep_order.txt");
  ASSERT_EQ(r.events.size(), 6u);
  ASSERT_EQ(r.events[3].kind, sim::EventKind::GC);
  EXPECT_EQ(r.events[3].id, sim::kBackgroundGC);
  auto replay = [&](sim::GCCycles mode) {
    sim::Config c = goReplayConfig();
    c.gcCycles = mode;
    sim::World w(c);
    for (const sim::Event& ev : r.events) EXPECT_TRUE(w.step(ev));
    return w.memStats();
  };
  const sim::MemStats trace = replay(sim::GCCycles::Trace);
  EXPECT_EQ(trace.NumGC, 1u);
  EXPECT_EQ(trace.NumForcedGC, 0u);
  EXPECT_EQ(trace.HeapObjects, 3u);
  const sim::MemStats pacer = replay(sim::GCCycles::Pacer);
  EXPECT_EQ(pacer.NumGC, 0u) << "the recorded background cycle is dropped; GOGC off starts none";
  EXPECT_EQ(pacer.HeapObjects, 4u) << "A is never reclaimed";
}

// A Go trace written as a spanscope JSON or binary trace keeps its background cycles
// ({"op": "gc", "background": true}) and its gc_cycles suggestion.
TEST(GoAllocFreeTraceTest, BackgroundCyclesSurviveJsonAndBinary) {
  auto s = traces::openTrace(kData + "handmade/sweep_order.txt");
  ASSERT_TRUE(s);
  const traces::Trace t = traces::readAll(*s);
  ASSERT_EQ(t.events.size(), 6u);
  ASSERT_EQ(t.events[3].id, sim::kBackgroundGC);
  ASSERT_EQ(t.meta.config.gcCycles, sim::GCCycles::Trace);
  const std::string text = traces::traceToJson(t);
  EXPECT_NE(text.find("\"background\""), std::string::npos) << text;
  std::string err;
  auto j = traces::parseJsonTrace(text, "t.json", &err);
  ASSERT_TRUE(j) << err;
  EXPECT_EQ(j->events[3].kind, sim::EventKind::GC);
  EXPECT_EQ(j->events[3].id, sim::kBackgroundGC);
  EXPECT_EQ(j->events[0].id, 0u);
  EXPECT_EQ(j->meta.config.gcCycles, sim::GCCycles::Trace);
  const std::string path = tempPath("background.sst");
  {
    traces::BinaryTraceWriter w(path, t.meta);
    for (const sim::Event& ev : t.events) w.write(ev);
    w.finish();
  }
  auto b = traces::openTrace(path);
  ASSERT_TRUE(b);
  const traces::Trace back = traces::readAll(*b);
  ASSERT_EQ(back.events.size(), 6u);
  EXPECT_EQ(back.events[3].id, sim::kBackgroundGC);
  EXPECT_EQ(back.meta.config.gcCycles, sim::GCCycles::Trace);
  std::filesystem::remove(path);
  EXPECT_FALSE(traces::parseJsonTrace(R"({"format": "spanscope-trace", "version": 1, "events": [{"op": "gc", "background": 1}]})",
                                      "bad.json", &err));
  EXPECT_NE(err.find("background"), std::string::npos) << err;
}

TEST(GoAllocFreeTraceTest, ForeignLinesAreCountedAndSkipped) {
  // handmade/foreign_lines.txt: 4 lines that are no part of a record (the program's own stderr on
  // line 1, a log line inside the first stack, a lone goroutine header, a MEMSTATS line that is
  // not JSON), and 3 records.
  const Imported r = importFile(kData + "handmade/foreign_lines.txt");
  EXPECT_EQ(r.summary.unknownLines, 4u);
  ASSERT_EQ(r.events.size(), 3u);
  // tracealloc(.., 0x10) from mallocgc(0x5, 0x0, 0x0): tiny block, 16 B, noscan.
  EXPECT_EQ(r.events[0].size, 16u);
  EXPECT_TRUE(r.events[0].noscan);
  // tracealloc(.., 0x8, *main.node) without a mallocgc frame: 8 B, scan.
  EXPECT_EQ(r.events[1].size, 8u);
  EXPECT_FALSE(r.events[1].noscan);
  // tracealloc(.., 0x20, struct { a [2]int64; b [0]*int }) with mallocgc(0x1c?, ..): the '?' makes
  // the request unusable, so 32 B; the type has no pointers ([0]*int holds none).
  EXPECT_EQ(r.events[2].size, 32u);
  EXPECT_TRUE(r.events[2].noscan);
  EXPECT_EQ(r.summary.threads, 2u); // goroutines 1 and 7
  EXPECT_TRUE(hasNote(r.summary, "first unknown line: 1: hello from the program"));
  EXPECT_TRUE(hasNote(r.summary, "line 11: MemStats are not JSON"));
}

TEST(GoAllocFreeTraceTest, SweepWindowIsBounded) {
  // A, tracegc, then one allocation more than the window holds, then A's tracefree: the GC event
  // goes out when the window is full, and A's free comes after it (one GC late in a replay).
  const std::string path = tempPath("window.txt");
  {
    std::ofstream out(path, std::ios::binary);
    out << "tracealloc(0xc000010000, 0x30, main.node)\ngoroutine 1 [running]:\n\ntracegc()\nend tracegc\n\n";
    char line[64];
    for (size_t i = 0; i <= traces::kGoSweepWindow; ++i) {
      std::snprintf(line, sizeof line, "tracealloc(0x%llx, 0x20)\ngoroutine 1 [running]:\n\n",
                    static_cast<unsigned long long>(0xc000100000ull + 32 * i));
      out << line;
    }
    out << "tracefree(0xc000010000, 0x30)\ngoroutine 3 [running]:\n\n";
  }
  traces::GoAllocFreeTraceStream s(std::make_unique<traces::ByteSource>(path));
  std::vector<sim::Event> buf(4096);
  std::vector<sim::EventKind> kinds;
  while (size_t n = s.read(buf.data(), buf.size()))
    for (size_t i = 0; i < n; ++i) kinds.push_back(buf[i].kind);
  ASSERT_EQ(kinds.size(), 1 + 1 + (traces::kGoSweepWindow + 1) + 1);
  EXPECT_EQ(kinds[0], sim::EventKind::Alloc);
  EXPECT_EQ(kinds[1], sim::EventKind::GC);
  EXPECT_EQ(kinds.back(), sim::EventKind::Free);
  const traces::ImportSummary sum = s.summary();
  EXPECT_TRUE(hasNote(sum, "1 sweep window(s) closed early; 1 frees came after their GC event"));
  ASSERT_TRUE(s.lastGcCheckpoint());
  EXPECT_FALSE(s.lastGcCheckpoint()->exact);
  std::filesystem::remove(path);
}

// ---- broken files --------------------------------------------------------------------------------

TEST(GoAllocFreeTraceTest, BrokenFilesNameFileAndLine) {
  // Each file starts with the same valid record (lines 1-7); the defect follows (described in
  // tests/data/go/README.md). Expected: "<path>: line N: <what>", N counted by hand.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated_record.txt", ": line 8: truncated record"},
      {"truncated_header.txt", ": line 8: malformed tracealloc record (no closing parenthesis"},
      {"truncated_gc.txt", ": line 8: truncated tracegc block"},
      {"record_in_gc.txt", ": line 12: record inside the tracegc block of line 8"},
      {"huge_size.txt", ": line 8: tracealloc size 0x100000000000000000 does not fit 64 bits"},
      {"addr_overflow.txt", ": line 8: tracealloc(0xfffffffff000, 0x2000) runs past Go's 48-bit heap address space"},
      {"huge_address.txt", ": line 8: tracefree(0x7fffffffffffffff, 0x10) runs past"},
      {"huge_goroutine.txt", ": line 9: goroutine id does not fit 64 bits"},
      {"double_alloc.txt", ": line 8: tracealloc of 0xc000010000, which is still live"},
      {"free_size_mismatch.txt", ": line 12: tracefree(0xc000010000, 0x40) of an object traced with size 0x30"},
      {"missing_goroutine.txt", ": line 9: expected \"goroutine N [status]:\" after the record header of line 8"},
      {"bad_hex.txt", ": line 8: malformed tracealloc record (bad address \"0xc00001zz00\")"},
      {"zero_size.txt", ": line 8: tracealloc of size 0"},
      {"tracegc_args.txt", ": line 8: malformed tracegc record"},
      {"free_with_type.txt", ": line 8: malformed tracefree record (a tracefree has no type)"},
      {"no_records.txt", ": line 4: no tracealloc, tracefree or tracegc record"},
  };
  for (const auto& [file, want] : cases) {
    const std::string path = kData + "broken/" + file;
    const std::string msg = importError(path);
    EXPECT_EQ(msg.rfind(path + want, 0), 0u) << file << ": " << msg;
  }
}

TEST(GoAllocFreeTraceTest, GoExecutionTraceGoesToItsOwnReader) {
  // What GODEBUG=traceallocfree=1 (Go 1.23+, the replacement) writes: a binary execution trace,
  // read by go_exectrace. This one's first batch claims 98 bytes (the 'b' of "binary") and the
  // file ends 20 bytes later.
  const std::string path = kData + "broken/wrong_version.trace";
  try {
    traces::openTrace(path);
    ADD_FAILURE() << "opened";
  } catch (const traces::TraceError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": byte 40: truncated batch", 0), 0u) << msg;
  }
}

TEST(GoAllocFreeTraceTest, GarbageAfterRecordsIsBoundedByTheLineLimit) {
  // A valid record, then 2 MiB of bytes without a newline: the line reader stops at its 1 MiB
  // bound with the line number instead of buffering it all.
  const std::string path = tempPath("garbage.txt");
  {
    std::ofstream out(path, std::ios::binary);
    const std::string valid = readText(kData + "broken/double_alloc.txt");
    out << valid.substr(0, valid.find("\n\n") + 2); // its first record: lines 1-7
    uint32_t x = 12345;
    for (int i = 0; i < (2 << 20); ++i) {
      x = x * 1103515245u + 12345u;
      char c = static_cast<char>(x >> 24);
      out.put(c == '\n' ? 'x' : c);
    }
  }
  const std::string msg = importError(path);
  EXPECT_NE(msg.find(": line 8: line longer than"), std::string::npos) << msg;
  std::filesystem::remove(path);
}

} // namespace
