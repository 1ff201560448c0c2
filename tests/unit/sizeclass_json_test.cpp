// Size-class tables from JSON: the six reference tables, the Go 1.19 asset, and broken files.
#include "traces/sizeclass_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using sim::SizeClassTable;
namespace fs = std::filesystem;

const std::string kDataDir = std::string(SPANSCOPE_TEST_DATA) + "/sizeclasses/";
const std::string kGoAsset = std::string(SPANSCOPE_TEST_DATA) + "/../../assets/sizeclasses/go1.19.json";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch file per test, removed with its directory at the end of the test.
class SizeClassJsonFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("spanscope_sizeclass_json_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

void expectSameClasses(const SizeClassTable& a, const SizeClassTable& b) {
  ASSERT_EQ(a.numClasses(), b.numClasses());
  EXPECT_EQ(a.maxSmall(), b.maxSmall());
  for (uint32_t c = 0; c < a.numClasses(); ++c) {
    EXPECT_EQ(a.cls(c).size, b.cls(c).size) << "class " << c;
    EXPECT_EQ(a.cls(c).npages, b.cls(c).npages) << "class " << c;
    EXPECT_EQ(a.cls(c).nelems, b.cls(c).nelems) << "class " << c;
    EXPECT_EQ(a.cls(c).divMul, b.cls(c).divMul) << "class " << c;
  }
  EXPECT_EQ(a.sizeToClass8(), b.sizeToClass8());
  EXPECT_EQ(a.sizeToClass128(), b.sizeToClass128());
  EXPECT_EQ(a.tinyClass(), b.tinyClass());
}

// Every row of a span_bytes-style file, checked against the loaded table independently of the loader.
void expectMatchesFileRows(const SizeClassTable& t, const std::string& path) {
  const auto doc = nlohmann::json::parse(readFile(path));
  const auto& rows = doc.at("classes");
  ASSERT_EQ(t.numClasses(), rows.size() + 1) << path;
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    const auto& r = rows[c - 1];
    EXPECT_EQ(t.cls(c).size, r.at("size").get<uint32_t>()) << path << " class " << c;
    EXPECT_EQ(uint64_t{t.cls(c).npages} * 8192, r.at("span_bytes").get<uint64_t>()) << path << " class " << c;
    EXPECT_EQ(t.cls(c).nelems, r.at("objects").get<uint32_t>()) << path << " class " << c;
  }
  EXPECT_EQ(t.maxSmall(), doc.at("max_small").get<uint32_t>()) << path;
}

// ---- the six reference tables ------------------------------------------------------------------

TEST(ReferenceSizeClassTables, GoJsonFromNewerGoEqualsGo119) {
  std::string err;
  const auto t = traces::loadSizeClassTable(kDataDir + "go.json", &err);
  ASSERT_TRUE(t) << err;
  expectSameClasses(*t, SizeClassTable::go119());
  expectMatchesFileRows(*t, kDataDir + "go.json");
  EXPECT_EQ(t->name(), "go");
}

TEST(ReferenceSizeClassTables, TcmallocTablesLoadWithTheirQuarterMebibyteMaxSmall) {
  for (const char* file : {"tcmalloc_8k_align8.json", "tcmalloc_8k_align16.json"}) {
    SCOPED_TRACE(file);
    std::string err;
    const auto t = traces::loadSizeClassTable(kDataDir + file, &err);
    ASSERT_TRUE(t) << err;
    expectMatchesFileRows(*t, kDataDir + file);
    EXPECT_EQ(t->maxSmall(), 262144u);
    EXPECT_EQ(t->tinyClass(), 2u) << "tcmalloc also has a 16-byte class 2";
    // Every request up to max_small gets the smallest class that holds it, whatever lookup is used.
    for (uint64_t size = 1; size <= t->maxSmall(); ++size) {
      const uint32_t c = t->classOf(size);
      ASSERT_GE(c, 1u) << size;
      ASSERT_GE(t->cls(c).size, size) << size;
      ASSERT_TRUE(c == 1 || t->cls(c - 1).size < size) << size;
    }
  }
}

