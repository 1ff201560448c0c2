// The Go allocfreetrace importer against the REAL Go 1.19 runtime: tests/oracle/go/allocfreetrace
// runs with GODEBUG=allocfreetrace=1 (GOMAXPROCS=1 GOGC=off, empty environment: the harness), its
// stderr is imported and replayed through a fresh sim::World (1 P, GOGC off, GC liveness), and
// what the program printed about itself is the ground truth:
//   * each of its objects is in the trace at the address it printed, with the size it requested
//     (recovered from the runtime.mallocgc frame) and its noscan-ness (inferred from the record);
//   * the objects it dropped before its k-th runtime.GC() are freed in the import just before that
//     GC event and not before the previous one; the objects it kept are never freed;
//   * the engine's MemStats deltas between the GCs after which the program read MemStats equal the
//     program's own deltas (Mallocs, Frees, HeapObjects, HeapAlloc, TotalAlloc), and the engine's
//     NumGC there equals the program's.
// Absolute MemStats are not compared: objects allocated before GODEBUG is read (schedinit) are
// never traced, and tiny allocations packed into a block are not either (the program makes none
// in the measured interval, see its header).
#include "tests/oracle/go_oracle.h"

#include "sim/invariants.h"
#include "sim/world.h"
#include "traces/go_allocfreetrace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace {

std::string hexAddr(uint64_t a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
  return buf;
}

struct Replay {
  std::vector<sim::Event> events;
  std::vector<std::string> addr;              // source address of each Alloc/Free, "" for GC
  std::vector<size_t> gcAt;                   // event index of the k-th GC event at gcAt[k-1]
  std::map<uint32_t, sim::MemStats> afterGc;  // engine MemStats right after GC number NumGC
};

// Imports the trace one event at a time (so describeObject names each event's object) and
// replays it, checking the engine's invariants after every step.
Replay importAndReplay(const std::string& path) {
  traces::GoAllocFreeTraceStream s(std::make_unique<traces::ByteSource>(path));
  sim::World w([] {
    sim::Config c;
    c.gomaxprocs = 1;
    c.gogc = -1;
    c.liveness = sim::Liveness::GC;
    return c;
  }());
  Replay r;
  sim::Event ev;
  while (s.read(&ev, 1) == 1) {
    r.events.push_back(ev);
    r.addr.push_back(ev.kind == sim::EventKind::GC ? "" : s.describeObject(ev.id));
    std::string err;
    if (!w.step(ev, &err)) {
      ADD_FAILURE() << "event " << r.events.size() - 1 << " (" << r.addr.back() << "): " << err;
      return r;
    }
    const std::vector<std::string> bad = sim::checkInvariants(w);
    if (!bad.empty()) {
      ADD_FAILURE() << "invariant after event " << r.events.size() - 1 << ": " << bad.front();
      return r;
    }
    if (ev.kind == sim::EventKind::GC) {
      r.gcAt.push_back(r.events.size() - 1);
      r.afterGc[w.memStats().NumGC] = w.memStats();
    }
  }
  return r;
}

uint64_t field(const sim::MemStats& m, const std::string& f) {
  if (f == "Mallocs") return m.Mallocs;
  if (f == "Frees") return m.Frees;
  if (f == "HeapObjects") return m.HeapObjects;
  if (f == "HeapAlloc") return m.HeapAlloc;
  if (f == "TotalAlloc") return m.TotalAlloc;
  ADD_FAILURE() << "no field " << f;
  return 0;
}

