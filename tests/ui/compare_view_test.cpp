// The Compare view and the size-class designer. CompareSession is checked against sim::Comparison
// (itself tested against hand-computed waste in tests/unit/comparison_test.cpp) and against one
// World per table replayed straight to the same position; exports against the files the real
// spanscope-cli writes; the designer against Go's own table (tests/data/sizeclasses/go.json, from
// Go's sizeclasses.go) and hand computations of the optimiser's cost model.
#include "app/gui/compare_view.h"
#include "app/gui/options.h"
#include "app/gui/panel_registry.h"
#include "app/report/compare_report.h"
#include "sim/sizeclass_library.h"
#include "traces/json_trace.h"
#include "ui_harness.h"

#include <imgui.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace {

using namespace sim;

// A random trace long enough for several checkpoints (interval >= 4096): sizes over every class
// and some large objects, frees, explicit GCs.
traces::Trace randomTrace(size_t n, uint64_t seed = 3) {
  traces::Trace t;
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> live;
  uint64_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 100 < 60 || live.empty()) {
      const uint64_t size = rng() % 400 == 0 ? 40000 + rng() % 100000 : static_cast<uint64_t>(std::exp2(static_cast<double>(rng() % 1500) / 100.0));
      t.events.push_back(allocEvent(next, size, rng() % 2 == 0, static_cast<uint32_t>(rng() % 2)));
      live.push_back(next++);
    } else if (rng() % 300 == 0) {
      t.events.push_back(gcEvent());
    } else {
      const size_t k = rng() % live.size();
      t.events.push_back(freeEvent(live[k]));
      live[k] = live.back();
      live.pop_back();
    }
  }
  t.meta.config.gomaxprocs = 2;
  return t;
}

std::vector<model::CompareTable> tables(const std::vector<std::string>& names) {
  std::vector<model::CompareTable> out;
  for (const std::string& n : names) {
    std::string err;
    auto t = sim::libraryTable(n, &err);
    EXPECT_TRUE(t.has_value()) << err;
    out.push_back(model::CompareTable{n, *t});
  }
  return out;
}

// sim::Comparison fed the first p events, as `spanscope-cli compare` runs it.
std::vector<ComparisonFigures> reference(const model::Session& s, const std::vector<std::string>& names, uint64_t p) {
  std::vector<Config> cfgs;
  for (auto& t : tables(names)) cfgs.push_back(report::configForTable(s.world().config(), t.table));
  Comparison c(std::move(cfgs), names);
  std::string err;
  size_t bad = 0;
  if (p > 0) {
    EXPECT_TRUE(c.stepBatch(s.trace().events.data(), p, &err, &bad)) << err;
  }
  return c.figures();
}

void expectSameFigures(const ComparisonFigures& a, const ComparisonFigures& b, uint64_t p) {
  SCOPED_TRACE(a.name + " at " + std::to_string(p));
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.peakHeapInuse, b.peakHeapInuse);
  EXPECT_EQ(a.peakHeapSys, b.peakHeapSys);
  EXPECT_DOUBLE_EQ(a.meanHeapInuse, b.meanHeapInuse);
  EXPECT_DOUBLE_EQ(a.meanHeapSys, b.meanHeapSys);
  EXPECT_EQ(a.atEnd.liveBytes, b.atEnd.liveBytes);
  EXPECT_EQ(a.atEnd.roundingWaste, b.atEnd.roundingWaste);
  EXPECT_EQ(a.atEnd.tailWaste, b.atEnd.tailWaste);
  EXPECT_EQ(a.atEnd.freeSlots, b.atEnd.freeSlots);
  EXPECT_EQ(a.atEnd.cachedFreeSlots, b.atEnd.cachedFreeSlots);
  EXPECT_EQ(a.atEnd.deadBytes, b.atEnd.deadBytes);
  EXPECT_EQ(a.atEnd.freePages, b.atEnd.freePages);
  EXPECT_EQ(a.atEnd.releasedPages, b.atEnd.releasedPages);
  EXPECT_EQ(a.spansCreated, b.spansCreated);
  EXPECT_EQ(a.refills, b.refills);
  EXPECT_EQ(a.centralGrows, b.centralGrows);
  EXPECT_EQ(a.heapGrows, b.heapGrows);
  EXPECT_EQ(a.largeAllocs, b.largeAllocs);
  EXPECT_EQ(a.numClasses, b.numClasses);
  EXPECT_EQ(a.numGC, b.numGC);
  EXPECT_EQ(a.atEnd.headerBytes, b.atEnd.headerBytes);
  EXPECT_EQ(a.atEnd.spanMetaBytes, b.atEnd.spanMetaBytes);
}

