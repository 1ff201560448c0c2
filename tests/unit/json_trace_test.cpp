// The native JSON trace: loading, errors on broken files, round trip. traces/json_trace.h.
#include "traces/json_trace.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

const std::string kData = std::string(SPANSCOPE_TEST_DATA) + "/traces/";

std::string loadError(const std::string& file) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + file, &err);
  EXPECT_FALSE(t.has_value()) << file << " loaded although it is broken";
  EXPECT_EQ(err.find('\n'), std::string::npos) << "error must be one line: " << err;
  EXPECT_EQ(err.rfind(kData + file + ": ", 0), 0u) << "error must start with the path: " << err;
  return err;
}

std::string parseError(const std::string& text) {
  std::string err;
  auto t = traces::parseJsonTrace(text, "mem.json", &err);
  EXPECT_FALSE(t.has_value()) << text;
  return err;
}

std::string wrap(const std::string& events) {
  return R"({"format": "spanscope-trace", "version": 1, "events": [)" + events + "]}";
}

bool sameEvent(const sim::Event& a, const sim::Event& b) {
  return a.kind == b.kind && a.noscan == b.noscan && a.thread == b.thread && a.id == b.id && a.size == b.size &&
         a.time == b.time;
}

TEST(JsonTraceTest, LoadsEventsWithDefaultsAndDenseIds) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + "three_48.json", &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->meta.name, "three 48-byte objects");
  EXPECT_EQ(t->meta.source, "hand-written test");
  EXPECT_TRUE(t->meta.config.empty());
  ASSERT_EQ(t->events.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const sim::Event& e = t->events[i];
    EXPECT_EQ(e.kind, sim::EventKind::Alloc);
    EXPECT_EQ(e.size, 48u);
    EXPECT_TRUE(e.noscan) << "noscan defaults to true";
    EXPECT_EQ(e.thread, 0u) << "thread defaults to 0";
    EXPECT_EQ(e.time, sim::kNoTime) << "time is optional";
    EXPECT_EQ(e.id, i) << "file ids 1,2,3 become dense 0,1,2";
  }
  EXPECT_EQ(t->originalIds, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(JsonTraceTest, EveryFieldAndEventKind) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + "everything.json", &err);
  ASSERT_TRUE(t) << err;
  const traces::TraceConfig& c = t->meta.config;
  ASSERT_TRUE(c.gomaxprocs && c.liveness && c.gogc && c.tiny);
  EXPECT_EQ(*c.gomaxprocs, 2u);
  EXPECT_EQ(*c.liveness, sim::Liveness::Immediate);
  EXPECT_LT(*c.gogc, 0) << "\"off\" means a negative GOGC";
  EXPECT_FALSE(*c.tiny);
  ASSERT_EQ(t->events.size(), 8u);
  const auto& e = t->events;
  EXPECT_EQ(e[0].kind, sim::EventKind::Annotate);
  EXPECT_EQ(e[0].id, 0u);
  EXPECT_EQ(e[1].kind, sim::EventKind::Alloc);
  EXPECT_EQ(e[1].id, 0u);  // file id 500, first seen
  EXPECT_EQ(e[1].size, 33u);
  EXPECT_EQ(e[1].time, 120u);
  EXPECT_EQ(e[2].id, 1u);  // file id 7, second seen
  EXPECT_FALSE(e[2].noscan);
  EXPECT_EQ(e[2].thread, 3u);
  EXPECT_EQ(e[3].kind, sim::EventKind::Free);
  EXPECT_EQ(e[3].id, 0u);
  EXPECT_EQ(e[3].thread, 3u);
  EXPECT_EQ(e[3].time, 130u);
  EXPECT_EQ(e[4].id, 0u) << "a reused file id keeps its dense id";
  EXPECT_EQ(e[4].size, 0u);
  EXPECT_EQ(e[5].kind, sim::EventKind::GC);
  EXPECT_EQ(e[5].time, 200u);
  EXPECT_EQ(e[6].kind, sim::EventKind::ReadMemStats);
  EXPECT_EQ(e[7].kind, sim::EventKind::Annotate);
  EXPECT_EQ(e[7].id, 1u);
  ASSERT_EQ(t->annotations.size(), 2u);
  EXPECT_EQ(t->annotations[0], "first lesson");
  EXPECT_EQ(t->annotations[1], "second lesson\nwith a newline and \"quotes\" and \u00fcn\u00efc\u00f6d\u00e9");
  EXPECT_EQ(t->originalIds, (std::vector<uint64_t>{500, 7}));
}

