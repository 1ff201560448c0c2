// The recorder: its raw log read back (merge by sequence number, conversion to events) on
// hand-made logs, then libspanscope-record.so and `spanscope-cli record` on real programs: a C
// program with a known allocation sequence built here (its live set at exit must be exactly what
// it says it leaked), and ls and python3, whose live set at exit must be what heaptrack reports.
#include "traces/open_trace.h"
#include "traces/recorder/raw_log.h"
#include "traces/recorder/recorded_stream.h"
#include "cli_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>

namespace {

namespace fs = std::filesystem;

const std::string kCli = SPANSCOPE_CLI;
const std::string kLib = (fs::path(SPANSCOPE_CLI).parent_path() / SPANSCOPE_RECORD_LIB_NAME).string();
const std::string kSequenceSource = std::string(SPANSCOPE_TEST_DATA) + "/recorder/alloc_sequence.c";
const std::string kExitFreeSource = std::string(SPANSCOPE_TEST_DATA) + "/recorder/exit_free.c";
const std::string kOwnOutputSource = std::string(SPANSCOPE_TEST_DATA) + "/recorder/own_output.c";
const std::string kLogLimitSource = std::string(SPANSCOPE_TEST_DATA) + "/recorder/log_limit.c";
// glibc's tcache off and one arena: a block one thread frees goes to the next malloc of any thread
// at once, so a wrong free/reuse order would show (see the churn threads in alloc_sequence.c).
const std::string kHandOver = "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1";
const std::string kPythonScript =
    "import json; d=[{'k':i,'v':str(i)*10} for i in range(20000)]; s=json.dumps(d); print(len(s))";

using clitest::quote;
using clitest::quoteAll;
using clitest::slurp;

bool onPath(const std::string& tool) { return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0; }

// ---- hand-made raw logs ----

spanscope_raw_record rec(uint64_t seq, uint8_t op, uint32_t tid, uint64_t ptr, uint64_t size = 0, uint64_t aux = 0,
                         uint64_t timeNs = 0) {
  spanscope_raw_record r{};
  r.seq = seq;
  r.op = op;
  r.tid = tid;
  r.ptr = ptr;
  r.size = size;
  r.aux = aux;
  r.time_ns = timeNs ? timeNs : 1000 + seq * 10;
  return r;
}

spanscope_raw_header header() {
  spanscope_raw_header h{};
  std::memcpy(h.magic, SPANSCOPE_RAW_MAGIC, sizeof h.magic);
  h.version = SPANSCOPE_RAW_VERSION;
  h.record_size = sizeof(spanscope_raw_record);
  h.pid = 42;
  h.page_size = 4096;
  return h;
}

void writeLog(const fs::path& p, const spanscope_raw_header& h, const std::vector<spanscope_raw_record>& records,
              const std::string& tail = {}) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&h), sizeof h);
  out.write(reinterpret_cast<const char*>(records.data()), static_cast<std::streamsize>(records.size() * sizeof records[0]));
  out << tail;
}

class RawLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spanscope_rawlog_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(RawLogTest, MergesThreadRunsBySequenceNumber) {
  // Flushes as they may reach the file: thread 7 flushed late, so its older records come after
  // thread 9's. Global order is 0..7.
  writeLog(path("l.raw"), header(),
           {rec(1, SPANSCOPE_OP_MALLOC, 9, 0x100, 8), rec(3, SPANSCOPE_OP_MALLOC, 9, 0x200, 8),
            rec(4, SPANSCOPE_OP_MALLOC, 9, 0x300, 8), rec(0, SPANSCOPE_OP_MALLOC, 7, 0x400, 8),
            rec(2, SPANSCOPE_OP_MALLOC, 7, 0x500, 8), rec(5, SPANSCOPE_OP_MALLOC, 7, 0x600, 8),
            rec(6, SPANSCOPE_OP_MALLOC, 9, 0x700, 8), rec(7, SPANSCOPE_OP_EXIT, 9, 0)});
  traces::RawLogReader log(path("l.raw"));
  EXPECT_EQ(log.records(), 8u);
  EXPECT_EQ(log.runs(), 2u); // [1 3 4] [0 2 5 6 7]: maximal ascending runs, whatever the thread
  std::vector<uint64_t> seqs;
  spanscope_raw_record r;
  while (log.next(r)) seqs.push_back(r.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_FALSE(log.truncated());
}

TEST_F(RawLogTest, FreeIsOrderedBeforeTheReuseOfItsAddress) {
  // Thread 2 frees 0x1000 (seq 3) and thread 1 gets it back (seq 4); thread 1's buffer reached
  // the file first. In file order that is an allocation of a live address; in seq order it is not.
  writeLog(path("l.raw"), header(),
           {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x1000, 24), rec(4, SPANSCOPE_OP_MALLOC, 1, 0x1000, 32),
            rec(3, SPANSCOPE_OP_FREE, 2, 0x1000)});
  traces::RecordedStream s(path("l.raw"), {});
  const traces::Trace t = traces::readAll(s);
  ASSERT_EQ(t.events.size(), 3u);
  EXPECT_EQ(t.events[1].kind, sim::EventKind::Free);
  EXPECT_EQ(t.events[1].thread, 1u); // tid 2 is the second thread seen
  EXPECT_EQ(s.details().addressReused, 0u);
  EXPECT_EQ(s.summary().liveBytes, 32u);
}

