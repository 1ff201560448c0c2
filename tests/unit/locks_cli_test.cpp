// spanscope-cli with the timing and lock model: replay --locks/--cost-model/--clock/--time-from,
// the "locks" report section, --steps time lines, compare --locks. Runs the built binary.
#include "cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

const std::string kScenarios = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/";

using clitest::CliRun;

class LocksCliTest : public clitest::CliFixture {};

nlohmann::json parse(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

const nlohmann::json* lockNamed(const nlohmann::json& byLock, const std::string& name) {
  for (const auto& l : byLock)
    if (l["lock"] == name) return &l;
  return nullptr;
}

TEST_F(LocksCliTest, ReplayReportsLocksAsJson) {
  CliRun r = run({"replay", kScenarios + "locks_one_class.json", "--locks", "mutex", "--report", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = parse(r.out)["locks"];
  EXPECT_EQ(j["model"], "mutex");
  EXPECT_EQ(j["procs"], 8);
  EXPECT_EQ(j["cost_model"], "go1.19-amd64");
  // 8 Ps x 16 objects of 4096 B, 2 per span: 64 refills; Go 1.14's cacheSpan locks the class's
  // mcentral twice each (the scan, then listing the grown span): 128 acquisitions.
  const nlohmann::json* c = lockNamed(j["by_lock"], "mcentral[class 44 noscan].lock");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["acquisitions"], 128);
  EXPECT_GT((*c)["contended"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["by_executor"].size(), 8u);
  EXPECT_EQ(j["allocs"], 8 * 16 + 8); // plus each P's warm-up allocation

  CliRun f = run({"replay", kScenarios + "locks_one_class.json", "--locks", "lockfree", "--report", "json"});
  ASSERT_EQ(f.code, 0) << f.err;
  const nlohmann::json lf = parse(f.out)["locks"];
  EXPECT_EQ(lf["model"], "lockfree");
  for (const auto& l : lf["by_lock"]) EXPECT_EQ(l["contended"], 0) << l["lock"];
  EXPECT_EQ(lockNamed(lf["by_lock"], "mcentral[class 44 noscan].lock"), nullptr);

  CliRun off = run({"replay", kScenarios + "locks_one_class.json", "--report", "json"});
  EXPECT_TRUE(parse(off.out)["locks"].is_null());
}

TEST_F(LocksCliTest, TextReportAndStepsShowTime) {
  CliRun r = run({"replay", kScenarios + "locks_large.json", "--locks", "lockfree", "--steps"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Locks and time (a model, not a measurement: 8 Ps"), std::string::npos);
  EXPECT_NE(r.out.find("    time: at 0 ns for "), std::string::npos);
  EXPECT_NE(r.out.find("waited 16.4 \u00b5s for mheap.lock (held by P0)"), std::string::npos);
  EXPECT_NE(r.out.find("mheap.lock:"), std::string::npos);
}

TEST_F(LocksCliTest, BadTimingFlagsAreUsageOrInputErrors) {
  const std::string t = kScenarios + "locks_one_p.json";
  EXPECT_EQ(run({"replay", t, "--locks", "spin"}).code, 64);
  EXPECT_EQ(run({"replay", t, "--clock", "wall"}).code, 64);
  EXPECT_EQ(run({"replay", t, "--time-from", "-1"}).code, 64);
  CliRun m = run({"replay", t, "--cost-model", (dir_ / "missing.json").string()});
  EXPECT_EQ(m.code, 2);
  EXPECT_NE(m.err.find("missing.json"), std::string::npos);
  std::ofstream(dir_ / "bad.json") << R"({"format": "spanscope-cost-model", "version": 1, "costs": {"tiny": 1}})";
  CliRun b = run({"replay", t, "--cost-model", (dir_ / "bad.json").string()});
  EXPECT_EQ(b.code, 2);
  EXPECT_NE(b.err.find("unknown key \"tiny\""), std::string::npos) << b.err;
}

TEST_F(LocksCliTest, CostModelFileChangesTheFigures) {
  // Every lock hold 0 ns: nobody can wait, whatever the mode.
  std::string zero = R"({"format": "spanscope-cost-model", "version": 1, "costs": {)";
  for (const char* k : {"spine_grow", "central_take", "central_list_op", "page_cache_refill", "page_alloc", "mspan_refill",
                        "heap_grow", "arena_reserve", "free_span", "gc_sweep_termination", "gc_mark_termination",
                        "read_mem_stats"})
    zero += std::string(zero.back() == '{' ? "" : ", ") + "\"" + k + "\": 0";
  std::ofstream(dir_ / "zero.json") << zero + "}}";
  CliRun r = run({"replay", kScenarios + "locks_large.json", "--locks", "mutex", "--cost-model",
                  (dir_ / "zero.json").string(), "--report", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = parse(r.out)["locks"];
  EXPECT_EQ(j["cost_model"], "zero");
  EXPECT_EQ(j["heap_lock_wait_ns"], 0);
  for (const auto& l : j["by_lock"]) EXPECT_EQ(l["wait_total_ns"], 0) << l["lock"];
}

TEST_F(LocksCliTest, CompareAddsLockFiguresPerTable) {
  const std::string t = kScenarios + "locks_one_class.json";
  CliRun j = run({"compare", t, "--tables", "go1.19,pow2", "--locks", "mutex", "--report", "json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const nlohmann::json doc = parse(j.out);
  ASSERT_EQ(doc["tables"].size(), 2u);
  for (const auto& tab : doc["tables"]) {
    EXPECT_EQ(tab["locks"]["model"], "mutex") << tab["name"];
    EXPECT_GT(tab["locks"]["makespan_ns"].get<uint64_t>(), 0u);
  }
  CliRun c = run({"compare", t, "--tables", "go1.19,pow2", "--locks", "lockfree", "--report", "csv"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find(",allocs_per_second,"), std::string::npos);
  CliRun x = run({"compare", t, "--tables", "go1.19", "--locks", "lockfree"});
  EXPECT_NE(x.out.find("Locks and time"), std::string::npos);
  CliRun plain = run({"compare", t, "--tables", "go1.19", "--report", "csv"});
  EXPECT_EQ(plain.out.find("allocs_per_second"), std::string::npos);
}

} // namespace
