// spanscope-cli end to end: exit codes, messages, reports, state dumps, scenarios.
// Runs the built binary (SPANSCOPE_CLI) through the shell.
#include "sim/malloc.h"
#include "cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

namespace {

namespace fs = std::filesystem;

const std::string kTraces = std::string(SPANSCOPE_TEST_DATA) + "/traces/";

using clitest::CliRun;
using clitest::slurp;

class CliTest : public clitest::CliFixture {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

nlohmann::json parseJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << text;
  return j;
}

TEST_F(CliTest, HelpDocumentsFlagsAndExitCodes) {
  for (const auto& args : {std::vector<std::string>{"--help"}, {"help"}}) {
    CliRun r = run(args);
    EXPECT_EQ(r.code, 0);
    for (const char* s : {"replay", "classes", "64", "invariant"}) EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
  CliRun r = run({"replay", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--config", "--procs", "--liveness", "--gogc", "--table", "--until", "--report", "--steps",
                           "--trace-gaps", "--dump-state", "--check-invariants", "64"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  CliRun c = run({"classes", "--help"});
  EXPECT_EQ(c.code, 0);
  for (const char* flag : {"--table", "--generate", "--page-size", "--max-small", "--waste-div", "--min-align", "--max-align"})
    EXPECT_NE(c.out.find(flag), std::string::npos) << flag;
}

TEST_F(CliTest, MalformedTraceExits2NamingFileAndLine) {
  CliRun r = run({"replay", kTraces + "truncated.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(kTraces + "truncated.json: line 4, column 31"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << "no report for a trace that did not load";
  EXPECT_EQ(run({"replay", kTraces + "missing_file.json"}).code, 2);
  EXPECT_EQ(run({"replay", kTraces + "unknown_op.json"}).code, 2);
}

TEST_F(CliTest, DoubleFreeExits1WithEventIndexAndFileId) {
  CliRun r = run({"replay", kTraces + "double_free.json"});
  EXPECT_EQ(r.code, 1);
  // double_free.json: #0 alloc id 77, #1 free id 77, #2 free id 77 again.
  EXPECT_NE(r.err.find(kTraces + "double_free.json: event #2 (free id 77): "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("already freed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("id 0"), std::string::npos) << "messages use the file's ids, never dense ones: " << r.err;
}

TEST_F(CliTest, BadUsageExits64) {
  const std::string t = kTraces + "three_48.json";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"replay"},
           {"replay", t, "--bogus"},
           {"replay", t, "--procs", "0"},
           {"replay", t, "--procs"},
           {"replay", t, "--until", "12x"},
           {"replay", t, "--liveness", "lazy"},
           {"replay", t, "--gogc", "on"},
           {"replay", t, "--trace-gaps", "busy"},
           {"replay", t, "--report", "xml"},
           {"replay", t, "--steps=yes"},
           {"replay", t, t},
           {"classes", "--bogus"},
           {"classes", "--page-size", "4096"},
           {"classes", "--generate", "--waste-div", "1"},
       }) {
    CliRun r = run(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.code, 64) << shown << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << shown;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
}

TEST_F(CliTest, ClassesPrintsTheGoTableComment) {
  CliRun r = run({"classes"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, sim::formatSizeClassComment(sim::SizeClassTable::go119()));
  // The first line of Go 1.19's runtime/sizeclasses.go table comment.
  EXPECT_EQ(r.out.rfind("// class  bytes/obj  bytes/span  objects  tail waste  max waste  min align\n", 0), 0u) << r.out;
  EXPECT_EQ(run({"classes", "--table", "go1.19"}).out, r.out);
  // mksizeclasses' rules with Go's knobs give Go's table.
  EXPECT_EQ(run({"classes", "--generate"}).out, r.out);
  sim::SizeClassGeneratorKnobs k;
  k.maxAlign = 512;
  EXPECT_EQ(run({"classes", "--generate", "--max-align", "512"}).out,
            sim::formatSizeClassComment(sim::SizeClassTable::generate(k)));
  EXPECT_EQ(run({"classes", "--table", kTraces + "no_such_table.json"}).code, 2);
}

TEST_F(CliTest, JsonReportOfThree48ByteObjects) {
  CliRun r = run({"replay", kTraces + "three_48.json", "--report", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = parseJson(r.out);
  const auto& ms = j["memstats"];
  EXPECT_EQ(ms["heap_alloc"], 3 * 48);   // class 5 is exactly 48 B: no rounding
  EXPECT_EQ(ms["heap_inuse"], 8192);     // one class-5 span = 1 page
  EXPECT_EQ(ms["heap_objects"], 3);
  EXPECT_EQ(ms["mallocs"], 3);
  EXPECT_EQ(ms["frees"], 0);
  EXPECT_EQ(ms["heap_sys"], 4 << 20);    // the heap grows in 4 MiB chunks
  EXPECT_EQ(ms["mcache_inuse"], 1200);   // one P's mcache
  uint64_t sum = 0;
  for (const char* k : {"live_bytes", "rounding_waste", "dead_bytes", "tail_waste", "free_slots", "cached_free_slots",
                        "free_pages", "released_pages"})
    sum += j["ledger"][k].get<uint64_t>();
  EXPECT_EQ(sum, ms["heap_sys"].get<uint64_t>());
  EXPECT_EQ(j["ledger"]["live_bytes"], 144);
  EXPECT_EQ(j["ledger"]["tail_waste"], 8192 - 170 * 48); // 170 slots of 48 B in 8192 B
  EXPECT_EQ(j["events_replayed"], 3);
  EXPECT_EQ(j["trace"]["name"], "three 48-byte objects");
  EXPECT_EQ(j["config"]["gomaxprocs"], 1);
  EXPECT_EQ(j["config"]["table"], "go1.19");
  EXPECT_EQ(j["config"]["sweep"], "lazy"); // Go's concurrent sweep is the default
  // First alloc refills (empty mcache) and grows the central list; the other two hit allocCache.
  EXPECT_EQ(j["paths"]["refill"], 1);
  EXPECT_EQ(j["paths"]["central_grow"], 1);
  EXPECT_EQ(j["paths"]["next_free_fast"], 2);
  ASSERT_EQ(j["classes"].size(), 1u);
  const auto& c = j["classes"][0];
  EXPECT_EQ(c["class"], 5);
  EXPECT_EQ(c["size"], 48);
  EXPECT_EQ(c["span_class"], 11); // 5<<1 | noscan
  EXPECT_EQ(c["spans"], 1);
  EXPECT_EQ(c["objects"], 3);
  EXPECT_EQ(c["capacity"], 170);
}

TEST_F(CliTest, TextReportHasUnitsAndTheLedgerCheck) {
  CliRun r = run({"replay", kTraces + "three_48.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "HeapSys", "HeapObjects", "Mallocs",
                        "Frees", "TotalAlloc", "MSpanInuse", "MSpanSys", "MCacheInuse", "NumGC", "NextGC", "4 MiB",
                        "144 B", "= HeapSys \u2713", "next_free_fast", "170", "go1.19"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST_F(CliTest, UntilStopsEarly) {
  CliRun r = run({"replay", kTraces + "three_48.json", "--report", "json", "--until", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = parseJson(r.out);
  EXPECT_EQ(j["events_replayed"], 2);
  EXPECT_EQ(j["events_total"], 3);
  EXPECT_EQ(j["memstats"]["heap_alloc"], 96);
  // --until beyond the end replays everything.
  EXPECT_EQ(parseJson(run({"replay", kTraces + "three_48.json", "--report", "json", "--until", "99"}).out)["events_replayed"], 3);
}

TEST_F(CliTest, StepsExplainEachEvent) {
  const std::string t = write("lesson.json", R"({"format": "spanscope-trace", "version": 1, "events": [
    {"op": "annotate", "text": "watch the first alloc"},
    {"op": "alloc", "id": 1, "size": 48},
    {"op": "alloc", "id": 2, "size": 48}]})");
  CliRun r = run({"replay", t, "--steps", "--report", "none"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("#0  P0  annotation\n    lesson: watch the first alloc\n#1  P0  48 B", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("    go: runtime.mallocgc \u2192 runtime.(*mcache).refill"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("#2  P0  48 B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    go: runtime.mallocgc \u2192 runtime.nextFreeFast\n"), std::string::npos) << r.out;
  // With a JSON report the steps go to stderr and stdout stays one JSON document.
  CliRun j = run({"replay", t, "--steps", "--report", "json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(parseJson(j.out)["events_replayed"], 3);
  EXPECT_EQ(j.err.rfind("#0  P0  annotation\n", 0), 0u) << j.err;
}

TEST_F(CliTest, DumpStateWritesValidJsonWithEachSpan) {
  // Three span classes get one span each: class 5 noscan (48 B), the tiny class 2 noscan block
  // (8 B noscan), and a 5-page large span (40000 B -> ceil(40000/8192) = 5 pages).
  const std::string t = write("mix.json", R"({"format": "spanscope-trace", "version": 1, "events": [
    {"op": "alloc", "id": 1, "size": 48}, {"op": "alloc", "id": 2, "size": 48},
    {"op": "alloc", "id": 3, "size": 8}, {"op": "alloc", "id": 4, "size": 40000}]})");
  const std::string out = (dir_ / "state.json").string();
  CliRun r = run({"replay", t, "--report", "none", "--dump-state", out});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = parseJson(slurp(out));
  ASSERT_TRUE(j["spans"].is_array());
  EXPECT_EQ(j["spans"].size(), 3u);
  std::set<int> spcs;
  for (const auto& s : j["spans"]) {
    spcs.insert(s["spanclass"].get<int>());
    if (s["spanclass"] == 1) {
      EXPECT_EQ(s["npages"], 5);
    }
    if (s["spanclass"] == 11) {
      EXPECT_EQ(s["allocCount"], 2);
      EXPECT_EQ(s["home"], "mcache P0");
      EXPECT_EQ(s["allocBits"].get<std::string>().size(), 2 * ((170 + 7) / 8)); // one hex byte per 8 slots
    }
  }
  EXPECT_EQ(spcs, (std::set<int>{1, 5, 11}));
  EXPECT_EQ(j["ps"].size(), 1u);
  EXPECT_EQ(j["arenas"][0], "0xc000000000");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.path().filename().string().rfind("state.json", 0) == 0;
  EXPECT_EQ(files, 1u) << "no state.json.tmp.* left behind";
}

TEST_F(CliTest, SettingsPrecedenceFlagsOverConfigOverTrace) {
  const std::string t = write("meta.json", R"({"format": "spanscope-trace", "version": 1,
    "meta": {"config": {"gomaxprocs": 2, "gogc": 300}}, "events": [{"op": "alloc", "id": 1, "size": 8}]})");
  const std::string cfg = write("cfg.json", R"({"gomaxprocs": 3})");
  auto procs = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"replay", t, "--report", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun r = run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    nlohmann::json j = parseJson(r.out);
    return std::make_pair(j["config"]["gomaxprocs"].get<int>(), j["config"]["gogc"].get<int>());
  };
  EXPECT_EQ(procs({}), std::make_pair(2, 300));
  EXPECT_EQ(procs({"--config", cfg}), std::make_pair(3, 300));
  EXPECT_EQ(procs({"--config", cfg, "--procs", "4"}), std::make_pair(4, 300));
  EXPECT_EQ(procs({"--gogc", "off"}), std::make_pair(2, -1));
  // MCacheInuse follows GOMAXPROCS: 1200 B per P.
  CliRun r = run({"replay", t, "--report", "json", "--procs", "4"});
  EXPECT_EQ(parseJson(r.out)["memstats"]["mcache_inuse"], 4 * 1200);
  // A broken config file is an input error.
  EXPECT_EQ(run({"replay", t, "--config", write("bad.json", R"({"procs": 3})")}).code, 2);
}

TEST_F(CliTest, TableFlagAcceptsAJsonFile) {
  CliRun r = run({"replay", kTraces + "three_48.json", "--report", "json", "--table",
               std::string(SPANSCOPE_TEST_DATA) + "/sizeclasses/go.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = parseJson(r.out);
  EXPECT_EQ(j["config"]["table"], "go"); // the file's "allocator"
  EXPECT_EQ(j["memstats"]["heap_alloc"], 144);
}

TEST_F(CliTest, EveryScenarioReplaysWithInvariantsChecked) {
  const fs::path dir = fs::path(SPANSCOPE_SOURCE_DIR) / "assets" / "scenarios";
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    names.insert(e.path().filename().string());
    CliRun r = run({"replay", e.path().string(), "--check-invariants", "--steps"});
    EXPECT_EQ(r.code, 0) << e.path() << "\n" << r.err;
    EXPECT_NE(r.out.find("lesson: "), std::string::npos) << e.path() << " has no annotations";
    EXPECT_NE(r.out.find("= HeapSys \u2713"), std::string::npos) << e.path();
  }
  for (const char* s : {"classroom.json", "tiny.json", "small_refill.json", "large.json"})
    EXPECT_TRUE(names.count(s)) << s << " missing from assets/scenarios";
}

} // namespace