// A C program's frees are explicit: the recording suggests liveness immediate (ARCHITECTURE.md §3),
// unless the caller's meta already chose (issue 15: recordings replayed with Go's GC liveness).
TEST_F(RawLogTest, RecordingsSuggestImmediateLiveness) {
  writeLog(path("l.raw"), header(), {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x1000, 24), rec(1, SPANSCOPE_OP_FREE, 1, 0x1000)});
  traces::RecordedStream s(path("l.raw"), {});
  EXPECT_EQ(s.meta().config.liveness, sim::Liveness::Immediate);
  traces::TraceMeta chosen;
  chosen.config.liveness = sim::Liveness::GC;
  traces::RecordedStream t(path("l.raw"), chosen);
  EXPECT_EQ(t.meta().config.liveness, sim::Liveness::GC);
}

TEST_F(RawLogTest, ConvertsReallocHalvesFailuresOrphansThreadsAndTimes) {
  const uint64_t kA = 0x5000, kB = 0x6000, kC = 0x7000;
  writeLog(path("l.raw"), header(),
           {rec(0, SPANSCOPE_OP_MALLOC, 100, kA, 10, 0, 5000),
            rec(1, SPANSCOPE_OP_REALLOC_FREE, 100, kA, 20, 0, 5100),  // realloc(A, 20) moved to B:
            rec(2, SPANSCOPE_OP_REALLOC, 100, kB, 20, kA, 5050),      //   its clock read came early
            rec(3, SPANSCOPE_OP_MALLOC, 100, 0, 1 << 30),             // failed malloc
            rec(4, SPANSCOPE_OP_FREE, 200, kC),                       // never allocated: orphan
            rec(5, SPANSCOPE_OP_REALLOC_FREE, 200, kB, 0, 0, 6000),   // realloc(B, 0): frees B
            rec(6, SPANSCOPE_OP_POSIX_MEMALIGN, 300, kC, 100, 64, 7000),
            rec(7, SPANSCOPE_OP_MALLOC, 300, kC, 5, 0, 8000),         // C again, its free unseen
            rec(8, SPANSCOPE_OP_EXIT, 100, 0)});
  traces::RecordedStream s(path("l.raw"), {});
  const traces::Trace t = traces::readAll(s);
  using K = sim::EventKind;
  // alloc A, free A, alloc B, free B, alloc C(100), free C (missed free), alloc C(5)
  ASSERT_EQ(t.events.size(), 7u);
  const std::vector<K> kinds{K::Alloc, K::Free, K::Alloc, K::Free, K::Alloc, K::Free, K::Alloc};
  const std::vector<uint32_t> threads{0, 0, 0, 1, 2, 2, 2};
  const std::vector<uint64_t> times{0, 100, 100, 1000, 2000, 3000, 3000};
  for (size_t i = 0; i < t.events.size(); ++i) {
    EXPECT_EQ(t.events[i].kind, kinds[i]) << i;
    EXPECT_EQ(t.events[i].thread, threads[i]) << i;
    EXPECT_EQ(t.events[i].time, times[i]) << i;
  }
  EXPECT_EQ(t.events[0].size, 10u);
  EXPECT_EQ(t.events[2].size, 20u);
  EXPECT_EQ(t.events[4].size, 100u);
  EXPECT_EQ(t.events[6].size, 5u);
  const traces::ImportSummary sum = s.summary();
  EXPECT_EQ(sum.failedAllocs, 1u);
  EXPECT_EQ(sum.orphanFrees, 1u);
  EXPECT_EQ(sum.threads, 3u);
  EXPECT_EQ(sum.liveObjects, 1u);
  EXPECT_EQ(sum.liveBytes, 5u);
  const traces::RecordedStream::Details& d = s.details();
  EXPECT_EQ(d.addressReused, 1u);
  EXPECT_EQ(d.aligned, 1u);
  EXPECT_TRUE(d.exitSeen);
  EXPECT_EQ(d.kernelTids, (std::vector<uint32_t>{100, 200, 300}));
  EXPECT_EQ(d.calls[SPANSCOPE_OP_MALLOC], 3u);  // A, the failed one, C(5)
  EXPECT_EQ(d.calls[SPANSCOPE_OP_REALLOC], 2u); // realloc(A, 20) and realloc(B, 0)
  EXPECT_EQ(d.calls[SPANSCOPE_OP_FREE], 1u);
  EXPECT_EQ(s.liveBlocks(), (std::vector<std::pair<uint64_t, uint64_t>>{{kC, 5}}));
  EXPECT_EQ(s.describeObject(t.events[6].id), "0x7000");
}

