// The glibc mtrace importer (traces/mtrace.h) on real logs and hand-made broken ones.
// Expected values come from glibc's own `mtrace` perl script (its "Memory not freed" report, saved
// beside each log: tests/data/mtrace/README.md), from the recorded programs' sources (allocdemo.c,
// edge.c) and from grep counts of the logs, given in the comments.
#include "traces/mtrace.h"

#include "import_test_util.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using import_test::hasNote;
using import_test::importError;
using import_test::importFile;
using import_test::Imported;

const std::string kData = std::string(SPANSCOPE_TEST_DATA) + "/mtrace/";

Imported load(const std::string& file) { return importFile(kData + file, traces::openMtrace); }
std::string loadError(const std::string& file) { return importError(kData + file, traces::openMtrace); }

// The "Memory not freed" table of the perl script: "0x0000560188a40730    0x120  at ...".
std::map<uint64_t, uint64_t> perlReport(const std::string& file) {
  std::map<uint64_t, uint64_t> blocks;
  std::istringstream in(import_test::slurp(kData + file));
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long addr, size;
    if (line.rfind("0x", 0) == 0 && std::sscanf(line.c_str(), "%llx %llx", &addr, &size) == 2) blocks[addr] = size;
  }
  return blocks;
}

uint64_t sum(const std::map<uint64_t, uint64_t>& blocks) {
  uint64_t s = 0;
  for (const auto& [a, size] : blocks) s += size;
  return s;
}

const traces::ImportSummary::Comparison* comparison(const traces::ImportSummary& s, const std::string& part) {
  for (const auto& c : s.comparisons)
    if (c.what.find(part) != std::string::npos) return &c;
  return nullptr;
}

TEST(MtraceTest, AllocdemoLiveSetIsThePerlReport) {
  const Imported r = load("allocdemo.mtrace");
  const std::map<uint64_t, uint64_t> report = perlReport("allocdemo.mtrace-report.txt");
  ASSERT_EQ(report.size(), 9u);
  EXPECT_EQ(r.live, report) << "addresses and sizes left live must be the perl script's list";
  EXPECT_EQ(r.summary.liveObjects, report.size());
  EXPECT_EQ(r.summary.liveBytes, sum(report));
  const auto* blocks = comparison(r.summary, "blocks");
  const auto* bytes = comparison(r.summary, "bytes");
  ASSERT_TRUE(blocks && bytes);
  EXPECT_TRUE(blocks->match && bytes->match);
  EXPECT_EQ(bytes->theirs, std::to_string(sum(report)));
  EXPECT_EQ(blocks->theirs, "9");
}

TEST(MtraceTest, AllocdemoCountsMatchTheLog) {
  // grep counts: 29 '+' lines, 20 '-' lines, 3 '<'/'>' pairs, 57 lines in all (= Start, = End).
  // The perl script printed no "was never alloc'd" or "duplicate" line: no orphans, no doubles.
  const Imported r = load("allocdemo.mtrace");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.format, "glibc mtrace");
  EXPECT_EQ(s.allocs, 29u + 3u);
  EXPECT_EQ(s.frees, 20u + 3u);
  EXPECT_EQ(s.events, s.allocs + s.frees);
  EXPECT_EQ(r.events.size(), s.events);
  EXPECT_EQ(s.orphanFrees, 0u);
  EXPECT_EQ(s.unknownLines, 0u);
  EXPECT_EQ(s.failedAllocs, 0u);
  EXPECT_EQ(s.threads, 1u);
  for (const sim::Event& e : r.events) {
    EXPECT_EQ(e.thread, 0u) << "mtrace has no thread ids";
    EXPECT_EQ(e.time, sim::kNoTime) << "mtrace has no time stamps";
    EXPECT_TRUE(e.noscan);
  }
  EXPECT_TRUE(hasNote(s, "realloc")) << s.toText();
}

