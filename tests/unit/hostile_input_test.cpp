// Hostile inputs and outputs (issue 16, items 1-4 and 9): deep JSON, invalid UTF-8, inputs that
// would choose our memory, writes onto nodes that are not regular files or onto an input, stdout
// write errors, and the small error-message cases. Every input is made here, small or generated.
// README "Limits and guarantees" states the rules these tests pin down.
#include "cli_runner.h"

#include "sim/sizeclasses.h"
#include "traces/binary_format.h"
#include "traces/binary_trace.h"
#include "traces/config_json.h"
#include "traces/cost_model_json.h"
#include "traces/json_io.h"
#include "traces/json_trace.h"
#include "traces/open_trace.h"
#include "traces/sizeclass_json.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>

namespace {

using clitest::CliFixture;
using clitest::CliRun;

constexpr size_t kDeep = 100000; // as deep as the study's crashing inputs

std::string deepArray() { return std::string(kDeep, '[') + std::string(kDeep, ']'); }

std::string traceWith(const std::string& meta, const std::string& events) {
  return R"({"format": "spanscope-trace", "version": 1, "meta": )" + meta + R"(, "events": [)" + events + "]}";
}

class HostileInputTest : public CliFixture {
 protected:
  std::string write(const std::string& name, const std::string& bytes) {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  static void expectCleanFailure(const CliRun& r, int code, const std::string& needle) {
    EXPECT_EQ(r.code, code) << "stderr: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
    EXPECT_LT(r.err.size(), 2000u) << "an error quotes input truncated";
  }
  static constexpr int kInputError = 2;
};

// ---- 1. Deep JSON: an error naming line and column, never a stack overflow ----------------------

TEST(DeepJsonTest, TraceFieldsThatExpectScalars) {
  for (const std::string& where : {std::string("meta"), std::string("version"), std::string("op"), std::string("id")}) {
    std::string text;
    if (where == "meta") text = traceWith(deepArray(), "");
    else if (where == "version") text = R"({"format": "spanscope-trace", "version": )" + deepArray() + R"(, "events": []})";
    else if (where == "op") text = traceWith("{}", R"({"op": )" + deepArray() + "}");
    else text = traceWith("{}", R"({"op": "alloc", "size": 8, "id": )" + deepArray() + "}");
    std::string err;
    EXPECT_FALSE(traces::parseJsonTrace(text, "deep.json", &err)) << where;
    EXPECT_NE(err.find("deep.json: line 1, column "), std::string::npos) << where << ": " << err;
    EXPECT_NE(err.find("nested deeper than 64 levels"), std::string::npos) << where << ": " << err;
  }
}

TEST(DeepJsonTest, ConfigCostModelAndTable) {
  sim::Config cfg;
  std::string err;
  EXPECT_FALSE(traces::applyConfigJson(R"({"gogc": )" + deepArray() + "}", "cfg.json", "", &cfg, &err));
  EXPECT_NE(err.find("nested deeper than 64 levels"), std::string::npos) << err;
  err.clear();
  EXPECT_FALSE(traces::parseCostModel(R"({"format": "spanscope-cost-model", "version": )" + deepArray() + "}",
                                      "cost.json", &err));
  EXPECT_NE(err.find("nested deeper than 64 levels"), std::string::npos) << err;
}

TEST(DeepJsonTest, NestingOfExactlyTheLimitStillParses) {
  std::string err;
  const std::string ok = std::string(traces::kMaxJsonDepth, '[') + std::string(traces::kMaxJsonDepth, ']');
  EXPECT_TRUE(traces::parseJsonText(ok, &err)) << err;
  const std::string over = "[" + ok + "]";
  EXPECT_FALSE(traces::parseJsonText(over, &err));
  EXPECT_NE(err.find("line 1, column 65: nested deeper than 64 levels"), std::string::npos) << err;
}

TEST(DeepJsonTest, BracketsInsideStringsAreNotNesting) {
  std::string err;
  EXPECT_TRUE(traces::parseJsonText(R"({"text": ")" + std::string(1000, '[') + R"(\"]"})", &err)) << err;
}

TEST_F(HostileInputTest, CliOnDeepJsonInEveryInput) {
  const std::string trace = write("t.json", traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})"));
  expectCleanFailure(run({"replay", write("deep_meta.json", traceWith(deepArray(), ""))}), kInputError,
                     "nested deeper than 64 levels");
  expectCleanFailure(run({"replay", trace, "--config", write("cfg.json", R"({"liveness": )" + deepArray() + "}")}),
                     kInputError, "nested deeper than 64 levels");
  expectCleanFailure(run({"replay", trace, "--cost-model", write("cost.json", "{\"costs\": " + deepArray() + "}")}),
                     kInputError, "nested deeper than 64 levels");
  expectCleanFailure(run({"classes", "--table", write("table.json", R"({"classes": [{"size": )" + deepArray() + "}]}")}),
                     kInputError, "nested deeper than 64 levels");
}

TEST_F(HostileInputTest, BinaryTraceHeaderWithDeepMeta) {
  // A well-formed header (magic, version, flags, length, meta, CRC) whose meta is 100,000 deep.
  const std::string meta = traceWith(deepArray(), "");
  std::string h(traces::binfmt::kMagic, sizeof traces::binfmt::kMagic);
  auto putLe = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) h += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  putLe(traces::binfmt::kVersion, 2);
  putLe(0, 2);
  putLe(meta.size(), 4);
  h += meta;
  putLe(crc32(0, reinterpret_cast<const Bytef*>(h.data()), static_cast<uInt>(h.size())), 4);
  const std::string file = write("deep.trace", h);
  try {
    traces::openTrace(file);
    ADD_FAILURE() << "opened a trace whose meta is 100,000 levels deep";
  } catch (const traces::TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64 levels"), std::string::npos) << e.what();
  }
  expectCleanFailure(run({"info", file}), kInputError, "nested deeper than 64 levels");
}