TEST(GoAllocFreeTraceOracle, ImportAndReplayReproduceTheRuntime) {
  const oracle::GoOutput& go = oracle::runGoOracle("allocfreetrace", {"GODEBUG=allocfreetrace=1"});
  ASSERT_TRUE(go.ok) << go.error;
  ASSERT_FALSE(go.allocs.empty());
  const std::string path =
      (std::filesystem::temp_directory_path() / ("spanscope-goimport-oracle-" + std::to_string(getpid()) + ".txt")).string();
  std::ofstream(path, std::ios::binary) << go.stderrText;
  const Replay r = importAndReplay(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(testing::Test::HasFailure());

  // The GCs around the measured interval: the program read MemStats right after them.
  const uint64_t base = go.ms.at("base").at("NumGC");
  ASSERT_EQ(go.ms.at("gc1").at("NumGC"), base + 1);
  ASSERT_EQ(go.ms.at("gc2").at("NumGC"), base + 2);
  ASSERT_GE(r.gcAt.size(), base + 2) << "the trace has a tracegc record for every GC the program counted";
  const size_t gcBase = r.gcAt[base - 1], gc1 = r.gcAt[base], gc2 = r.gcAt[base + 1];

  // Every allocation between GC #base and GC #base+1 is one of the program's (nothing else
  // allocates there), at the address it printed, with its request and noscan.
  std::map<std::string, size_t> allocAt;
  for (size_t i = gcBase + 1; i < gc1; ++i)
    if (r.events[i].kind == sim::EventKind::Alloc) allocAt[r.addr[i]] = i;
  EXPECT_EQ(allocAt.size(), go.allocs.size());
  for (const oracle::GoAlloc& a : go.allocs) {
    auto it = allocAt.find(hexAddr(a.addr));
    if (it == allocAt.end()) {
      ADD_FAILURE() << "object " << a.index << " at " << hexAddr(a.addr) << " is not in the interval";
      continue;
    }
    EXPECT_EQ(r.events[it->second].size, a.size) << "object " << a.index;
    EXPECT_EQ(r.events[it->second].noscan, a.noscan) << "object " << a.index << " (" << a.size << " B)";
  }

  // Frees: round k's objects just before GC event #base+k, after the previous GC event.
  std::map<uint64_t, uint64_t> roundOf;
  for (size_t i = 0; i < go.frees.size(); ++i) roundOf[go.frees[i]] = go.freeRounds[i];
  for (const oracle::GoAlloc& a : go.allocs) {
    auto it = allocAt.find(hexAddr(a.addr));
    if (it == allocAt.end()) continue;
    size_t f = it->second + 1;
    while (f < r.events.size() && !(r.events[f].kind == sim::EventKind::Free && r.addr[f] == hexAddr(a.addr))) ++f;
    auto rd = roundOf.find(a.index);
    if (rd == roundOf.end()) {
      EXPECT_EQ(f, r.events.size()) << "kept object " << a.index << " was freed at event " << f;
    } else if (rd->second == 1) {
      EXPECT_TRUE(f < gc1) << "object " << a.index << " dropped before GC " << base + 1 << ", freed at event " << f;
    } else {
      EXPECT_TRUE(f > gc1 && f < gc2) << "object " << a.index << " dropped before GC " << base + 2 << ", freed at event " << f;
    }
  }

  // The engine's MemStats deltas equal the program's.
  ASSERT_EQ(r.afterGc.count(static_cast<uint32_t>(base)) + r.afterGc.count(static_cast<uint32_t>(base + 2)), 2u);
  const std::vector<std::pair<std::string, std::string>> intervals = {{"base", "gc1"}, {"gc1", "gc2"}};
  for (const auto& [from, to] : intervals) {
    const sim::MemStats& e0 = r.afterGc.at(static_cast<uint32_t>(go.ms.at(from).at("NumGC")));
    const sim::MemStats& e1 = r.afterGc.at(static_cast<uint32_t>(go.ms.at(to).at("NumGC")));
    for (const std::string f : {"Mallocs", "Frees", "HeapObjects", "HeapAlloc", "TotalAlloc"}) {
      EXPECT_EQ(static_cast<int64_t>(field(e1, f) - field(e0, f)), go.delta(from, to, f)) << f << " " << from << " -> " << to;
    }
    EXPECT_EQ(e1.NumGC, go.ms.at(to).at("NumGC"));
  }
}

} // namespace