TEST(MtraceTest, AllocdemoFollowsTheSource) {
  const Imported r = load("allocdemo.mtrace");
  const auto& e = r.events;
  ASSERT_GE(e.size(), 8u);
  // allocdemo.c: malloc(24), calloc(10, 16), then a = realloc(a, 100): the log's first '<'/'>'
  // pair becomes "free 24-byte block, alloc 100 bytes at the new address".
  EXPECT_EQ(e[0].kind, sim::EventKind::Alloc);
  EXPECT_EQ(e[0].size, 24u);
  EXPECT_EQ(e[1].size, 160u);
  EXPECT_EQ(e[2].kind, sim::EventKind::Free);
  EXPECT_EQ(r.addr[2], 0x560188a402a0u);
  EXPECT_EQ(e[3].kind, sim::EventKind::Alloc);
  EXPECT_EQ(e[3].size, 100u);
  EXPECT_EQ(r.addr[3], 0x560188a40550u);
  // realloc(a, 4000) in place: free + alloc at the same address.
  EXPECT_EQ(e[4].kind, sim::EventKind::Free);
  EXPECT_EQ(e[5].kind, sim::EventKind::Alloc);
  EXPECT_EQ(r.addr[4], r.addr[5]);
  EXPECT_EQ(e[5].size, 4000u);
  // malloc(0) is logged as "+ 0x560188a402a0 0" (zero without 0x).
  bool zero = false;
  for (size_t i = 0; i < e.size(); ++i) zero |= e[i].kind == sim::EventKind::Alloc && e[i].size == 0 && r.addr[i] == 0x560188a402a0u;
  EXPECT_TRUE(zero);
  // Leaked on purpose by the source: each worker's keep[3], keep[5], keep[7] (32 + 16 i + id bytes,
  // id 0 and 1) and malloc(77). The two 0x120 blocks are ld.so's (the report says dl-tls.c).
  std::multiset<uint64_t> sizes;
  for (const auto& [a, size] : r.live) sizes.insert(size);
  EXPECT_EQ(sizes, (std::multiset<uint64_t>{80, 112, 144, 81, 113, 145, 77, 0x120, 0x120}));
}

TEST(MtraceTest, LsLiveSetIsThePerlReport) {
  // ls.mtrace has no "= End" (mtrace() came from a preloaded helper, nothing calls muntrace()).
  // grep counts: 320 '+', 299 '-', one '<'/'>' pair; the perl script reported no orphans.
  const Imported r = load("ls.mtrace");
  const std::map<uint64_t, uint64_t> report = perlReport("ls.mtrace-report.txt");
  ASSERT_EQ(report.size(), 21u);
  EXPECT_EQ(r.live, report);
  EXPECT_EQ(r.summary.allocs, 321u);
  EXPECT_EQ(r.summary.frees, 300u);
  EXPECT_EQ(r.summary.orphanFrees, 0u);
  EXPECT_TRUE(hasNote(r.summary, "no '= End'"));
  EXPECT_TRUE(comparison(r.summary, "bytes")->match);
}

TEST(MtraceTest, EdgeCasesFromEdgeC) {
  // edge.c: malloc(40); realloc(p, 0) (glibc frees p, logged as '-'); reallocarray(NULL, 10, 8);
  // reallocarray(r, 20, 8) (a '<'/'>' pair); valloc(100); pvalloc(100) (logged as 0x1001, a glibc
  // bug); malloc(1 << 62) fails ("+ (nil) 0x4000000000000000"); then r, v and pv are freed.
  const Imported r = load("edge.mtrace");
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.allocs, 5u);
  EXPECT_EQ(s.frees, 5u);
  EXPECT_EQ(s.failedAllocs, 1u);
  EXPECT_EQ(s.orphanFrees, 0u);
  EXPECT_TRUE(r.live.empty()) << "the perl script says: " << import_test::slurp(kData + "edge.mtrace-report.txt");
  EXPECT_TRUE(perlReport("edge.mtrace-report.txt").empty());
  // Peak by hand: 40, 0, 80, realloc → 160, +100 → 260, +4097 → 4357.
  EXPECT_EQ(s.peakLiveBytes, 4357u);
  std::vector<uint64_t> allocSizes;
  for (const sim::Event& e : r.events)
    if (e.kind == sim::EventKind::Alloc) allocSizes.push_back(e.size);
  EXPECT_EQ(allocSizes, (std::vector<uint64_t>{40, 80, 160, 100, 0x1001}));
}

