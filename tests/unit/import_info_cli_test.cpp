// spanscope-cli import and info end to end, on tests/data/binary/info_small.json, whose figures
// are counted by hand below. Runs the built binary (SPANSCOPE_CLI) through the shell.
#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(SPANSCOPE_TEST_DATA) + "/binary/info_small.json";

// Hand count of info_small.json (ten events):
//   #0 alloc id1   8 B  t0 @100     live  8 B, 1 object
//   #1 alloc id2  33 B  t1 @200     live 41 B, 2 objects (scan)
//   #2 alloc id3   0 B  t1 @250     live 41 B, 3 objects   <- first time 3 objects
//   #3 free  id1        t0 @300     live 33 B, 2 objects
//   #4 alloc id4 40000 B t0 @400    live 40033 B, 3 objects
//   #5 gc @500   #6 readmemstats   #7 annotate
//   #8 free  id2        t1 @600     live 40000 B, 2 objects
//   #9 alloc id5  48 B  t0 @700     live 40048 B, 3 objects <- peak bytes
// Go 1.19 classes (sizeclasses.go): 8 B -> class 1 (8); 33 and 48 B -> class 5 (48), rounding
// waste 15 + 0; 40000 B is large: ceil(40000 / 8192) = 5 pages = 40960 B, waste 960; 0 B is
// zerobase. Threads {0, 1}; times 100..700, so 600 ns.

using clitest::CliRun;
using clitest::quote;
using clitest::slurp;

class ImportInfoCliTest : public clitest::CliFixture {
 protected:
  // Files in the directory besides the captured stdout/stderr.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename() != "stdout" && e.path().filename() != "stderr") names.push_back(e.path().filename().string());
    return names;
  }
};

void expectHandCountedInfo(const nlohmann::json& j) {
  EXPECT_EQ(j["events"], 10);
  EXPECT_EQ(j["events_by_kind"]["alloc"], 5);
  EXPECT_EQ(j["events_by_kind"]["free"], 2);
  EXPECT_EQ(j["events_by_kind"]["gc"], 1);
  EXPECT_EQ(j["events_by_kind"]["readmemstats"], 1);
  EXPECT_EQ(j["events_by_kind"]["annotate"], 1);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["first_time_ns"], 100);
  EXPECT_EQ(j["last_time_ns"], 700);
  EXPECT_EQ(j["duration_ns"], 600);
  EXPECT_EQ(j["peak_live_bytes"], 40048);
  EXPECT_EQ(j["peak_live_objects"], 3);
  EXPECT_EQ(j["live_bytes_at_end"], 40048);
  EXPECT_EQ(j["live_objects_at_end"], 3);
  EXPECT_EQ(j["frees_of_dead_ids"], 0);
  const nlohmann::json want = nlohmann::json::parse(R"([
    {"class": 0, "bytes_per_object": 0,  "allocs": 1, "noscan": 1, "requested_bytes": 0,  "rounding_waste_bytes": 0},
    {"class": 1, "bytes_per_object": 8,  "allocs": 1, "noscan": 1, "requested_bytes": 8,  "rounding_waste_bytes": 0},
    {"class": 5, "bytes_per_object": 48, "allocs": 2, "noscan": 1, "requested_bytes": 81, "rounding_waste_bytes": 15}])");
  EXPECT_EQ(j["size_classes"], want);
  const nlohmann::json large = nlohmann::json::parse(R"([
    {"min_pages": 5, "max_pages": 8, "allocs": 1, "noscan": 1, "requested_bytes": 40000, "rounding_waste_bytes": 960}])");
  EXPECT_EQ(j["large"], large);
}

