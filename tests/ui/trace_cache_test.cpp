// The binary cache of non-native traces (issue 14 item 2, traces/trace_cache.h): the app converts a
// heaptrack recording once, reads it in place from the cache, reuses the cache on the next open,
// writes a damaged one again, keeps native JSON (with its own ids) in memory, and changing the
// engine settings re-reads a trace read in place instead of replaying an empty copy.
#include "ui_harness.h"

#include "traces/open_trace.h"
#include "traces/trace_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const std::string kHeaptrack = std::string(SPANSCOPE_TEST_DATA) + "/heaptrack/python3.raw.zst";
const std::string kScenario = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/classroom.json";

class TraceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("spanscope_cache_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    const char* old = std::getenv("SPANSCOPE_CACHE_DIR");
    if (old) saved_ = old;
    ::setenv("SPANSCOPE_CACHE_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (saved_) ::setenv("SPANSCOPE_CACHE_DIR", saved_->c_str(), 1);
    else ::unsetenv("SPANSCOPE_CACHE_DIR");
    fs::remove_all(dir_);
  }
  std::vector<fs::path> cacheFiles() const {
    std::vector<fs::path> out;
    if (fs::exists(dir_))
      for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }
  fs::path dir_;
  std::optional<std::string> saved_;
};

TEST_F(TraceCacheTest, AnImportedTraceIsConvertedOnceAndReadInPlace) {
  // What the trace is, read into memory the old way.
  auto stream = traces::openTrace(kHeaptrack);
  const traces::Trace whole = traces::readAll(*stream);
  ASSERT_GT(whole.events.size(), 10000u); // a real recording: python3 at start-up
  auto memory = model::Session::open(whole, kHeaptrack, [&] {
    sim::Config c;
    traces::applyTraceConfig(whole.meta, c);
    return c;
  }());
  ASSERT_NE(memory, nullptr);

  uitest::Harness h;
  gui::App app;
  ASSERT_TRUE(app.loadNow(kHeaptrack)) << (app.errors().empty() ? "" : app.errors().front());
  const std::vector<fs::path> files = cacheFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], fs::path(traces::binaryCachePath(kHeaptrack)));
  const model::Session& s = *app.session();
  EXPECT_TRUE(s.readsInPlace());
  EXPECT_TRUE(s.trace().events.empty()) << "no events held in memory";
  EXPECT_EQ(s.path(), kHeaptrack) << "the app names the file the user opened, not its cache";
  ASSERT_EQ(s.eventCount(), whole.events.size());
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, whole.events.size() / 2, whole.events.size() - 1}) {
    const sim::Event e = s.event(i), w = whole.events[i];
    EXPECT_EQ(e.kind, w.kind) << i;
    EXPECT_EQ(e.id, w.id) << i;
    EXPECT_EQ(e.size, w.size) << i;
    EXPECT_EQ(e.thread, w.thread) << i;
  }
  ASSERT_FALSE(s.stats().empty());
  EXPECT_EQ(s.stats().back().mem.HeapInuse, memory->stats().back().mem.HeapInuse);
  EXPECT_EQ(s.stats().back().mem.HeapSys, memory->stats().back().mem.HeapSys);
  EXPECT_EQ(s.stats().back().mem.Mallocs, memory->stats().back().mem.Mallocs);

  // The second open reads the cache: the file is not written again.
  const auto written = fs::last_write_time(files[0]);
  const auto size = fs::file_size(files[0]);
  ASSERT_TRUE(app.loadNow(kHeaptrack));
  EXPECT_EQ(fs::last_write_time(files[0]), written);
  EXPECT_EQ(app.session()->eventCount(), whole.events.size());

  // A damaged cache (cut in half) is written again, and the trace opens as before.
  fs::resize_file(files[0], size / 2);
  ASSERT_TRUE(app.loadNow(kHeaptrack)) << (app.errors().empty() ? "" : app.errors().front());
  EXPECT_EQ(fs::file_size(files[0]), size);
  EXPECT_EQ(app.session()->eventCount(), whole.events.size());
  EXPECT_EQ(cacheFiles().size(), 1u) << "no temp file left behind";
}

TEST_F(TraceCacheTest, ChangingTheEngineReReadsATraceReadInPlace) {
  uitest::Harness h;
  gui::App app;
  ASSERT_TRUE(app.loadNow(kHeaptrack));
  const uint64_t n = app.session()->eventCount();
  app.seek(n / 3);
  h.frame(app);
  model::EngineSettings four;
  four.procs = 4;
  app.reconfigure(four);
  app.waitForLoad();
  h.frame(app);
  ASSERT_NE(app.session(), nullptr);
  EXPECT_EQ(app.session()->world().config().gomaxprocs, 4u);
  EXPECT_EQ(app.session()->eventCount(), n) << "the whole trace, not an empty copy";
  EXPECT_EQ(app.session()->position(), n / 3);
}

TEST_F(TraceCacheTest, NativeJsonKeepsItsIdsInMemory) {
  uitest::Harness h;
  gui::App app;
  ASSERT_TRUE(app.loadNow(kScenario));
  EXPECT_TRUE(cacheFiles().empty()) << "JSON names objects by its own ids, which the binary format does not keep";
  EXPECT_FALSE(app.session()->readsInPlace());
}

} // namespace
