// The go1.26 table against Go 1.26.8's internal/runtime/gc/sizeclasses.go (a copy in
// tests/data/go1.26; tests/oracle/go126_sizeclasses_oracle_test.cpp holds that copy to GOROOT's).
#include "sim/sizeclass_library.h"
#include "sim/sizeclasses.h"
#include "tests/unit/go_sizeclasses_file.h"

#include <gtest/gtest.h>

namespace {

const std::string kFile = std::string(SPANSCOPE_TEST_DATA) + "/go1.26/sizeclasses.go";

const gofile::SizeClasses126& goFile() {
  static const gofile::SizeClasses126 t = gofile::parseSizeClasses126(gofile::readFile(kFile));
  return t;
}

// Every row and both lookup arrays, and mallocgc's lookup for every small size.
void expectTableIsTheFile(const sim::SizeClassTable& t, const gofile::SizeClasses126& g) {
  ASSERT_EQ(g.numSizeClasses, 68u) << "unparseable file";
  ASSERT_EQ(g.classToSize.size(), g.numSizeClasses);
  ASSERT_EQ(g.classToNPages.size(), g.numSizeClasses);
  ASSERT_EQ(g.classToDivMagic.size(), g.numSizeClasses);
  EXPECT_EQ(t.maxSmall(), g.maxSmallSize);
  EXPECT_EQ(uint64_t{1} << g.pageShift, t.pageSize());
  ASSERT_EQ(t.numClasses(), g.numSizeClasses);
  for (uint32_t c = 0; c < t.numClasses(); ++c) {
    EXPECT_EQ(t.cls(c).size, g.classToSize[c]) << "SizeClassToSize[" << c << "]";
    EXPECT_EQ(t.cls(c).npages, g.classToNPages[c]) << "SizeClassToNPages[" << c << "]";
    EXPECT_EQ(t.cls(c).divMul, g.classToDivMagic[c]) << "SizeClassToDivMagic[" << c << "]";
  }
  ASSERT_EQ(t.sizeToClass8().size(), g.sizeToClass8.size());
  ASSERT_EQ(t.sizeToClass128().size(), g.sizeToClass128.size());
  for (size_t i = 0; i < g.sizeToClass8.size(); ++i) EXPECT_EQ(t.sizeToClass8()[i], g.sizeToClass8[i]) << i;
  for (size_t i = 0; i < g.sizeToClass128.size(); ++i) EXPECT_EQ(t.sizeToClass128()[i], g.sizeToClass128[i]) << i;
  // Go 1.26 malloc.go mallocgcSmallNoscan: size <= SmallSizeMax-8 ? SizeToSizeClass8[ceil(size/8)]
  // : SizeToSizeClass128[ceil((size-SmallSizeMax)/128)].
  for (uint64_t size = 1; size <= g.maxSmallSize; ++size) {
    const uint64_t want = size <= 1024 - 8 ? g.sizeToClass8.at((size + 7) / 8) : g.sizeToClass128.at((size - 1024 + 127) / 128);
    ASSERT_EQ(t.classOf(size), want) << size;
  }
  EXPECT_EQ(t.tinyClass(), g.tinySizeClass);
  EXPECT_EQ(g.classToSize.at(g.tinySizeClass), g.tinySize);
  EXPECT_EQ(sim::formatSizeClassComment(t), g.comment) << "the header comment, byte for byte";
}

TEST(GoSizeclasses126File, Go126TableIsTheFileRowByRow) {
  std::string err;
  const std::optional<sim::SizeClassTable> t = sim::libraryTable("go1.26", &err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->name(), "go1.26");
  expectTableIsTheFile(*t, goFile());
}

TEST(GoSizeclasses126File, CommentHasTheWholeTable) {
  const gofile::SizeClasses126& g = goFile();
  EXPECT_NE(g.comment.find("//    67      32768       32768        1           0     12.50%       8192\n"), std::string::npos);
  EXPECT_NE(g.comment.find("// alignment  bits  min obj size\n"), std::string::npos);
}

} // namespace
