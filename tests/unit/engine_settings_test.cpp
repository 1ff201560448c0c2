// model::EngineSettings and its one precedence rule: the engine's defaults < the trace's
// meta.config < the config file < the settings (CLI flags, the app's command line and dialog).
#include "app/model/engine_settings.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

std::string writeConfig(const std::string& json) {
  const std::string path = testing::TempDir() + "/engine_settings_" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << json;
  return path;
}

TEST(EngineSettings, EachLayerOverridesTheOneBelowOnlyWhereItSpeaks) {
  traces::TraceMeta meta;
  meta.config.gomaxprocs = 2;
  meta.config.gogc = 50;
  meta.config.liveness = sim::Liveness::Immediate;
  model::EngineSettings s;
  s.configFile = writeConfig(R"({"gogc": 200, "gomaxprocs": 3})");
  s.procs = 4;
  sim::Config cfg;
  std::string err;
  ASSERT_TRUE(model::resolveConfig(meta, s, &cfg, &err)) << err;
  EXPECT_EQ(cfg.gomaxprocs, 4u) << "the setting over the file over the meta";
  EXPECT_EQ(cfg.gogc, 200) << "the file over the meta";
  EXPECT_EQ(cfg.liveness, sim::Liveness::Immediate) << "only the meta speaks";
  EXPECT_EQ(cfg.sweep, sim::Config{}.sweep) << "nobody speaks: the default";
  std::remove(s.configFile.c_str());
}

TEST(EngineSettings, EveryCliKnobReachesTheConfig) {
  model::EngineSettings s;
  s.memoryLimit = uint64_t{64} << 20;
  s.scavenger = false;
  s.sweep = sim::SweepMode::Eager;
  s.clock = sim::ClockSource::Model;
  s.timeFrom = 1000;
  s.traceGapsRunning = true;
  sim::Config cfg;
  std::string err;
  ASSERT_TRUE(model::resolveConfig({}, s, &cfg, &err)) << err;
  EXPECT_EQ(cfg.scavenger.memoryLimit, uint64_t{64} << 20);
  EXPECT_FALSE(cfg.scavenger.enabled);
  EXPECT_EQ(cfg.sweep, sim::SweepMode::Eager);
  EXPECT_TRUE(cfg.timing.enabled) << "a timing knob turns the timing model on, as on the command line";
  EXPECT_EQ(cfg.timing.clock, sim::ClockSource::Model);
  EXPECT_EQ(cfg.timing.fromEvent, 1000u);
  EXPECT_TRUE(cfg.traceGapsRunning);
  s.timing = false;
  ASSERT_TRUE(model::resolveConfig({}, s, &cfg, &err)) << err;
  EXPECT_FALSE(cfg.timing.enabled) << "unless the settings turn it off";
}

TEST(EngineSettings, ABadFileFailsNamingItAndLeavesTheConfigAlone) {
  model::EngineSettings s;
  s.configFile = writeConfig(R"({"gogc": "sometimes"})");
  sim::Config cfg;
  cfg.gomaxprocs = 7;
  std::string err;
  EXPECT_FALSE(model::resolveConfig({}, s, &cfg, &err));
  EXPECT_NE(err.find(s.configFile), std::string::npos) << err;
  EXPECT_EQ(cfg.gomaxprocs, 7u);
  std::remove(s.configFile.c_str());
  s.configFile.clear();
  s.costModel = "/nonexistent/cost.json";
  EXPECT_FALSE(model::resolveConfig({}, s, &cfg, &err));
  EXPECT_NE(err.find("/nonexistent/cost.json"), std::string::npos) << err;
}

} // namespace
