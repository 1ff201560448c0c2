// The ltrace importer (traces/ltrace.h) on real ltrace 0.7.3 output and hand-made files.
// Expected values come from the recorded program's source (tests/data/mtrace/allocdemo.c: what it
// allocates, frees and leaks, on which thread), from grep counts of the files (in the comments),
// and from the hand-made files' own lines.
#include "traces/ltrace.h"

#include "import_test_util.h"
#include "traces/mtrace.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <unistd.h>

namespace {

using import_test::hasNote;
using import_test::importError;
using import_test::importFile;
using import_test::Imported;

const std::string kData = std::string(SPANSCOPE_TEST_DATA) + "/ltrace/";

Imported load(const std::string& file) { return importFile(kData + file, traces::openLtrace); }
std::string loadError(const std::string& file) { return importError(kData + file, traces::openLtrace); }

uint64_t usSince(uint64_t fromUs, uint64_t toUs) { return (toUs - fromUs) * 1000; }

// allocdemo.c leaks each worker's keep[3], keep[5], keep[7] (32 + 16 i + id bytes) and malloc(77);
// keep[1] goes back to main, which frees it. Addresses: the files' lines for those mallocs.
TEST(LtraceTest, AllocdemoWithPidPrefixAndOutputFile) {
  // `ltrace -f -tt -e malloc+free+calloc+realloc+posix_memalign+aligned_alloc+memalign -o`.
  // From the source: main makes 10 allocations (malloc 24, calloc, 3 reallocs, malloc 56,
  // aligned_alloc, memalign, malloc 200000, malloc 0) plus malloc(77); the workers 8 mallocs each:
  // 27. Frees: 3 by the reallocs, b c e f g h (6), 4 per worker, main's 2 free(ret), free(a): 20.
  // Orphans: posix_memalign's block (ltrace cannot show it) and the two strdup blocks (malloc'd
  // inside libc, which PLT mode does not see): 3.
  const Imported r = load("allocdemo_plt_o.txt");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.format, "ltrace");
  EXPECT_EQ(s.allocs, 27u);
  EXPECT_EQ(s.frees, 20u);
  EXPECT_EQ(s.orphanFrees, 3u);
  EXPECT_EQ(s.unknownLines, 0u);
  EXPECT_EQ(s.failedAllocs, 0u);
  EXPECT_EQ(s.threads, 3u) << "main and two pthreads";
  EXPECT_TRUE(hasNote(s, "1 posix_memalign calls succeeded")) << s.toText();
  EXPECT_TRUE(hasNote(s, "ltrace sees PLT calls only; partial coverage"));
  EXPECT_TRUE(hasNote(s, "0 = TID 21457, 1 = TID 21458, 2 = TID 21459")) << s.toText();
  EXPECT_EQ(r.live, (std::map<uint64_t, uint64_t>{{0x7f5194000c30, 80},
                                                  {0x7f5194000d00, 112},
                                                  {0x7f5194000e10, 144},
                                                  {0x7f518c000c30, 81},
                                                  {0x7f518c000d00, 113},
                                                  {0x7f518c000e10, 145},
                                                  {0x55ca1d9cf790, 77}}));
  EXPECT_EQ(s.liveBytes, 80u + 112 + 144 + 81 + 113 + 145 + 77);
}

