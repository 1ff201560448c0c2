// The binary trace format: lossless round trips (JSON -> binary -> JSON), the byte layout of
// docs/binary-trace-format.md, streaming from pipes, and errors on every kind of broken file.
// Files that break a particular rule are built here by a small encoder written from the spec
// (independent of traces/binary_writer.cpp), with CRCs from zlib.
#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using sim::EventKind;

bool sameEvent(const sim::Event& a, const sim::Event& b) {
  return a.kind == b.kind && a.noscan == b.noscan && a.thread == b.thread && a.id == b.id && a.size == b.size &&
         a.time == b.time;
}

std::string show(const sim::Event& e) {
  std::ostringstream s;
  s << sim::eventKindName(e.kind) << " noscan=" << e.noscan << " thread=" << e.thread << " id=" << e.id << " size=" << e.size
    << " time=" << e.time;
  return s.str();
}

void expectSameEvents(const std::vector<sim::Event>& want, const std::vector<sim::Event>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_TRUE(sameEvent(want[i], got[i])) << "event " << i << ": want " << show(want[i]) << ", got " << show(got[i]);
}

void expectSameMeta(const traces::TraceMeta& a, const traces::TraceMeta& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.config.gomaxprocs, b.config.gomaxprocs);
  EXPECT_EQ(a.config.liveness, b.config.liveness);
  EXPECT_EQ(a.config.gogc, b.config.gogc);
  EXPECT_EQ(a.config.tiny, b.config.tiny);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

class BinaryTraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spanscope_binary_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `t` with the writer (annotations through annotate()).
  std::string writeTrace(const traces::Trace& t, const std::string& name, traces::BinaryWriterOptions opt = {}) {
    const std::string p = path(name);
    traces::BinaryTraceWriter w(p, t.meta, opt);
    for (const sim::Event& ev : t.events) {
      if (ev.kind == EventKind::Annotate) w.annotate(t.annotations.at(ev.id), ev.thread, ev.time);
      else w.write(ev);
    }
    EXPECT_EQ(w.eventsWritten(), t.events.size());
    w.finish();
    return p;
  }

  // The TraceError message of reading `file` to its end ("" if it reads without error).
  static std::string readError(const std::string& file) {
    try {
      auto s = traces::openTrace(file);
      sim::Event buf[1000];
      while (s->read(buf, 1000) > 0) {
      }
    } catch (const traces::TraceError& e) {
      return e.what();
    }
    return "";
  }

  // Asserts that reading `file` fails with a one-line message "<file>: byte N: ..." mentioning `what`.
  static void expectByteError(const std::string& file, const std::string& what) {
    const std::string err = readError(file);
    ASSERT_FALSE(err.empty()) << file << " read without error";
    EXPECT_EQ(err.rfind(file + ": byte ", 0), 0u) << "must name the file and a byte offset: " << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
    EXPECT_NE(err.find(what), std::string::npos) << "expected \"" << what << "\" in: " << err;
  }

  fs::path dir_;
};

// A trace that exercises every field at its extremes (values from sim/event.h and json_trace.h).
traces::Trace extremeTrace() {
  traces::Trace t;
  t.meta.name = "extremes \xE2\x9C\x93";
  t.meta.description = "every field at its limits";
  t.meta.source = "binary_trace_test";
  t.meta.config.gomaxprocs = 1024;
  t.meta.config.liveness = sim::Liveness::Immediate;
  t.meta.config.gogc = -1;
  t.meta.config.tiny = false;
  const uint64_t maxSize = uint64_t{1} << 48;
  t.events = {
      {EventKind::Alloc, true, 0, 0, 1, 0},                   // time 0
      {EventKind::Alloc, false, 0xFFFFFFFFu, 1, maxSize, sim::kNoTime}, // max thread, max size, no time
      {EventKind::Free, true, 7, 0, 0, 5},                    // id 0 freed...
      {EventKind::Alloc, false, 7, 0, 0, 4},                  // ...and reused at once; size 0; time goes back
      {EventKind::GC, true, 0, 0, 0, sim::kNoTime},
      {EventKind::ReadMemStats, true, 3, 0, 0, (uint64_t{1} << 63) - 1},
      {EventKind::Alloc, true, 3, ~uint64_t{0} - 1, ~uint64_t{0}, 0}, // huge id and size, time jumps back to 0
      {EventKind::Free, false, 3, ~uint64_t{0} - 1, 12, 1},   // odd fields for a Free: noscan false, a size
      {EventKind::GC, false, 9, 77, 5, 2},                    // odd fields for a GC
      {EventKind::Annotate, true, 0, 0, 0, sim::kNoTime},
      {EventKind::Annotate, true, 0xFFFFFFFFu, 1, 0, 123456789},
      {EventKind::Free, true, 0, 1, 0, sim::kNoTime},
  };
  static const char kText[] = "text with a NUL \0 and UTF-8 \xC3\xA9";
  t.annotations = {"", std::string(kText, sizeof kText - 1)};
  return t;
}