TEST_F(RawLogTest, BadLogsNameFileAndByte) {
  const auto expectError = [&](const std::string& name, const std::string& what) {
    try {
      traces::RawLogReader log(path(name));
      spanscope_raw_record r;
      while (log.next(r)) {
      }
      ADD_FAILURE() << name << ": no error";
    } catch (const traces::TraceError& e) {
      EXPECT_NE(std::string(e.what()).find(path(name) + ": byte "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  std::ofstream(path("short.raw")) << "SPSCRAW1";
  expectError("short.raw", "too short");
  spanscope_raw_header h = header();
  h.magic[0] = 'X';
  writeLog(path("magic.raw"), h, {});
  expectError("magic.raw", "bad magic");
  h = header();
  h.version = 2;
  writeLog(path("version.raw"), h, {});
  expectError("version.raw", "version 2");
  h = header();
  h.record_size = 40;
  writeLog(path("size.raw"), h, {});
  expectError("size.raw", "record size 40");
  writeLog(path("op.raw"), header(), {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x10, 8), rec(1, 99, 1, 0x10)});
  expectError("op.raw", "byte 112: unknown operation 99"); // record 1 starts at 64 + 48
  writeLog(path("dup.raw"), header(), {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x10, 8), rec(0, SPANSCOPE_OP_FREE, 1, 0x10)});
  expectError("dup.raw", "sequence number 0 appears twice");
  EXPECT_THROW(traces::RawLogReader(path("missing.raw")), traces::TraceError);

  // A log cut inside a record (killed while writing): the whole records are read, the rest noted.
  writeLog(path("cut.raw"), header(), {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x10, 8)}, std::string(20, '\0'));
  traces::RecordedStream s(path("cut.raw"), {});
  EXPECT_EQ(traces::readAll(s).events.size(), 1u);
  const std::vector<std::string> notes = s.summary().notes;
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) { return n.find("ends inside a record") != std::string::npos; }));
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) { return n.find("exit flush") != std::string::npos; }));
}

TEST_F(RawLogTest, AFailedWriteInTheHeaderMarksTheRecordingIncomplete) {
  spanscope_raw_header h = header();
  h.write_error = ENOSPC;
  writeLog(path("full.raw"), h, {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x10, 8)});
  traces::RecordedStream s(path("full.raw"), {});
  EXPECT_EQ(s.writeError(), static_cast<uint64_t>(ENOSPC));
  EXPECT_EQ(traces::readAll(s).events.size(), 1u);
  const std::vector<std::string> notes = s.summary().notes;
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("INCOMPLETE: the recorder could not write its log (No space left on device)") != std::string::npos;
  }));
  EXPECT_FALSE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) { return n.find("replaced by exec") != std::string::npos; }))
      << "a full disk is not an exec";
  writeLog(path("ok.raw"), header(), {rec(0, SPANSCOPE_OP_MALLOC, 1, 0x10, 8)});
  EXPECT_EQ(traces::RecordedStream(path("ok.raw"), {}).writeError(), 0u);
}

// ---- real programs ----

