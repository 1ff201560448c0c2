// spanscope-cli compare and classes --optimize/--list/--json, end to end through the binary.
// Expected figures are worked out by hand from the tables (see comparison_test.cpp).
#include "cli_runner.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using clitest::CliRun;

// `spanscope-cli ARGS` (ARGS as shell words) with its output captured in this process's own
// directory: ctest runs tests in parallel processes.
CliRun run(const std::string& args) {
  const std::filesystem::path dir = ::testing::TempDir() + "/spanscope_compare_cli_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  return clitest::runShell(dir, std::string(SPANSCOPE_CLI) + " " + args);
}

std::string tempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

void writeFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

const char* kThree33 = R"({"format": "spanscope-trace", "version": 1,
  "meta": {"config": {"gogc": "off", "tiny": false}},
  "events": [{"op": "alloc", "id": 1, "size": 33}, {"op": "alloc", "id": 2, "size": 33},
             {"op": "alloc", "id": 3, "size": 33}]})";

TEST(CompareCli, JsonFiguresForTwoTablesByHand) {
  const std::string trace = tempPath("three33.json");
  writeFile(trace, kThree33);
  CliRun r = run("compare " + trace + " --tables go1.19,pow2 --report json");
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["tables"].size(), 2u);
  EXPECT_EQ(j["tables"][0]["name"], "go1.19");
  EXPECT_EQ(j["tables"][0]["rounding_waste"], 45) << "3 x (48 - 33)";
  EXPECT_EQ(j["tables"][0]["tail_waste"], 32) << "8192 - 170 x 48";
  EXPECT_EQ(j["tables"][1]["rounding_waste"], 93) << "3 x (64 - 33)";
  EXPECT_EQ(j["tables"][1]["tail_waste"], 0) << "128 x 64 = 8192";
  EXPECT_EQ(j["tables"][1]["free_slots"], 125 * 64);
  EXPECT_EQ(j["tables"][0]["peak_heap_inuse"], 8192);
}

TEST(CompareCli, MarkdownBoldsTheLowestAndCsvHasOneRowPerTable) {
  const std::string trace = tempPath("three33md.json");
  writeFile(trace, kThree33);
  CliRun md = run("compare " + trace + " --tables go1.19,pow2 --report md");
  ASSERT_EQ(md.code, 0);
  EXPECT_NE(md.out.find("| rounding waste (end) | **45 B** | 93 B |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| peak HeapSys | 4 MiB | 4 MiB |"), std::string::npos) << "equal values are not marked\n" << md.out;
  const std::string csvPath = tempPath("cmp.csv");
  ASSERT_EQ(run("compare " + trace + " --tables go1.19,pow2 --report csv -o " + csvPath).code, 0);
  std::ifstream in(csvPath);
  std::string header, row1, row2, extra;
  std::getline(in, header);
  std::getline(in, row1);
  std::getline(in, row2);
  EXPECT_FALSE(std::getline(in, extra));
  EXPECT_EQ(header.rfind("table,classes,", 0), 0u) << header;
  EXPECT_EQ(row1.rfind("go1.19,67,", 0), 0u) << row1;
  EXPECT_EQ(row2.rfind("pow2,13,", 0), 0u) << row2;
}

TEST(CompareCli, BadTableAndBadTraceFailCleanly) {
  const std::string trace = tempPath("three33bad.json");
  writeFile(trace, kThree33);
  EXPECT_EQ(run("compare " + trace + " --tables go1.19,nosuch").code, 2);
  EXPECT_EQ(run("compare /nonexistent.trace").code, 2);
  EXPECT_EQ(run("compare " + trace + " --tables ,").code, 64);
  EXPECT_EQ(run("compare " + trace + " --report xml").code, 64);
}

TEST(ClassesCli, ListNamesEveryLibraryTable) {
  CliRun r = run("classes --list");
  ASSERT_EQ(r.code, 0);
  for (const char* name : {"go1.19", "tcmalloc", "tcmalloc-align8", "jemalloc", "mimalloc", "glibc16", "pow2"})
    EXPECT_NE(("\n" + r.out).find(std::string("\n") + name + " "), std::string::npos) << name << "\n" << r.out;
}

TEST(ClassesCli, JsonExportReadsBackAsTheSameTable) {
  const std::string path = tempPath("jemalloc.json");
  ASSERT_EQ(run("classes --table jemalloc --json -o " + path).code, 0);
  EXPECT_EQ(run("classes --table " + path).out, run("classes --table jemalloc").out);
}

TEST(ClassesCli, OptimizeFindsTheHandComputedTable) {
  // Requests of 100, 200 and 300 B; with 3 classes below 304 the optimum is 104, 200, 304
  // (see sizeclass_optimize_test.cpp). With Go's 32 KiB top and the tiny class the budget
  // must cover 16 and 32768 as well: 5 classes give 16, 104, 200, 304, 32768.
  std::string events;
  for (int i = 0; i < 30; ++i)
    events += std::string(i ? "," : "") + "{\"op\": \"alloc\", \"id\": " + std::to_string(i) + ", \"size\": " +
              std::to_string(100 * (1 + i % 3)) + "}";
  const std::string trace = tempPath("hist.json");
  writeFile(trace, R"({"format": "spanscope-trace", "version": 1, "events": [)" + events + "]}");
  const std::string out = tempPath("opt.json");
  CliRun r = run("classes --optimize " + trace + " --classes 5 -o " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("gain over go1.19"), std::string::npos) << r.out;
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in);
  std::vector<uint32_t> sizes;
  for (const auto& c : j["classes"]) sizes.push_back(c["size"].get<uint32_t>());
  EXPECT_EQ(sizes, (std::vector<uint32_t>{16, 104, 200, 304, 32768}));
  EXPECT_EQ(run("classes --optimize " + trace + " --classes 1").code, 64) << "16 and 32768 need two";
  EXPECT_EQ(run("classes --classes 5").code, 64) << "--classes needs --optimize";
}

} // namespace