TEST(LtraceTest, UnfinishedCallsPairPerThreadAndAllocateAtTheirReturn) {
  const Imported r = load("allocdemo_plt_o.txt");
  // Worker id 0 mallocs 32 + 16 i bytes (i = 0..7) and is TID 21458, numbered 1; worker id 1
  // (33 + 16 i) is TID 21459, numbered 2; main's 11 allocations stay on thread 0.
  std::map<uint32_t, std::multiset<uint64_t>> sizes;
  for (const sim::Event& e : r.events)
    if (e.kind == sim::EventKind::Alloc) sizes[e.thread].insert(e.size);
  EXPECT_EQ(sizes[1], (std::multiset<uint64_t>{32, 48, 64, 80, 96, 112, 128, 144}));
  EXPECT_EQ(sizes[2], (std::multiset<uint64_t>{33, 49, 65, 81, 97, 113, 129, 145}));
  EXPECT_EQ(sizes[0].size(), 11u);
  EXPECT_EQ(sizes.size(), 3u);
  // "21458 23:24:05.028113 malloc(32 <unfinished ...>" resumed at .028480 "= 0x7f5194000b70": the
  // block exists from the return; times count from the first line (.026363).
  // "21459 23:24:05.048856 free(0x7f518c000b70 <unfinished ...>" frees at the call.
  bool sawAlloc = false, sawFree = false;
  for (size_t i = 0; i < r.events.size(); ++i) {
    const sim::Event& e = r.events[i];
    if (e.kind == sim::EventKind::Alloc && r.addr[i] == 0x7f5194000b70) {
      sawAlloc = true;
      EXPECT_EQ(e.size, 32u);
      EXPECT_EQ(e.thread, 1u);
      EXPECT_EQ(e.time, usSince(26363, 28480));
    }
    if (e.kind == sim::EventKind::Free && r.addr[i] == 0x7f518c000b70) {
      sawFree = true;
      EXPECT_EQ(e.thread, 2u);
      EXPECT_EQ(e.time, usSince(26363, 48856));
    }
  }
  EXPECT_TRUE(sawAlloc && sawFree);
  EXPECT_EQ(r.events.front().time, 0u);
  for (size_t i = 1; i < r.events.size(); ++i) EXPECT_GE(r.events[i].time, r.events[i - 1].time) << i;
}

TEST(LtraceTest, AllocdemoOnStderrWithBracketPrefix) {
  // `ltrace -f -tt -e malloc+free+calloc+realloc 2>`: posix_memalign, aligned_alloc and memalign
  // are not traced, so 3 fewer allocations than above (25) and their frees are orphans too:
  // 3 + 2 strdup = 5; frees 20 - 2 = 18. The live set is the same 7 leaked blocks.
  const Imported r = load("allocdemo_plt_stderr.txt");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.allocs, 25u);
  EXPECT_EQ(s.frees, 18u);
  EXPECT_EQ(s.orphanFrees, 5u);
  EXPECT_EQ(s.threads, 3u);
  EXPECT_EQ(s.liveObjects, 7u);
  EXPECT_EQ(s.liveBytes, 752u);
  EXPECT_TRUE(r.live.count(0x55693a2be790) && r.live.at(0x55693a2be790) == 77u);
}

TEST(LtraceTest, GzipCompressedOutputReadsTheSame) {
  // allocdemo_plt_stderr.txt.gz = `gzip -9 -n` of allocdemo_plt_stderr.txt.
  const Imported plain = load("allocdemo_plt_stderr.txt");
  const Imported gz = load("allocdemo_plt_stderr.txt.gz");
  EXPECT_EQ(gz.live, plain.live);
  EXPECT_EQ(gz.events.size(), plain.events.size());
  EXPECT_EQ(gz.summary.orphanFrees, 5u);
  EXPECT_EQ(traces::openTrace(kData + "allocdemo_plt_stderr.txt.gz")->summary().format, "ltrace");
}

TEST(LtraceTest, SymbolBreakpointRunKilledBySigsegv) {
  // `ltrace -f -tt -L -x malloc@libc.so.6+...`: grep counts 10 complete allocating lines and 18
  // resumed ones (28 allocations: main's 8, pthread_create's 2 calloc(17, 16), 16 worker mallocs,
  // 2 strdup mallocs). 24 free calls: 4 free(0); 20 with a pointer, of which 6 are orphans
  // (the posix_memalign/aligned_alloc/memalign blocks, 3 addresses freed twice). 17 frees.
  // Left live (the program died): a (40 B), the two callocs (272 B), keep[1,3,5,7] of both workers.
  const Imported r = load("allocdemo_x_stderr_crash.txt");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.allocs, 28u);
  EXPECT_EQ(s.frees, 17u);
  EXPECT_EQ(s.orphanFrees, 6u);
  EXPECT_EQ(s.liveObjects, 11u);
  EXPECT_EQ(s.liveBytes, 40u + 2 * 272 + (48 + 80 + 112 + 144) + (49 + 81 + 113 + 145));
  // "unexpected breakpoint at ..." (prefixed) and "disable_breakpoint pid=..." (bare).
  EXPECT_EQ(s.unknownLines, 2u);
  EXPECT_EQ(s.threads, 3u);
  EXPECT_TRUE(hasNote(s, "4 free(NULL) calls")) << s.toText();
  EXPECT_TRUE(hasNote(s, "killed by SIGSEGV")) << s.toText();
}