// One World per table, replayed straight from the start to p.
void expectStraightReplay(const model::CompareSession& cmp, const model::Session& s, uint64_t p) {
  for (size_t k = 0; k < cmp.size(); ++k) {
    World w(cmp.world(k).config());
    for (uint64_t i = 0; i < p; ++i) ASSERT_TRUE(w.step(s.trace().events[i]));
    const MemStats a = cmp.world(k).memStats(), b = w.memStats();
    SCOPED_TRACE(cmp.name(k) + " at " + std::to_string(p));
    EXPECT_EQ(cmp.world(k).eventsApplied(), p);
    EXPECT_EQ(a.HeapInuse, b.HeapInuse);
    EXPECT_EQ(a.HeapSys, b.HeapSys);
    EXPECT_EQ(a.HeapAlloc, b.HeapAlloc);
    EXPECT_EQ(a.Mallocs, b.Mallocs);
    EXPECT_EQ(a.NumGC, b.NumGC);
    EXPECT_EQ(cmp.world(k).ledger().total(), w.ledger().total());
    EXPECT_EQ(cmp.world(k).ledger().roundingWaste, w.ledger().roundingWaste);
  }
}

TEST(CompareSession, FiguresAtAPositionAreTheComparisonsAfterThatManyEvents) {
  auto s = uitest::openTrace(randomTrace(20000));
  ASSERT_NE(s, nullptr);
  const std::vector<std::string> names = {"go1.19", "tcmalloc", "pow2"};
  model::CompareSession cmp(*s, tables(names));
  ASSERT_EQ(cmp.size(), 3u);
  // Forwards, backwards across checkpoints, to the end and back to the start.
  for (uint64_t p : {uint64_t{0}, uint64_t{1}, uint64_t{5000}, uint64_t{12345}, uint64_t{20000}, uint64_t{4097}, uint64_t{4095}, uint64_t{0}}) {
    cmp.seek(p);
    ASSERT_EQ(cmp.position(), p);
    const auto mine = cmp.figures(), ref = reference(*s, names, p);
    ASSERT_EQ(mine.size(), ref.size());
    for (size_t k = 0; k < mine.size(); ++k) expectSameFigures(mine[k], ref[k], p);
    expectStraightReplay(cmp, *s, p);
  }
  // At the end the HeapInuse series is the CLI's too (same sampling).
  cmp.seek(20000);
  const auto end = cmp.figures(), ref = reference(*s, names, 20000);
  for (size_t k = 0; k < end.size(); ++k) EXPECT_EQ(end[k].heapInuseSeries, ref[k].heapInuseSeries) << names[k];
}

TEST(CompareSession, RandomSeeksEqualStraightReplay) {
  auto s = uitest::openTrace(randomTrace(30000, 5));
  ASSERT_NE(s, nullptr);
  model::CompareSession cmp(*s, tables({"jemalloc", "mimalloc"}));
  std::mt19937_64 rng(9);
  for (int i = 0; i < 12; ++i) {
    const uint64_t p = rng() % 30001;
    cmp.seek(p);
    expectStraightReplay(cmp, *s, p);
  }
}