TEST(MtraceTest, OlderGlibcFormsAndWhereThePerlScriptDiffers) {
  // Hand-made: old-glibc callers "(sym+0x1a)[0x7f..]" and "@ [0x7f..]", records without "@",
  // a line of program output, a second '+' at a live address, a free and a realloc of unknown
  // pointers, a '!' and a "(nil)". Its perl report (oldglibc_mixed.mtrace-report.txt) lists
  // 1 duplicate and 2 "was never alloc'd" warnings and keeps the FIRST block at the doubled
  // address (0x18 bytes); we end that one and keep the second (0x20 bytes).
  const Imported r = load("oldglibc_mixed.mtrace");
  std::map<uint64_t, uint64_t> report = perlReport("oldglibc_mixed.mtrace-report.txt");
  ASSERT_EQ(report.size(), 4u);
  ASSERT_EQ(report[0x55e01d9432a0], 0x18u);
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.orphanFrees, 2u);
  EXPECT_EQ(s.failedAllocs, 2u);  // '!' and "+ (nil)"
  EXPECT_EQ(s.unknownLines, 1u);  // the program's line
  EXPECT_TRUE(hasNote(s, "1 allocations at an address that was still live")) << s.toText();
  const auto* bytes = comparison(s, "bytes");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->theirs, std::to_string(sum(report)));
  EXPECT_EQ(bytes->ours, std::to_string(sum(report) - 0x18 + 0x20));
  EXPECT_FALSE(bytes->match);
  report[0x55e01d9432a0] = 0x20;
  EXPECT_EQ(r.live, report);
}

TEST(MtraceTest, CallerPathsWithSpaces) {
  // The op is found from the end of the line: "/opt/my prog/bin/a b:[0x1361] + ..." still parses.
  const Imported r = load("path_spaces.mtrace");
  EXPECT_EQ(r.live, (std::map<uint64_t, uint64_t>{{0x55e01d943700, 0x30}}));
  EXPECT_EQ(r.summary.unknownLines, 0u);
}

TEST(MtraceTest, CutOffLastLineIsDroppedAndNoted) {
  // The first 10 lines of allocdemo.mtrace, the last one cut inside its size ("0x3" of "0x38").
  // Lines 2-9: 2 '+' and 3 '<'/'>' pairs.
  const Imported r = load("truncated.mtrace");
  EXPECT_EQ(r.summary.allocs, 5u);
  EXPECT_EQ(r.summary.frees, 3u);
  EXPECT_FALSE(r.live.count(0x560188a40580)) << "a cut line may have lost digits";
  EXPECT_EQ(r.summary.unknownLines, 1u);
  EXPECT_TRUE(hasNote(r.summary, "line 10 has no newline")) << r.summary.toText();
}

TEST(MtraceTest, CutOffLastLineIsFoundInsideZstdToo) {
  // truncated.mtrace.zst = `zstd -19` of truncated.mtrace: the cut is judged on decompressed bytes.
  const Imported r = load("truncated.mtrace.zst");
  EXPECT_EQ(r.summary.allocs, 5u);
  EXPECT_EQ(r.summary.unknownLines, 1u);
  EXPECT_TRUE(hasNote(r.summary, "line 10 has no newline")) << r.summary.toText();
}

TEST(MtraceTest, LogEndingInsideAReallocKeepsTheOldBlock) {
  // allocdemo.mtrace up to the second '<' (line 6): realloc(a, 100) made 0x560188a40550 (100 B).
  const Imported r = load("cut_in_realloc.mtrace");
  EXPECT_EQ(r.live.at(0x560188a40550), 100u);
  EXPECT_TRUE(hasNote(r.summary, "ends inside a realloc ('<' on line 6")) << r.summary.toText();
}

