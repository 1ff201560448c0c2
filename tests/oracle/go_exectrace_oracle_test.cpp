// Oracle for the Go execution trace reader (traces/go_exectrace*): the Go team's parser,
// golang.org/x/exp/trace, run by tests/oracle/go/exectrace_dump (built with the Go 1.26 on PATH;
// `make deps` downloads its module, the build here never does) on every committed recording of
// tests/data/go_exectrace. Our reader must give the same alloc/free/span/stack and GC events in
// the same order, with the same arguments, thread, P and time, and the same GCBegins with
// runtime.GC on their stack (forced cycles); and the importer's allocations
// and frees must be those events' objects, in that order.
#include "traces/go_exectrace.h"
#include "traces/go_exectrace_reader.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>

#ifndef SPANSCOPE_SOURCE_DIR
#error "SPANSCOPE_SOURCE_DIR must be defined (the build does it)"
#endif

namespace {

namespace fs = std::filesystem;

const fs::path kSrc = SPANSCOPE_SOURCE_DIR;
const std::vector<std::string> kTraces = {"churn", "list", "maps", "workers", "workers_p4"};

struct CmdResult {
  int status = -1;
  std::string out;
};

CmdResult run(const std::string& cmd) {
  CmdResult r;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  std::array<char, 65536> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), f)) r.out.append(buf.data(), n);
  const int st = pclose(f);
  r.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Go's build cache, shared by every test process (ctest runs each test in its own): with a cache
// of its own each process compiled x/exp/trace and its part of the standard library again (~20 s
// on 2 cores). Go's cache is safe for concurrent use and only saves time.
std::string sharedGoCache() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  return (base / "spanscope-oracle-gocache-go1.26").string();
}

// A scratch directory for the test-binary run's programs, removed at exit.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("spanscope-exectrace-oracle-" + std::to_string(getpid()));
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Builds the dump program once; "" and a test failure if Go 1.26 or the module is missing.
const std::string& dumpProgram() {
  static ScratchDir scratch;
  static const std::string bin = [] {
    const CmdResult v = run("go version 2>&1");
    if (v.status != 0 || v.out.find("go1.26") == std::string::npos) {
      ADD_FAILURE() << "the exectrace oracle needs Go 1.26 as `go` on PATH; `go version` says: " << v.out;
      return std::string();
    }
    const fs::path dir = scratch.path;
    fs::create_directories(dir);
    const std::string out = (dir / "exectrace_dump").string();
    // GOPROXY=off and -mod=readonly: the module must already be in the module cache (make deps).
    const CmdResult b = run("cd '" + (kSrc / "tests/oracle/go/exectrace_dump").string() + "' && GOPROXY=off GOFLAGS=-mod=readonly GOCACHE='" +
                      sharedGoCache() + "' go build -o '" + out + "' . 2>&1");
    if (b.status != 0) {
      ADD_FAILURE() << "building tests/oracle/go/exectrace_dump failed (run `make deps` to fetch golang.org/x/exp):\n" << b.out;
      return std::string();
    }
    return out;
  }();
  return bin;
}

std::string tracePath(const std::string& name) { return (kSrc / "tests/data/go_exectrace" / (name + ".trace")).string(); }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool isOracleEvent(uint8_t t) {
  return (t >= traces::goev::Span && t <= traces::goev::GoroutineStackFree) || t == traces::goev::GCBegin ||
         t == traces::goev::GCActive || t == traces::goev::GCEnd;
}

// Our reader's events in the dump program's text form.
std::vector<std::string> ourDump(const std::string& path, traces::GoAllocFreeInfo* info) {
  traces::ByteSource src(path);
  traces::GoExecTraceReader r(src);
  std::vector<std::string> out;
  traces::GoExecEvent e;
  while (r.next(e)) {
    if (!isOracleEvent(e.type)) continue;
    std::string l = traces::goEventName(e.type) + " " + std::to_string(e.time) + " " + std::to_string(e.m) + " " + std::to_string(e.p);
    const int nargs = e.type == traces::goev::GCBegin || e.type == traces::goev::GCActive || e.type == traces::goev::GCEnd ? 0
                      : e.type == traces::goev::Span || e.type == traces::goev::SpanAlloc                                  ? 3
                      : e.type == traces::goev::SpanFree || e.type == traces::goev::HeapObjectFree ||
                              e.type == traces::goev::GoroutineStackFree
                          ? 1
                          : 2;
    for (int i = 0; i < nargs; ++i) l += ' ' + std::to_string(e.args[i]);
    if (e.type == traces::goev::GCBegin && r.stackHasFunction(e.args[1], "runtime.GC")) l += " runtime.GC";
    out.push_back(l);
  }
  if (r.allocFreeInfo()) *info = *r.allocFreeInfo();
  return out;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

class GoExecTraceOracle : public ::testing::TestWithParam<std::string> {};

TEST_P(GoExecTraceOracle, SameEventsAsGosParser) {
  const std::string& bin = dumpProgram();
  ASSERT_FALSE(bin.empty());
  const std::string path = tracePath(GetParam());
  const CmdResult d = run("'" + bin + "' '" + path + "' 2>&1");
  ASSERT_EQ(d.status, 0) << d.out;
  std::vector<std::string> theirs = lines(d.out);
  ASSERT_FALSE(theirs.empty());
  ASSERT_EQ(theirs[0].rfind("info ", 0), 0u) << theirs[0];
  traces::GoAllocFreeInfo info;
  const std::vector<std::string> ours = ourDump(path, &info);
  EXPECT_EQ(theirs[0], "info " + std::to_string(info.minPageHeapAddr) + " " + std::to_string(info.pageSize) + " " +
                           std::to_string(info.minHeapAlign) + " " + std::to_string(info.fixedStack));
  theirs.erase(theirs.begin());
  ASSERT_EQ(ours.size(), theirs.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] != theirs[i] && ++mismatches <= 5) ADD_FAILURE() << "event " << i << ": ours " << ours[i] << ", Go's " << theirs[i];
  }
  EXPECT_EQ(mismatches, 0u) << "of " << ours.size() << " events";
}