TEST(JsonTraceTest, TruncatedFileNamesLineAndColumn) {
  // truncated.json ends inside line 4, which holds 30 characters: the end of input is column 31.
  const std::string err = loadError("truncated.json");
  EXPECT_NE(err.find(": line 4, column 31: "), std::string::npos) << err;
}

TEST(JsonTraceTest, SyntaxErrorPositionIsTheOffendingCharacter) {
  // The stray second comma is on line 3, column 17 (1-based): "  {\"op\": \"gc\"} ,," is 17 characters.
  const std::string text = "{\"format\": \"spanscope-trace\", \"version\": 1,\n \"events\": [\n  {\"op\": \"gc\"} ,, {\"op\": \"gc\"}]}";
  const std::string err = parseError(text);
  EXPECT_EQ(err.rfind("mem.json: line 3, column 17: ", 0), 0u) << err;
}

TEST(JsonTraceTest, GarbageBytesAreASyntaxErrorOnLineOne) {
  const std::string err = loadError("garbage.json");
  EXPECT_NE(err.find(": line 1, column 1: "), std::string::npos) << err;
  for (unsigned char ch : err) EXPECT_TRUE(ch >= 0x20 && ch < 0x7f) << "binary bytes must be escaped: " << err;
}

TEST(JsonTraceTest, WrongVersionAndFormat) {
  EXPECT_NE(loadError("wrong_version.json").find("unsupported version 2"), std::string::npos);
  EXPECT_NE(loadError("wrong_format.json").find("\"heaptrack\""), std::string::npos);
  EXPECT_NE(parseError(R"({"version": 1, "events": []})").find("format"), std::string::npos);
  EXPECT_NE(parseError(R"({"format": "spanscope-trace", "events": []})").find("version"), std::string::npos);
  EXPECT_NE(parseError(R"([1, 2])").find("top level"), std::string::npos);
}

TEST(JsonTraceTest, UnknownOpNamesTheEvent) {
  const std::string err = loadError("unknown_op.json");
  EXPECT_NE(err.find("event #1: unknown op \"realloc\""), std::string::npos) << err;
}

TEST(JsonTraceTest, NegativeSizeNamesTheEvent) {
  const std::string err = loadError("negative_size.json");
  EXPECT_NE(err.find("event #1: "), std::string::npos) << err;
  EXPECT_NE(err.find("negative"), std::string::npos) << err;
}

TEST(JsonTraceTest, AbsurdSizeAboveTwoToThe48) {
  EXPECT_NE(loadError("absurd_size.json").find("event #0: absurd size 281474976710657"), std::string::npos);
  std::string err;
  EXPECT_TRUE(traces::parseJsonTrace(wrap(R"({"op": "alloc", "id": 1, "size": 281474976710656})"), "m", &err))
      << "exactly 2^48 is allowed: " << err;
}

TEST(JsonTraceTest, FreeOfUnknownIdIsLeftToTheEngine) {
  // free_unknown_id.json frees id 2 at event #2; its alloc only comes at event #3. The file is well
  // formed; the engine rejects the free at replay (spanscope-cli exit 1, as documented). The free
  // and the later alloc share one dense id, which maps back to the trace's 2.
  std::string err;
  auto t = traces::loadJsonTrace(kData + "free_unknown_id.json", &err);
  ASSERT_TRUE(t) << err;
  ASSERT_EQ(t->events.size(), 4u);
  EXPECT_EQ(t->events[2].kind, sim::EventKind::Free);
  EXPECT_EQ(t->events[2].id, t->events[3].id);
  EXPECT_EQ(t->originalId(t->events[2].id), 2u);
}

TEST(JsonTraceTest, DoubleFreeAndLiveReallocAreLeftToTheEngine) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + "double_free.json", &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->events.size(), 3u);
  EXPECT_TRUE(traces::parseJsonTrace(
      wrap(R"({"op": "alloc", "id": 1, "size": 8}, {"op": "alloc", "id": 1, "size": 8})"), "m", &err))
      << err;
}

TEST(JsonTraceTest, MissingEventsArray) {
  EXPECT_NE(loadError("missing_events.json").find("missing \"events\""), std::string::npos);
  EXPECT_NE(parseError(R"({"format": "spanscope-trace", "version": 1, "events": {}})").find("array"), std::string::npos);
}

