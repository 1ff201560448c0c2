// The size-class library: each table against its allocator's published numbers (the reference
// JSON files copied from shared/reference/sizeclasses, or the rule the allocator documents,
// computed by hand in the comments), and each one usable by the engine.
#include "sim/malloc.h"
#include "sim/sizeclass_library.h"
#include "traces/sizeclass_json.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using namespace sim;

SizeClassTable lib(const std::string& name) {
  std::string err;
  auto t = libraryTable(name, &err);
  EXPECT_TRUE(t.has_value()) << err;
  return t ? *t : SizeClassTable::go119();
}

nlohmann::json reference(const std::string& file) {
  std::ifstream in(std::string(SPANSCOPE_TEST_DATA) + "/sizeclasses/" + file);
  return nlohmann::json::parse(in);
}

TEST(SizeClassLibrary, GoSpanRuleBySizeComputedByHand) {
  // mksizeclasses: the smallest span whose leftover is at most 1/8 of it.
  EXPECT_EQ(goSpanPages(48), 1u);    // 8192 % 48 = 32 <= 1024
  EXPECT_EQ(goSpanPages(1408), 2u);  // 8192 % 1408 = 1152 > 1024; 16384 % 1408 = 896 <= 2048
  EXPECT_EQ(goSpanPages(3072), 2u);  // 8192 % 3072 = 2048 > 1024; 16384 % 3072 = 1024 <= 2048
  EXPECT_EQ(goSpanPages(9472), 5u);  // 16384: 6912, 24576: 5632, 32768: 4352 too big; 40960 % 9472 = 3072 <= 5120
  EXPECT_EQ(goSpanPages(32768), 4u); // the first span that holds it at all, no tail
  // Go applies the rule to the size *before* its final raise: 3072 got 3 pages as 2816 did
  // (24576 % 2816 = 2048 <= 3072), then rose to 24576 / 8 = 3072. So Go's pages are not always
  // the rule applied to its final sizes — the library uses the rule only for tables without spans.
  EXPECT_EQ(SizeClassTable::go119().cls(SizeClassTable::go119().classOf(3072)).npages, 3u);
}

TEST(SizeClassLibrary, TcmallocMatchesSizeClassesCc) {
  for (auto [name, file] : {std::pair{"tcmalloc", "tcmalloc_8k_align16.json"}, {"tcmalloc-align8", "tcmalloc_8k_align8.json"}}) {
    const SizeClassTable t = lib(name);
    const nlohmann::json ref = reference(file);
    ASSERT_EQ(t.numClasses() - 1, ref["classes"].size()) << name;
    for (uint32_t c = 1; c < t.numClasses(); ++c) {
      EXPECT_EQ(t.cls(c).size, ref["classes"][c - 1]["size"].get<uint32_t>()) << name << " class " << c;
      EXPECT_EQ(t.cls(c).npages, ref["classes"][c - 1]["pages"].get<uint32_t>()) << name << " class " << c;
    }
    EXPECT_EQ(t.maxSmall(), 262144u);
  }
}

TEST(SizeClassLibrary, JemallocSizesWithExactFitSlabsOnEightKiBPages) {
  const SizeClassTable t = lib("jemalloc");
  const nlohmann::json ref = reference("jemalloc_4k.json");
  ASSERT_EQ(t.numClasses() - 1, ref["classes"].size()) << "small and large classes up to 32 KiB";
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    EXPECT_EQ(t.cls(c).size, ref["classes"][c - 1]["size"].get<uint32_t>()) << "class " << c;
    const uint64_t span = uint64_t{t.cls(c).npages} * kPageSize;
    EXPECT_EQ(span % t.cls(c).size, 0u) << "jemalloc slabs have no tail (class " << c << ")";
  }
  // By hand: lcm(48, 8192) = 24576 = 3 pages; lcm(80, 8192) = 40960 = 5; lcm(14336, 8192) = 57344 = 7;
  // lcm(20480, 8192) = 40960 = 5 pages holding 2 objects.
  auto pagesOf = [&](uint32_t size) { return t.cls(t.classOf(size)).npages; };
  EXPECT_EQ(pagesOf(48), 3u);
  EXPECT_EQ(pagesOf(80), 5u);
  EXPECT_EQ(pagesOf(14336), 7u);
  EXPECT_EQ(pagesOf(20480), 5u);
}