// Three 33-byte objects (the same trace as tests/unit/compare_cli_test.cpp): by hand, Go rounds
// each to 48 B (3 x 15 = 45 B rounding, span tail 8192 - 170 x 48 = 32 B), pow2 to 64 B (3 x 31 =
// 93 B, no tail: 128 x 64 = 8192).
TEST(CompareSession, HandComputedWasteOfThreeObjects) {
  traces::Trace t;
  t.meta.config.gogc = -1;
  t.meta.config.tiny = false;
  for (uint64_t id = 1; id <= 3; ++id) t.events.push_back(allocEvent(id, 33, true));
  auto s = uitest::openTrace(std::move(t));
  model::CompareSession cmp(*s, tables({"go1.19", "pow2"}));
  cmp.seek(3);
  const auto f = cmp.figures();
  EXPECT_EQ(f[0].atEnd.roundingWaste, 45u);
  EXPECT_EQ(f[0].atEnd.tailWaste, 32u);
  EXPECT_EQ(f[1].atEnd.roundingWaste, 93u);
  EXPECT_EQ(f[1].atEnd.tailWaste, 0u);
  EXPECT_EQ(f[1].atEnd.freeSlots + f[1].atEnd.cachedFreeSlots, 125u * 64);
  cmp.seek(1);
  EXPECT_EQ(cmp.figures()[0].atEnd.roundingWaste, 15u) << "one object at the cursor";
}

TEST(CompareSession, ClassBucketsSumTheHistogram) {
  // Requests of 100, 200 and 300 B, ten each: Go serves them from 112, 208 and 320 B classes,
  // so rounding is 10 x (12 + 8 + 20) = 400 B, all in those three buckets.
  SizeHistogram h;
  h.count.assign(32769, 0);
  h.count[100] = h.count[200] = h.count[300] = 10;
  const auto b = model::classBuckets(SizeClassTable::go119(), h);
  ASSERT_EQ(b.size(), 67u);
  uint64_t req = 0, waste = 0;
  for (const auto& x : b) req += x.requests, waste += x.roundingBytes;
  EXPECT_EQ(req, 30u);
  EXPECT_EQ(waste, 400u);
  EXPECT_EQ(b[8].lo, 97u); // class 9 is 112 B (8, 16, 24, 32, 48, 64, 80, 96, 112)
  EXPECT_EQ(b[8].hi, 112u);
  EXPECT_EQ(b[8].roundingBytes, 120u);
}

// [SECTION] Go releases

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


// sim::Comparison over the first p events with one engine per release, each config made here
// by hand as the CLI's --profiles promises (the release, and that release's own table).
std::vector<ComparisonFigures> releasesReference(const model::Session& s, uint64_t p) {
  Config c119 = s.world().config(), c126 = s.world().config();
  c119.goVersion = GoVersion::Go119;
  c119.table = SizeClassTable::go119();
  c126.goVersion = GoVersion::Go126;
  c126.table = SizeClassTable::go126();
  Comparison c({c119, c126}, {"go1.19", "go1.26"});
  std::string err;
  size_t bad = 0;
  if (p > 0) {
    EXPECT_TRUE(c.stepBatch(s.trace().events.data(), p, &err, &bad)) << err;
  }
  return c.figures();
}

TEST(CompareGoReleases, FiguresAreTheComparisonsAtEveryPosition) {
  auto s = uitest::openTrace(randomTrace(20000, 11));
  ASSERT_NE(s, nullptr);
  gui::CompareView view;
  view.requestProfiles({GoVersion::Go119, GoVersion::Go126});
  view.follow(s.get());
  const model::CompareSession* cmp = view.comparison();
  ASSERT_NE(cmp, nullptr);
  ASSERT_EQ(cmp->size(), 2u);
  EXPECT_EQ(cmp->world(0).config().goVersion, GoVersion::Go119);
  EXPECT_EQ(cmp->world(1).config().goVersion, GoVersion::Go126);
  for (uint64_t p : {uint64_t{0}, uint64_t{1}, uint64_t{7000}, uint64_t{20000}, uint64_t{4095}, uint64_t{13001}}) {
    s->seek(p);
    view.follow(s.get());
    ASSERT_EQ(cmp->position(), p);
    const auto mine = cmp->figures(), ref = releasesReference(*s, p);
    ASSERT_EQ(mine.size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
      expectSameFigures(mine[k], ref[k], p);
    }
    expectStraightReplay(*cmp, *s, p);
  }
  s->seek(20000);
  view.follow(s.get());
  const auto end = cmp->figures();
  EXPECT_GT(end[0].numGC, 0u) << "the GC cycles row is counted, not left at 0";
  // The trace has pointerful objects above 512 B and small scan spans: only go1.26 has headers
  // and span-end metadata, so the comparison really ran two different allocators.
  EXPECT_EQ(end[0].atEnd.headerBytes, 0u);
  EXPECT_EQ(end[0].atEnd.spanMetaBytes, 0u);
  EXPECT_GT(end[1].atEnd.headerBytes, 0u);
  EXPECT_GT(end[1].atEnd.spanMetaBytes, 0u);
  EXPECT_EQ(end[0].heapInuseSeries, releasesReference(*s, 20000)[0].heapInuseSeries);
  // Asking for tables again leaves the release comparison.
  view.request({"go1.19"});
  view.follow(s.get());
  EXPECT_TRUE(view.profiles().empty());
  EXPECT_EQ(view.comparison()->size(), 1u);
}