TEST(ReferenceSizeClassTables, TcmallocAlign8AndAlign16DifferOnlyWhereTheAlignmentMatters) {
  std::string err;
  const auto a8 = traces::loadSizeClassTable(kDataDir + "tcmalloc_8k_align8.json", &err);
  ASSERT_TRUE(a8) << err;
  const auto a16 = traces::loadSizeClassTable(kDataDir + "tcmalloc_8k_align16.json", &err);
  ASSERT_TRUE(a16) << err;
  // With 16-byte default alignment every class from 16 bytes up is a multiple of 16.
  for (uint32_t c = 1; c < a16->numClasses(); ++c) {
    if (a16->cls(c).size >= 16) {
      EXPECT_EQ(a16->cls(c).size % 16, 0u) << "class " << c;
    }
  }
  bool anyOdd8 = false;
  for (uint32_t c = 1; c < a8->numClasses(); ++c) anyOdd8 |= a8->cls(c).size % 16 == 8 && a8->cls(c).size > 8;
  EXPECT_TRUE(anyOdd8) << "the 8-byte-aligned table should have some size = 8 mod 16 above 8";
}

TEST(ReferenceSizeClassTables, Jemalloc4KiBSlabsAreRejectedBecauseTheEnginePageIs8KiB) {
  // No page_size key: 1 slab page holding 512 8-byte regions means 4 KiB pages.
  const std::string path = kDataDir + "jemalloc_4k.json";
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("4096-byte pages"), std::string::npos) << err;
  EXPECT_NE(err.find("8 KiB"), std::string::npos) << err;
  EXPECT_NE(err.find("class 1"), std::string::npos) << err;
}

TEST(ReferenceSizeClassTables, MimallocBinsHaveNoSpanSizeSoAreRejected) {
  const std::string path = kDataDir + "mimalloc.json";
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("no span size"), std::string::npos) << err;
}

TEST(ReferenceSizeClassTables, GlibcDescribesBinsNotClassesSoIsRejected) {
  const std::string path = kDataDir + "glibc.json";
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("\"classes\""), std::string::npos) << err;
}

// ---- the Go 1.19 asset and the writer ------------------------------------------------------------

TEST(Go119Asset, LoadsAndEqualsGo119) {
  std::string err;
  const auto t = traces::loadSizeClassTable(kGoAsset, &err);
  ASSERT_TRUE(t) << err;
  expectSameClasses(*t, SizeClassTable::go119());
  EXPECT_EQ(t->name(), SizeClassTable::go119().name());
}

TEST_F(SizeClassJsonFiles, WriterOutputHasEveryColumnAndRoundTrips) {
  std::string err;
  const auto odd = SizeClassTable::fromRows("odd", {{12, 1}, {20, 1}, {100, 1}, {40000, 5}}, 40000, true, &err);
  ASSERT_TRUE(odd) << err;
  const std::string text = traces::sizeClassTableToJson(*odd, "unit test");
  const auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc.at("source"), "unit test");
  EXPECT_EQ(doc.at("page_size"), 8192);
  const auto& last = doc.at("classes").at(3);
  EXPECT_EQ(last.at("cls"), 4);
  EXPECT_EQ(last.at("span_bytes"), 40960);
  EXPECT_EQ(last.at("objects"), 1);
  EXPECT_EQ(last.at("tail_waste"), 960);
  const auto back = traces::loadSizeClassTable(write("odd.json", text), &err);
  ASSERT_TRUE(back) << err;
  expectSameClasses(*back, *odd);
  EXPECT_EQ(back->name(), "odd");
}

// ---- accepted variations ---------------------------------------------------------------------------

