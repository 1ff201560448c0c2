// heaptrack importer: real recordings (tests/data/heaptrack, copied from the shared samples) checked
// against hand counts and heaptrack_print's own figures, the allocdemo/edge programs' known
// behaviour, the LIFO policy, and hand-made broken files. traces/heaptrack.h, heaptrack_print.h.
#include "traces/heaptrack.h"
#include "traces/heaptrack_print.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;
using sim::EventKind;

const std::string kDir = std::string(SPANSCOPE_TEST_DATA) + "/heaptrack/";

struct Imported {
  std::vector<sim::Event> events;
  traces::ImportSummary summary;
  traces::TraceMeta meta;
};

// Opens by content (openTrace, or the heaptrack importer itself when `direct`) and reads every
// event in batches of `batch`.
Imported import(const std::string& path, size_t batch = 4096, bool direct = false) {
  Imported r;
  std::unique_ptr<traces::EventStream> s = direct ? traces::openHeaptrack(std::make_unique<traces::ByteSource>(path))
                                                  : traces::openTrace(path);
  r.meta = s->meta();
  std::vector<sim::Event> buf(batch);
  while (size_t n = s->read(buf.data(), buf.size())) r.events.insert(r.events.end(), buf.begin(), buf.begin() + n);
  EXPECT_EQ(s->read(buf.data(), buf.size()), 0u) << "the end stays the end";
  r.summary = s->summary();
  return r;
}

// The error an import of `path` must fail with: one line, starting with the path.
std::string importError(const std::string& path, bool direct = false) {
  try {
    import(path, 4096, direct);
  } catch (const traces::TraceError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "error must start with the path: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "error must be one line: " << msg;
    return msg;
  }
  ADD_FAILURE() << path << " imported although it is broken";
  return {};
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch directory for hand-made files, removed afterwards.
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "heaptrack_test_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    dir_ = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string path = (fs::path(dir_) / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string copy(const std::string& fixture, const std::string& name) const {
    return write(name, readFile(kDir + fixture));
  }

 private:
  std::string dir_;
};

// Sizes of freed objects, per event: what the trace says died, independent of which id it used.
std::vector<std::pair<EventKind, uint64_t>> kindsAndSizes(const std::vector<sim::Event>& events) {
  std::vector<std::pair<EventKind, uint64_t>> out;
  std::vector<uint64_t> sizeOf;
  for (const sim::Event& e : events) {
    if (e.kind == EventKind::Alloc) {
      if (e.id >= sizeOf.size()) sizeOf.resize(e.id + 1);
      sizeOf[e.id] = e.size;
      out.push_back({e.kind, e.size});
    } else {
      out.push_back({e.kind, e.id < sizeOf.size() ? sizeOf[e.id] : ~uint64_t{0}});
    }
  }
  return out;
}

TEST(HeaptrackTest, SniffsHeaptrackContentOnly) {
  for (const char* f : {"ls.zst", "allocdemo.zst", "allocdemo.gz", "allocdemo.txt", "allocdemo.raw.zst", "edge.raw.txt",
                        "python3.zst", "python3.raw.zst"}) {
    traces::ByteSource src(kDir + f);
    EXPECT_TRUE(traces::sniffHeaptrack(src.head())) << f;
  }
  EXPECT_TRUE(traces::sniffHeaptrack("v 10400 3\nX /bin/ls\n"));
  EXPECT_TRUE(traces::sniffHeaptrack("v 10200\n")) << "format 1 files have no second field";
  EXPECT_FALSE(traces::sniffHeaptrack("{\"format\": \"spanscope-trace\"}"));
  EXPECT_FALSE(traces::sniffHeaptrack("= Start\n@ ./a.out:[0x401136] + 0x4052a0 0x18\n")) << "glibc mtrace";
  EXPECT_FALSE(traces::sniffHeaptrack("v zz 3\n"));
  EXPECT_FALSE(traces::sniffHeaptrack("v 10400 3\nhello world\n")) << "second line is no heaptrack record";
  EXPECT_FALSE(traces::sniffHeaptrack("version 3\n"));
}

TEST(HeaptrackTest, FoundByContentNotByName) {
  Scratch tmp;
  const std::string path = tmp.copy("allocdemo.zst", "looks_like.json");
  EXPECT_EQ(import(path).summary.format, "heaptrack (interpreted)");
}