// ---- 2. Invalid UTF-8 reaching a JSON writer: replaced by U+FFFD, never an abort ---------------

TEST_F(HostileInputTest, InvalidUtf8InAnnotationAndFileNameIsReplacedInJsonOutput) {
  const std::string bad = "caf\xE9 \xFF\xFE";
  // An annotation with invalid UTF-8 in a binary trace, written as JSON.
  const std::string bin = path("annot.trace");
  {
    traces::BinaryTraceWriter w(bin, traces::TraceMeta{});
    w.annotate(bad);
    w.write(sim::Event{sim::EventKind::Alloc, true, 0, 0, 16, sim::kNoTime});
    w.finish();
  }
  const CliRun imp = run({"import", bin, "-o", path("annot.json"), "--json"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  const std::string json = clitest::slurp(path("annot.json"));
  EXPECT_NE(json.find("caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos) << json;
  std::string err;
  EXPECT_TRUE(traces::parseJsonText(json, &err)) << "the JSON we wrote must read back: " << err;

  // A trace whose *file name* is not UTF-8, in a JSON report.
  const std::string oddName = path("trace\xFF.json");
  std::ofstream(oddName) << traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})");
  const CliRun info = run({"info", oddName, "--json"});
  EXPECT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find("trace\xEF\xBF\xBD.json"), std::string::npos) << info.out;
}

TEST_F(HostileInputTest, InvalidUtf8InHeaptrackProgramArguments) {
  // heaptrack's X line carries the program's command line; any bytes may be there.
  std::string ht = clitest::slurp(std::string(SPANSCOPE_TEST_DATA) + "/heaptrack/edge.raw.txt");
  const std::string x = "X /opt/spanscope-samples/bin/edge\n";
  ASSERT_NE(ht.find(x), std::string::npos);
  ht.replace(ht.find(x), x.size(), "X /opt/spanscope-samples/bin/edge \xFF\xFE arg\n");
  const CliRun imp = run({"import", write("edge.raw.txt", ht), "-o", path("ht.json"), "--json"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  EXPECT_NE(clitest::slurp(path("ht.json")).find("edge \xEF\xBF\xBD\xEF\xBF\xBD arg"), std::string::npos);
}

// ---- 3. Inputs that would choose our memory or time --------------------------------------------

TEST_F(HostileInputTest, ObjectIdsMustBeDense) {
  // The engine sizes its per-object tables by the largest id: a binary trace (whose format keeps
  // any 64-bit id exactly) with id 2^34 once took 12.6 GB. Now the n-th alloc uses an id below
  // n + 65536, and the replay stops there (exit 1, naming the event).
  const std::string bin = path("ids.trace");
  {
    traces::BinaryTraceWriter w(bin, traces::TraceMeta{});
    w.write(sim::Event{sim::EventKind::Alloc, true, 0, 0, 16, sim::kNoTime});
    w.write(sim::Event{sim::EventKind::Alloc, true, 0, uint64_t{1} << 34, 16, sim::kNoTime});
    w.finish();
  }
  const CliRun r = run({"replay", bin});
  expectCleanFailure(r, 1, "event #1");
  EXPECT_NE(r.err.find("object id 17179869184 is not dense (ids stay below the allocations so far + 65536, here 65537)"),
            std::string::npos)
      << r.err;
  // A freed id coming back is dense.
  const CliRun ok = run({"replay", write("reuse.json", traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8}, {"op": "free", "id": 1},
      {"op": "alloc", "id": 1, "size": 8}, {"op": "alloc", "id": 2, "size": 8})"))});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

TEST_F(HostileInputTest, BinaryTraceAnnotationsAreBoundedInAll) {
  // Five annotations of 16 MiB (each allowed) are 80 MiB together: over the 64 MiB budget.
  const std::string bin = path("annotations.trace");
  {
    traces::BinaryWriterOptions opt;
    opt.zstd = false;
    traces::BinaryTraceWriter w(bin, traces::TraceMeta{}, opt);
    const std::string big(traces::binfmt::kMaxAnnotationBytes, 'a');
    for (int i = 0; i < 5; ++i) w.annotate(big);
    w.finish();
  }
  expectCleanFailure(run({"info", bin}), kInputError, "annotations beyond 64 MiB in all");
}

TEST_F(HostileInputTest, ZstdJsonBombIsRefusedByRatio) {
  // 48 MiB of blanks inside a JSON trace compress to a few KiB: more than 100x is refused.
  const std::string text = traceWith("{}", std::string(size_t{48} << 20, ' '));
  std::string z(ZSTD_compressBound(text.size()), '\0');
  const size_t n = ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  z.resize(n);
  ASSERT_LT(z.size(), size_t{64} << 10);
  const CliRun r = run({"info", write("bomb.json.zst", z)});
  expectCleanFailure(r, kInputError, "decompresses to more than 100 times its compressed size");
}

TEST_F(HostileInputTest, SizeClassTableLimits) {
  // max_small 2^32-1 would size a lookup array of 4 G entries; 4 GiB spans are walked slot by slot.
  const std::string huge = write("huge.json", R"({"page_size": 8192, "max_small": 4294967295, "classes": [{"size": 8, "pages": 1}]})");
  expectCleanFailure(run({"classes", "--table", huge}), kInputError, "maxSmall 4294967295 is above the engine's limit");
  const std::string wide =
      write("wide.json", R"({"page_size": 8192, "max_small": 65536, "classes": [{"size": 8, "pages": 1}, {"size": 65536, "pages": 524288}]})");
  expectCleanFailure(run({"classes", "--table", wide}), kInputError, "exceeds the engine's limit of 64 MiB");
}

TEST_F(HostileInputTest, DevZeroAsEveryJsonInput) {
  const std::string trace = write("t.json", traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})"));
  expectCleanFailure(run({"classes", "--table", "/dev/zero"}), kInputError, "/dev/zero: larger than 16777216 bytes");
  expectCleanFailure(run({"replay", trace, "--config", "/dev/zero"}), kInputError, "/dev/zero: larger than");
  expectCleanFailure(run({"replay", trace, "--cost-model", "/dev/zero"}), kInputError, "/dev/zero: larger than");
}

// ---- 4. Writes ---------------------------------------------------------------------------------

TEST_F(HostileInputTest, OutputOntoSymlinkOrFifoIsRefusedAndTheNodeKept) {
  const std::string trace = write("t.json", traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})"));
  const std::string target = write("target.txt", "keep me");
  const std::string link = path("link.json");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  expectCleanFailure(run({"compare", trace, "--tables", "go1.19", "-o", link}), kInputError, "is a symbolic link");
  struct stat st;
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the symlink was replaced";
  EXPECT_EQ(clitest::slurp(target), "keep me");

  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expectCleanFailure(run({"import", trace, "-o", fifo}), kInputError, "is a FIFO");
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
}

TEST_F(HostileInputTest, OutputOntoItsOwnInputIsRefused) {
  const std::string text = traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})");
  const std::string trace = write("t.json", text);
  expectCleanFailure(run({"compare", trace, "--tables", "go1.19", "-o", trace}), kInputError,
                     "is one of this run's inputs");
  EXPECT_EQ(clitest::slurp(trace), text) << "the trace was overwritten";
  expectCleanFailure(run({"import", trace, "-o", trace, "--json"}), kInputError, "is one of this run's inputs");
  EXPECT_EQ(clitest::slurp(trace), text);
}

TEST_F(HostileInputTest, ReportToAFullStdoutFails) {
  const std::string trace = write("t.json", traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})"));
  for (const std::string& cmd : {"replay " + clitest::quote(trace), "info " + clitest::quote(trace),
                                 "compare " + clitest::quote(trace) + " --tables go1.19", std::string("classes")}) {
    const CliRun r = clitest::runShell(dir_, "{ " + clitest::quote(SPANSCOPE_CLI) + " " + cmd + " >/dev/full; echo $?; }");
    EXPECT_EQ(r.out, "2\n") << cmd;
    EXPECT_NE(r.err.find("spanscope-cli: writing standard output"), std::string::npos) << cmd << ": " << r.err;
  }
}

