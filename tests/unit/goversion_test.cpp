// The Go 1.26 profile: selection (names, config key, trace meta, --go) and what it changes in the
// engine. Expected numbers come from Go 1.26.8's source, computed by hand in each comment; the
// real runtime is the oracle in tests/oracle (OracleSlots.*/go1_26).
#include "sim/malloc.h"

#include "app/model/engine_settings.h"
#include "traces/config_json.h"
#include "traces/json_trace.h"
#include "cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>

namespace {

using sim::GoVersion;

sim::World world(GoVersion v) {
  sim::Config c;
  c.goVersion = v;
  c.gogc = -1;
  return sim::World(c);
}

void step(sim::World& w, const sim::Event& ev) {
  std::string err;
  ASSERT_TRUE(w.step(ev, &err)) << err;
  const std::vector<std::string> bad = sim::checkInvariants(w);
  ASSERT_TRUE(bad.empty()) << bad.front();
}

bool hasFunction(const sim::StepRecord& r, const std::string& f) {
  const std::vector<const char*> fs = sim::goFunctions(r);
  return std::any_of(fs.begin(), fs.end(), [&](const char* g) { return f == g; });
}

TEST(GoVersionNames, ParseTakesOnlyTheModelledReleases) {
  EXPECT_EQ(sim::parseGoVersion("1.19"), GoVersion::Go119);
  EXPECT_EQ(sim::parseGoVersion("go1.19"), GoVersion::Go119);
  EXPECT_EQ(sim::parseGoVersion("1.26"), GoVersion::Go126);
  EXPECT_EQ(sim::parseGoVersion("go1.26.8"), GoVersion::Go126);
  for (const char* bad : {"1.7", "1.2", "1.20", "1.260", "1.26.", "1.26.x", "go", "", "126", "2.0"})
    EXPECT_FALSE(sim::parseGoVersion(bad)) << bad;
  EXPECT_STREQ(sim::goVersionName(GoVersion::Go126), "1.26");
}

// Allocation headers are Go 1.22, the split mallocgc 1.24; the brief's rule: 1.23 and later -> go1.26.
TEST(GoVersionNames, RecordedVersionPicksTheProfile) {
  EXPECT_EQ(sim::profileForRecordedVersion("go1.22.5"), GoVersion::Go119);
  EXPECT_EQ(sim::profileForRecordedVersion("go1.19"), GoVersion::Go119);
  EXPECT_EQ(sim::profileForRecordedVersion("go1.23"), GoVersion::Go126);
  EXPECT_EQ(sim::profileForRecordedVersion("go1.26.8"), GoVersion::Go126);
  EXPECT_EQ(sim::profileForRecordedVersion("1.27rc1"), GoVersion::Go126);
  EXPECT_FALSE(sim::profileForRecordedVersion("devel"));
  EXPECT_FALSE(sim::profileForRecordedVersion("go2"));
}

TEST(GoVersionSelection, ConfigKeyTraceMetaAndSettingsFollowThePrecedence) {
  sim::Config c;
  std::string err;
  ASSERT_TRUE(traces::applyConfigJson(R"({"go_version": "1.26"})", "cfg.json", "", &c, &err)) << err;
  EXPECT_EQ(c.goVersion, GoVersion::Go126);
  EXPECT_FALSE(traces::applyConfigJson(R"({"go_version": "1.7"})", "cfg.json", "", &c, &err));
  EXPECT_NE(err.find("cfg.json: \"go_version\": must be \"1.19\" or \"1.26\""), std::string::npos) << err;
  EXPECT_FALSE(traces::applyConfigJson(R"({"go_version": 126})", "cfg.json", "", &c, &err));

  // A trace recorded with go1.24 replays under go1.26 with the go1.26 table, unless overridden.
  std::optional<traces::Trace> t = traces::parseJsonTrace(
      R"({"format": "spanscope-trace", "version": 1, "meta": {"go_version": "go1.24.3"}, "events": []})", "t.json", &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->meta.goVersion, "go1.24.3");
  sim::Config r;
  ASSERT_TRUE(model::resolveConfig(t->meta, {}, &r, &err)) << err;
  EXPECT_EQ(r.goVersion, GoVersion::Go126);
  EXPECT_EQ(r.table.name(), "go1.26");
  model::EngineSettings s;
  s.goVersion = GoVersion::Go119;
  ASSERT_TRUE(model::resolveConfig(t->meta, s, &r, &err)) << err;
  EXPECT_EQ(r.goVersion, GoVersion::Go119);
  EXPECT_EQ(r.table.name(), "go1.19");
  // No go_version: the classroom default, go1.19.
  ASSERT_TRUE(model::resolveConfig(traces::TraceMeta{}, {}, &r, &err)) << err;
  EXPECT_EQ(r.goVersion, GoVersion::Go119);
  // A meta go_version that is not a Go release is a schema error naming the key.
  EXPECT_FALSE(traces::parseJsonTrace(
      R"({"format": "spanscope-trace", "version": 1, "meta": {"go_version": "banana"}, "events": []})", "t.json", &err));
  EXPECT_NE(err.find("go_version"), std::string::npos) << err;
  // Written back, it round-trips.
  EXPECT_NE(traces::traceToJson(*t).find("\"go_version\":\"go1.24.3\""), std::string::npos) << traces::traceToJson(*t);
}

// Go 1.26 malloc.go mallocgcSmallScanHeader: 1024 + 8 = 1032 -> SizeToSizeClass128[1] = class 33,
// 1152 B; the pointer returned is the slot + 8; 8192 / 1152 = 7 per span (no reserve above 512 B).
TEST(GoVersionEngine, PointerfulObjectAbove512BytesGetsAHeader) {
  sim::World w = world(GoVersion::Go126);
  step(w, sim::allocEvent(0, 1024, /*noscan=*/false));
  const sim::StepRecord r = w.last();
  EXPECT_EQ(r.sizeclass, 33u);
  EXPECT_EQ(r.elemsize, 1152u);
  EXPECT_EQ(r.mallocPath, sim::MallocPath::SmallScanHeader);
  EXPECT_EQ(r.addr, r.newSpanBase + 8);
  EXPECT_EQ(w.view().span(r.span).nelems, 7u);
  EXPECT_TRUE(hasFunction(r, "runtime.mallocgcSmallScanHeader"));
  EXPECT_NE(sim::describe(r).find("8-byte malloc header"), std::string::npos) << sim::describe(r);
  step(w, sim::allocEvent(1, 1024, false));
  EXPECT_EQ(w.last().addr, r.newSpanBase + 1152 + 8);
  EXPECT_EQ(w.last().slot, 1u);
  // The ledger: two live objects, 1152 - 1024 = 128 B rounding each, 8 of them headers.
  const sim::WasteLedger l = w.ledger();
  EXPECT_EQ(l.roundingWaste, 2u * 128);
  EXPECT_EQ(l.headerBytes, 2u * 8);
  EXPECT_EQ(l.total(), w.memStats().HeapSys);
  // Freeing through the interior address finds the slot.
  step(w, sim::freeEvent(1));
  EXPECT_EQ(w.last().slot, 1u);
  EXPECT_EQ(w.ledger().headerBytes, 8u);

  // Go 1.19: the same request is class 32 (1024 B), slot-aligned, one mallocgc.
  sim::World old = world(GoVersion::Go119);
  step(old, sim::allocEvent(0, 1024, false));
  EXPECT_EQ(old.last().elemsize, 1024u);
  EXPECT_EQ(old.last().addr, old.last().newSpanBase);
  EXPECT_EQ(old.last().mallocPath, sim::MallocPath::None);
  EXPECT_FALSE(hasFunction(old.last(), "runtime.mallocgcSmallScanHeader"));
  EXPECT_EQ(old.ledger().headerBytes, 0u);
}

// heapBitsInSpan(512) is true: no header; scan span of 512 B: reserve 128 (inline mark bits) +
// 8192/64 = 128 (heap bits): (8192 - 256) / 512 = 15. Noscan 512: (8192 - 128) / 512 = 15.
// Noscan 80: (8192 - 128) / 80 = 100; scan 80: (8192 - 256) / 80 = 99; scan 8 (class 1, no inline
// marks below 16 B): (8192 - 128) / 8 = 1008; noscan 16, the tiny class: (8192 - 128) / 16 = 504.
TEST(GoVersionEngine, SpanEndMetadataCutsObjectsPerSpan) {
  struct Case {
    uint64_t size;
    bool noscan;
    uint32_t nelems126, nelems119;
    uint64_t reserve; // Go 1.26 initSpan's reserve
    sim::MallocPath path;
  };
  for (const Case& c : {Case{512, false, 15, 16, 256, sim::MallocPath::SmallScanNoHeader},
                        Case{512, true, 15, 16, 128, sim::MallocPath::SmallNoscan},
                        Case{80, true, 100, 102, 128, sim::MallocPath::SmallNoscan},
                        Case{80, false, 99, 102, 256, sim::MallocPath::SmallScanNoHeader},
                        Case{8, false, 1008, 1024, 128, sim::MallocPath::SmallScanNoHeader},
                        Case{16, true, 504, 512, 128, sim::MallocPath::SmallNoscan},
                        Case{576, true, 14, 14, 0, sim::MallocPath::SmallNoscan}}) {
    SCOPED_TRACE(std::to_string(c.size) + (c.noscan ? " noscan" : " scan"));
    sim::World w = world(GoVersion::Go126), old = world(GoVersion::Go119);
    step(w, sim::allocEvent(0, c.size, c.noscan));
    step(old, sim::allocEvent(0, c.size, c.noscan));
    EXPECT_EQ(w.view().span(w.last().span).nelems, c.nelems126);
    EXPECT_EQ(old.view().span(old.last().span).nelems, c.nelems119);
    EXPECT_EQ(w.last().mallocPath, c.path);
    EXPECT_EQ(w.last().addr, w.last().newSpanBase) << "no header";
    const sim::MSpan& s = w.view().span(w.last().span);
    const sim::WasteLedger l = w.ledger();
    EXPECT_EQ(l.spanMetaBytes, c.reserve);
    EXPECT_EQ(l.tailWaste, s.bytes() - uint64_t{c.nelems126} * s.elemsize);
    EXPECT_EQ(old.ledger().spanMetaBytes, 0u);
    EXPECT_EQ(l.total(), w.memStats().HeapSys);
  }
  // The tiny span: 504 blocks. A tiny object's sub-allocator is mallocgcTiny.
  sim::World w = world(GoVersion::Go126);
  step(w, sim::allocEvent(0, 5, true));
  EXPECT_EQ(w.view().span(w.last().span).nelems, 504u);
  EXPECT_TRUE(hasFunction(w.last(), "runtime.mallocgcTiny"));
  EXPECT_EQ(w.ledger().spanMetaBytes, 128u);
}

// Go 1.26 malloc.go mallocgc: size <= maxSmallSize - mallocHeaderSize (32760) for every object.
TEST(GoVersionEngine, SmallCutoffIs32760ForEveryObject) {
  for (bool noscan : {true, false}) {
    sim::World w = world(GoVersion::Go126), old = world(GoVersion::Go119);
    step(w, sim::allocEvent(0, 32761, noscan));
    EXPECT_TRUE(w.last().has(sim::PathStep::LargeAlloc));
    EXPECT_EQ(w.last().mallocPath, sim::MallocPath::Large);
    EXPECT_TRUE(hasFunction(w.last(), "runtime.mallocgcLarge"));
    EXPECT_EQ(w.last().newSpanPages, 4u); // ceil(32761 / 8192)
    step(old, sim::allocEvent(0, 32761, noscan));
    EXPECT_FALSE(old.last().has(sim::PathStep::LargeAlloc));
    EXPECT_EQ(old.last().sizeclass, 67u);
    step(w, sim::allocEvent(1, 32760, noscan)); // small: class 67, a scan one with its header at 32768
    EXPECT_FALSE(w.last().has(sim::PathStep::LargeAlloc));
    EXPECT_EQ(w.last().sizeclass, 67u);
    EXPECT_EQ(w.last().addr - w.last().newSpanBase, noscan ? 0u : 8u);
  }
}

class GoFlagCli : public clitest::CliFixture {};

TEST_F(GoFlagCli, BadGoVersionIsAUsageErrorAndGo126Replays) {
  const std::string t = std::string(SPANSCOPE_TEST_DATA) + "/traces/three_48.json";
  clitest::CliRun bad = run({"replay", t, "--go", "1.7"});
  EXPECT_EQ(bad.code, 64) << bad.err;
  EXPECT_NE(bad.err.find("--go expects 1.19 or 1.26"), std::string::npos) << bad.err;
  clitest::CliRun ok = run({"replay", t, "--go", "1.26", "--report", "json"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("\"go_version\": \"1.26\""), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"table\": \"go1.26\""), std::string::npos) << ok.out;
  // 48 B noscan under Go 1.26: (8192 - 128) / 48 = 168 slots, the 128 B of mark bits are metadata.
  EXPECT_NE(ok.out.find("\"span_meta_bytes\": 128"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"tail_waste\": " + std::to_string(8192 - 168 * 48)), std::string::npos) << ok.out;
  clitest::CliRun table = run({"classes", "--table", "go1.26"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out, sim::formatSizeClassComment(sim::SizeClassTable::go126()));
}

// compare --profiles: ten 1024 B pointerful objects. Go 1.19: class 32 (1024 B), no rounding, one
// span of 8 (8192 / 1024) plus one more: 2 spans. Go 1.26: 1032 -> class 33 (1152 B), 128 B of
// rounding each, 8 of it the header; 7 per span: 2 spans as well. Hand-computed from the source.
TEST_F(GoFlagCli, CompareProfilesSetsTheReleasesSideBySide) {
  std::string events;
  for (int i = 0; i < 10; ++i)
    events += std::string(i ? "," : "") + R"({"op": "alloc", "id": )" + std::to_string(i) + R"(, "size": 1024, "noscan": false})";
  const std::string trace = path("ptr1024.json");
  std::ofstream(trace) << R"({"format": "spanscope-trace", "version": 1, "meta": {}, "events": [)" + events + "]}";
  clitest::CliRun r = run({"compare", trace, "--profiles", "go1.19,go1.26", "--report", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["tables"].size(), 2u);
  EXPECT_EQ(j["tables"][0]["name"], "go1.19");
  EXPECT_EQ(j["tables"][1]["name"], "go1.26");
  EXPECT_EQ(j["tables"][0]["rounding_waste"], 0);
  EXPECT_EQ(j["tables"][0]["header_bytes"], 0);
  EXPECT_EQ(j["tables"][1]["rounding_waste"], 10 * 128);
  EXPECT_EQ(j["tables"][1]["header_bytes"], 10 * 8);
  EXPECT_EQ(j["tables"][0]["spans_created"], 2);
  EXPECT_EQ(j["tables"][1]["spans_created"], 2);
  EXPECT_EQ(j["tables"][1]["tail_waste"], 2 * (8192 - 7 * 1152));
  EXPECT_EQ(run({"compare", trace, "--profiles", "go1.7"}).code, 64);
  // info says which Go recorded a trace and the profile it picks.
  const std::string rec = path("rec.json");
  std::ofstream(rec) << R"({"format": "spanscope-trace", "version": 1, "meta": {"go_version": "go1.22.5"}, "events": []})";
  clitest::CliRun info = run({"info", rec});
  ASSERT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find("recorded with:  go1.22.5 (replays under the go1.19 profile)"), std::string::npos) << info.out;
  EXPECT_EQ(run({"compare", trace, "--profiles", "go1.19", "--tables", "pow2"}).code, 64);
}

} // namespace