TEST(JsonTraceTest, HugeIdsAreRemapped) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + "huge_ids.json", &err);
  ASSERT_TRUE(t) << err;
  ASSERT_EQ(t->events.size(), 4u);
  EXPECT_EQ(t->events[0].id, 0u);
  EXPECT_EQ(t->events[1].id, 1u);
  EXPECT_EQ(t->events[2].id, 0u);
  EXPECT_EQ(t->events[3].id, 2u);
  EXPECT_EQ(t->originalIds, (std::vector<uint64_t>{18446744073709551615ull, 9007199254740993ull, 0}));
  // One past 2^64-1 is no longer an integer JSON can hand us exactly.
  EXPECT_NE(loadError("id_overflow.json").find("event #0: \"id\""), std::string::npos);
}

TEST(JsonTraceTest, WrongTypesAndUnknownKeys) {
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "id": 1, "size": 33.0})")).find("\"size\""), std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "id": 1, "size": "33"})")).find("\"size\""), std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "id": 1, "size": 33, "noscan": "yes"})")).find("\"noscan\""),
            std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "id": 1, "size": 33, "nosacn": false})")).find("unknown key \"nosacn\""),
            std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "size": 33})")).find("missing \"id\""), std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "alloc", "id": 1, "size": 8, "thread": 4294967296})")).find("\"thread\""),
            std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "annotate"})")).find("missing \"text\""), std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"id": 1})")).find("missing \"op\""), std::string::npos);
  EXPECT_NE(parseError(wrap(R"({"op": "gc"}, 5)")).find("event #1: must be an object"), std::string::npos);
  EXPECT_NE(parseError(R"({"format": "spanscope-trace", "version": 1, "meta": {"config": {"gogc": "on"}}, "events": []})")
                .find("meta.config"),
            std::string::npos);
  EXPECT_NE(parseError(R"({"format": "spanscope-trace", "version": 1, "meta": {"config": {"procs": 2}}, "events": []})")
                .find("unknown key \"procs\""),
            std::string::npos);
}

TEST(JsonTraceTest, MissingFileIsAnError) {
  std::string err;
  EXPECT_FALSE(traces::loadJsonTrace(kData + "does_not_exist.json", &err));
  EXPECT_NE(err.find("does_not_exist.json: cannot open"), std::string::npos) << err;
}

TEST(JsonTraceTest, RoundTripGivesIdenticalEvents) {
  for (const char* file : {"everything.json", "huge_ids.json", "three_48.json", "double_free.json"}) {
    std::string err;
    auto a = traces::loadJsonTrace(kData + file, &err);
    ASSERT_TRUE(a) << err;
    const std::string text = traces::traceToJson(*a);
    auto b = traces::parseJsonTrace(text, "written", &err);
    ASSERT_TRUE(b) << file << ": " << err << "\n" << text;
    ASSERT_EQ(a->events.size(), b->events.size()) << file;
    for (size_t i = 0; i < a->events.size(); ++i) EXPECT_TRUE(sameEvent(a->events[i], b->events[i])) << file << " #" << i;
    EXPECT_EQ(a->annotations, b->annotations) << file;
    EXPECT_EQ(a->originalIds, b->originalIds) << file;
    EXPECT_EQ(a->meta.name, b->meta.name);
    EXPECT_EQ(a->meta.description, b->meta.description);
    EXPECT_EQ(a->meta.source, b->meta.source);
    EXPECT_EQ(a->meta.config.gomaxprocs, b->meta.config.gomaxprocs);
    EXPECT_EQ(a->meta.config.liveness, b->meta.config.liveness);
    EXPECT_EQ(a->meta.config.gogc, b->meta.config.gogc);
    EXPECT_EQ(a->meta.config.tiny, b->meta.config.tiny);
    EXPECT_EQ(traces::traceToJson(*b), text) << "writing is deterministic";
  }
}

TEST(JsonTraceTest, AtomicWriteLeavesNoTempFile) {
  std::string err;
  auto t = traces::loadJsonTrace(kData + "everything.json", &err);
  ASSERT_TRUE(t) << err;
  const auto dir = std::filesystem::temp_directory_path() / ("spanscope_jt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.json").string();
  ASSERT_TRUE(traces::writeJsonTraceAtomic(*t, path, &err)) << err;
  auto back = traces::loadJsonTrace(path, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->events.size(), t->events.size());
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u) << "the temp file must be renamed away";
  // A directory that does not exist: fails, names the path, creates nothing.
  const std::string bad = (dir / "no" / "such" / "dir.json").string();
  EXPECT_FALSE(traces::writeJsonTraceAtomic(*t, bad, &err));
  EXPECT_NE(err.find(bad), std::string::npos) << err;
  std::filesystem::remove_all(dir);
}

} // namespace