TEST_F(BinaryTraceTest, ExtremeFieldsRoundTripExactly) {
  const traces::Trace t = extremeTrace();
  for (bool zstd : {false, true}) {
    const std::string p = writeTrace(t, zstd ? "z.sst" : "plain.sst", {.zstd = zstd});
    auto s = traces::openTrace(p);
    ASSERT_EQ(s->eventCount(), std::optional<uint64_t>(t.events.size())) << "a regular file knows its count up front";
    const traces::Trace back = traces::readAll(*s);
    expectSameEvents(t.events, back.events);
    EXPECT_EQ(back.annotations, t.annotations);
    expectSameMeta(t.meta, back.meta);
    const traces::ImportSummary sum = s->summary();
    // Hand count of extremeTrace(): 4 allocs, 3 frees, 2 gcs, threads {0, 2^32-1, 7, 3, 9}.
    EXPECT_EQ(sum.events, 12u);
    EXPECT_EQ(sum.allocs, 4u);
    EXPECT_EQ(sum.frees, 3u);
    EXPECT_EQ(sum.gcs, 2u);
    EXPECT_EQ(sum.threads, 5u);
  }
}

TEST_F(BinaryTraceTest, ScenariosRoundTripJsonBinaryJson) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SPANSCOPE_SOURCE_DIR) / "assets" / "scenarios")) {
    if (entry.path().extension() != ".json") continue;
    std::string err;
    std::optional<traces::Trace> orig = traces::loadJsonTrace(entry.path().string(), &err);
    ASSERT_TRUE(orig) << err;
    for (bool zstd : {false, true}) {
      SCOPED_TRACE(entry.path().filename().string() + (zstd ? " zstd" : " plain"));
      // JSON -> binary through the stream API, as `spanscope-cli import` does.
      const std::string bin = path("t.sst");
      {
        auto src = traces::openTrace(entry.path().string());
        traces::BinaryTraceWriter w(bin, src->meta(), {.zstd = zstd, .blockBytes = 256});
        w.writeAll(*src);
        w.finish();
      }
      auto s = traces::openTrace(bin);
      const traces::Trace viaBinary = traces::readAll(*s);
      expectSameEvents(orig->events, viaBinary.events);
      EXPECT_EQ(viaBinary.annotations, orig->annotations);
      expectSameMeta(orig->meta, viaBinary.meta);
      // binary -> JSON -> load: the same again.
      ASSERT_TRUE(traces::writeJsonTraceAtomic(viaBinary, path("back.json"), &err)) << err;
      std::optional<traces::Trace> again = traces::loadJsonTrace(path("back.json"), &err);
      ASSERT_TRUE(again) << err;
      expectSameEvents(orig->events, again->events);
      EXPECT_EQ(again->annotations, orig->annotations);
      expectSameMeta(orig->meta, again->meta);
    }
    ++checked;
  }
  EXPECT_GE(checked, 4) << "assets/scenarios holds (at least) four JSON traces";
}

// A long trace with id reuse, several threads and increasing times, written in many small blocks.
traces::Trace churnTrace(size_t n) {
  traces::Trace t;
  std::vector<uint64_t> live, freed;
  uint64_t next = 0, time = 1000, seed = 42;
  auto rnd = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  while (t.events.size() < n) {
    const auto thread = static_cast<uint32_t>(rnd() % 3 * 1000);
    time += rnd() % (rnd() % 50 == 0 ? 100'000'000 : 300); // sometimes a gap wider than 3 bytes
    if (!live.empty() && rnd() % 2 == 0) {
      const size_t k = rnd() % live.size();
      t.events.push_back({EventKind::Free, true, thread, live[k], 0, time});
      freed.push_back(live[k]);
      live[k] = live.back();
      live.pop_back();
    } else {
      uint64_t id = next;
      if (!freed.empty()) id = freed.back(), freed.pop_back();
      else ++next;
      const uint64_t size = rnd() % 100 == 0 ? 40'000'000 + rnd() : 1 + rnd() % 2000;
      t.events.push_back({EventKind::Alloc, rnd() % 2 == 0, thread, id, size, time});
      live.push_back(id);
    }
    if (rnd() % 5000 == 0) t.events.push_back(sim::gcEvent());
  }
  return t;
}