// What alloc_sequence.c says must be live at its exit.
struct ProgramReport {
  std::map<uint64_t, uint64_t> leaks; // address -> size
  std::map<uint64_t, uint64_t> dtvs;  // address -> size (threads reusing a cached stack repeat one)
  uint64_t threads = 0;
  uint64_t liveBytes() const {
    uint64_t b = 0;
    for (const auto& [a, s] : leaks) b += s;
    for (const auto& [a, s] : dtvs) b += s;
    return b;
  }
};

// Lines "leak ADDR SIZE", "dtv ADDR SIZE", "threads N"; other lines (our summary) are skipped.
ProgramReport parseReport(const std::string& out) {
  ProgramReport r;
  std::istringstream lines(out);
  std::string line, word, addr;
  uint64_t n = 0;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    if (!(in >> word)) continue;
    if (word == "leak" && in >> addr >> n) r.leaks[std::stoull(addr, nullptr, 16)] = n;
    else if (word == "dtv" && in >> addr >> n) r.dtvs[std::stoull(addr, nullptr, 16)] = n;
    else if (word == "threads" && in >> n) r.threads = n;
  }
  return r;
}

// Heaptrack's figures for a run: "total memory leaked" + "suppressed leaks" (heaptrack_print,
// rounded, K = 1000 B), the exact heap size at the end (the last massif snapshot heaptrack_print
// writes), and "leaked allocations" (heaptrack's own stats on stderr).
struct HeaptrackFigures {
  double leakedRounded = 0, roundingError = 0;
  uint64_t finalHeapBytes = 0, leakedObjects = 0;
};

// "37.41K" -> 37410 and its rounding error (half a unit of the last digit).
std::pair<double, double> heaptrackBytes(const std::string& text) {
  size_t end = 0;
  const double v = std::stod(text, &end);
  const std::string unit = text.substr(end);
  const double scale = unit == "K" ? 1e3 : unit == "M" ? 1e6 : unit == "G" ? 1e9 : 1;
  const size_t dot = text.find('.');
  const size_t decimals = dot == std::string::npos ? 0 : end - dot - 1;
  return {v * scale, 0.5 * std::pow(10.0, -static_cast<double>(decimals)) * scale};
}

std::string valueAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return {};
  std::istringstream in(text.substr(at + label.size()));
  std::string v;
  in >> v;
  return v;
}

class RecorderTest : public RawLogTest {
 protected:
  int sh(const std::string& cmd, std::string* out = nullptr, std::string* err = nullptr) {
    clitest::CliRun r = clitest::runShell(dir_, cmd);
    if (out) *out = std::move(r.out);
    if (err) *err = std::move(r.err);
    return r.code;
  }

  std::string buildSequenceProgram() {
    const std::string exe = path("alloc_sequence");
    std::string err;
    EXPECT_EQ(sh("cc -shared -fPIC -o " + quote(path("libexit_free.so")) + " " + quote(kExitFreeSource), nullptr, &err), 0)
        << err;
    EXPECT_EQ(sh("cc -O0 -fno-builtin -pthread -o " + quote(exe) + " " + quote(kSequenceSource) + " -L" + quote(dir_.string()) +
                     " -lexit_free -Wl,-rpath," + quote(dir_.string()),
                 nullptr, &err),
              0)
        << err;
    return exe;
  }

