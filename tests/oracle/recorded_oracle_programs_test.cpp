// GC dynamics of two programs whose allocations cannot be written out by hand (issue 12), against
// the REAL Go 1.19.8 and Go 1.26.8 runtimes and the engine's profile of each: a JSON round-trip loop
// (tests/oracle/go/jsonloop: encoding/json's internals) and a map grown then halved
// (tests/oracle/go/maphalved: the map's tables depend on its random hash seed). Each was recorded
// once per release at GOGC=10: with Go 1.26's execution tracer (GODEBUG=traceallocfree=1;
// tests/data/go_exectrace/record.sh) and with Go 1.19's GODEBUG=allocfreetrace=1, imported to a
// binary trace (tests/data/go_allocfreetrace/record.sh); the engine replays the recording with its own pacer under
// each setting (GOGC 50/100/200, GOGC=100 with a GOMEMLIMIT that binds, GOGC=off with one), and
// its NumGC, NextGC, HeapInuse, HeapSys and HeapReleased at the end must lie within the range of
// three untraced Go runs of the same program (built and run at test time, GOMAXPROCS=1) and of the
// sessions recorded below, widened by 10% — except the known gaps below, printed and not asserted.
//
// Go 1.19's recording: allocfreetrace traces the whole run from schedinit (the programs get no
// trace-file argument: that would start the execution tracer and its buffers), so there is no
// snapshot. The objects the runtime and oraclelib.Settle make come first, then Settle's three
// runtime.GC(), which the importer finds forced (runtime.GC on a goroutine's stack in tracegc's
// dump) and which the replay keeps in place, then the program's own cycles, all background,
// dropped as --gc-cycles pacer does (checked: exactly three forced cycles, before any background
// one). Not traced: the few objects made before the runtime read GODEBUG (3 of them freed later:
// the import's orphan frees, dropped) and tiny objects packed into an existing 16-byte block (their
// block is traced: its bytes and its life are the heap's; only Mallocs misses them: jsonloop's
// untraced go1.19.8 run (GOGC=10) makes 596,572 mallocs against the recording's 420,434 traced
// allocations, and its 153,332 tiny blocks are 2.5 MB of the run's 99.6 MB TotalAlloc; maphalved
// has 5 tiny blocks). The
// trace has no times, so the replay runs on the cost model's clock (Config::traceGapsRunning off).
//
// Go 1.26's recording: it starts after oraclelib.Settle() (three runtime.GC()); its first
// events are the snapshot of the objects alive then, after which the engine runs the three
// forced cycles itself. Every GC of the recording is the recorded program's own pacer (the
// program calls no runtime.GC() while tracing, and the importer finds no runtime.GC on any
// GCBegin's stack: checked below), so each is dropped and the engine's pacer decides when to
// collect, as --gc-cycles pacer does. The tracer's own
// heap objects are dropped from the snapshot (recording(), below): an untraced run has none.
// Frees arrive when the recording's sweeper found the object dead, a little after the program
// let go of it: the recording's low GOGC keeps that lag short (README "Go execution traces";
// of recordings at GOGC=5, 10, 25 and 50, GOGC=10's replays came closest to Go's NextGC). The
// events keep the recording's times, and their gaps are the running goroutine's time
// (Config::traceGapsRunning: one goroutine that never blocks on one P): sysmon's 10 ms
// preemption, which lets the fractional mark worker run, falls as often as in the real program,
// which computes between its allocations (JSON) far longer than the cost model's allocator time.
// The traced run is slower than an untraced one (its own GOGC=10 cycles and the tracer: jsonloop
// 3.4 s against 1.7 s), so the replay's preemptions come somewhat more often per allocation.
//
// Calibration from each go1.26.8 binary's own GODEBUG=gcpacertrace=1 lines (GOGC=100): jsonloop
// scans 8,008..10,736 B of stacks (8,312 in 6 of 14 cycles) and 157,066 B of globals per cycle,
// maphalved 7,384..7,744 B (7,672 in 13 of 22) and 154,762 B. From each go1.19.8 binary's (three runs,
// Settle's cycles included): jsonloop 1,776..4,424 B of stacks (mean 2,906 over 54 cycles: about
// 2,200 B, or 4,000 B when the cycle starts inside encoding/json) and 225,392 B of globals,
// maphalved 1,344..1,792 B (mean 1,642 over 69; 1,624 in 25) and 223,472 B.
#include "tests/oracle/go_oracle.h"