TEST_F(BinaryTraceTest, ManyBlocksBothCompressions) {
  const traces::Trace t = churnTrace(50'000);
  for (size_t blockBytes : {size_t{1}, size_t{100}, size_t{4096}, size_t{256} << 10}) {
    for (bool zstd : {false, true}) {
      SCOPED_TRACE("blockBytes " + std::to_string(blockBytes) + (zstd ? " zstd" : " plain"));
      const std::string p = writeTrace(t, "churn.sst", {.zstd = zstd, .blockBytes = blockBytes});
      auto s = traces::openTrace(p);
      ASSERT_EQ(s->eventCount(), std::optional<uint64_t>(t.events.size()));
      // Odd batch sizes, so batches end in the middle of blocks.
      std::vector<sim::Event> got, buf(777);
      while (size_t n = s->read(buf.data(), buf.size())) got.insert(got.end(), buf.begin(), buf.begin() + n);
      expectSameEvents(t.events, got);
      EXPECT_EQ(s->read(buf.data(), buf.size()), 0u) << "stays at the end";
      EXPECT_EQ(s->bytesRead(), fs::file_size(p));
      EXPECT_EQ(s->bytesTotal(), fs::file_size(p));
    }
  }
}

TEST_F(BinaryTraceTest, CompressionMakesChurnSmaller) {
  const traces::Trace t = churnTrace(50'000);
  const auto plain = fs::file_size(writeTrace(t, "p.sst", {.zstd = false}));
  const auto z = fs::file_size(writeTrace(t, "z.sst", {.zstd = true}));
  EXPECT_LT(z, plain);
  // Compact records take at most 10 bytes (tag + 3 fields of up to 3 bytes); the rare generic ones
  // (wide time gaps, 40 MB sizes) at most 32: the plain file stays under 12 bytes per event.
  EXPECT_LT(plain, t.events.size() * 12);
}

TEST_F(BinaryTraceTest, StreamsFromAPipeWithoutKnowingTheCountFirst) {
  const traces::Trace t = churnTrace(20'000);
  const std::string bin = writeTrace(t, "churn.sst", {.blockBytes = 1000});
  const std::string bytes = slurp(bin);
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread feeder([&] { spit(fifo, bytes); });
  auto s = traces::openTrace(fifo);
  EXPECT_FALSE(s->eventCount().has_value()) << "a pipe cannot be seeked to the footer";
  EXPECT_EQ(s->bytesTotal(), 0u);
  const traces::Trace back = traces::readAll(*s);
  feeder.join();
  expectSameEvents(t.events, back.events);
  EXPECT_EQ(s->eventCount(), std::optional<uint64_t>(t.events.size())) << "known once the footer was read";
  EXPECT_EQ(s->summary().events, t.events.size());
}

// gzip with zlib's own writer: a binary trace wrapped whole in gzip streams through ByteSource.
void gzipFile(const std::string& from, const std::string& to) {
  const std::string bytes = slurp(from);
  gzFile g = gzopen(to.c_str(), "wb");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(g), Z_OK);
}

TEST_F(BinaryTraceTest, ReadsAGzipWrappedTrace) {
  const traces::Trace t = extremeTrace();
  const std::string bin = writeTrace(t, "x.sst");
  gzipFile(bin, path("x.sst.gz"));
  auto s = traces::openTrace(path("x.sst.gz"));
  EXPECT_FALSE(s->eventCount().has_value());
  expectSameEvents(t.events, traces::readAll(*s).events);
}

TEST_F(BinaryTraceTest, EmptyTraceIsValid) {
  // Header, footer, trailer and no block.
  traces::Trace empty;
  const std::string p = writeTrace(empty, "empty.sst");
  auto s = traces::openTrace(p);
  EXPECT_EQ(s->eventCount(), std::optional<uint64_t>(0));
  sim::Event ev;
  EXPECT_EQ(s->read(&ev, 1), 0u);
}

TEST_F(BinaryTraceTest, WriterIsAtomic) {
  const std::string p = path("out.sst");
  const std::string tmp = p + ".tmp." + std::to_string(::getpid());
  {
    traces::BinaryTraceWriter w(p, {});
    w.write(sim::allocEvent(0, 16));
    EXPECT_TRUE(fs::exists(tmp)) << "written to the temp file first";
    EXPECT_FALSE(fs::exists(p));
    // destroyed without finish()
  }
  EXPECT_FALSE(fs::exists(tmp)) << "an unfinished trace leaves nothing behind";
  EXPECT_FALSE(fs::exists(p));
  {
    traces::BinaryTraceWriter w(p, {});
    w.write(sim::allocEvent(0, 16));
    w.finish();
  }
  EXPECT_TRUE(fs::exists(p));
  EXPECT_FALSE(fs::exists(tmp));
}

TEST_F(BinaryTraceTest, WriterErrors) {
  try {
    traces::BinaryTraceWriter w(path("no/such/dir/out.sst"), {});
    FAIL() << "created a file in a missing directory";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path("no/such/dir/out.sst") + ": cannot create", 0), 0u) << e.what();
  }
  traces::BinaryTraceWriter w(path("a.sst"), {});
  sim::Event ann{EventKind::Annotate, true, 0, 0, 0, sim::kNoTime};
  EXPECT_THROW(w.write(ann), std::invalid_argument) << "annotations need their text";
}