TEST(LtraceTest, MisattributedLibcSlotsDoNotCorruptTheLiveSet) {
  // ls_plt_misattributed.txt, grep counts: 60 realloc lines, all bogus (24 with odd old pointers
  // and result 0, 24 with odd old pointers and result 0x3, 12 returning 0x6); 21 calloc lines:
  // 15 calloc(256, 1), 5 calloc(0, n) and calloc(94289208702208, 2048), whose size overflows
  // 2^48 yet "succeeded"; 15 free(0x...) each freeing the calloc(256, 1) just before; 35 free(0).
  const Imported r = load("ls_plt_misattributed.txt");
  const traces::ImportSummary& s = r.summary;
  EXPECT_TRUE(hasNote(s, "61 calls dropped because a pointer or size cannot be real")) << s.toText();
  EXPECT_EQ(s.allocs, 20u);
  EXPECT_EQ(s.frees, 15u);
  EXPECT_EQ(s.orphanFrees, 0u) << "a dropped realloc must not free or count its bogus pointer";
  EXPECT_EQ(s.liveObjects, 5u);
  EXPECT_EQ(s.liveBytes, 0u) << "calloc(0, n) is all that is left";
  EXPECT_TRUE(hasNote(s, "35 free(NULL) calls"));
  for (const auto& [addr, size] : r.live) EXPECT_EQ(addr % 16, 0u) << std::hex << addr;
}

TEST(LtraceTest, LsWithoutLibcSlots) {
  // ls_plt_nolibc.txt: 15 calloc(256, 1) each freed by the next line, 35 free(0), one exit line.
  const Imported r = load("ls_plt_nolibc.txt");
  EXPECT_EQ(r.summary.allocs, 15u);
  EXPECT_EQ(r.summary.frees, 15u);
  EXPECT_TRUE(r.live.empty());
  EXPECT_EQ(r.summary.unknownLines, 0u);
  EXPECT_EQ(r.summary.threads, 1u);
}

TEST(LtraceTest, TimeOfDayWrapsAtMidnightWithoutPrefix) {
  // -t (whole seconds), no -f: 23:59:58, 23:59:59, then 00:00:01 of the next day.
  const Imported r = load("t_daywrap_noprefix.txt");
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].time, 0u);
  EXPECT_EQ(r.events[1].time, 1000000000u);
  EXPECT_EQ(r.events[2].time, 3000000000u);
  EXPECT_EQ(r.events[3].time, 4000000000u);
  EXPECT_EQ(r.events[3].kind, sim::EventKind::Free);
  EXPECT_EQ(r.events[1].size, 32u) << "calloc(4, 8)";
  EXPECT_EQ(r.events[2].size, 100u) << "malloc@libc.so.6(100), the -x form";
  for (const sim::Event& e : r.events) EXPECT_EQ(e.thread, 0u);
  EXPECT_TRUE(hasNote(r.summary, "0 = no pid prefix")) << r.summary.toText();
}

TEST(LtraceTest, EpochTimesAndEveryAllocatorFunction) {
  // -f -o -ttt -i -T, one line per case (see the file): reallocarray(p, 10, 8) moves p to 80 B;
  // valloc, pvalloc, memalign(32, 48), aligned_alloc(4096, 8192) allocate; posix_memalign's block
  // is invisible; malloc(2^48 + 1), realloc(p, 10^15) and calloc(2^32, 2^32) return 0 (failed, and
  // the huge realloc leaves p alone); realloc(valloc block, 0) = 0 frees it; free(0) is a no-op;
  // strlen is not ours; malloc(-1) is not a size we can read; free(pvalloc block).
  const Imported r = load("ttt_o_forms.txt");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.allocs, 6u);
  EXPECT_EQ(s.frees, 3u);
  EXPECT_EQ(s.failedAllocs, 3u);
  EXPECT_EQ(s.unknownLines, 1u);
  EXPECT_EQ(s.orphanFrees, 0u);
  EXPECT_EQ(r.live, (std::map<uint64_t, uint64_t>{{0x55a0c5773400, 80}, {0x55a0c57734c0, 48}, {0x55a0c5777000, 8192}}));
  EXPECT_TRUE(hasNote(s, "1 calls of functions outside the malloc family"));
  EXPECT_TRUE(hasNote(s, "1 free(NULL)"));
  EXPECT_TRUE(hasNote(s, "1 posix_memalign"));
  ASSERT_GE(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].time, 0u);
  EXPECT_EQ(r.events[1].time, 200000u) << "1700000000.000300 - 1700000000.000100";
  EXPECT_EQ(r.events[1].kind, sim::EventKind::Free);
  EXPECT_EQ(r.events[2].size, 80u);
}