#include "sim/malloc.h"
#include "traces/binary_trace.h"
#include "traces/byte_source.h"
#include "traces/go_exectrace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#ifndef SPANSCOPE_TEST_DATA
#error "SPANSCOPE_TEST_DATA must be defined (the build does it)"
#endif

namespace {

constexpr int kRuns = 3;
const char* const kFields[] = {"NumGC", "NextGC", "HeapInuse", "HeapSys", "HeapReleased"};

using oracle::GoToolchain;

struct Program {
  std::string name; // tests/oracle/go/<name>; its recording is named after it (recording())
  GoToolchain go;
  uint64_t stackScan; // calibration, see the header comment
  uint64_t globalsScan;
};
const Program kJsonLoop126{"jsonloop", GoToolchain::Go126, 8800, 157066};
const Program kMapHalved126{"maphalved", GoToolchain::Go126, 7680, 154762};
const Program kJsonLoop119{"jsonloop", GoToolchain::Go119, 2900, 225392};
const Program kMapHalved119{"maphalved", GoToolchain::Go119, 1650, 223472};

// A recording, read once per test-binary run: the events to replay in order, oraclelib.Settle's
// three forced cycles included, the recorded background cycles removed.
struct Recording {
  std::vector<sim::Event> events;
  uint64_t snapshotObjects = 0; // go1.26: the first events, the objects alive at trace.Start (less the tracer's)
  uint64_t recordedGCs = 0;     // background cycles, dropped: the recorded program's pacer
  uint64_t forcedGCs = 0;       // recorded cycles the importer found forced (runtime.GC on the stack)
  uint64_t forcedBeforeBackground = 0; // of those, the ones before the first background cycle
  std::vector<std::string> problems;   // what is not as the replay assumes (each test using it fails)
  void check(bool ok, const std::string& what) {
    if (!ok) problems.push_back(what);
  }
};

// Moves a recorded GC event into the counts (and, if forced, into the replay).
void takeGC(Recording& r, const sim::Event& ev) {
  if (ev.id == sim::kBackgroundGC) {
    ++r.recordedGCs;
    return;
  }
  ++r.forcedGCs;
  r.forcedBeforeBackground += r.recordedGCs == 0;
  r.events.push_back(ev);
}

// go1.26: tests/data/go_exectrace/<name>.trace.zst, from oraclelib.Settle() on; Settle's cycles are
// before it and added here.
void readGo126(const std::string& name, Recording& r) {
  traces::GoExecTraceStream s(std::make_unique<traces::ByteSource>(std::string(SPANSCOPE_TEST_DATA) + "/go_exectrace/" + name +
                                                                   ".trace.zst"));
  sim::Event ev;
  while (s.read(&ev, 1)) {
    if (ev.kind == sim::EventKind::GC) takeGC(r, ev);
    else r.events.push_back(ev);
  }
  r.snapshotObjects = s.counts().snapshotObjects;
  // The tracer's own heap, which an untraced run does not have: runtime.StartTrace ->
  // traceInitReadCPU makes two profBufs for CPU samples (tracecpu.go; profbuf.go newProfBuf), each
  // with data = make([]uint64, profBufWordCount = 1<<17) (1 MiB, noscan) and tags =
  // make([]unsafe.Pointer, profBufTagCount = 1<<14) (128 KiB, scan), alive while tracing: 2.25 MiB
  // of the snapshot (a heap profile of the traced program shows them under
  // traceMultiplexer.startLocked). Dropped from the replay; their frees never come.
  int data = 0, tags = 0;
  for (uint64_t i = 0; i < r.snapshotObjects;) {
    const sim::Event& e = r.events[i];
    const bool isData = e.size == uint64_t{1} << 20 && e.noscan, isTags = e.size == uint64_t{128} << 10 && !e.noscan;
    if (!isData && !isTags) {
      ++i;
      continue;
    }
    (isData ? data : tags)++;
    r.events.erase(r.events.begin() + static_cast<std::ptrdiff_t>(i));
    --r.snapshotObjects;
  }
  r.check(data == 2, name + ": the tracer's two 1 MiB profBuf.data in the snapshot, found " + std::to_string(data));
  r.check(tags == 2, name + ": the tracer's two 128 KiB profBuf.tags in the snapshot, found " + std::to_string(tags));
  r.check(r.snapshotObjects > 0, name + ": no snapshot");
  r.check(r.forcedGCs == 0, name + ": the program calls no runtime.GC() while tracing: every recorded cycle is its pacer's");
  for (uint64_t i = 0; i < r.snapshotObjects; ++i)
    r.check(r.events[i].kind == sim::EventKind::Alloc, name + ": snapshot event " + std::to_string(i) + " is not an Alloc");
  r.events.insert(r.events.begin() + static_cast<std::ptrdiff_t>(r.snapshotObjects), 3, sim::gcEvent()); // oraclelib.Settle
}

// go1.19: tests/data/go_allocfreetrace/<name>.sst, the whole run from schedinit, Settle's forced
// cycles in their place (see the header comment).
void readGo119(const std::string& name, Recording& r) {
  auto s = traces::openBinaryTrace(
      std::make_unique<traces::ByteSource>(std::string(SPANSCOPE_TEST_DATA) + "/go_allocfreetrace/" + name + ".sst"));
  sim::Event ev;
  while (s->read(&ev, 1)) {
    if (ev.kind == sim::EventKind::GC) takeGC(r, ev);
    else r.events.push_back(ev);
  }
  r.check(r.forcedGCs == 3, name + ": oraclelib.Settle's three runtime.GC() and no other, found " + std::to_string(r.forcedGCs));
  r.check(r.forcedBeforeBackground == 3, name + ": Settle's cycles come before the program's pacer ran one");
}

const Recording& recording(const Program& p) {
  static std::map<std::pair<std::string, GoToolchain>, Recording> cache;
  const auto key = std::make_pair(p.name, p.go);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Recording& r = cache[key];
  if (p.go == GoToolchain::Go126) readGo126(p.name, r);
  else readGo119(p.name, r);
  return r;
}

using oracle::Setting;

// Go's figures recorded on this machine: min and max over four sessions of 2026-12-07, three runs
// each (go1.26.8, GOMAXPROCS=1, the machine loaded by other builds). Go's range is these together
// with this run's, as for lru and appends: one session's three runs can miss a mode. maphalved at
// GOGC=50 is bimodal: one run in twelve ran away (11 cycles, NextGC 35.3 MB, HeapSys 180 MB), the
// others made 56-60 cycles ending at NextGC 10.9-11.9 MB. Fields: NumGC, NextGC, HeapInuse,
// HeapSys, HeapReleased.
using oracle::Range;
const std::map<std::string, std::vector<Range>> kRecorded126 = {
    {"jsonloop GOGC=50", {{38, 41}, {8144409, 9237089}, {6881280, 8937472}, {12255232, 12320768}, {2621440, 4079616}}},
    {"jsonloop GOGC=100", {{18, 21}, {10819730, 13927306}, {8962048, 12230656}, {12320768, 16515072}, {0, 5267456}}},
    {"jsonloop GOGC=200", {{10, 12}, {16626908, 20632212}, {12804096, 18063360}, {20709376, 20742144}, {90112, 5824512}}},
    {"jsonloop GOGC=100 GOMEMLIMIT=12582912", {{110, 126}, {6262816, 6671648}, {6168576, 6643712}, {8060928, 8159232}, {786432, 950272}}},
    {"jsonloop GOGC=off GOMEMLIMIT=16777216", {{22, 25}, {10084216, 10601072}, {8273920, 9592832}, {12255232, 12320768}, {1228800, 1892352}}},
    {"maphalved GOGC=50", {{11, 60}, {10859625, 35274925}, {11812864, 37068800}, {20709376, 180092928}, {3276800, 45293568}}},
    {"maphalved GOGC=100", {{25, 28}, {18129442, 18856146}, {17473536, 19144704}, {24838144, 33292288}, {4694016, 13590528}}},
    {"maphalved GOGC=200", {{11, 13}, {32690668, 45196468}, {31735808, 42958848}, {41680896, 45875200}, {909312, 10436608}}},
    {"maphalved GOGC=100 GOMEMLIMIT=20971520", {{50, 62}, {12298736, 13829752}, {13295616, 14057472}, {16515072, 24903680}, {1662976, 10289152}}},
    {"maphalved GOGC=off GOMEMLIMIT=25165824", {{28, 29}, {15710104, 18270856}, {17137664, 18006016}, {20643840, 24903680}, {1753088, 6111232}}},
};

// Where the engine is outside Go's range +-10%: reported ("known gap"), not asserted. HeapReleased
// is asserted per case since the scavenger's work goes by the ranges it releases (as for lru and
// appends, more_oracle_programs_test.cpp); it is a gap where the heap itself is one:
//   * jsonloop GOGC=100 GOMEMLIMIT=12 MiB HeapReleased: 1.37 MB against 0.79-0.95 (the case whose
//     NumGC is a gap, below: its live heap is a tenth above Go's, so its cycles come back to back
//     and the scavenger runs once per cycle for the limit).
// Measured before Config::traceGapsRunning (the replay on the cost model's clock): jsonloop's
// marked heap was 1.3-2 times Go's under GOGC alone (GOGC=100: NextGC 15.9 MB against Go's
// 10.8-13.9 MB). Its marks spanned their whole runway: the cost model's clock is allocation time
// only, so sysmon's 10 ms preemption rarely fell inside a mark, the fractional worker never ran
// and the assists, paced to finish at the goal, did all the work while everything allocated
// meanwhile was marked. Go's gctrace shows the background worker doing half the work of 1-20 ms
// marks while the heap barely grows (10->10->5 MB). With the recording's time as the goroutine's
// running time, jsonloop lands (GOGC=100: 19 cycles, NextGC 12.8 MB).
//   * maphalved GOGC=200: the engine now ends short (16 cycles against 11-13, NextGC 29.2 MB
//     against 32.7-45.8): the traced run is over twice as slow per allocation as the untraced one
//     (its own GOGC=10 cycles and the tracer: 0.45 s against 0.2 s), so the replay's preemptions,
//     and the fractional worker, come more often than in Go and its marks end earlier.
//   * jsonloop GOGC=100 GOMEMLIMIT=12 MiB: 297 cycles against 110-126 (NextGC, HeapInuse and
//     HeapSys land); 90 before the runtime's non-heap memory was counted as go1.26.8 maps it
//     (more_oracle_programs_test.cpp, lru's limit case). Cycle by cycle against go1.26.8 with
//     gcController's state printed at gcStart (means over cycles 21 and later, 1e6 B): Go marks
//     5.59, triggers at 6.22 and aims at 6.49, a cycle's runway (goal - marked) is 0.90; the
//     engine's goal is 6.30 (non-span mappedReady 4.74 against Go's 4.58: one persistentalloc chunk
//     more) but it marks 6.11, 0.52 more than Go (0.30 more under GOGC=100 alone, 6.15 against
//     5.83-5.88). Its marks allocate as much as Go's (0.23 against 0.24 per cycle): the surplus is
//     the heap live at the cycle's start, about a tenth of it, as a GOGC=10 recording implies (a
//     free is recorded when the sweep after the recording's next cycle finds the object dead). So
//     its runway is 0.19 and a third of its cycles start at once (goal = heapMarked). With Go's own
//     non-span memory (stacks and persistentalloc chunks set to Go's figures by hand) the goal is
//     6.53 and the engine still runs 204 cycles; only an estimate 0.4 MB short of Go's lands it
//     (128), which would be right for the wrong reason. A 12 MiB limit leaves under 1 MB per cycle:
//     one 256 KiB persistentalloc chunk moves NumGC by half.
const std::set<std::string> kGaps126 = {
    "maphalved GOGC=200 NumGC", "maphalved GOGC=200 NextGC", "maphalved GOGC=200 HeapInuse", "maphalved GOGC=200 HeapSys",
    "jsonloop GOGC=100 GOMEMLIMIT=12582912 NumGC", "jsonloop GOGC=100 GOMEMLIMIT=12582912 HeapReleased",
};

// Go 1.19's figures recorded on this machine: min and max over six sessions of 2026-12-07 (19:40 to
// 20:10 UTC, four while other builds loaded the machine), three runs each (go1.19.8, GOMAXPROCS=1).
// Fields as kRecorded126. jsonloop GOGC=50's HeapReleased also takes 1,835,008 B, the lowest of a
// live run of this test at 21:00 UTC, recorded when HeapReleased became an asserted figure (as
// appends GOGC=50's in more_oracle_programs_test.cpp).
const std::map<std::string, std::vector<Range>> kRecorded119 = {
    {"jsonloop GOGC=50", {{40, 45}, {8189968, 9638364}, {7323648, 9150464}, {12288000, 12419072}, {1835008, 3940352}}},
    {"jsonloop GOGC=100", {{20, 24}, {11169856, 13977344}, {9814016, 12853248}, {16515072, 16580608}, {2727936, 5816320}}},
    {"jsonloop GOGC=200", {{11, 13}, {16793144, 21733448}, {13090816, 16580608}, {20709376, 20774912}, {1007616, 5742592}}},
    {"jsonloop GOGC=100 GOMEMLIMIT=12582912", {{290, 342}, {5356056, 5934520}, {6103040, 6684672}, {8093696, 8192000}, {1458176, 2080768}}},
    {"jsonloop GOGC=off GOMEMLIMIT=16777216", {{234, 270}, {5729296, 5988976}, {6324224, 6692864}, {8093696, 8192000}, {1007616, 1171456}}},
    {"maphalved GOGC=50", {{50, 59}, {10394312, 11864896}, {11714560, 12386304}, {20742144, 41648128}, {7364608, 29065216}}},
    {"maphalved GOGC=100", {{25, 28}, {13589696, 19058904}, {15589376, 19611648}, {20643840, 24969216}, {917504, 5873664}}},
    {"maphalved GOGC=200", {{11, 15}, {29480424, 45631992}, {24731648, 39993344}, {37519360, 45940736}, {1572864, 14598144}}},
    {"maphalved GOGC=100 GOMEMLIMIT=20971520", {{148, 157}, {8249616, 9419664}, {9625600, 9830400}, {16482304, 16580608}, {5734400, 5898240}}},
    {"maphalved GOGC=off GOMEMLIMIT=25165824", {{50, 55}, {11028816, 13520048}, {13074432, 13836288}, {16515072, 16580608}, {1433600, 2097152}}},
};

// Where the engine is outside go1.19.8's range +-10%: reported ("known gap"), not asserted.
// HeapReleased is asserted per case, as for go1.26; it is outside where HeapSys is a gap (jsonloop
// under both limits: 9.7 and 5.5 MB against 1.5-2.1 and 0.9-1.2, with HeapSys 16.8 and 12.6 MB
// against 8.1-8.2; maphalved GOGC=50: 44.6 MB against 7.4-29.1, HeapSys 58.7 against 20.7-41.6
// and HeapInuse 13.5: the heap a stalled mark (below) mapped, free again and released) and in maphalved GOGC=off with
// its 24 MiB limit (3.0 MB against 1.4-2.1, HeapSys in range: not explained yet). Found cycle by cycle against go1.19.8's
// GODEBUG=gctrace=1 (engine state printed per cycle and every 500 events of a mark by a driver
// outside the repository). Go 1.19.8 first:
//   * The clock (every gap but maphalved's limit NumGC). An allocfreetrace has no times, so the
//     engine's clock is the cost model's, allocation time only (20-100 ns an event), while Go's
//     programs compute between allocations (untraced, 1,670 ns of user time per traced allocation
//     in jsonloop, 600 in maphalved). Two things follow. (a) endCycle's cons/mark: the mutator's
//     share of a mark's modelled time is tiny, so assist utilisation is near 1 and cons/mark jumps
//     to 5-18 in jsonloop at GOGC=100 and -220..+410 in maphalved (Go's gcpacertrace: -0.4..+1.1),
//     the runway (trigger at the 0.7 floor, or a negative runway taken as huge as Go does) starts
//     marks early, and everything they allocate is black: the engine marks 7-8.7 MB a cycle where
//     Go marks 5-6 ("11->12->5 MB, 12 MB goal") and runs 17 cycles against 19-23. (b) Stalled
//     marks: once the pacer's expected work is met (revise clamps what is left to 1,000), an
//     assist's 64 KiB over-assist earns assistBytesPerWork * 64 KiB of credit, up to 50 MB, so no
//     assist runs again, and the rest of the work waits for the fractional worker, which runs when
//     sysmon preempts the goroutine after 10 ms: of the model's clock, hundreds of thousands of
//     events, where Go's 10 ms is some 6,000 allocations. maphalved at GOGC=50 grew from 7.6 to
//     25 MB in such a mark (HeapSys 58.7 MB; Go's own runs reach 41.6 MB, a milder runaway of the
//     same kind), jsonloop at a 12 MiB limit from 6.9 to 13.8 MB (HeapSys 16.8 MB against 8.1).
//     Measured: the same replays with times of Go's untraced rate (1,670 and 600 ns per
//     allocation) and traceGapsRunning give jsonloop 41 / 19 / 10 cycles at GOGC 50 / 100 / 200,
//     NextGC 21.4 MB at 200, HeapSys 16.8 MB at 100, maphalved at GOGC=50 45 cycles and HeapSys
//     41.9 MB: all inside. Left: jsonloop's limit cases still run short (256 and 220 cycles
//     against 290-342 and 234-270) with HeapSys 12.6 MB against Go's 8.1 (its heap in use at the
//     limit, 7.0-7.7 MB, is 0.5-1 MB above Go's 6.5: the GOGC=10 recording's late frees, below,
//     and one more 4 MiB chunk is mapped), and jsonloop at GOGC=200 HeapSys 25.2 MB against 20.7.
//   * maphalved GOGC=100 GOMEMLIMIT=20 MiB: 202 cycles against 148-157 (NextGC, HeapInuse and
//     HeapSys land). The engine's non-heap memory is 9.91 MB against Go's 9.65 (Sys - HeapSys: one
//     256 KiB persistentalloc chunk more, as for go1.26's jsonloop) and its heap in use 10.3-10.5 MB
//     against Go's 9.7 (a free is recorded when the sweep after the recording's next cycle finds
//     the object dead), so its limit goal sits at its marked heap in most cycles, where Go's is a
//     megabyte above it ("7->8->7 MB, 9 MB goal"), and its cycles come more often. With times, as
//     above, it still runs 206.
const std::set<std::string> kGaps119 = {
    "jsonloop GOGC=50 NumGC",
    "jsonloop GOGC=100 NumGC", "jsonloop GOGC=100 HeapSys",
    "jsonloop GOGC=200 NumGC", "jsonloop GOGC=200 NextGC", "jsonloop GOGC=200 HeapInuse", "jsonloop GOGC=200 HeapSys",
    "jsonloop GOGC=100 GOMEMLIMIT=12582912 NumGC", "jsonloop GOGC=100 GOMEMLIMIT=12582912 HeapSys",
    "jsonloop GOGC=100 GOMEMLIMIT=12582912 HeapReleased",
    "jsonloop GOGC=off GOMEMLIMIT=16777216 HeapSys", "jsonloop GOGC=off GOMEMLIMIT=16777216 HeapReleased",
    "maphalved GOGC=50 NumGC", "maphalved GOGC=50 NextGC", "maphalved GOGC=50 HeapSys", "maphalved GOGC=50 HeapReleased",
    "maphalved GOGC=100 GOMEMLIMIT=20971520 NumGC",
    "maphalved GOGC=off GOMEMLIMIT=25165824 HeapReleased",
};

void matchesGo(const Program& p, const Setting& st) {
  const bool go126 = p.go == GoToolchain::Go126;
  const auto& recorded = go126 ? kRecorded126 : kRecorded119;
  const auto& gaps = go126 ? kGaps126 : kGaps119;
  const std::string label = p.name + " " + st.label();
  std::vector<std::vector<uint64_t>> go(std::size(kFields));
  const auto rec0 = recorded.find(label);
  ASSERT_NE(rec0, recorded.end()) << "no recorded " << oracle::toolchainName(p.go) << " range for " << label;
  for (size_t f = 0; f < std::size(kFields); ++f) go[f] = {rec0->second[f].lo, rec0->second[f].hi};
  for (int r = 0; r < kRuns; ++r) {
    std::vector<std::string> env = {"GOGC=" + (st.gogc < 0 ? std::string("off") : std::to_string(st.gogc)),
                                    "ORACLE_RUN=" + std::to_string(r)};
    if (st.memLimit) env.push_back("GOMEMLIMIT=" + std::to_string(st.memLimit));
    const oracle::GoOutput& out = oracle::runGoOracle(p.name, env, p.go);
    ASSERT_TRUE(out.ok) << out.error;
    auto m = out.ms.find("end");
    ASSERT_NE(m, out.ms.end()) << "no 'ms end' line";
    for (size_t f = 0; f < std::size(kFields); ++f) go[f].push_back(m->second.at(kFields[f]));
    ASSERT_EQ(m->second.at("NumForcedGC"), 3u);
  }
  const Recording& rec = recording(p);
  for (const std::string& problem : rec.problems) ADD_FAILURE() << problem;
  ASSERT_TRUE(rec.problems.empty()) << "the recording is not what the replay assumes";
  ASSERT_GT(rec.recordedGCs, 0u);

  sim::Config cfg;
  cfg.goVersion = go126 ? sim::GoVersion::Go126 : sim::GoVersion::Go119;
  cfg.gomaxprocs = 1;
  cfg.liveness = sim::Liveness::GC;
  cfg.gogc = st.gogc;
  cfg.bgSweepSpans = 0; // a busy 1-P program: see gc_dynamics_oracle_test.cpp
  cfg.rootScanBytes = p.stackScan;
  cfg.globalsBytes = p.globalsScan;
  cfg.traceGapsRunning = go126; // an allocfreetrace has no times: the cost model's clock
  cfg.scavenger.memoryLimit = st.memLimit;
  sim::World w(cfg);
  std::string err;
  auto step = [&](const sim::Event& ev) {
    if (!w.step(ev, &err)) ADD_FAILURE() << "event " << w.eventsApplied() << ": " << err;
  };
  for (const sim::Event& ev : rec.events) step(ev);
  step(sim::readMemStatsEvent());
  const sim::MemStats m = w.memStats();
  const uint64_t sim[] = {m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased};
  auto gap = [&](const std::string& key) { return gaps.count(key) != 0; };
  std::printf("%s %s (recording: %llu snapshot objects, %llu recorded cycles dropped)\n", oracle::toolchainName(p.go),
              label.c_str(), static_cast<unsigned long long>(rec.snapshotObjects),
              static_cast<unsigned long long>(rec.recordedGCs));
  for (size_t f = 0; f < std::size(kFields); ++f) {
    const uint64_t lo = *std::min_element(go[f].begin(), go[f].end()), hi = *std::max_element(go[f].begin(), go[f].end());
    const bool in = static_cast<double>(sim[f]) >= 0.9 * static_cast<double>(lo) &&
                    static_cast<double>(sim[f]) <= 1.1 * static_cast<double>(hi);
    const std::string key = label + " " + kFields[f];
    std::printf("  %-12s Go %llu..%llu  engine %llu%s\n", kFields[f], static_cast<unsigned long long>(lo),
                static_cast<unsigned long long>(hi), static_cast<unsigned long long>(sim[f]),
                in ? "" : (gap(key) ? "  (known gap)" : "  OUTSIDE"));
    if (!gap(key)) {
      EXPECT_TRUE(in) << oracle::toolchainName(p.go) << " " << key << ": engine " << sim[f] << ", Go " << lo << ".." << hi
                      << " (±10%)";
    }
  }
}

TEST(OracleMorePrograms, JsonLoopGOGC50Go126) { matchesGo(kJsonLoop126, {50, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100Go126) { matchesGo(kJsonLoop126, {100, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC200Go126) { matchesGo(kJsonLoop126, {200, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100MemoryLimitGo126) { matchesGo(kJsonLoop126, {100, 12 << 20}); }
TEST(OracleMorePrograms, JsonLoopGOGCOffMemoryLimitGo126) { matchesGo(kJsonLoop126, {-1, 16 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGC50Go126) { matchesGo(kMapHalved126, {50, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100Go126) { matchesGo(kMapHalved126, {100, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC200Go126) { matchesGo(kMapHalved126, {200, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100MemoryLimitGo126) { matchesGo(kMapHalved126, {100, 20 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGCOffMemoryLimitGo126) { matchesGo(kMapHalved126, {-1, 24 << 20}); }

TEST(OracleMorePrograms, JsonLoopGOGC50Go119) { matchesGo(kJsonLoop119, {50, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100Go119) { matchesGo(kJsonLoop119, {100, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC200Go119) { matchesGo(kJsonLoop119, {200, 0}); }
TEST(OracleMorePrograms, JsonLoopGOGC100MemoryLimitGo119) { matchesGo(kJsonLoop119, {100, 12 << 20}); }
TEST(OracleMorePrograms, JsonLoopGOGCOffMemoryLimitGo119) { matchesGo(kJsonLoop119, {-1, 16 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGC50Go119) { matchesGo(kMapHalved119, {50, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100Go119) { matchesGo(kMapHalved119, {100, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC200Go119) { matchesGo(kMapHalved119, {200, 0}); }
TEST(OracleMorePrograms, MapHalvedGOGC100MemoryLimitGo119) { matchesGo(kMapHalved119, {100, 20 << 20}); }
TEST(OracleMorePrograms, MapHalvedGOGCOffMemoryLimitGo119) { matchesGo(kMapHalved119, {-1, 24 << 20}); }

} // namespace