// ---- The byte layout, checked against the spec -------------------------------------------------

void putU32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>(v >> (8 * i));
}
void putU64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>(v >> (8 * i));
}
uint32_t crc(const std::string& s) { return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()))); }
uint32_t getU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
  return v;
}
uint64_t getU64(const std::string& s, size_t at) { return uint64_t{getU32(s, at + 4)} << 32 | getU32(s, at); }

// A file assembled by hand from docs/binary-trace-format.md.
struct SpecFile {
  std::string bytes;
  size_t headerEnd = 0;

  explicit SpecFile(uint16_t version = 1) {
    const std::string meta = R"({"format": "spanscope-trace", "version": 1, "meta": {"name": "spec"}, "events": []})";
    bytes = std::string("\x89SPANTR\n", 8);
    bytes += static_cast<char>(version & 0xFF);
    bytes += static_cast<char>(version >> 8);
    bytes += std::string(2, '\0'); // header flags
    putU32(bytes, static_cast<uint32_t>(meta.size()));
    bytes += meta;
    putU32(bytes, crc(bytes));
    headerEnd = bytes.size();
  }
  explicit SpecFile(std::string header) : bytes(std::move(header)), headerEnd(bytes.size()) {}
  void block(const std::string& raw, uint32_t count) {
    std::string h = "B";
    h += '\0';
    putU32(h, count);
    putU32(h, static_cast<uint32_t>(raw.size()));
    putU32(h, static_cast<uint32_t>(raw.size()));
    putU32(h, crc(h + raw));
    bytes += h + raw;
  }
  // Footer fields in the spec's order: events, allocs, frees, gcs, readmemstats, annotations,
  // blocks, threads, id bound, min time, max time.
  void footer(std::vector<uint64_t> fields, const std::vector<uint32_t>& threads) {
    const uint64_t at = bytes.size();
    std::string f = "F";
    for (uint64_t v : fields) putU64(f, v);
    for (uint32_t t : threads) putU32(f, t);
    putU32(f, crc(f));
    bytes += f;
    putU64(bytes, at);
    bytes += "SPANEND\n";
  }
};

// The raw payload for: alloc id 0, 16 B, noscan, thread 5, t=100; free id 0, thread 5, t=150.
//   F0 00 05   thread switch: index 0 = a new thread, id 5
//   51 C8 10   Alloc tag 0x40 (noscan) + tw 1 <<4 + iw 0 <<2 + sw 1; zigzag(100) = 200 = C8; size 16
//   84 64      Free tag 0x80 + tw 1 <<2 + iw 0; zigzag(150 - 100) = 100 = 0x64; id delta 0 (iw 0)
const std::string kTwoEvents = std::string("\xF0\x00\x05\x51\xC8\x10\x84\x64", 8);
const std::vector<uint64_t> kTwoEventsFooter = {2, 1, 1, 0, 0, 0, 1, 1, 1, 100, 150};