// The importer's allocations are the oracle's HeapObject/HeapObjectAlloc events in order (minus the
// tiny allocations packed into a live block, which the importer counts and drops), its frees the
// HeapObjectFree events of live objects in order.
TEST_P(GoExecTraceOracle, ImportedObjectsAreGosObjects) {
  const std::string& bin = dumpProgram();
  ASSERT_FALSE(bin.empty());
  const std::string path = tracePath(GetParam());
  const CmdResult d = run("'" + bin + "' '" + path + "' 2>&1");
  ASSERT_EQ(d.status, 0) << d.out;
  uint64_t base = 0;
  std::vector<std::string> allocs, frees;
  for (const std::string& l : lines(d.out)) {
    std::istringstream in(l);
    std::string name;
    int64_t t, m, p;
    uint64_t id;
    in >> name;
    if (name == "info") in >> base;
    if (name != "HeapObject" && name != "HeapObjectAlloc" && name != "HeapObjectFree") continue;
    in >> t >> m >> p >> id;
    (name == "HeapObjectFree" ? frees : allocs).push_back(hex(base + id * 8));
  }
  traces::GoExecTraceStream s(std::make_unique<traces::ByteSource>(path));
  std::vector<std::string> ourAllocs, ourFrees;
  sim::Event ev;
  while (s.read(&ev, 1)) {
    if (ev.kind == sim::EventKind::Alloc) ourAllocs.push_back(s.describeObject(ev.id));
    if (ev.kind == sim::EventKind::Free) ourFrees.push_back(hex(base + s.slotOffset(ev.id)));
  }
  const traces::ImportSummary sum = s.summary();
  // Subsequences, in order; what was skipped is accounted for by the summary.
  auto subsequence = [](const std::vector<std::string>& sub, const std::vector<std::string>& all) {
    size_t j = 0;
    for (const std::string& x : all) j += j < sub.size() && sub[j] == x;
    return j == sub.size();
  };
  EXPECT_TRUE(subsequence(ourAllocs, allocs));
  EXPECT_TRUE(subsequence(ourFrees, frees));
  EXPECT_EQ(ourFrees.size() + sum.orphanFrees, frees.size());
  EXPECT_GT(ourAllocs.size(), allocs.size() / 2);
  EXPECT_EQ(ourAllocs.size() + s.counts().packedTiny, allocs.size());
}

INSTANTIATE_TEST_SUITE_P(Recordings, GoExecTraceOracle, ::testing::ValuesIn(kTraces));

// spanscope-cli record-go end to end: a Go 1.26 program that passes its argument to trace.Start
// is run with GODEBUG=traceallocfree=1, and the trace it writes reads back.
TEST(GoExecTraceRecordGo, RecordsAProgramThatTakesTheTraceFile) {
  ASSERT_FALSE(dumpProgram().empty()); // Go 1.26 is there
  const fs::path dir = fs::path(dumpProgram()).parent_path();
  const std::string prog = (dir / "seed").string(), out = (dir / "seed.trace").string();
  const CmdResult b = run("cd '" + (kSrc / "tests/data/go_exectrace").string() + "' && GOCACHE='" + sharedGoCache() +
                          "' go build -o '" + prog + "' src/seed/main.go 2>&1");
  ASSERT_EQ(b.status, 0) << b.out;
  const CmdResult r = run(std::string("'") + SPANSCOPE_CLI + "' record-go -o '" + out + "' -- '" + prog + "' '{trace}' 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("format:         Go execution trace (GODEBUG=traceallocfree=1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(go1.26)"), std::string::npos) << r.out;
  traces::GoExecTraceStream s(std::make_unique<traces::ByteSource>(out));
  sim::Event ev;
  uint64_t allocs = 0;
  while (s.read(&ev, 1)) allocs += ev.kind == sim::EventKind::Alloc;
  EXPECT_GT(allocs, 33u) << "the program's 33 objects and the snapshot";
  // Without {trace} (and not `go test`) there is no way to tell the program where to write.
  EXPECT_EQ(run(std::string("'") + SPANSCOPE_CLI + "' record-go -o '" + out + "' -- '" + prog + "' 2>&1").status, 64);
}

} // namespace