  // Runs `command` with the recorder preloaded into an empty directory; returns the one raw log.
  std::string recordDirect(const std::string& command, std::string* out) {
    const fs::path logs = dir_ / "logs";
    fs::remove_all(logs);
    fs::create_directories(logs);
    std::string err;
    const int rc = sh("env LD_PRELOAD=" + quote(kLib) + " " SPANSCOPE_RECORD_DIR_ENV "=" + quote(logs.string()) + " " +
                          command,
                      out, &err);
    EXPECT_EQ(rc, 0) << err;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(logs)) files.push_back(e.path().string());
    // The fork child and the program it spawns must not have written logs of their own.
    EXPECT_EQ(files.size(), 1u) << "raw logs: " << files.size();
    return files.empty() ? std::string() : files[0];
  }

  // Live objects and bytes at the end of a trace file, counted here from its events.
  struct Replayed {
    uint64_t objects = 0, bytes = 0, threads = 0, events = 0;
    bool idsConsistent = true, timesMonotonic = true;
  };
  Replayed replayTrace(const std::string& file) {
    std::unique_ptr<traces::EventStream> s = traces::openTrace(file);
    std::unordered_map<uint64_t, uint64_t> live; // id -> size
    std::set<uint32_t> threads;
    Replayed r;
    uint64_t lastTime = 0;
    sim::Event buf[4096];
    while (size_t n = s->read(buf, 4096)) {
      for (size_t i = 0; i < n; ++i) {
        const sim::Event& ev = buf[i];
        ++r.events;
        threads.insert(ev.thread);
        if (ev.time < lastTime) r.timesMonotonic = false;
        lastTime = ev.time;
        if (ev.kind == sim::EventKind::Alloc) r.idsConsistent &= live.emplace(ev.id, ev.size).second;
        else if (ev.kind == sim::EventKind::Free) r.idsConsistent &= live.erase(ev.id) == 1;
      }
    }
    r.objects = live.size();
    for (const auto& [id, size] : live) r.bytes += size;
    r.threads = threads.size();
    return r;
  }

  std::optional<HeaptrackFigures> heaptrack(const std::string& env, const std::string& command) {
    const std::string out = path("ht");
    std::string err, printed;
    EXPECT_EQ(sh(env + " heaptrack -o " + quote(out) + " " + command, nullptr, &err), 0) << err;
    EXPECT_EQ(sh("heaptrack_print -f " + quote(out + ".zst") + " -M " + quote(out + ".massif"), &printed, nullptr), 0);
    HeaptrackFigures f;
    const auto leaked = heaptrackBytes(valueAfter(printed, "total memory leaked:"));
    const auto suppressed = heaptrackBytes(valueAfter(printed, "suppressed leaks:"));
    f.leakedRounded = leaked.first + suppressed.first;
    f.roundingError = leaked.second + suppressed.second;
    const std::string massif = slurp(out + ".massif");
    const size_t last = massif.rfind("mem_heap_B=");
    if (last == std::string::npos) return std::nullopt;
    f.finalHeapBytes = std::stoull(massif.substr(last + 11));
    f.leakedObjects = std::stoull(valueAfter(err, "leaked allocations:"));
    return f;
  }

  void expectSameLiveSetAsHeaptrack(const std::string& env, const std::vector<std::string>& command) {
    if (!onPath("heaptrack") || !onPath("heaptrack_print")) GTEST_SKIP() << "heaptrack is not installed";
    const std::string trace = path("ours.bin");
    std::string out, err;
    ASSERT_EQ(sh(env + " " + quote(kCli) + " record -o " + quote(trace) + " -- " + quoteAll(command), &out, &err), 0) << err;
    const Replayed ours = replayTrace(trace);
    const std::optional<HeaptrackFigures> theirs = heaptrack(env, quoteAll(command));
    ASSERT_TRUE(theirs);
    EXPECT_TRUE(ours.idsConsistent);
    EXPECT_GT(ours.objects, 0u);
    EXPECT_EQ(ours.bytes, theirs->finalHeapBytes);
    EXPECT_EQ(ours.objects, theirs->leakedObjects);
    EXPECT_NEAR(static_cast<double>(ours.bytes), theirs->leakedRounded, theirs->roundingError);
  }
};