TEST_F(BinaryTraceTest, WriterOutputMatchesTheSpecByteForByte) {
  traces::Trace t;
  t.meta.name = "spec";
  t.events = {{EventKind::Alloc, true, 5, 0, 16, 100}, {EventKind::Free, true, 5, 0, 0, 150}};
  const std::string written = slurp(writeTrace(t, "w.sst", {.zstd = false}));
  ASSERT_GT(written.size(), 16u);
  EXPECT_EQ(written.substr(0, 8), std::string("\x89SPANTR\n", 8));
  EXPECT_EQ(written.substr(8, 4), std::string("\x01\x00\x00\x00", 4)) << "version 1, no zstd flag";
  // The meta text is the JSON trace writer's (checked by loading it); everything after the
  // header must be exactly the hand encoding.
  const uint32_t metaLen = getU32(written, 12);
  const size_t headerEnd = 16 + metaLen + 4;
  ASSERT_LE(headerEnd, written.size());
  EXPECT_EQ(getU32(written, headerEnd - 4), crc(written.substr(0, headerEnd - 4)));
  std::string err;
  auto meta = traces::parseJsonTrace(written.substr(16, metaLen), "meta", &err);
  ASSERT_TRUE(meta) << err;
  EXPECT_EQ(meta->meta.name, "spec");
  EXPECT_TRUE(meta->events.empty());
  SpecFile want(written.substr(0, headerEnd));
  want.block(kTwoEvents, 2);
  want.footer(kTwoEventsFooter, {5});
  EXPECT_EQ(written, want.bytes);
}

TEST_F(BinaryTraceTest, ReaderAcceptsTheSpecEncoding) {
  SpecFile f;
  f.block(kTwoEvents, 2);
  f.footer(kTwoEventsFooter, {5});
  spit(path("spec.sst"), f.bytes);
  auto s = traces::openTrace(path("spec.sst"));
  EXPECT_EQ(s->meta().name, "spec");
  expectSameEvents({{EventKind::Alloc, true, 5, 0, 16, 100}, {EventKind::Free, true, 5, 0, 0, 150}}, traces::readAll(*s).events);
}

TEST_F(BinaryTraceTest, GenericRecordsAndThreadTable) {
  // Block 1:  F0 00 05     thread switch: new thread 5 (index 0)
  //           F0 01 09     thread switch: new thread 9 (index 1)
  //           91 02        compact GC, tw 1: zigzag 2 = +1, so time 1; on thread 9
  // Block 2:  F0 00        thread switch: index 0 = thread 5 (the table is global)
  //           F1 E0        generic Alloc (kind 0), noscan false, time + id + size follow
  //           04           time: zigzag 4 = +2 from 0 (prevTime restarts per block) = 2
  //           06           id: zigzag 6 = +3 from 0 = 3
  //           AC 02        size: LEB128 0x2C + 2 * 128 = 300
  SpecFile f;
  f.block(std::string("\xF0\x00\x05\xF0\x01\x09\x91\x02", 8), 1);
  f.block(std::string("\xF0\x00\xF1\xE0\x04\x06\xAC\x02", 8), 1);
  // events 2, allocs 1, frees 0, gcs 1, readmemstats 0, annotations 0, blocks 2, threads 2,
  // id bound 3 + 1, times 1..2.
  f.footer({2, 1, 0, 1, 0, 0, 2, 2, 4, 1, 2}, {5, 9});
  spit(path("g.sst"), f.bytes);
  auto s = traces::openTrace(path("g.sst"));
  EXPECT_EQ(s->eventCount(), std::optional<uint64_t>(2));
  expectSameEvents({{EventKind::GC, true, 9, 0, 0, 1}, {EventKind::Alloc, false, 5, 3, 300, 2}}, traces::readAll(*s).events);
}

// ---- Broken files ------------------------------------------------------------------------------

TEST_F(BinaryTraceTest, EveryFlippedByteIsAnError) {
  for (bool zstd : {false, true}) {
    // Plain: the extremes in blocks of ~40 bytes. zstd: blocks big enough to be compressed.
    const std::string good = zstd ? slurp(writeTrace(churnTrace(150), "good.sst", {.zstd = true, .blockBytes = 600}))
                                  : slurp(writeTrace(extremeTrace(), "good.sst", {.zstd = false, .blockBytes = 40}));
    if (zstd) {
      ASSERT_EQ(good[getU32(good, 12) + 20 + 1], '\x01') << "the first block is zstd-compressed";
    }
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0x01);
      spit(path("flip.sst"), bad);
      const std::string err = readError(path("flip.sst"));
      ASSERT_FALSE(err.empty()) << "flipping bit 0 of byte " << i << " of " << good.size() << (zstd ? " (zstd)" : "") << " went unnoticed";
      ASSERT_EQ(err.rfind(path("flip.sst") + ": byte ", 0), 0u) << err;
    }
  }
}