// A real Go 1.26 recording (tests/data/go_exectrace, see record.sh): the app's export equals the
// report of `spanscope-cli compare --profiles go1.19,go1.26` byte for byte.
TEST(CompareGoReleases, ExportsAreTheClisOnARecordedGo126Program) {
  const std::string trace = std::string(SPANSCOPE_TEST_DATA) + "/go_exectrace/churn.trace";
  const std::string dir = ::testing::TempDir() + "/spanscope_compare_releases_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto s = uitest::openFile(trace);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->world().config().goVersion, GoVersion::Go126) << "a go1.26 recording opens under the go1.26 profile";
  gui::CompareView view;
  view.requestProfiles({GoVersion::Go119, GoVersion::Go126});
  s->seek(s->eventCount());
  view.follow(s.get());
  ASSERT_NE(view.comparison(), nullptr);
  std::string err;
  for (const char* ext : {"md", "csv"}) {
    const gui::ExportKind kind = ext[0] == 'm' ? gui::ExportKind::Markdown : gui::ExportKind::Csv;
    const std::string mine = dir + "/gui." + ext, cli = dir + "/cli." + ext;
    ASSERT_TRUE(view.exportTo(kind, mine, &err)) << err;
    const std::string cmd =
        std::string(SPANSCOPE_CLI) + " compare " + trace + " --profiles go1.19,go1.26 --report " + ext + " -o " + cli;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::string a = readFile(mine), b = readFile(cli);
    EXPECT_NE(a.find("go1.26"), std::string::npos) << a;
    EXPECT_EQ(a, b) << ext;
  }
}

// Go 1.26 malloc.go mallocgc: 1024 B pointerful -> 1032 (header); 512 B pointerful (heapBitsInSpan)
// and 1024 B noscan stay; 32761 B is large (> 32768 - 8). Go 1.19 looks every request up as is.
TEST(CompareGoReleases, LookupSizesCarryTheHeaderUnderGo126) {
  const std::vector<Event> evs = {allocEvent(1, 1024, false), allocEvent(2, 1024, true), allocEvent(3, 512, false),
                                  allocEvent(4, 32761, true), allocEvent(5, 32760, false)};
  MemorySource a(evs), b(evs);
  const SizeHistogram n = model::lookupHistogram(a, goProfile(GoVersion::Go126)), o = model::lookupHistogram(b, goProfile(GoVersion::Go119));
  EXPECT_EQ(n.count[1032], 1u);
  EXPECT_EQ(n.count[1024], 1u);
  EXPECT_EQ(n.count[512], 1u);
  EXPECT_EQ(n.count[32768], 1u) << "32760 B pointerful + 8";
  EXPECT_EQ(n.count[32760], 0u);
  uint64_t total = 0;
  for (uint64_t c : n.count) total += c;
  EXPECT_EQ(total, 4u) << "32761 B is large under Go 1.26";
  EXPECT_EQ(o.count[1024], 2u);
  EXPECT_EQ(o.count[32761], 1u);
}