TEST(MtraceTest, BrokenLogsNameFileAndLine) {
  EXPECT_NE(loadError("no_start.mtrace").find(": line 1: not a glibc mtrace log"), std::string::npos);
  EXPECT_NE(loadError("bad_pointer.mtrace").find(": line 3: bad pointer '0x55e0zz9434a0'"), std::string::npos);
  EXPECT_NE(loadError("hex_overflow.mtrace").find(": line 3: pointer 0x1234567890abcdef012 does not fit in 64 bits"),
            std::string::npos);
  EXPECT_NE(loadError("huge_size.mtrace").find(": line 3: size 281474976710657 is larger than 2^48"), std::string::npos);
  EXPECT_NE(loadError("decimal_size.mtrace").find(": line 2: bad size '24'"), std::string::npos);
  EXPECT_NE(loadError("lone_gt.mtrace").find(": line 3: '>' without the '<'"), std::string::npos);
  EXPECT_NE(loadError("lt_without_gt.mtrace").find(": line 4: '<' on line 3 is not followed by its '>'"), std::string::npos);
  EXPECT_NE(loadError("after_end.mtrace").find(": line 4: a record after '= End'"), std::string::npos);
  EXPECT_NE(loadError("bad_caller.mtrace").find(": line 3: not an mtrace record"), std::string::npos);
}

class MtraceTempTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("spanscope_mtrace_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(MtraceTempTest, IdsFollowTheLiveSetNotTheLogLength) {
  // 20000 malloc/free pairs at ever new addresses, one block live at a time: dense ids are reused,
  // so the engine's tables stay one object long.
  std::string log = "= Start\n";
  char line[96];
  for (unsigned i = 0; i < 20000; ++i) {
    const unsigned long long a = 0x560000000000ULL + 16ULL * i;
    std::snprintf(line, sizeof line, "@ ./p:[0x11] + 0x%llx 0x20\n@ ./p:[0x12] - 0x%llx\n", a, a);
    log += line;
  }
  log += "= End\n";
  import_test::writeFile(path("churn.mtrace"), log);
  auto s = traces::openMtrace(std::make_unique<traces::ByteSource>(path("churn.mtrace")));
  std::vector<sim::Event> batch(1000);
  uint64_t events = 0, maxId = 0;
  while (size_t n = s->read(batch.data(), batch.size())) {
    for (size_t i = 0; i < n; ++i) maxId = std::max(maxId, batch[i].id);
    events += n;
  }
  EXPECT_EQ(events, 40000u);
  EXPECT_EQ(maxId, 0u);
  EXPECT_EQ(s->summary().peakLiveBytes, 32u);
}

TEST_F(MtraceTempTest, BatchSizeDoesNotChangeTheEvents) {
  const Imported one = load("allocdemo.mtrace");
  auto s = traces::openMtrace(std::make_unique<traces::ByteSource>(kData + "allocdemo.mtrace"));
  const traces::Trace t = traces::readAll(*s);
  ASSERT_EQ(t.events.size(), one.events.size());
  for (size_t i = 0; i < t.events.size(); ++i) {
    EXPECT_EQ(t.events[i].kind, one.events[i].kind) << i;
    EXPECT_EQ(t.events[i].id, one.events[i].id) << i;
    EXPECT_EQ(t.events[i].size, one.events[i].size) << i;
  }
}

TEST_F(MtraceTempTest, EndlessLineIsRefused) {
  import_test::writeFile(path("long.mtrace"), "= Start\n" + std::string(3 << 20, 'x'));
  const std::string err = importError(path("long.mtrace"), traces::openMtrace);
  EXPECT_NE(err.find(": line 2: line longer than"), std::string::npos) << err;
}

TEST(MtraceTest, SniffedByContentThroughOpenTrace) {
  auto s = traces::openTrace(kData + "edge.mtrace");
  EXPECT_EQ(s->summary().format, "glibc mtrace");
  EXPECT_TRUE(traces::sniffMtrace("= Start\n@ ./p:[0x1] + 0x10 0x8\n"));
  EXPECT_FALSE(traces::sniffMtrace("= Started\n"));
  EXPECT_FALSE(traces::sniffMtrace("@ ./p:[0x1] + 0x10 0x8\n")) << "the header line is required";
  // Garbage is no format at all: openTrace names the file.
  try {
    traces::openTrace(kData + "garbage.bin");
    ADD_FAILURE() << "garbage opened";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(kData + "garbage.bin: ", 0), 0u) << e.what();
  }
}

} // namespace