TEST_F(SizeClassJsonFiles, ClassZeroAndSizeZeroRowsAreSkipped) {
  const std::string path = write("t.json", R"({"page_size": 8192, "classes": [
      {"cls": 0, "size": 0, "pages": 0},
      {"cls": 1, "size": 16, "pages": 1},
      {"size": 0, "pages": 1},
      {"cls": 2, "size": 64, "pages": 1}]})");
  std::string err;
  const auto t = traces::loadSizeClassTable(path, &err);
  ASSERT_TRUE(t) << err;
  ASSERT_EQ(t->numClasses(), 3u);
  EXPECT_EQ(t->cls(1).size, 16u);
  EXPECT_EQ(t->cls(2).size, 64u);
  EXPECT_EQ(t->maxSmall(), 64u) << "without max_small the largest class is the limit";
  EXPECT_EQ(t->name(), "t") << "without allocator the file name is the table's name";
}

TEST_F(SizeClassJsonFiles, SpanBytesAloneGivesPages) {
  const std::string path =
      write("t.json", R"({"allocator": "x", "classes": [
          {"size": 8, "span_bytes": 8192}, {"size": 24576, "span_bytes": 24576}]})");
  std::string err;
  const auto t = traces::loadSizeClassTable(path, &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->cls(2).npages, 3u);
  EXPECT_EQ(t->name(), "x");
}

// ---- broken files --------------------------------------------------------------------------------

TEST_F(SizeClassJsonFiles, MalformedJsonReportsLineAndColumn) {
  const std::string path = write("bad.json", "{\n  \"classes\": [\n    {\"size\": 8,, \"pages\": 1}\n  ]\n}\n");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("line 3, column 16"), std::string::npos) << err; // the second comma
}

TEST_F(SizeClassJsonFiles, DecreasingSizesNameTheClass) {
  const std::string path = write("dec.json", R"({"page_size": 8192, "classes": [
      {"cls": 1, "size": 8, "pages": 1}, {"cls": 2, "size": 32, "pages": 1}, {"cls": 3, "size": 16, "pages": 1}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("class 3"), std::string::npos) << err;
  EXPECT_NE(err.find("class 2"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, MissingClassesIsAnError) {
  const std::string path = write("none.json", R"({"allocator": "x", "page_size": 8192})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("classes"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, PageSizeOtherThan8KiBIsAnError) {
  const std::string path = write("p.json", R"({"page_size": 4096, "classes": [{"size": 8, "pages": 1}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("8 KiB"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, SpanBytesOffThe8KiBGridIsAnError) {
  const std::string path = write("s.json", R"({"classes": [
      {"size": 8, "span_bytes": 8192}, {"size": 48, "span_bytes": 12288}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("class 2"), std::string::npos) << err;
  EXPECT_NE(err.find("8 KiB"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, PagesWithoutAnyPageSizeIsAnError) {
  const std::string path = write("u.json", R"({"classes": [{"size": 8, "pages": 1}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_NE(err.find("page size is unknown"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, ObjectLargerThanItsSpanNamesTheClass) {
  const std::string path = write("o.json", R"({"page_size": 8192, "classes": [
      {"size": 8, "pages": 1}, {"size": 9000, "pages": 1}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
  EXPECT_NE(err.find("class 2"), std::string::npos) << err;
}

TEST_F(SizeClassJsonFiles, MissingFileIsAnError) {
  std::string err;
  const std::string path = (dir_ / "absent.json").string();
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
}

} // namespace

// Fuzzing found it: sizes between the largest class and a larger max_small fell to class 0 and
// the engine then freed through a span that did not exist.
TEST_F(SizeClassJsonFiles, MaxSmallAboveTheLargestClassIsRefused) {
  const std::string path = write("t.json", R"({"allocator": "x", "page_size": 8192, "max_small": 4096,
      "classes": [{"size": 8, "pages": 1}, {"size": 16, "pages": 1}, {"size": 1024, "pages": 1}]})");
  std::string err;
  EXPECT_FALSE(traces::loadSizeClassTable(path, &err));
  EXPECT_NE(err.find("t.json"), std::string::npos) << err;
  EXPECT_NE(err.find("maxSmall 4096 is above the largest class size 1024"), std::string::npos) << err;
}