// ---- 9. Minor ----------------------------------------------------------------------------------

TEST(MinorInputTest, DuplicateKeysAreAnError) {
  std::string err;
  EXPECT_FALSE(traces::parseJsonTrace(traceWith("{}", "{\"op\": \"alloc\", \"id\": 1,\n \"size\": 8, \"id\": 2}"),
                                      "dup.json", &err));
  EXPECT_NE(err.find("dup.json: line 2, column 13: duplicate key \"id\" in one object"), std::string::npos) << err;
  // The same key in two objects is fine.
  EXPECT_TRUE(traces::parseJsonTrace(
      traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8}, {"op": "free", "id": 1})"), "two.json", &err))
      << err;
}

TEST_F(HostileInputTest, Utf8ByteOrderMarkIsSkipped) {
  const CliRun r = run({"replay", write("bom.json", "\xEF\xBB\xBF" + traceWith("{}", R"({"op": "alloc", "id": 1, "size": 8})"))});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(HostileInputTest, FreeOfUnknownIdIsAnEngineErrorWithTheTracesId) {
  const CliRun r = run({"replay", write("orphan.json", traceWith("{}", R"({"op": "alloc", "id": 5, "size": 8}, {"op": "free", "id": 7})"))});
  EXPECT_EQ(r.code, 1) << "documented: 1 = the engine rejected an event; " << r.err;
  EXPECT_NE(r.err.find("event #1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("id 7"), std::string::npos) << r.err;
}

TEST_F(HostileInputTest, LtraceWithOnlyABadLineNamesTheLine) {
  const std::string lt = write("lt.txt", "[pid 99999999] 10:00:00.000010 app->malloc(10) = 0x5610000012a0\n");
  expectCleanFailure(run({"info", lt}), kInputError, ": line 1: thread id 99999999 is not a Linux TID");
  const std::string lt2 = write("lt2.txt", "[pid 100] 25:61:00.000010 app->malloc(10) = 0x5610000012a0\n");
  expectCleanFailure(run({"info", lt2}), kInputError, ": line 1: time of day 25:61:00 is impossible");
}

TEST_F(HostileInputTest, ErrorsQuoteInputTruncated) {
  // A 3,000-digit number in an ltrace line: the message quotes 60 bytes of it.
  const std::string lt = write("long.txt", "[pid 100] 10:00:00.000000 app->malloc(" + std::string(3000, '9') +
                                               ") = 0x5610000012a0\n");
  const CliRun r = run({"info", lt});
  expectCleanFailure(r, kInputError, ": line 1: number 999999");
  EXPECT_NE(r.err.find("9..."), std::string::npos) << r.err;
}

} // namespace