TEST_F(ImportInfoCliTest, InfoOnTheJsonFixture) {
  const CliRun r = run({"info", kFixture, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "spanscope JSON");
  EXPECT_EQ(j["name"], "info fixture");
  expectHandCountedInfo(j);
}

TEST_F(ImportInfoCliTest, ImportToBinaryThenInfoGivesTheSameFigures) {
  for (const std::vector<std::string>& flags : {std::vector<std::string>{}, std::vector<std::string>{"--no-zstd"}}) {
    std::vector<std::string> args = {"import", kFixture, "-o", path("t.sst")};
    args.insert(args.end(), flags.begin(), flags.end());
    const CliRun imp = run(args);
    ASSERT_EQ(imp.code, 0) << imp.err;
    // The import summary is the JSON reader's: 10 events (5 allocs, 2 frees, 1 gc), 2 threads.
    EXPECT_NE(imp.out.find("events:         10 (5 allocs, 2 frees, 1 gc)"), std::string::npos) << imp.out;
    EXPECT_NE(imp.out.find("threads:        2"), std::string::npos) << imp.out;
    EXPECT_NE(imp.out.find(std::string("wrote:          ") + path("t.sst") + " (binary, " + (flags.empty() ? "zstd" : "uncompressed") +
                           ", 10 events"),
              std::string::npos)
        << imp.out;
    EXPECT_EQ(slurp(path("t.sst")).substr(0, 8), std::string("\x89SPANTR\n", 8)) << "a binary trace";

    const CliRun info = run({"info", path("t.sst"), "--json"});
    ASSERT_EQ(info.code, 0) << info.err;
    const nlohmann::json j = nlohmann::json::parse(info.out);
    EXPECT_EQ(j["format"], flags.empty() ? "spanscope binary v1 (zstd blocks)" : "spanscope binary v1");
    EXPECT_EQ(j["name"], "info fixture");
    expectHandCountedInfo(j);
  }
}

TEST_F(ImportInfoCliTest, InfoTextReport) {
  const CliRun r = run({"info", kFixture});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* line : {"events:         10 (5 alloc, 2 free, 1 gc, 1 readmemstats, 1 annotate)\n",
                           "threads:        2\n", "duration:       0.000001 s (600 ns, from 100 to 700)\n",
                           "peak live:      40048 B requested (after event #9), 3 objects (after event #2)\n",
                           "live at end:    40048 B requested, 3 objects\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing: " << line << "in:\n" << r.out;
  // The class rows: class, bytes/obj, allocs, noscan, requested, waste.
  EXPECT_NE(r.out.find("5                          48            2            1               81               15\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("large 5-8 pages             -            1            1            40000              960\n"), std::string::npos) << r.out;
}

TEST_F(ImportInfoCliTest, JsonRoundTripThroughBinary) {
  ASSERT_EQ(run({"import", kFixture, "-o", path("t.sst")}).code, 0);
  const CliRun back = run({"import", path("t.sst"), "-o", path("back.json"), "--json"});
  ASSERT_EQ(back.code, 0) << back.err;
  std::string err;
  auto a = traces::loadJsonTrace(kFixture, &err);
  ASSERT_TRUE(a) << err;
  auto b = traces::loadJsonTrace(path("back.json"), &err);
  ASSERT_TRUE(b) << err;
  ASSERT_EQ(a->events.size(), b->events.size());
  for (size_t i = 0; i < a->events.size(); ++i) {
    const sim::Event &x = a->events[i], &y = b->events[i];
    EXPECT_TRUE(x.kind == y.kind && x.noscan == y.noscan && x.thread == y.thread && x.id == y.id && x.size == y.size &&
                x.time == y.time)
        << "event " << i;
  }
  EXPECT_EQ(a->annotations, b->annotations);
  EXPECT_EQ(b->meta.name, "info fixture");
  EXPECT_EQ(b->meta.config.gomaxprocs, std::optional<uint32_t>(2));
}

TEST_F(ImportInfoCliTest, ImportFromStdinToStdout) {
  // "-" both ways: the trace on stdout, the summary on stderr.
  const CliRun r = run({"import", "-", "-o", "-"}, kFixture);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 8), std::string("\x89SPANTR\n", 8));
  EXPECT_NE(r.err.find("events:         10 (5 allocs, 2 frees, 1 gc)"), std::string::npos) << r.err;
  std::ofstream(path("piped.sst"), std::ios::binary) << r.out;
  const CliRun info = run({"info", path("piped.sst"), "--json"});
  ASSERT_EQ(info.code, 0) << info.err;
  expectHandCountedInfo(nlohmann::json::parse(info.out));
}

TEST_F(ImportInfoCliTest, BadInputExitsTwoAndLeavesNoFile) {
  std::ofstream(path("garbage.txt")) << "this is not a trace\n";
  CliRun r = run({"import", path("garbage.txt"), "-o", path("out.sst")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind(path("garbage.txt") + ": byte 0: not a trace format", 0), 0u) << r.err;
  EXPECT_EQ(files(), std::vector<std::string>{"garbage.txt"}) << "no output and no temp file";

  // A binary trace cut short: the error comes up while events are being copied.
  ASSERT_EQ(run({"import", kFixture, "-o", path("good.sst"), "--no-zstd"}).code, 0);
  const std::string good = slurp(path("good.sst"));
  std::ofstream(path("cut.sst"), std::ios::binary) << good.substr(0, good.size() - 30);
  fs::remove(path("good.sst"));
  r = run({"import", "-", "-o", path("out.sst")}, path("cut.sst")); // from a pipe: found while streaming
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("-: byte ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  r = run({"info", path("cut.sst")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind(path("cut.sst") + ": byte ", 0), 0u) << r.err;
  std::vector<std::string> left = files();
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"cut.sst", "garbage.txt"}));

  EXPECT_EQ(run({"info", path("missing.sst")}).code, 2);
}

TEST_F(ImportInfoCliTest, WriteErrorIsAnInputOutputError) {
  // /dev/full fails every write with ENOSPC: the writer must notice (at the latest when it flushes).
  const std::string cmd = quote(SPANSCOPE_CLI) + " import " + quote(kFixture) + " -o - >/dev/full 2>" + quote(path("err"));
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = slurp(path("err"));
  EXPECT_EQ(err.rfind("-: write error: ", 0), 0u) << err;
}

TEST_F(ImportInfoCliTest, Usage) {
  EXPECT_EQ(run({"import", kFixture}).code, 64) << "-o is required";
  EXPECT_EQ(run({"import", "-o", path("x.sst")}).code, 64) << "FILE is required";
  EXPECT_EQ(run({"import", kFixture, "-o", "-", "--json"}).code, 64);
  EXPECT_EQ(run({"info"}).code, 64);
  EXPECT_EQ(run({"info", kFixture, "--bogus"}).code, 64);
  const CliRun h = run({"help", "import"});
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("usage: spanscope-cli import FILE -o OUT"), std::string::npos);
  EXPECT_EQ(run({"info", "--help"}).code, 0);
}

} // namespace
