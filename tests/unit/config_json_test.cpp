// Replay config files and the trace's meta.config. traces/config_json.h, traces/trace.h.
#include "traces/config_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

class ConfigJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spanscope_cfg_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(ConfigJsonTest, EveryKeyApplies) {
  const std::string path = write("all.json", R"({"gomaxprocs": 4, "liveness": "immediate", "gogc": "off",
    "sweep": "eager", "memory_limit": 67108864, "scavenger": false,
    "tiny": false, "max_heap_bytes": 1073741824, "size_classes": "go1.19", "trace_gaps": "running"})");
  std::string err;
  auto cfg = traces::loadConfigJson(path, &err);
  ASSERT_TRUE(cfg) << err;
  EXPECT_EQ(cfg->gomaxprocs, 4u);
  EXPECT_EQ(cfg->liveness, sim::Liveness::Immediate);
  EXPECT_LT(cfg->gogc, 0);
  EXPECT_EQ(cfg->sweep, sim::SweepMode::Eager);
  EXPECT_EQ(cfg->scavenger.memoryLimit, uint64_t{64} << 20);
  EXPECT_FALSE(cfg->scavenger.enabled);
  EXPECT_FALSE(cfg->tinyAlloc);
  EXPECT_TRUE(cfg->traceGapsRunning) << "the default is false (idle Ps)";
  EXPECT_EQ(cfg->maxHeapBytes, uint64_t{1} << 30);
  EXPECT_EQ(cfg->table.name(), "go1.19");
  EXPECT_EQ(cfg->table.numClasses(), 68u); // Go 1.19: _NumSizeClasses = 68
}

TEST_F(ConfigJsonTest, AbsentKeysKeepTheirValues) {
  const std::string path = write("gogc.json", R"({"gogc": 50})");
  sim::Config cfg;
  cfg.gomaxprocs = 3;
  cfg.liveness = sim::Liveness::Immediate;
  std::string err;
  ASSERT_TRUE(traces::applyConfigFile(path, &cfg, &err)) << err;
  EXPECT_EQ(cfg.gogc, 50);
  EXPECT_EQ(cfg.gomaxprocs, 3u);
  EXPECT_EQ(cfg.liveness, sim::Liveness::Immediate);
  EXPECT_TRUE(cfg.tinyAlloc);
}

TEST_F(ConfigJsonTest, ErrorsNameFileAndKeyAndLeaveConfigUnchanged) {
  struct Case {
    const char* text;
    const char* needle;
  };
  const Case cases[] = {
      {R"({"gomaxprocs": 0})", "\"gomaxprocs\""},
      {R"({"gomaxprocs": "4"})", "\"gomaxprocs\""},
      {R"({"liveness": "lazy"})", "\"liveness\""},
      {R"({"gogc": "on"})", "\"gogc\""},
      {R"({"gogc": 1.5})", "\"gogc\""},
      {R"({"tiny": 1})", "\"tiny\""},
      {R"({"sweep": "later"})", "\"sweep\""},
      {R"({"memory_limit": -1})", "\"memory_limit\""},
      {R"({"memory_limit": "64MiB"})", "\"memory_limit\""},
      {R"({"scavenger": "on"})", "\"scavenger\""},
      {R"({"trace_gaps": "busy"})", "\"trace_gaps\""},
      {R"({"max_heap_bytes": -1})", "\"max_heap_bytes\""},
      {R"({"size_classes": 3})", "\"size_classes\""},
      {R"({"size_classes": "no_such_table.json"})", "\"size_classes\""},
      {R"({"gomaxprocs": 2, "procs": 2})", "unknown key \"procs\""},
      {R"([1])", "object"},
  };
  for (const Case& c : cases) {
    const std::string path = write("bad.json", c.text);
    sim::Config cfg;
    std::string err;
    EXPECT_FALSE(traces::applyConfigFile(path, &cfg, &err)) << c.text;
    EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
    EXPECT_NE(err.find(c.needle), std::string::npos) << c.text << " -> " << err;
    EXPECT_EQ(cfg.gomaxprocs, 1u) << "a failed load must not change the config: " << c.text;
  }
}

TEST_F(ConfigJsonTest, SyntaxErrorNamesLine) {
  const std::string path = write("syntax.json", "{\n  \"gogc\": 100,\n  \"tiny\": tru\n}");
  std::string err;
  EXPECT_FALSE(traces::loadConfigJson(path, &err));
  EXPECT_NE(err.find(path + ": line 3, column "), std::string::npos) << err;
}

TEST_F(ConfigJsonTest, RelativeTablePathIsResolvedAgainstTheConfigFile) {
  // Copy a table next to the config; the test's working directory is elsewhere, so only resolving
  // against the config file's directory can find it.
  ASSERT_NE(fs::current_path(), dir_);
  fs::create_directories(dir_ / "tables");
  std::string err;
  const std::string missing = write("cfg_missing.json", R"({"size_classes": "tables/missing.json"})");
  EXPECT_FALSE(traces::loadConfigJson(missing, &err));
  EXPECT_NE(err.find((dir_ / "tables" / "missing.json").string()), std::string::npos)
      << "the error names the resolved path: " << err;
  fs::copy_file(std::string(SPANSCOPE_TEST_DATA) + "/sizeclasses/go.json", dir_ / "tables" / "go.json");
  const std::string path2 = write("cfg2.json", R"({"size_classes": "tables/go.json"})");
  auto cfg2 = traces::loadConfigJson(path2, &err);
  ASSERT_TRUE(cfg2) << err;
  EXPECT_EQ(cfg2->table.numClasses(), 68u); // go.json lists Go's 67 classes (+ the implied class 0)
  EXPECT_EQ(cfg2->table.cls(5).size, 48u);
}

TEST(TraceConfigTest, MetaConfigOverridesOnlyWhatItNames) {
  traces::TraceMeta meta;
  meta.config.gomaxprocs = 2;
  meta.config.gogc = -1;
  sim::Config cfg;
  cfg.tinyAlloc = false;
  traces::applyTraceConfig(meta, cfg);
  EXPECT_EQ(cfg.gomaxprocs, 2u);
  EXPECT_LT(cfg.gogc, 0);
  EXPECT_EQ(cfg.liveness, sim::Liveness::GC);
  EXPECT_FALSE(cfg.tinyAlloc) << "tiny was not in meta.config";
}

TEST(TraceConfigTest, ResolveSizeClassTable) {
  std::string err;
  auto go = traces::resolveSizeClassTable("go1.19", "", &err);
  ASSERT_TRUE(go) << err;
  EXPECT_EQ(go->numClasses(), 68u);
  EXPECT_FALSE(traces::resolveSizeClassTable("go1.99", "", &err));
  EXPECT_NE(err.find("go1.99"), std::string::npos) << err;
}

} // namespace