TEST_F(BinaryTraceTest, TruncationAnywhereIsAnError) {
  const traces::Trace t = churnTrace(3000);
  const std::string good = slurp(writeTrace(t, "good.sst", {.blockBytes = 2000}));
  for (size_t cut : {size_t{9}, size_t{14}, size_t{30}, size_t{200}, good.size() / 3, good.size() / 2, good.size() - 100,
                     good.size() - 17, good.size() - 16, good.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    spit(path("cut.sst"), good.substr(0, cut));
    expectByteError(path("cut.sst"), "truncated");
    // The same through a non-seekable stream (gzip wrapper): found while streaming, not up front.
    gzipFile(path("cut.sst"), path("cut.sst.gz"));
    expectByteError(path("cut.sst.gz"), "truncated");
  }
}

TEST_F(BinaryTraceTest, WrongVersionNamesTheSupportedOne) {
  SpecFile f(2);
  f.block(kTwoEvents, 2);
  f.footer(kTwoEventsFooter, {5});
  spit(path("v2.sst"), f.bytes);
  expectByteError(path("v2.sst"), "unsupported binary trace version 2 (this build reads version 1)");
}

TEST_F(BinaryTraceTest, AbsurdLengthsAreRefusedBeforeAllocating) {
  SpecFile ok;
  ok.block(kTwoEvents, 2);
  ok.footer(kTwoEventsFooter, {5});
  auto patched = [&](size_t at, uint32_t v) {
    std::string b = ok.bytes;
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
    spit(path("p.sst"), b);
    return path("p.sst");
  };
  const size_t blk = ok.headerEnd;
  expectByteError(patched(12, 0xFFFFFFFFu), "meta length 4294967295 is absurd");
  expectByteError(patched(blk + 2, 0xFFFFFFFFu), "event count 4294967295 does not fit");
  expectByteError(patched(blk + 6, 0xFFFFFFFFu), "raw length 4294967295 is absurd");
  expectByteError(patched(blk + 10, 0xFFFFFFFFu), "stored length 4294967295 is absurd");
  // Footer thread count 2^32-1 (+ CRC fixed up so only the count is wrong).
  std::string b = ok.bytes;
  const size_t footerAt = getU64(b, b.size() - 16);
  for (int i = 0; i < 8; ++i) b[footerAt + 57 + i] = static_cast<char>(i < 4 ? 0xFF : 0);
  spit(path("t.sst"), b);
  expectByteError(path("t.sst"), "footer lists 4294967295 threads");
}

TEST_F(BinaryTraceTest, CountsAndLengthsMustAgree) {
  {
    SpecFile f; // a block says 1 event but holds 2
    f.block(kTwoEvents, 1);
    f.footer({1, 1, 0, 0, 0, 0, 1, 1, 1, 100, 100}, {5});
    spit(path("a.sst"), f.bytes);
    expectByteError(path("a.sst"), "block length mismatch");
  }
  {
    SpecFile f; // a block says 3 events but holds 2
    f.block(kTwoEvents, 3);
    f.footer(kTwoEventsFooter, {5});
    spit(path("b.sst"), f.bytes);
    expectByteError(path("b.sst"), "event 2 of 3");
  }
  {
    SpecFile f; // the footer claims one event more
    f.block(kTwoEvents, 2);
    f.footer({3, 2, 1, 0, 0, 0, 1, 1, 1, 100, 150}, {5});
    spit(path("c.sst"), f.bytes);
    expectByteError(path("c.sst"), "footer counts do not match the blocks: events 3 vs 2 read, allocs 2 vs 1 read");
  }
  {
    SpecFile f; // the footer's thread table names another thread
    f.block(kTwoEvents, 2);
    f.footer(kTwoEventsFooter, {6});
    spit(path("d.sst"), f.bytes);
    expectByteError(path("d.sst"), "thread table does not match");
  }
  {
    SpecFile f; // bytes after the trailer
    f.block(kTwoEvents, 2);
    f.footer(kTwoEventsFooter, {5});
    f.bytes += "x";
    spit(path("e.sst"), f.bytes);
    expectByteError(path("e.sst"), "no trailer at the end"); // seen up front on a regular file
    gzipFile(path("e.sst"), path("e.sst.gz"));
    expectByteError(path("e.sst.gz"), "bytes after the trailer"); // and when streaming
  }
}

TEST_F(BinaryTraceTest, MalformedRecordsInsideABlock) {
  const std::string sw = std::string("\xF0\x00\x05", 3); // thread switch: new thread 5
  // Footer for one Alloc with id 0, no time, on thread 5.
  auto fileWith = [&](const std::string& raw) {
    SpecFile f;
    f.block(raw, 1);
    f.footer({1, 1, 0, 0, 0, 0, 1, 1, 1, ~uint64_t{0}, 0}, {5});
    spit(path("m.sst"), f.bytes);
    return path("m.sst");
  };
  // Control: a generic Alloc with no fields (id 0, size 0, no time) is valid with this footer,
  // so each case below fails for its own defect only.
  EXPECT_EQ(readError(fileWith(sw + std::string("\xF1\x00", 2))), "");
  const std::vector<std::pair<std::string, const char*>> cases = {
      {"\x51\xC8\x10", "does not start with a thread switch"},
      {sw + "\x98", "unknown record tag 0x98"},
      {sw + "\xF2", "unknown record tag 0xf2"},
      {sw + "\xF1\x11", "unknown event kind 9"},  // bit 4 is kind bit 3: 8 is GoExit, 9..15 unused
      {sw + "\xF1\x17", "unknown event kind 15"},
      {sw + "\xF1\x44\x02", "an annotation carries an id"},
      {sw + "\xF1\x04\x05" "ab", "annotation text of 5 bytes runs past the end"},
      {sw + "\xF1\x80\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F", "varint longer than 64 bits"},
      {sw + "\xF0\x05", "thread index 5 beyond the 1 threads so far"},
      {sw + "\xF0\x01\x05", "thread 5 introduced twice"},
      {sw + "\xF0\x01\x80\x80\x80\x80\x10", "thread id 4294967296 does not fit 32 bits"},
      {sw + "\x7F\x01", "event runs past the end of its block"}, // tag 0x7F wants 3+3+3 field bytes
  };
  for (const auto& [raw, what] : cases) {
    SCOPED_TRACE(what);
    expectByteError(fileWith(raw), what);
  }
}

TEST_F(BinaryTraceTest, CorruptZstdPayload) {
  SpecFile f;
  std::string h = "B";
  h += '\x01'; // zstd
  putU32(h, 2);
  putU32(h, static_cast<uint32_t>(kTwoEvents.size()));
  putU32(h, 8);
  const std::string garbage("\x28\xB5\x2F\xFD" "garb", 8); // zstd magic, then nonsense
  putU32(h, crc(h + garbage));                                // a CRC that matches the garbage
  f.bytes += h + garbage;
  f.footer(kTwoEventsFooter, {5});
  spit(path("z.sst"), f.bytes);
  expectByteError(path("z.sst"), "corrupt zstd payload");
}

TEST_F(BinaryTraceTest, NotABinaryTraceFallsThroughToTheRegistry) {
  spit(path("junk.bin"), std::string("\x89SPANTX\n", 8) + std::string(100, 'x'));
  const std::string err = readError(path("junk.bin"));
  EXPECT_NE(err.find("not a trace format spanscope knows"), std::string::npos) << err;
  EXPECT_NE(err.find("binary"), std::string::npos) << "the list of formats tried names binary: " << err;
}

// Random access (BinaryTraceFile, for the app): churn with annotations every so often and a
// thread that first appears late, in blocks small enough that both fall inside later blocks.
traces::Trace lateThreadTrace() {
  traces::Trace t = churnTrace(6000);
  for (size_t i = 500; i < t.events.size(); i += 997) {
    t.events.insert(t.events.begin() + static_cast<std::ptrdiff_t>(i),
                    sim::Event{EventKind::Annotate, true, 1000, t.annotations.size(), 0, sim::kNoTime});
    t.annotations.push_back("lesson " + std::to_string(t.annotations.size()));
  }
  for (size_t i = 4000; i < t.events.size(); ++i)
    if (t.events[i].kind == EventKind::Alloc && i % 3 == 0) t.events[i].thread = 7777;
  return t;
}

// Reads every event through the first pass, in batches the way a Replay asks.
std::vector<sim::Event> firstPass(traces::BinaryTraceFile& f) {
  std::vector<sim::Event> out;
  size_t n = 0;
  while (const sim::Event* e = f.events(out.size(), &n)) out.insert(out.end(), e, e + n);
  return out;
}

TEST_F(BinaryTraceTest, RandomAccessDecodesAnyEventAsTheStreamDoes) {
  const traces::Trace t = lateThreadTrace();
  for (bool zstd : {false, true}) {
    SCOPED_TRACE(zstd ? "zstd blocks" : "plain blocks");
    const std::string p = writeTrace(t, zstd ? "z.sst" : "p.sst", {.zstd = zstd, .blockBytes = 700});
    ASSERT_TRUE(traces::isRandomAccessBinary(p));
    traces::BinaryTraceFile f(p);
    EXPECT_EQ(f.eventCount(), t.events.size()) << "known from the footer before the first pass";
    EXPECT_FALSE(f.seekable()) << "no going back before the index is complete";
    expectSameEvents(t.events, firstPass(f));
    ASSERT_TRUE(f.indexed());
    EXPECT_TRUE(f.seekable());
    ASSERT_GT(f.blocks().size(), 20u);
    EXPECT_EQ(f.annotations(), t.annotations);
    // Every block boundary, and a pseudo-random walk backwards and forwards.
    std::vector<uint64_t> probes;
    for (const auto& b : f.blocks()) probes.insert(probes.end(), {b.firstEvent, b.firstEvent ? b.firstEvent - 1 : 0});
    uint64_t x = 12345;
    for (int k = 0; k < 300; ++k) probes.push_back((x = x * 6364136223846793005ull + 1) % t.events.size());
    for (uint64_t i : probes) {
      size_t n = 0;
      const sim::Event* e = f.events(i, &n);
      ASSERT_NE(e, nullptr) << "event " << i;
      ASSERT_GE(n, 1u);
      ASSERT_LE(i + n, t.events.size()) << "never past the end";
      for (size_t k = 0; k < n; ++k)
        ASSERT_TRUE(sameEvent(t.events[i + k], e[k])) << "event " << i + k << " read from " << i << ": want "
                                                        << show(t.events[i + k]) << ", got " << show(e[k]);
    }
    size_t n = 7;
    EXPECT_EQ(f.events(t.events.size(), &n), nullptr);
    EXPECT_EQ(n, 0u);
  }
}

TEST_F(BinaryTraceTest, RandomAccessRefusesToGoBackDuringTheFirstPass) {
  const std::string p = writeTrace(churnTrace(200000), "c.sst", {.zstd = false});
  traces::BinaryTraceFile f(p);
  size_t n = 0, m = 0;
  ASSERT_NE(f.events(0, &n), nullptr);
  ASSERT_LT(n, 200000u) << "the first pass reads in batches";
  EXPECT_THROW(f.events(n + 5, &m), traces::TraceError) << "skipping ahead would leave blocks unchecked";
  ASSERT_NE(f.events(n, &m), nullptr) << "the next batch in order";
  EXPECT_THROW(f.events(3, &m), traces::TraceError) << "going back needs the complete index";
  f.completeIndex();
  EXPECT_TRUE(f.seekable());
  ASSERT_NE(f.events(3, &m), nullptr);
}

TEST_F(BinaryTraceTest, RandomAccessFirstPassChecksLikeTheStream) {
  const std::string good = slurp(writeTrace(churnTrace(3000), "good.sst", {.zstd = false, .blockBytes = 500}));
  std::string bad = good;
  bad[good.size() / 2] ^= 0x40; // a payload byte of a middle block: its CRC no longer matches
  spit(path("bad.sst"), bad);
  traces::BinaryTraceFile f(path("bad.sst"));
  try {
    firstPass(f);
    FAIL() << "a corrupt block must fail the first pass";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path("bad.sst") + ": byte ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(f.seekable());
}

TEST_F(BinaryTraceTest, OnlyPlainBinaryFilesAreRandomAccess) {
  const std::string bin = writeTrace(churnTrace(100), "c.sst", {.zstd = true});
  spit(path("c.json"), "{\"format\": \"spanscope-trace\", \"version\": 1, \"events\": []}");
  EXPECT_TRUE(traces::isRandomAccessBinary(bin));
  EXPECT_FALSE(traces::isRandomAccessBinary(path("c.json")));
  EXPECT_FALSE(traces::isRandomAccessBinary(path("missing.sst")));
  EXPECT_FALSE(traces::isRandomAccessBinary("-"));
  EXPECT_THROW(traces::BinaryTraceFile f(path("c.json")), traces::TraceError);
}

} // namespace