// Expected counts come from the files themselves: allocs = `zstd -dc F | grep -c '^+'`,
// frees = `grep -c '^-'` minus the orphans. Orphans: interpreted files have none
// (heaptrack_interpret drops frees it cannot match); raw allocdemo frees memalign's block and
// edge frees pvalloc's, both unhooked by heaptrack (allocdemo.c, edge.c); python3.raw has 2
// (reference §1.4, and the 8317 - 8315 `-` lines of its raw vs interpreted versions).
struct Counts {
  const char* file;
  const char* format;
  uint64_t plusLines, minusLines, orphans;
};

void PrintTo(const Counts& c, std::ostream* os) { *os << c.file; }

class HeaptrackCounts : public testing::TestWithParam<Counts> {};

TEST_P(HeaptrackCounts, MatchHandCounts) {
  const Counts& c = GetParam();
  const Imported r = import(kDir + c.file);
  const traces::ImportSummary& s = r.summary;
  EXPECT_EQ(s.format, c.format);
  EXPECT_EQ(s.allocs, c.plusLines);
  EXPECT_EQ(s.frees, c.minusLines - c.orphans);
  EXPECT_EQ(s.orphanFrees, c.orphans);
  EXPECT_EQ(s.events, c.plusLines + c.minusLines - c.orphans);
  EXPECT_EQ(r.events.size(), s.events);
  EXPECT_EQ(s.threads, 1u) << "heaptrack has no thread ids: everything on thread 0";
  EXPECT_EQ(s.unknownLines, 0u);
  EXPECT_EQ(s.liveObjects, s.allocs - s.frees);
  for (const sim::Event& e : r.events) {
    EXPECT_EQ(e.thread, 0u);
    EXPECT_TRUE(e.noscan);
  }
  for (const auto& cmp : s.comparisons) EXPECT_TRUE(cmp.match) << c.file << ": " << cmp.what;
}