TEST(CompareGoReleases, TheButtonIsACommandAndTheFlagParses) {
  uitest::Harness h;
  gui::App app;
  app.setSession(uitest::openFile(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json"));
  app.commands().push_back(gui::Command{gui::Command::CompareGoReleases});
  for (int i = 0; i < 3; ++i) uitest::checkedFrame(app);
  ASSERT_NE(app.compareView().comparison(), nullptr);
  EXPECT_EQ(app.compareView().comparison()->name(0), "go1.19");
  EXPECT_EQ(app.compareView().comparison()->name(1), "go1.26");
  EXPECT_TRUE(app.panelOpen(gui::panelIndex("compare")));

  std::string err;
  const char* ok[] = {"spanscope", "--compare-profiles", "go1.19,1.26"};
  auto o = gui::parseOptions(3, ok, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->compareProfiles, (std::vector<GoVersion>{GoVersion::Go119, GoVersion::Go126}));
  const char* bad[] = {"spanscope", "--compare-profiles", "go1.19,go1.20"};
  EXPECT_FALSE(gui::parseOptions(3, bad, &err));
  EXPECT_NE(err.find("go1.20"), std::string::npos) << err;
  const char* both[] = {"spanscope", "--compare", "pow2", "--compare-profiles", "go1.26"};
  EXPECT_FALSE(gui::parseOptions(5, both, &err));
}

// [SECTION] Exports against the CLI

TEST(CompareExport, MarkdownCsvAndChartAreTheClis) {
  const std::string trace = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json";
  const std::string dir = ::testing::TempDir() + "/spanscope_compare_export_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto s = uitest::openFile(trace);
  ASSERT_NE(s, nullptr);
  gui::CompareView view;
  view.request({"go1.19", "tcmalloc", "jemalloc", "pow2"});
  view.follow(s.get());
  s->seek(s->eventCount());
  view.follow(s.get());
  ASSERT_NE(view.comparison(), nullptr);
  ASSERT_EQ(view.comparison()->position(), s->eventCount());
  std::string err;
  for (const char* ext : {"md", "csv", "png"}) {
    const gui::ExportKind kind = ext[0] == 'm' ? gui::ExportKind::Markdown : ext[0] == 'c' ? gui::ExportKind::Csv : gui::ExportKind::Png;
    const std::string mine = dir + "/gui." + ext, cli = dir + "/cli." + ext;
    ASSERT_TRUE(view.exportTo(kind, mine, &err)) << err;
    const std::string cmd = std::string(SPANSCOPE_CLI) + " compare " + trace + " --tables go1.19,tcmalloc,jemalloc,pow2 " +
                            (kind == gui::ExportKind::Png ? "--report text --chart " + cli + " > /dev/null"
                                                          : std::string("--report ") + ext + " -o " + cli);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::string a = readFile(mine), b = readFile(cli);
    EXPECT_GT(a.size(), 100u) << ext;
    EXPECT_EQ(a, b) << ext;
  }
  EXPECT_EQ(view.defaultExportPath(gui::ExportKind::Csv), std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom-compare.csv");
}

TEST(CompareExport, TheExportButtonsAreCommandsTheAppAppliesBetweenFrames) {
  const std::string dir = ::testing::TempDir() + "/spanscope_compare_command_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  uitest::Harness h;
  gui::App app;
  app.setSession(uitest::openFile(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json"));
  app.compareTables({"go1.19", "pow2"});
  app.seek(app.session()->eventCount());
  for (int i = 0; i < 3; ++i) uitest::checkedFrame(app);
  ASSERT_NE(app.compareView().comparison(), nullptr);
  const std::string queued = dir + "/queued.md", direct = dir + "/direct.md";
  std::string err;
  ASSERT_TRUE(app.compareView().exportTo(gui::ExportKind::Markdown, direct, &err)) << err;
  app.commands().push_back(gui::Command{gui::Command::ExportCompare, static_cast<int64_t>(gui::ExportKind::Markdown), queued});
  EXPECT_FALSE(std::filesystem::exists(queued)) << "nothing is written while panels draw";
  uitest::checkedFrame(app);
  EXPECT_TRUE(app.commands().empty());
  EXPECT_EQ(readFile(queued), readFile(direct));
  EXPECT_EQ(app.compareView().status(), "Wrote " + queued);
}

TEST(CompareView, UnknownTablesAreSkippedWithAMessage) {
  auto s = uitest::openTrace(randomTrace(100));
  gui::CompareView view;
  view.request({"go1.19", "no-such-table"});
  view.follow(s.get());
  ASSERT_NE(view.comparison(), nullptr);
  EXPECT_EQ(view.comparison()->size(), 1u);
  EXPECT_NE(view.status().find("no-such-table"), std::string::npos) << view.status();
}

// [SECTION] The panel in the app

// One app frame with ImGui's stack check and the 16-bit vertex limit of every window's draw list.
void checkedFrame(gui::App& app) {
  ImGui::NewFrame();
  app.drawFrame();
  const std::vector<std::string> recovered = uitest::recoverEndOfFrame();
  EXPECT_TRUE(recovered.empty()) << "unbalanced ImGui calls: " << recovered.front();
  ImGui::EndFrame();
  for (ImGuiWindow* w : GImGui->Windows)
    if (w->Active) {
      EXPECT_LT(w->DrawList->VtxBuffer.Size, 1 << 16) << w->Name;
    }
  ImGui::Render();
  app.update(ImGui::GetIO().DeltaTime);
}

ImGuiWindow* childWindow(const char* part) {
  for (ImGuiWindow* w : GImGui->Windows)
    if (w->Active && std::string(w->Name).find(part) != std::string::npos) return w;
  return nullptr;
}

void drawWith(const std::vector<std::string>& names, traces::Trace trace) {
  uitest::Harness h;
  gui::App app;
  for (size_t i = 0; i < gui::kPanelCount; ++i) app.panelOpen(i) = false;
  app.setSession(uitest::openTrace(std::move(trace)));
  app.compareTables(names);
  for (int i = 0; i < 3; ++i) checkedFrame(app);
  EXPECT_TRUE(app.panelOpen(gui::panelIndex("compare"))) << "asking for tables opens the panel";
  const model::CompareSession* cmp = app.compareView().comparison();
  ASSERT_NE(cmp, nullptr);
  ASSERT_EQ(cmp->size(), names.size());
  const uint64_t n = app.session()->eventCount();
  for (uint64_t at : {uint64_t{0}, n / 3, n}) {
    app.seek(at);
    for (ImVec2 mouse : {ImVec2(-1, -1), ImVec2(200, 300), ImVec2(1000, 300), ImVec2(800, 800), ImVec2(300, 900)}) {
      ImGui::GetIO().MousePos = mouse;
      for (int i = 0; i < 2; ++i) checkedFrame(app);
    }
    EXPECT_EQ(cmp->position(), at) << "the compared engines follow the cursor";
  }
  // A click in the middle of the HeapInuse plot seeks there (about half the trace).
  ImGuiWindow* plot = childWindow("##inusechild");
  ASSERT_NE(plot, nullptr);
  const ImVec2 c((plot->InnerRect.Min.x + 70 + plot->InnerRect.Max.x - 28) * 0.5f, (plot->InnerRect.Min.y + plot->InnerRect.Max.y) * 0.5f);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = c;
  checkedFrame(app);
  io.MouseDown[0] = true;
  checkedFrame(app);
  io.MouseDown[0] = false;
  checkedFrame(app);
  EXPECT_NEAR(static_cast<double>(app.session()->position()), static_cast<double>(n) / 2, static_cast<double>(n) * 0.05);
  EXPECT_EQ(cmp->position(), app.session()->position());
}

TEST(ComparePanel, DrawsTwoTablesOnTheClassroomScenario) {
  std::string err;
  auto t = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json", &err);
  ASSERT_TRUE(t) << err;
  drawWith({"go1.19", "tcmalloc"}, *t);
}

TEST(ComparePanel, DrawsSixTablesOnALongTrace) {
  drawWith({"go1.19", "tcmalloc", "jemalloc", "mimalloc", "glibc16", "pow2"}, randomTrace(40000));
}

TEST(ComparePanel, DesignerAndDialogWindowsDraw) {
  uitest::Harness h;
  gui::App app;
  app.setSession(uitest::openTrace(randomTrace(2000)));
  app.compareView().openDialog();
  app.compareView().openDesigner();
  for (int i = 0; i < 3; ++i) checkedFrame(app);
  EXPECT_NE(ImGui::FindWindowByName("Compare tables###comparedialog"), nullptr);
  EXPECT_NE(ImGui::FindWindowByName("Size-class designer###classdesigner"), nullptr);
}

// [SECTION] The designer

TEST(ClassDesigner, DefaultRulesReproduceGo119) {
  // tests/data/sizeclasses/go.json: Go's sizeclasses.go as JSON (classes 1..67: size, pages).
  std::ifstream in(std::string(SPANSCOPE_TEST_DATA) + "/sizeclasses/go.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  gui::ClassDesigner d;
  ASSERT_TRUE(d.regenerate());
  const SizeClassTable& t = d.table();
  ASSERT_EQ(t.numClasses(), j["classes"].size() + 1);
  for (const auto& c : j["classes"]) {
    const uint32_t k = c["cls"].get<uint32_t>();
    EXPECT_EQ(t.cls(k).size, c["size"].get<uint32_t>()) << "class " << k;
    EXPECT_EQ(t.cls(k).npages, c["pages"].get<uint32_t>()) << "class " << k;
    EXPECT_EQ(t.cls(k).nelems, c["objects"].get<uint32_t>()) << "class " << k;
  }
}

TEST(ClassDesigner, RulesChangeTheTableAndBadRulesAreRefused) {
  gui::ClassDesigner d;
  d.knobs.maxSmall = 4096;
  ASSERT_TRUE(d.regenerate());
  EXPECT_EQ(d.table().cls(d.table().numClasses() - 1).size, 4096u) << "the top class is the max small size";
  d.knobs.minAlign = 512;
  d.knobs.maxAlign = 256;
  EXPECT_FALSE(d.regenerate());
  EXPECT_FALSE(d.why().empty());
  EXPECT_EQ(d.table().maxSmall(), 4096u) << "the last good table stays";
}

TEST(ClassDesigner, OptimiseMatchesTheHandComputedTable) {
  // Ten requests each of 100, 200, 300 B; five classes: 16 (tiny), 104, 200, 304, 32768 (see
  // tests/unit/sizeclass_optimize_test.cpp). Rounding: 10 x (4 + 0 + 4) = 80 B. Go rounds to 112,
  // 208, 320: 10 x (12 + 8 + 20) = 400 B.
  SizeHistogram h;
  h.count.assign(32769, 0);
  h.count[100] = h.count[200] = h.count[300] = 10;
  gui::ClassDesigner d;
  d.budget = 5;
  d.optimise(h);
  ASSERT_TRUE(d.optimised().has_value()) << d.why();
  const auto& o = *d.optimised();
  std::vector<uint32_t> sizes;
  for (uint32_t c = 1; c < o.table.numClasses(); ++c) sizes.push_back(o.table.cls(c).size);
  EXPECT_EQ(sizes, (std::vector<uint32_t>{16, 104, 200, 304, 32768}));
  EXPECT_DOUBLE_EQ(o.waste.rounding, 80);
  EXPECT_DOUBLE_EQ(o.goWaste.rounding, 400);
  // Go's tails, by hand: 8192 = 73 x 112 + 16, 39 x 208 + 80, 25 x 320 + 192; each request
  // carries its span's tail over the objects.
  EXPECT_NEAR(o.goWaste.tail, 10 * (16.0 / 73 + 80.0 / 39 + 192.0 / 25), 1e-9);
  d.budget = 1;
  d.optimise(h);
  EXPECT_FALSE(d.optimised().has_value()) << "16 B and 32 KiB need two classes";
  EXPECT_FALSE(d.why().empty());
}

TEST(ClassDesigner, OptimisedIsNeverWorseThanGoOnRealisticTraces) {
  for (uint64_t seed : {1, 2}) {
    const traces::Trace t = randomTrace(20000, seed);
    const SizeHistogram h = model::requestHistogram(t);
    for (uint32_t budget : {20u, 67u}) {
      gui::ClassDesigner d;
      d.budget = budget;
      d.optimise(h);
      ASSERT_TRUE(d.optimised().has_value());
      const auto& o = *d.optimised();
      EXPECT_LE(o.table.numClasses() - 1, budget);
      if (budget == 67) {
        EXPECT_LE(o.waste.total(), o.goWaste.total() + 1e-6) << "seed " << seed;
      }
      // Go's expected waste recomputed here from the buckets: the rounding part is independent.
      double rounding = 0;
      for (const auto& b : model::classBuckets(SizeClassTable::go119(), h)) rounding += static_cast<double>(b.roundingBytes);
      EXPECT_DOUBLE_EQ(o.goWaste.rounding, rounding);
    }
  }
}

} // namespace