TEST(SizeClassLibrary, MimallocBinsOnItsPageKinds) {
  const SizeClassTable t = lib("mimalloc");
  const nlohmann::json ref = reference("mimalloc.json");
  uint32_t c = 1;
  for (const nlohmann::json& row : ref["classes"]) {
    const uint32_t size = row["block_size"].get<uint32_t>();
    if (size > 32768) continue;
    ASSERT_LT(c, t.numClasses());
    EXPECT_EQ(t.cls(c).size, size);
    // v2 page kinds: small = 64 KiB = 8 pages, medium = 512 KiB = 64 pages.
    const std::string kind = row["v2_page"].get<std::string>();
    EXPECT_EQ(t.cls(c).npages, kind.rfind("small", 0) == 0 ? 8u : 64u) << size << " B is on a " << kind;
    ++c;
  }
  EXPECT_EQ(c, t.numClasses()) << "every bin up to 32 KiB and nothing else";
}

TEST(SizeClassLibrary, Glibc16AndPowersOfTwoByDefinition) {
  const SizeClassTable g = lib("glibc16");
  EXPECT_EQ(g.numClasses() - 1, 32768u / 16) << "16, 32, ..., 32768";
  for (uint32_t c = 1; c < g.numClasses(); ++c) EXPECT_EQ(g.cls(c).size, 16 * c);
  EXPECT_EQ(lib("glibc16:1024").numClasses() - 1, 64u);
  const SizeClassTable p = lib("pow2");
  ASSERT_EQ(p.numClasses() - 1, 13u) << "2^3 .. 2^15";
  for (uint32_t c = 1; c < p.numClasses(); ++c) EXPECT_EQ(p.cls(c).size, 4u << c);
  EXPECT_EQ(p.cls(p.classOf(16384)).npages, 2u) << "8192 < 16384: two pages, no tail";
  EXPECT_EQ(p.cls(p.classOf(4097)).size, 8192u);
}

TEST(SizeClassLibrary, BadNamesSayWhatExists) {
  std::string err;
  EXPECT_FALSE(libraryTable("tcmallok", &err));
  EXPECT_NE(err.find("tcmalloc"), std::string::npos) << err;
  EXPECT_NE(err.find("JSON file"), std::string::npos) << err;
  for (const char* bad : {"glibc16:1000", "glibc16:64", "glibc16:65536", "glibc16:", "glibc16:1e3"}) {
    err.clear();
    EXPECT_FALSE(libraryTable(bad, &err)) << bad;
    EXPECT_NE(err.find("multiple of 16"), std::string::npos) << err;
  }
}

TEST(SizeClassLibrary, EveryTableDrivesTheEngine) {
  for (const LibraryEntry& e : sizeClassLibrary()) {
    Config cfg;
    cfg.table = lib(e.name);
    cfg.gogc = -1;
    World w(cfg);
    uint64_t id = 0;
    std::string err;
    for (uint64_t s = 1; s <= cfg.table.maxSmall() + 8192; s += 1 + s / 7) {
      ASSERT_TRUE(w.step(allocEvent(id++, s), &err)) << e.name << " size " << s << ": " << err;
      const StepRecord& r = w.last();
      if (s <= cfg.table.maxSmall() && s >= 16) {
        EXPECT_GE(r.elemsize, s) << e.name;
      }
    }
    EXPECT_TRUE(checkInvariants(w).empty()) << e.name;
  }
}

} // namespace

namespace {

// assets/sizeclasses/*.json are the library exported for people to read and edit; they must say
// exactly what the built-in tables are (regenerate: spanscope-cli classes --table NAME --json).
TEST(SizeClassLibrary, AssetFilesAreTheLibraryTables) {
  for (const sim::LibraryEntry& e : sim::sizeClassLibrary()) {
    const std::string path = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/sizeclasses/" + e.name + ".json";
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path;
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), traces::sizeClassTableToJson(lib(e.name), e.source)) << path;
    std::string err;
    auto loaded = traces::loadSizeClassTable(path, &err);
    ASSERT_TRUE(loaded) << err;
    EXPECT_EQ(sim::formatSizeClassComment(*loaded), sim::formatSizeClassComment(lib(e.name))) << e.name;
  }
}

} // namespace