INSTANTIATE_TEST_SUITE_P(
    Samples, HeaptrackCounts,
    testing::Values(Counts{"ls.zst", "heaptrack (interpreted)", 325, 130, 0},
                    Counts{"ls.txt", "heaptrack (interpreted)", 325, 130, 0},
                    Counts{"allocdemo.zst", "heaptrack (interpreted)", 33, 23, 0},
                    Counts{"allocdemo.txt", "heaptrack (interpreted)", 33, 23, 0},
                    Counts{"allocdemo.gz", "heaptrack (interpreted)", 33, 23, 0},
                    Counts{"allocdemo.raw.zst", "heaptrack (raw)", 33, 24, 1},
                    Counts{"allocdemo.raw.txt", "heaptrack (raw)", 33, 24, 1},
                    Counts{"allocdemo.raw.interpreted.zst", "heaptrack (interpreted)", 33, 23, 0},
                    Counts{"edge.raw.zst", "heaptrack (raw)", 5, 5, 1},
                    Counts{"edge.raw.txt", "heaptrack (raw)", 5, 5, 1},
                    Counts{"edge.raw.interpreted.zst", "heaptrack (interpreted)", 5, 4, 0},
                    Counts{"python3.zst", "heaptrack (interpreted)", 8351, 8315, 0},
                    Counts{"python3.raw.zst", "heaptrack (raw)", 8351, 8317, 2},
                    Counts{"python3.raw.interpreted.zst", "heaptrack (interpreted)", 8351, 8315, 0}),
    [](const testing::TestParamInfo<Counts>& i) {
      std::string n = i.param.file;
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

// heaptrack_print's own figures, captured once by tests/data/heaptrack/capture_heaptrack_print.sh
// (a raw file is compared with the figures of its heaptrack_interpret conversion).
struct ProducerCase {
  const char* file;
  const char* figures; // basename of <figures>.print.txt, .leaked.txt, .histogram.txt
};

void PrintTo(const ProducerCase& c, std::ostream* os) { *os << c.file; }

class HeaptrackVersusHeaptrackPrint : public testing::TestWithParam<ProducerCase> {};

TEST_P(HeaptrackVersusHeaptrackPrint, AgreesWithItsFigures) {
  const ProducerCase& c = GetParam();
  Imported r = import(kDir + c.file);
  const std::string base = kDir + c.figures;

  // The summary lines, compared as heaptrack rounds them (K = 1000 B, 2 decimals).
  const auto figures = traces::parseHeaptrackPrintOutput(readFile(base + ".print.txt"));
  ASSERT_TRUE(figures);
  const size_t before = r.summary.comparisons.size();
  traces::addHeaptrackPrintComparisons(*figures, r.summary);
  ASSERT_EQ(r.summary.comparisons.size(), before + 3);
  for (size_t i = before; i < r.summary.comparisons.size(); ++i) {
    const auto& cmp = r.summary.comparisons[i];
    EXPECT_TRUE(cmp.match) << cmp.what << ": heaptrack_print " << cmp.theirs << ", we " << cmp.ours;
  }

  // Exactly: leaked bytes per call stack with suppressions off sum to everything still live.
  std::istringstream leaked(readFile(base + ".leaked.txt"));
  int64_t total = 0, v = 0;
  while (leaked >> v) total += v;
  EXPECT_EQ(r.summary.liveBytes, static_cast<uint64_t>(total));

  // The allocation-size histogram (heaptrack_print -H: "<size>\t<calls>").
  std::map<uint64_t, uint64_t> theirs, ours;
  std::istringstream hist(readFile(base + ".histogram.txt"));
  uint64_t size = 0, calls = 0;
  while (hist >> size >> calls) theirs[size] = calls;
  for (const sim::Event& e : r.events)
    if (e.kind == EventKind::Alloc) ++ours[e.size];
  EXPECT_FALSE(theirs.empty());
  EXPECT_EQ(ours, theirs);
}

INSTANTIATE_TEST_SUITE_P(Samples, HeaptrackVersusHeaptrackPrint,
                         testing::Values(ProducerCase{"ls.zst", "ls"}, ProducerCase{"allocdemo.zst", "allocdemo"},
                                         ProducerCase{"python3.zst", "python3"},
                                         ProducerCase{"allocdemo.raw.zst", "allocdemo.raw.interpreted"},
                                         ProducerCase{"edge.raw.zst", "edge.raw.interpreted"},
                                         ProducerCase{"python3.raw.zst", "python3.raw.interpreted"}),
                         [](const testing::TestParamInfo<ProducerCase>& i) {
                           std::string n = i.param.file;
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// The same comparison with heaptrack_print run now (the installed one), as the CLI would.
TEST(HeaptrackTest, RunsHeaptrackPrintWhenInstalled) {
  Scratch tmp;
  const std::string path = tmp.copy("python3.zst", "python3.zst");
  traces::ImportSummary s = import(path).summary;
  std::string why;
  if (!traces::compareWithHeaptrackPrint(path, s, &why)) {
    if (why.find("not on PATH") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  int fromPrint = 0;
  for (const auto& cmp : s.comparisons) {
    EXPECT_TRUE(cmp.match) << cmp.what << ": " << cmp.theirs << " vs " << cmp.ours;
    fromPrint += cmp.what.rfind("heaptrack_print", 0) == 0;
  }
  EXPECT_EQ(fromPrint, 3);

  // heaptrack_print picks its decompressor by name and cannot read raw files: we say so.
  const std::string misnamed = tmp.copy("allocdemo.zst", "allocdemo.txt");
  traces::ImportSummary m = import(misnamed).summary;
  EXPECT_FALSE(traces::compareWithHeaptrackPrint(misnamed, m, &why));
  EXPECT_NE(why.find("file name"), std::string::npos) << why;
  traces::ImportSummary raw = import(kDir + "allocdemo.raw.zst").summary;
  EXPECT_FALSE(traces::compareWithHeaptrackPrint(kDir + "allocdemo.raw.zst", raw, &why));
  EXPECT_NE(why.find("interpreted"), std::string::npos) << why;
}

TEST(HeaptrackTest, FormatsBytesAsHeaptrackPrint) {
  // heaptrack_print.cpp formatBytes: divide by 1000 while > 1000, 2 decimals, unit letter.
  EXPECT_EQ(traces::formatHeaptrackBytes(40), "40B");
  EXPECT_EQ(traces::formatHeaptrackBytes(1000), "1000B");
  EXPECT_EQ(traces::formatHeaptrackBytes(5488), "5.49K");
  EXPECT_EQ(traces::formatHeaptrackBytes(4809349), "4.81M");
  EXPECT_EQ(traces::formatHeaptrackBytes(73004), "73.00K");
}

// src/allocdemo.c, line by line, against its raw recording (addresses make the identity exact).
TEST(HeaptrackTest, RawAllocdemoFollowsTheProgram) {
  const Imported r = import(kDir + "allocdemo.raw.zst");
  const std::vector<sim::Event>& ev = r.events;
  ASSERT_GE(ev.size(), 22u);
  auto alloc = [&](size_t i, uint64_t size) {
    EXPECT_EQ(ev[i].kind, EventKind::Alloc) << "event " << i;
    EXPECT_EQ(ev[i].size, size) << "event " << i;
  };
  auto freeOf = [&](size_t i, size_t allocEvent) {
    EXPECT_EQ(ev[i].kind, EventKind::Free) << "event " << i;
    EXPECT_EQ(ev[i].id, ev[allocEvent].id) << "event " << i << " frees the object of event " << allocEvent;
  };
  alloc(0, 0x11c00); // libstdc++'s emergency pool, before main (reference §1.5)
  alloc(1, 24);      // a = malloc(24)
  alloc(2, 160);     // b = calloc(10, 16)
  freeOf(3, 1);      // a = realloc(a, 100): free old, then the new block
  alloc(4, 100);
  freeOf(5, 4); // realloc(a, 4000)
  alloc(6, 4000);
  freeOf(7, 6); // realloc(a, 40): shrinks in place, still a free + alloc
  alloc(8, 40);
  alloc(9, 56);      // c = realloc(NULL, 56)
  alloc(10, 100);    // posix_memalign(&d, 64, 100)
  alloc(11, 8192);   // aligned_alloc(4096, 8192); memalign(32, 48) is not hooked
  alloc(12, 200000); // g
  alloc(13, 0);      // h = malloc(0); free(NULL) is not recorded
  freeOf(14, 2);     // free(b)
  freeOf(15, 9);     // free(c)
  freeOf(16, 10);    // free(d)
  freeOf(17, 11);    // free(e); free(f) is an orphan (memalign's block)
  freeOf(18, 12);    // free(g)
  freeOf(19, 13);    // free(h)
  EXPECT_EQ(r.summary.orphanFrees, 1u);

  // Still live at the end: two pthread TLS blocks (calloc 320, never freed by glibc), keep[3],
  // keep[5], keep[7] of each worker (32 + 16 i + id: 80 112 144 and 81 113 145), the leaked
  // malloc(77) and stdout's 4096-byte buffer = 640 + 675 + 77 + 4096 = 5488 B in 10 objects.
  std::map<uint64_t, uint64_t> live; // id -> size
  for (const sim::Event& e : ev) {
    if (e.kind == EventKind::Alloc) live[e.id] = e.size;
    else live.erase(e.id);
  }
  std::multiset<uint64_t> sizes;
  for (const auto& [id, size] : live) sizes.insert(size);
  EXPECT_EQ(sizes, (std::multiset<uint64_t>{320, 320, 80, 112, 144, 81, 113, 145, 77, 4096}));
  EXPECT_EQ(r.summary.liveObjects, 10u);
  EXPECT_EQ(r.summary.liveBytes, 5488u);
  EXPECT_EQ(ev.back().kind, EventKind::Free) << "heaptrack frees the pool at exit";
  EXPECT_EQ(ev.back().id, ev[0].id);

  // Times: 0 before the first `c`; `c a` (10 ms) precedes the worker's malloc(112), `c 28`
  // (40 ms) precedes malloc(77).
  EXPECT_EQ(ev[0].time, 0u);
  for (const sim::Event& e : ev) {
    if (e.kind != EventKind::Alloc) continue;
    if (e.size == 112) {
      EXPECT_EQ(e.time, 10'000'000u);
    } else if (e.size == 77) {
      EXPECT_EQ(e.time, 40'000'000u);
    }
  }
  EXPECT_EQ(r.meta.name, "allocdemo");
  EXPECT_NE(r.meta.source.find("heaptrack 1.4.0"), std::string::npos) << r.meta.source; // v 10400 = 0x010400
  EXPECT_NE(r.meta.source.find("raw"), std::string::npos);
}

// src/edge.c: realloc(p, 0) frees p in glibc but heaptrack only records non-NULL results, so p
// (40 B) stays live; pvalloc is not hooked, so free(pv) is an orphan; malloc(1 << 62) fails
// and is not recorded. Allocations: the pool, 40, reallocarray 80 then 160, valloc 100.
TEST(HeaptrackTest, RawEdgeCases) {
  const Imported r = import(kDir + "edge.raw.zst");
  std::vector<uint64_t> sizes;
  for (const sim::Event& e : r.events)
    if (e.kind == EventKind::Alloc) sizes.push_back(e.size);
  EXPECT_EQ(sizes, (std::vector<uint64_t>{0x11c00, 40, 80, 160, 100}));
  EXPECT_EQ(r.summary.orphanFrees, 1u);
  EXPECT_EQ(r.summary.liveObjects, 1u);
  EXPECT_EQ(r.summary.liveBytes, 40u);
}

// heaptrack_interpret gives objects with the same (size, stack) the same allocation info, so the
// LIFO guess may end another object than the raw file says, but never one of another size: both
// files must describe the same byte history event by event.
TEST(HeaptrackTest, InterpretedLifoKeepsTheRawByteHistory) {
  for (const char* name : {"allocdemo", "edge", "python3"}) {
    const Imported raw = import(kDir + name + ".raw.zst");
    const Imported interp = import(kDir + name + ".raw.interpreted.zst");
    EXPECT_EQ(kindsAndSizes(raw.events), kindsAndSizes(interp.events)) << name;
    EXPECT_EQ(raw.summary.peakLiveBytes, interp.summary.peakLiveBytes) << name;
  }
}

TEST(HeaptrackTest, InterpretedFreesTheNewestObjectOfItsInfo) {
  Scratch tmp;
  const std::string path = tmp.write("lifo.txt",
                                     "v 10400 3\ns 1 m\ni 1000 1\nt 1 0\n"
                                     "a 10 1\na 20 1\n"
                                     "+ 0\n+ 0\n+ 1\n" // A, B (16 B, info 0), C (32 B, info 1)
                                     "- 0\n- 0\n- 0\n"); // B, then A, then nothing live: orphan
  const Imported r = import(path);
  ASSERT_EQ(r.events.size(), 5u);
  const uint64_t a = r.events[0].id, b = r.events[1].id, c = r.events[2].id;
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_EQ(r.events[3].kind, EventKind::Free);
  EXPECT_EQ(r.events[3].id, b);
  EXPECT_EQ(r.events[4].id, a);
  EXPECT_EQ(r.summary.orphanFrees, 1u);
  EXPECT_EQ(r.summary.liveObjects, 1u);
  EXPECT_EQ(r.summary.liveBytes, 32u);
  EXPECT_EQ(r.summary.peakLiveBytes, 64u);
}

// A raw allocation at an address that is still live: its free was not recorded; the old object
// ends first (an explicit Free), and the summary says so.
TEST(HeaptrackTest, RawAllocationAtALiveAddressFreesTheOldObject) {
  Scratch tmp;
  const std::string path = tmp.write("double.txt", "v 10400 3\nx 1 a\nt 1000 0\n+ 10 1 5000\n+ 20 1 5000\n- 5000\n");
  const Imported r = import(path);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].kind, EventKind::Alloc);
  EXPECT_EQ(r.events[1].kind, EventKind::Free);
  EXPECT_EQ(r.events[1].id, r.events[0].id);
  EXPECT_EQ(r.events[2].kind, EventKind::Alloc);
  EXPECT_EQ(r.events[2].size, 32u);
  EXPECT_EQ(r.events[3].id, r.events[2].id);
  EXPECT_EQ(r.summary.liveObjects, 0u);
  bool noted = false;
  for (const std::string& n : r.summary.notes) noted |= n.rfind("1 allocations returned an address that was still live", 0) == 0;
  EXPECT_TRUE(noted) << r.summary.toText();
}

TEST(HeaptrackTest, ContainersAndBatchSizesGiveTheSameEvents) {
  // allocdemo.txt is `zstd -dc allocdemo.zst` (samples README); allocdemo.gz is `gzip -9n` of it.
  const Imported zst = import(kDir + "allocdemo.zst");
  for (const char* f : {"allocdemo.txt", "allocdemo.gz"}) {
    const Imported other = import(kDir + f, 1); // one event per read(): realloc's pair crosses calls
    ASSERT_EQ(other.events.size(), zst.events.size()) << f;
    for (size_t i = 0; i < zst.events.size(); ++i) {
      EXPECT_EQ(other.events[i].kind, zst.events[i].kind) << f << " event " << i;
      EXPECT_EQ(other.events[i].id, zst.events[i].id) << f << " event " << i;
      EXPECT_EQ(other.events[i].size, zst.events[i].size) << f << " event " << i;
      EXPECT_EQ(other.events[i].time, zst.events[i].time) << f << " event " << i;
    }
  }
}

TEST(HeaptrackTest, IdsFollowTheLiveSet) {
  // Freed ids are reused first, so the number of distinct ids is the peak live object count.
  const Imported r = import(kDir + "python3.raw.zst");
  uint64_t maxId = 0, live = 0, peakLive = 0;
  for (const sim::Event& e : r.events) {
    if (e.kind == EventKind::Alloc) {
      maxId = std::max(maxId, e.id);
      peakLive = std::max(peakLive, ++live);
    } else {
      --live;
    }
  }
  EXPECT_EQ(maxId + 1, peakLive);
}

TEST(HeaptrackTest, TimesComeFromTheLastStamp) {
  // In `zstd -dc python3.zst`, the last event (`- 0`, line 26567) follows `c 221` (line 26551),
  // so it happened at 0x221 = 545 ms.
  const Imported r = import(kDir + "python3.zst");
  uint64_t prev = 0;
  for (const sim::Event& e : r.events) {
    EXPECT_GE(e.time, prev);
    prev = e.time;
  }
  EXPECT_EQ(r.events.front().time, 0u);
  EXPECT_EQ(r.events.back().time, 0x221u * 1'000'000u);
}

TEST(HeaptrackTest, OlderFileFormats) {
  Scratch tmp;
  // Format 2: strings are the rest of the line (spaces allowed). Format 1: `v 10200` alone.
  for (const std::string& header : {std::string("v 10300 2\n"), std::string("v 10200\n")}) {
    const std::string path = tmp.write("old.txt", header + "X /usr/bin/prog --flag\ns operator new(unsigned long)\n"
                                                           "i 4000 1 1\nt 1 0\na 30 1\n+ 0\nc 5\n- 0\n+ 0\n");
    const Imported r = import(path);
    EXPECT_EQ(r.summary.allocs, 2u) << header;
    EXPECT_EQ(r.summary.frees, 1u) << header;
    EXPECT_EQ(r.summary.liveBytes, 48u) << header;
    EXPECT_EQ(r.events.back().time, 5'000'000u) << header;
    EXPECT_EQ(r.meta.name, "prog");
  }
}

TEST(HeaptrackTest, CountsUnknownAndGarbageLines) {
  // allocdemo.txt with one binary line inserted after line 40 (first byte 0x01: no heaptrack tag).
  const Imported r = import(kDir + "broken/allocdemo.garbageline.txt");
  EXPECT_EQ(r.summary.unknownLines, 1u);
  EXPECT_EQ(r.summary.allocs, 33u);
  EXPECT_EQ(r.summary.liveBytes, 5488u);
}

TEST(HeaptrackTest, WarnsWhenTheTrailerIsMissing) {
  // The first 100 lines of allocdemo.txt: 11 `+` and 9 `-` (grep -c), cut at a line boundary.
  const Imported r = import(kDir + "broken/allocdemo.cut100.txt");
  EXPECT_EQ(r.summary.allocs, 11u);
  EXPECT_EQ(r.summary.frees, 9u);
  bool warned = false;
  for (const std::string& n : r.summary.notes) warned |= n.find("trailer") != std::string::npos;
  EXPECT_TRUE(warned) << r.summary.toText();
}

TEST(HeaptrackTest, BrokenFilesNameFileAndPlace) {
  const std::string b = kDir + "broken/";
  // Cut inside line 78 ("a 30d40 10" -> "a 30d").
  std::string e = importError(b + "allocdemo.cutline.txt");
  EXPECT_NE(e.find(": line 78: "), std::string::npos) << e;
  EXPECT_NE(e.find("missing"), std::string::npos) << e;
  // python3.zst cut to 20000 of its 47930 bytes.
  e = importError(b + "python3.cut.zst");
  EXPECT_NE(e.find(": byte "), std::string::npos) << e;
  EXPECT_NE(e.find("truncated zstd"), std::string::npos) << e;
  // allocdemo.gz with 40 bytes of its deflate body flipped.
  e = importError(b + "allocdemo.corrupt.gz");
  EXPECT_NE(e.find(": byte "), std::string::npos) << e;
  EXPECT_NE(e.find("gzip"), std::string::npos) << e;
  // 4 KiB of random bytes: no format claims it; opened as heaptrack anyway, line 1 is no header.
  e = importError(b + "garbage.bin");
  EXPECT_NE(e.find(": byte 0: "), std::string::npos) << e;
  e = importError(b + "garbage.bin", true);
  EXPECT_NE(e.find(": line 1: "), std::string::npos) << e;
}

TEST(HeaptrackTest, HandMadeBrokenRecords) {
  Scratch tmp;
  const std::string head = "v 10400 3\ns 1 m\ni 1000 1\nt 1 0\na 10 1\n"; // 5 lines, one info
  struct Case {
    const char* name;
    std::string text;
    const char* where; // ": line N: "
    const char* what;
  };
  const Case cases[] = {
      {"format4", "v 10400 4\n", ": line 1: ", "file format 4"},
      {"format0", "v 4\nX prog\n", ": line 1: ", "file format 0"},
      {"noheader", "X prog\nv 10400 3\n", ": line 1: ", "header"},
      {"twoheaders", "v 10400 3\nv 10400 3\n", ": line 2: ", "second header"},
      {"hugesize", "v 10400 3\ni 1 1\nt 1 0\na 1000000000001 1\n", ": line 4: ", "2^48"},
      {"overflow", head + "+ 10000000000000000\n", ": line 6: ", "64 bits"},
      {"hugetime", head + "c 10c6f7a0b5ee\n", ": line 6: ", "too large"}, // (2^64-1)/10^6 + 1 ms
      {"infoindex", head + "+ 0\n+ 1\n", ": line 7: ", "allocation info index 1 out of range"},
      {"freeindex", head + "- 7\n", ": line 6: ", "out of range"},
      {"traceindex", head + "a 10 9\n", ": line 6: ", "trace index 9 out of range"},
      {"parentindex", head + "t 1 5\n", ": line 6: ", "parent trace index 5"},
      {"badhex", head + "+ 1g\n", ": line 6: ", "not a hex number"},
      {"nospace", head + "+0\n", ": line 6: ", "no space"},
      {"extrafield", head + "+ 0 0\n", ": line 6: ", "extra"},
      {"rawmissing", "v 10400 3\nx 1 a\nt 1 0\n+ 10 1\n", ": line 4: ", "missing"},
      {"mixed", head + "m 1 -\n", ": line 6: ", "raw-file record in an interpreted file"},
      {"freefirst", "v 10400 3\n- 1234\n", ": line 2: ", "cannot tell"},
      {"twocommands", "v 10400 3\nX a\nX b\n", ": line 3: ", "second command line"},
  };
  for (const Case& c : cases) { // opened as heaptrack directly: "noheader" would not sniff
    const std::string path = tmp.write(std::string(c.name) + ".txt", c.text);
    const std::string e = importError(path, true);
    EXPECT_NE(e.find(c.where), std::string::npos) << c.name << ": " << e;
    EXPECT_NE(e.find(c.what), std::string::npos) << c.name << ": " << e;
  }
  // A 2 MiB line: refused by the line bound instead of buffered.
  const std::string path = tmp.write("longline.txt", "v 10400 3\nX " + std::string(2 << 20, 'a') + "\n");
  const std::string e = importError(path);
  EXPECT_NE(e.find(": line 2: line longer than"), std::string::npos) << e;
}

} // namespace

// heaptrack writes the command line raw, so `python3 -c "<script>"` spreads the script over the
// lines after 'X' (heaptrack_print reads such a file as usual). multiline_command.zst is
// allocdemo.zst with a five-line script (a blank line and a line "x=1" among them) in its command:
// the same events, and the summary says how many lines the command took.
TEST(HeaptrackTest, ACommandLineWithNewlinesIsPartOfTheCommand) {
  const Imported plain = import(kDir + "allocdemo.zst");
  const Imported multi = import(kDir + "multiline_command.zst");
  ASSERT_EQ(multi.events.size(), plain.events.size());
  for (size_t i = 0; i < plain.events.size(); ++i) {
    EXPECT_EQ(multi.events[i].kind, plain.events[i].kind) << i;
    EXPECT_EQ(multi.events[i].id, plain.events[i].id) << i;
    EXPECT_EQ(multi.events[i].size, plain.events[i].size) << i;
  }
  EXPECT_EQ(multi.summary.unknownLines, 0u);
  EXPECT_EQ(multi.meta.name, "python3");
  bool noted = false;
  for (const std::string& n : multi.summary.notes) noted |= n.find("over 6 more lines") != std::string::npos;
  EXPECT_TRUE(noted) << "import json, d={}, for ..., s=json.dumps(d), the blank line and x=1";
}