TEST(LtraceTest, HandMadeThreadsNestingAndFailures) {
  // threads_stderr.txt, by its lines: TID 100 mallocs 10 B (thread 0); its realloc frees the
  // block at the call and, returning 0, gives it back; TID 101 (thread 1) gets 30 B, then a calloc
  // and a nested malloc whose resumed lines come in the other order; TID 102 resumes a call it never
  // made; TID 103's malloc never returns (killed); TID 100 frees TID 101's block.
  const Imported r = load("threads_stderr.txt");
  const traces::ImportSummary& s = r.summary;
  ASSERT_EQ(r.events.size(), 7u);
  using K = sim::EventKind;
  const std::vector<std::tuple<K, uint32_t, uint64_t, uint64_t>> want = {
      {K::Alloc, 0, 0x5610000012a0, 0},      {K::Free, 0, 0x5610000012a0, 10000},
      {K::Alloc, 0, 0x5610000012a0, 30000},  {K::Alloc, 1, 0x7f0000000b70, 40000},
      {K::Alloc, 1, 0x7f0000000ba0, 80000},  {K::Alloc, 1, 0x7f0000000bc0, 90000},
      {K::Free, 0, 0x7f0000000b70, 100000},
  };
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.events[i].kind, std::get<0>(want[i])) << i;
    EXPECT_EQ(r.events[i].thread, std::get<1>(want[i])) << i;
    EXPECT_EQ(r.addr[i], std::get<2>(want[i])) << i;
    EXPECT_EQ(r.events[i].time, std::get<3>(want[i])) << i;
  }
  EXPECT_EQ(r.events[2].size, 10u) << "the failed realloc restores the old size";
  EXPECT_EQ(r.events[4].size, 16u) << "calloc(2, 8) closed by its own resumed line";
  EXPECT_EQ(r.events[5].size, 5u);
  EXPECT_EQ(s.threads, 2u) << "TID 103 never had an event";
  EXPECT_EQ(s.failedAllocs, 1u);
  EXPECT_EQ(s.unknownLines, 1u);
  EXPECT_TRUE(hasNote(s, "1 '<... resumed>' lines without an unfinished call")) << s.toText();
  EXPECT_TRUE(hasNote(s, "1 calls never returned"));
  EXPECT_TRUE(hasNote(s, "killed by SIGSEGV (line 16; 2 'killed' lines)"));
  EXPECT_EQ(r.live, (std::map<uint64_t, uint64_t>{{0x5610000012a0, 10}, {0x7f0000000ba0, 16}, {0x7f0000000bc0, 5}}));
}

TEST(LtraceTest, CutOffLastLineIsDroppedAndNoted) {
  // The first 21 lines of allocdemo_plt_o.txt, the last cut inside "= 0x7f5194000b70". Lines 1-18
  // are main's: 10 allocations, 3 realloc frees + 7 free lines (one the invisible posix_memalign
  // block). Both workers' mallocs stay unfinished.
  const Imported r = load("truncated.txt");
  EXPECT_EQ(r.summary.allocs, 10u);
  EXPECT_EQ(r.summary.frees, 9u);
  EXPECT_EQ(r.summary.orphanFrees, 1u);
  EXPECT_EQ(r.live, (std::map<uint64_t, uint64_t>{{0x55ca1d9cf370, 40}}));
  EXPECT_EQ(r.summary.unknownLines, 1u);
  EXPECT_TRUE(hasNote(r.summary, "line 21 has no newline")) << r.summary.toText();
  EXPECT_TRUE(hasNote(r.summary, "2 calls never returned"));
}