TEST_F(RecorderTest, KnownSequenceLeavesExactlyWhatTheProgramLeaked) {
#if !defined(__x86_64__) || !defined(__GLIBC__)
  GTEST_SKIP() << "alloc_sequence.c reports glibc's thread vectors on x86_64 only";
#endif
  const std::string program = buildSequenceProgram();
  for (const std::string mode : {"", "_exit"}) { // return from main (exit handlers) or _exit(0)
    SCOPED_TRACE("mode " + mode);
    std::string out;
    const std::string log = recordDirect(kHandOver + " " + quote(program) + " " + mode, &out);
    ASSERT_FALSE(log.empty());
    const ProgramReport report = parseReport(out);

    // The leaks alloc_sequence.c makes: a (realloc'd 100 -> 1000 -> 50), realloc(NULL, 64) (its
    // failed realloc to 2^62 leaves it), reallocarray 12x10 -> 40x10, aligned_alloc(4096, 8192),
    // memalign(32, 48), pvalloc(100), the producer's 333, the consumer's calloc(4, 111), parked's
    // 555; with _exit also the 777 that exit_free.c's destructor would have freed.
    std::multiset<uint64_t> sizes;
    for (const auto& [a, s] : report.leaks) sizes.insert(s);
    std::multiset<uint64_t> leaked{50, 64, 400, 8192, 48, 100, 333, 444, 555};
    if (mode == "_exit") leaked.insert(777);
    EXPECT_EQ(sizes, leaked);
    EXPECT_EQ(report.threads, 7u);
    EXPECT_EQ(report.dtvs.size(), 3u); // at most three threads ran at once: three cached stacks

    traces::RecordedStream s(log, {});
    const traces::Trace t = traces::readAll(s);
    std::vector<std::pair<uint64_t, uint64_t>> expected(report.leaks.begin(), report.leaks.end());
    expected.insert(expected.end(), report.dtvs.begin(), report.dtvs.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(s.liveBlocks(), expected);

    const traces::ImportSummary sum = s.summary();
    const traces::RecordedStream::Details& d = s.details();
    EXPECT_EQ(sum.threads, report.threads);
    EXPECT_EQ(sum.liveBytes, report.liveBytes());
    EXPECT_EQ(sum.orphanFrees, 0u);
    EXPECT_EQ(sum.failedAllocs, 4u); // malloc(2^62), calloc(2^62, 8), reallocarray(NULL, 2^62, 8), realloc(c, 2^62)
    EXPECT_EQ(d.addressReused, 0u);
    EXPECT_TRUE(d.exitSeen);
    // Calls, counted in alloc_sequence.c: malloc = the 777, a, malloc(0), malloc(2^62), the
    // producer's 30000 + 30000 own + 1 leak, parked's 1, 3 x 100000 churn; calloc = calloc(10, 30),
    // calloc(2^62, 8), the consumer's, plus glibc's DTV calloc for each new thread stack.
    EXPECT_EQ(d.calls[SPANSCOPE_OP_MALLOC], 4u + 60001u + 1u + 300000u);
    EXPECT_EQ(d.calls[SPANSCOPE_OP_CALLOC], 3u + report.dtvs.size());
    EXPECT_EQ(d.calls[SPANSCOPE_OP_REALLOC], 5u);
    EXPECT_EQ(d.calls[SPANSCOPE_OP_REALLOCARRAY], 3u);
    for (uint8_t op : {SPANSCOPE_OP_POSIX_MEMALIGN, SPANSCOPE_OP_ALIGNED_ALLOC, SPANSCOPE_OP_MEMALIGN,
                       SPANSCOPE_OP_VALLOC, SPANSCOPE_OP_PVALLOC})
      EXPECT_EQ(d.calls[op], 1u) << traces::rawOpName(op);

    uint64_t lastTime = 0;
    bool monotonic = true;
    for (const sim::Event& ev : t.events) {
      monotonic &= ev.time >= lastTime;
      lastTime = ev.time;
    }
    EXPECT_TRUE(monotonic);

    // Free before reuse, checked on the raw records in merged order with our own bookkeeping: no
    // address is handed out while live, and many were handed from one thread to another (so the
    // check had something to catch).
    traces::RawLogReader raw(log);
    std::unordered_map<uint64_t, uint32_t> liveBy, freedBy; // address -> tid
    uint64_t handedOver = 0, allocatedWhileLive = 0, afterExitFlush = 0;
    bool flushed = false;
    spanscope_raw_record r;
    while (raw.next(r)) {
      afterExitFlush += flushed;
      flushed |= r.op == SPANSCOPE_OP_EXIT;
      if (r.op == SPANSCOPE_OP_EXIT || r.ptr == 0) continue;
      const bool release = r.op == SPANSCOPE_OP_FREE || r.op == SPANSCOPE_OP_REALLOC_FREE || r.op == SPANSCOPE_OP_REALLOCARRAY_FREE;
      if (release) {
        liveBy.erase(r.ptr);
        freedBy[r.ptr] = r.tid;
        continue;
      }
      allocatedWhileLive += !liveBy.emplace(r.ptr, r.tid).second;
      const auto f = freedBy.find(r.ptr);
      handedOver += f != freedBy.end() && f->second != r.tid;
    }
    EXPECT_EQ(allocatedWhileLive, 0u);
    EXPECT_GT(handedOver, 1000u);
    if (mode.empty()) {
      EXPECT_GE(afterExitFlush, 1u); // exit_free.c's free, written after the flush
    }
  }
}

TEST_F(RecorderTest, CliWritesABinaryTraceOfTheSequence) {
  const std::string program = buildSequenceProgram();
  const std::string trace = path("seq.bin");
  std::string out, err;
  ASSERT_EQ(sh("env " + kHandOver + " " + quote(kCli) + " record -o " + quote(trace) + " -- " + quote(program), &out, &err), 0)
      << err;
  const ProgramReport report = parseReport(out); // the program's lines come first on our stdout
  const Replayed r = replayTrace(trace);
  EXPECT_TRUE(r.idsConsistent);
  EXPECT_TRUE(r.timesMonotonic);
  EXPECT_EQ(r.objects, report.leaks.size() + report.dtvs.size());
  EXPECT_EQ(r.bytes, report.liveBytes());
  EXPECT_EQ(r.threads, report.threads);
  // The summary states the same figures.
  EXPECT_NE(out.find("live at end:    " + std::to_string(r.objects) + " objects, " + std::to_string(report.liveBytes()) +
                     " B requested"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("threads:        7\n"), std::string::npos) << out;
  EXPECT_NE(out.find("exited with status 0"), std::string::npos) << out;
  EXPECT_NE(out.find("trace:          " + trace + " (" + std::to_string(r.events) + " events)"), std::string::npos) << out;
}

TEST_F(RecorderTest, CliOutputNameStatusesAndFailures) {
  std::string out, err;
  // Default name: <program>.spanscope.bin in the current directory.
  ASSERT_EQ(sh("cd " + quote(dir_.string()) + " && " + quote(kCli) + " record -- /bin/true", &out, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir_ / "true.spanscope.bin"));
  // The program's own failure is reported, the recording still succeeds.
  ASSERT_EQ(sh(quote(kCli) + " record -o " + quote(path("a.bin")) + " -- /bin/sh -c 'exit 3'", &out, &err), 0) << err;
  EXPECT_NE(out.find("exited with status 3"), std::string::npos) << out;
  // Killed: whatever was still buffered is lost, and the summary says so.
  ASSERT_EQ(sh(quote(kCli) + " record -o " + quote(path("k.bin")) + " -- /bin/sh -c 'kill -9 $$'", &out, &err), 0) << err;
  EXPECT_NE(out.find("killed by signal 9"), std::string::npos) << out;
  EXPECT_NE(out.find("without the recorder's exit flush"), std::string::npos) << out;
  // Replaced by exec (bash runs a lone command that way): the new image is not recorded.
  ASSERT_EQ(sh(quote(kCli) + " record -o " + quote(path("e.bin")) + " -- bash -c /bin/true", &out, &err), 0) << err;
  EXPECT_NE(err.find("replaced itself with another program"), std::string::npos) << err;
  EXPECT_EQ(err.find("spanscope-record:"), std::string::npos) << "the exec'd image must not try to record: " << err;
  // The program sees the environment it was given: the user's own LD_PRELOAD, none of ours.
  ASSERT_EQ(sh("LD_PRELOAD=libm.so.6 " + quote(kCli) + " record -o " + quote(path("v.bin")) +
                   " -- bash -c 'echo \"[$LD_PRELOAD] [$" SPANSCOPE_RECORD_DIR_ENV "]\"'",
               &out, &err),
            0)
      << err;
  EXPECT_EQ(out.substr(0, out.find('\n')), "[libm.so.6] []");
  // Cannot run the program: exit 2, no trace.
  EXPECT_EQ(sh(quote(kCli) + " record -o " + quote(path("n.bin")) + " -- " + quote(path("no-such-program")), &out, &err), 2);
  EXPECT_NE(err.find("cannot run " + path("no-such-program") + ": No such file or directory"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(path("n.bin")));
  // A static program ignores LD_PRELOAD: exit 2.
  std::ofstream(path("static.c")) << "int main(void) { return 0; }\n";
  if (sh("cc -static -o " + quote(path("static")) + " " + quote(path("static.c"))) == 0) {
    EXPECT_EQ(sh(quote(kCli) + " record -o " + quote(path("s.bin")) + " -- " + quote(path("static")), &out, &err), 2);
    EXPECT_NE(err.find("without loading the recorder"), std::string::npos) << err;
  }
  EXPECT_EQ(sh(quote(kCli) + " record"), 64);
  EXPECT_EQ(sh(quote(kCli) + " record -o"), 64);
  EXPECT_EQ(sh(quote(kCli) + " record --bogus -- /bin/true"), 64);
  EXPECT_EQ(sh(quote(kCli) + " record --help", &out), 0);
  EXPECT_NE(out.find("LD_PRELOAD"), std::string::npos);
}

// A program that closes or overwrites every descriptor it inherited, then opens its own output
// file (which gets the low number the recorder's log would have had): its file must hold exactly
// what it wrote, and the recording must still be whole. Each way of taking descriptors: the ones
// the recorder hooks (close, dup2) and raw system calls it cannot see (close_range, dup3).
TEST_F(RecorderTest, ProgramTakingEveryDescriptorKeepsItsFileAndTheRecording) {
  const std::string exe = path("own_output");
  std::string out, err;
  ASSERT_EQ(sh("cc -O0 -fno-builtin -o " + quote(exe) + " " + quote(kOwnOutputSource), nullptr, &err), 0) << err;
  for (const std::string mode : {"close", "range", "dup2", "rawdup2"}) {
    const std::string trace = path(mode + ".bin"), own = path(mode + ".txt");
    ASSERT_EQ(sh(quote(kCli) + " record -o " + quote(trace) + " -- " + quote(exe) + " " + quote(own) + " " + mode, &out, &err), 0)
        << mode << ": " << err;
    EXPECT_NE(out.find("intact"), std::string::npos) << mode << ": the program's own file was written into: " << out;
    EXPECT_NE(out.find("exited with status 0"), std::string::npos) << mode << ": " << out;
    EXPECT_EQ(err.find("spanscope-record:"), std::string::npos) << mode << ": " << err;
    EXPECT_EQ(err.find("exit flush"), std::string::npos) << mode << ": " << err;
    // 2,000 lines x 20 malloc/free pairs, all of them in the trace, all freed.
    const Replayed r = replayTrace(trace);
    EXPECT_GE(r.events, 80000u) << mode;
    EXPECT_LT(r.events, 81000u) << mode;
    EXPECT_TRUE(r.idsConsistent) << mode;
  }
}

// A log that cannot grow (a full $TMPDIR; here the program's file size limit, which fails the
// same write with EFBIG instead of ENOSPC): `record` fails with the real reason, not a warning
// about exec, and the trace it keeps says it is incomplete.
TEST_F(RecorderTest, FailedLogWriteFailsTheRecordingWithTheRealReason) {
  const std::string exe = path("log_limit"), trace = path("limit.bin");
  std::string out, err;
  ASSERT_EQ(sh("cc -O0 -fno-builtin -o " + quote(exe) + " " + quote(kLogLimitSource), nullptr, &err), 0) << err;
  EXPECT_EQ(sh(quote(kCli) + " record -o " + quote(trace) + " -- " + quote(exe), &out, &err), 2) << out << err;
  EXPECT_NE(out.find("exited with status 0"), std::string::npos) << out;
  EXPECT_NE(err.find(".raw: File too large: the recording is incomplete"), std::string::npos) << err;
  EXPECT_NE(err.find("spanscope-cli record: writing "), std::string::npos) << err;
  EXPECT_EQ(err.find("replaced itself"), std::string::npos) << "not an exec: " << err;
  EXPECT_NE(out.find("INCOMPLETE: the recorder could not write its log (File too large)"), std::string::npos) << out;
  ASSERT_TRUE(fs::exists(trace));
  const std::unique_ptr<traces::EventStream> s = traces::openTrace(trace);
  EXPECT_EQ(s->meta().description.rfind("INCOMPLETE (writing ", 0), 0u) << s->meta().description;
  const Replayed r = replayTrace(trace);
  EXPECT_GT(r.events, 0u);
  EXPECT_LT(r.events, 40000u) << "64 KiB of log holds about 1,365 records";
}

// heaptrack hooks what we hook except memalign and pvalloc (neither program calls them) and
// frees at exit what its own libstdc++ allocated, so the blocks live at exit must be the same.
TEST_F(RecorderTest, LsLiveSetAtExitMatchesHeaptrack) {
  expectSameLiveSetAsHeaptrack("", {"ls", "-la", "/usr"});
}

TEST_F(RecorderTest, Python3LiveSetAtExitMatchesHeaptrack) {
  // /usr/bin/python3, not a pyenv shim (a script: heaptrack would record bash). No threads: each
  // thread stack's DTV is a calloc whose size counts the process's TLS modules, and heaptrack's
  // preload brings more of them than ours (see README, "Recording a program").
  expectSameLiveSetAsHeaptrack("PYTHONHASHSEED=0", {"/usr/bin/python3", "-c", kPythonScript});
}

} // namespace
