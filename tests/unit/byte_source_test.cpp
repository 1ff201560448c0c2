// ByteSource (plain, gzip, zstd by magic bytes), LineReader and IdMap: traces/byte_source.h,
// traces/id_map.h. Compressed inputs are made here with zlib's and zstd's own encoders.
#include "traces/byte_source.h"
#include "traces/event_stream.h"
#include "traces/id_map.h"
#include "traces/open_trace.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

std::string gzipOf(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK); // +16: gzip wrapper
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstdOf(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Some text that compresses but is not trivial: numbered lines.
std::string sampleText(int lines, const std::string& tag) {
  std::string s;
  for (int i = 0; i < lines; ++i) s += tag + " line " + std::to_string(i) + " 0x55d0c0a0" + std::to_string(i * 7919) + "\n";
  return s;
}

class ByteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spanscope_bytesrc_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name, const std::string& bytes) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // Everything the source yields, read in odd-sized pieces.
  static std::string readAllBytes(traces::ByteSource& src) {
    std::string out;
    char buf[1237];
    while (size_t n = src.read(buf, sizeof buf)) out.append(buf, n);
    return out;
  }
  static std::string errorOf(const std::string& path) {
    try {
      traces::ByteSource src(path);
      readAllBytes(src);
    } catch (const traces::TraceError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(ByteSourceTest, PlainFile) {
  const std::string text = sampleText(5000, "plain");
  const std::string p = file("plain.txt", text);
  traces::ByteSource src(p);
  EXPECT_EQ(src.compression(), traces::Compression::None);
  EXPECT_EQ(src.fileSize(), text.size());
  EXPECT_EQ(src.head(), text.substr(0, 4096)) << "head is the first 4 KiB";
  EXPECT_EQ(readAllBytes(src), text) << "head() did not consume anything";
  EXPECT_EQ(src.offset(), text.size());
  EXPECT_EQ(src.compressedRead(), text.size());
}

TEST_F(ByteSourceTest, GzipWithTwoMembers) {
  // gzip (RFC 1952 §2.2): a file may hold several members; gunzip outputs them one after another.
  const std::string a = sampleText(3000, "first"), b = sampleText(2000, "second");
  const std::string gz = gzipOf(a) + gzipOf(b);
  const std::string p = file("two.gz", gz);
  traces::ByteSource src(p);
  EXPECT_EQ(src.compression(), traces::Compression::Gzip);
  EXPECT_EQ(src.head(), (a + b).substr(0, 4096));
  EXPECT_EQ(readAllBytes(src), a + b);
  EXPECT_EQ(src.compressedRead(), gz.size());
}

TEST_F(ByteSourceTest, ZstdWithTwoFrames) {
  // zstd (RFC 8878 §3.1): concatenated frames decompress to the concatenation.
  const std::string a = sampleText(3000, "first"), b = sampleText(10, "second");
  const std::string p = file("two.zst", zstdOf(a) + zstdOf(b));
  traces::ByteSource src(p);
  EXPECT_EQ(src.compression(), traces::Compression::Zstd);
  EXPECT_EQ(readAllBytes(src), a + b);
}

TEST_F(ByteSourceTest, TruncatedCompressedStreamsNameTheFile) {
  const std::string text = sampleText(4000, "cut");
  const std::string gz = gzipOf(text), zs = zstdOf(text);
  for (size_t keep : {gz.size() / 2, gz.size() - 4}) { // -4: only the gzip trailer's ISIZE missing
    const std::string p = file("cut.gz", gz.substr(0, keep));
    const std::string err = errorOf(p);
    EXPECT_EQ(err.rfind(p + ": byte ", 0), 0u) << err;
    EXPECT_NE(err.find("truncated gzip stream"), std::string::npos) << err;
  }
  const std::string p = file("cut.zst", zs.substr(0, zs.size() / 2));
  const std::string err = errorOf(p);
  EXPECT_EQ(err.rfind(p + ": byte ", 0), 0u) << err;
  EXPECT_NE(err.find("truncated zstd stream"), std::string::npos) << err;
}

TEST_F(ByteSourceTest, CorruptGzipNamesTheFile) {
  std::string gz = gzipOf(sampleText(4000, "bad"));
  for (size_t i = 20; i < 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  const std::string p = file("bad.gz", gz);
  const std::string err = errorOf(p);
  EXPECT_EQ(err.rfind(p + ": byte ", 0), 0u) << err;
  EXPECT_NE(err.find("gzip"), std::string::npos) << err;
}

TEST_F(ByteSourceTest, EmptyMissingAndDirectory) {
  const std::string p = file("empty", "");
  {
    traces::ByteSource src(p);
    EXPECT_EQ(src.head(), "");
    char c;
    EXPECT_EQ(src.read(&c, 1), 0u);
  }
  try {
    traces::openTrace(p);
    FAIL() << "an empty file opened as a trace";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": empty file (no trace in it)");
  }
  const std::string missing = (dir_ / "missing").string();
  EXPECT_EQ(errorOf(missing).rfind(missing + ": cannot open: ", 0), 0u);
  EXPECT_EQ(errorOf(dir_.string()), dir_.string() + ": cannot open: is a directory");
}

TEST_F(ByteSourceTest, LineReaderCrlfLastLineAndBoundaries) {
  // Lines crossing the reader's 64 KiB buffer, CRLF endings, empty lines, no final newline.
  std::string text;
  std::vector<std::string> want;
  for (int i = 0; i < 3000; ++i) {
    want.push_back(std::string(static_cast<size_t>(i % 97), 'x') + std::to_string(i));
    text += want.back() + (i % 2 ? "\r\n" : "\n");
  }
  want.push_back("");
  text += "\n";
  want.push_back("last line without newline");
  text += "last line without newline";
  traces::ByteSource src(file("lines.txt", gzipOf(text)));
  traces::LineReader lr(src);
  std::string_view line;
  size_t n = 0;
  while (lr.next(line)) {
    ASSERT_LT(n, want.size());
    EXPECT_EQ(line, want[n]) << "line " << n + 1;
    EXPECT_EQ(lr.lineNumber(), n + 1);
    ++n;
  }
  EXPECT_EQ(n, want.size());
  EXPECT_FALSE(lr.next(line)) << "stays at the end";
}

TEST_F(ByteSourceTest, LineReaderBoundsLineLength) {
  const std::string p = file("long.txt", "short\n" + std::string(5000, 'a') + "\nnext\n");
  traces::ByteSource src(p);
  traces::LineReader lr(src, 1000);
  std::string_view line;
  ASSERT_TRUE(lr.next(line));
  EXPECT_EQ(line, "short");
  try {
    lr.next(line);
    FAIL() << "a 5000-byte line passed a 1000-byte bound";
  } catch (const traces::TraceError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": line 2: line longer than 1000 bytes (not a text trace?)");
  }
  // A line of exactly the bound is fine.
  traces::ByteSource src2(file("exact.txt", std::string(1000, 'b') + "\n"));
  traces::LineReader lr2(src2, 1000);
  ASSERT_TRUE(lr2.next(line));
  EXPECT_EQ(line.size(), 1000u);
}

TEST_F(ByteSourceTest, LineReaderWhere) {
  const std::string p = file("w.txt", "a\nb\n");
  traces::ByteSource src(p);
  traces::LineReader lr(src);
  std::string_view line;
  lr.next(line);
  lr.next(line);
  EXPECT_EQ(lr.where(), p + ": line 2: ");
}

TEST(IdMapTest, DenseIdsReusedMostRecentlyFreedFirst) {
  traces::IdMap m;
  EXPECT_EQ(m.alloc(0x1000, 16), std::optional<uint64_t>(0));
  EXPECT_EQ(m.alloc(0x2000, 32), std::optional<uint64_t>(1));
  EXPECT_EQ(m.alloc(0x3000, 48), std::optional<uint64_t>(2));
  // Free 0 then 2: the next allocations get 2 (freed last), then 0.
  auto f0 = m.free(0x1000);
  ASSERT_TRUE(f0);
  EXPECT_EQ(f0->id, 0u);
  EXPECT_EQ(f0->size, 16u);
  ASSERT_TRUE(m.free(0x3000));
  EXPECT_EQ(m.alloc(0x4000, 8), std::optional<uint64_t>(2));
  EXPECT_EQ(m.alloc(0x1000, 8), std::optional<uint64_t>(0)) << "an address can be reused after its free";
  EXPECT_EQ(m.alloc(0x5000, 8), std::optional<uint64_t>(3)) << "no freed id left: a new one";
  EXPECT_EQ(m.idsUsed(), 4u);
  EXPECT_EQ(m.liveCount(), 4u);
  const traces::IdMap::Live* l = m.find(0x2000);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->id, 1u);
  EXPECT_EQ(l->size, 32u);
}

TEST(IdMapTest, DoubleAllocAndOrphanFree) {
  traces::IdMap m;
  ASSERT_TRUE(m.alloc(0xA0, 10));
  EXPECT_FALSE(m.alloc(0xA0, 20)) << "the key is still live";
  EXPECT_EQ(m.find(0xA0)->size, 10u) << "the live object is unchanged";
  EXPECT_FALSE(m.free(0xB0)) << "nothing live there";
  ASSERT_TRUE(m.free(0xA0));
  EXPECT_FALSE(m.free(0xA0)) << "a second free is an orphan";
  EXPECT_EQ(m.find(0xA0), nullptr);
  EXPECT_EQ(m.liveCount(), 0u);
  EXPECT_EQ(m.idsUsed(), 1u);
}

} // namespace