TEST(LtraceTest, ImpossibleValuesNameFileAndLine) {
  EXPECT_NE(loadError("huge_number.txt").find(": line 2: number 123456789012345678901234567890 does not fit in 64 bits"),
            std::string::npos);
  EXPECT_NE(loadError("hex_overflow.txt").find(": line 2: number 0x1234567890abcdef012 does not fit"), std::string::npos);
  EXPECT_NE(loadError("bad_tid.txt").find(": line 2: thread id 99999999 is not a Linux TID"), std::string::npos);
  EXPECT_NE(loadError("bad_time.txt").find(": line 2: time of day 25:61:00 is impossible"), std::string::npos);
  EXPECT_NE(loadError("garbage.txt").find(": line 3: no line of the file looks like ltrace output"), std::string::npos);
}

class LtraceTempTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("spanscope_ltrace_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(LtraceTempTest, EndlessUnfinishedCallsAreRefused) {
  // Real output has a few open calls per thread; 70000 that never resume is not ltrace output,
  // and keeping them all would let a bad file grow our memory without bound.
  std::string text;
  for (int i = 0; i < 70000; ++i) text += "[pid " + std::to_string(1 + i % 4000) + "] malloc(8 <unfinished ...>\n";
  import_test::writeFile(path("open.txt"), text);
  const std::string err = importError(path("open.txt"), traces::openLtrace);
  EXPECT_NE(err.find(": line 65537: more than 65536 calls are waiting"), std::string::npos) << err;
}

TEST_F(LtraceTempTest, ThreadsThatExitAreForgottenAndIdsReused) {
  // 5000 short-lived threads, each mallocs and frees one block and exits: ids stay at 0, and a
  // TID used again after its thread exited counts as a new thread.
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    const std::string p = "[pid " + std::to_string(200 + i % 50) + "] ";
    const std::string a = "0x56100000" + std::to_string(1000 + i) + "0";
    text += p + "malloc(24) = " + a + "\n" + p + "free(" + a + ") = <void>\n" + p + "+++ exited (status 0) +++\n";
  }
  import_test::writeFile(path("churn.txt"), text);
  const Imported r = importFile(path("churn.txt"), traces::openLtrace);
  EXPECT_EQ(r.events.size(), 10000u);
  for (const sim::Event& e : r.events) EXPECT_EQ(e.id, 0u);
  EXPECT_EQ(r.summary.threads, 5000u);
}

TEST(LtraceTest, SniffedByContentOnly) {
  EXPECT_EQ(traces::openTrace(kData + "allocdemo_plt_stderr.txt")->summary().format, "ltrace");
  EXPECT_EQ(traces::openTrace(kData + "ttt_o_forms.txt")->summary().format, "ltrace");
  EXPECT_TRUE(traces::sniffLtrace(import_test::slurp(kData + "allocdemo_x_stderr_crash.txt").substr(0, 4096)));
  EXPECT_FALSE(traces::sniffLtrace(import_test::slurp(kData + "garbage.txt")));
  // Not ours: an mtrace log, Go's allocfreetrace, heaptrack, strace (same shape, no malloc).
  EXPECT_FALSE(traces::sniffLtrace(import_test::slurp(std::string(SPANSCOPE_TEST_DATA) + "/mtrace/edge.mtrace")));
  EXPECT_FALSE(traces::sniffLtrace("tracealloc(0xc000014008, 0x8, *runtime.p)\ngoroutine 0 [idle]:\n"
                                   "runtime.mallocgc(0x8, 0x4a8320, 0x1)\n"));
  EXPECT_FALSE(traces::sniffLtrace("v 10400 3\nX /opt/spanscope-samples/bin/allocdemo\nI 1000 5e580f\n"));
  EXPECT_FALSE(traces::sniffLtrace("[pid 5] brk(NULL) = 0x5581ab2c4000\n[pid 5] mmap(NULL, 8192) = 0x7f0000000000\n"));
  EXPECT_FALSE(traces::sniffMtrace(import_test::slurp(kData + "allocdemo_plt_o.txt")));
  try {
    traces::openTrace(kData + "garbage.txt");
    ADD_FAILURE() << "garbage opened";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(kData + "garbage.txt: ", 0), 0u) << e.what();
  }
}

} // namespace
