// The go1.26 table against the INSTALLED Go 1.26 (`go` on PATH): its GOROOT's
// internal/runtime/gc/sizeclasses.go, and the copy the unit test reads must be that file.
#include "sim/sizeclasses.h"
#include "tests/oracle/go_oracle.h"
#include "tests/unit/go_sizeclasses_file.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>

namespace {

// `go env GOROOT` of the Go 1.26 on PATH; "" (and *why) if there is none or it is another release.
std::string goroot126(std::string* why) {
  auto run = [](const std::string& cmd) {
    std::string out;
    if (FILE* f = popen(cmd.c_str(), "r")) {
      std::array<char, 4096> buf{};
      size_t n = 0;
      while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
      pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  };
  const std::string version = run(std::string("GOTOOLCHAIN=local ") + oracle::kGo126 + " version 2>&1");
  if (version.find("go1.26") == std::string::npos) {
    *why = "Go 1.26 not on PATH: `go version` said \"" + version + "\"";
    return "";
  }
  return run(std::string("GOTOOLCHAIN=local ") + oracle::kGo126 + " env GOROOT 2>/dev/null");
}

TEST(Go126SizeclassesOracle, Go126TableEqualsTheInstalledFileAndTheTestCopy) {
  std::string why;
  const std::string root = goroot126(&why);
  ASSERT_FALSE(root.empty()) << why;
  const std::string path = root + "/src/internal/runtime/gc/sizeclasses.go";
  const std::string installed = gofile::readFile(path);
  ASSERT_FALSE(installed.empty()) << "cannot read " << path;
  EXPECT_EQ(installed, gofile::readFile(std::string(SPANSCOPE_TEST_DATA) + "/go1.26/sizeclasses.go"))
      << "tests/data/go1.26/sizeclasses.go is not the installed " << path;
  const gofile::SizeClasses126 g = gofile::parseSizeClasses126(installed);
  const sim::SizeClassTable t = sim::SizeClassTable::go126();
  ASSERT_EQ(g.classToSize.size(), t.numClasses()) << path;
  for (uint32_t c = 0; c < t.numClasses(); ++c) {
    EXPECT_EQ(t.cls(c).size, g.classToSize[c]) << "SizeClassToSize[" << c << "]";
    EXPECT_EQ(t.cls(c).npages, g.classToNPages[c]) << "SizeClassToNPages[" << c << "]";
    EXPECT_EQ(t.cls(c).divMul, g.classToDivMagic[c]) << "SizeClassToDivMagic[" << c << "]";
  }
  EXPECT_EQ(t.sizeToClass8(), std::vector<uint16_t>(g.sizeToClass8.begin(), g.sizeToClass8.end()));
  EXPECT_EQ(t.sizeToClass128(), std::vector<uint16_t>(g.sizeToClass128.begin(), g.sizeToClass128.end()));
  EXPECT_EQ(sim::formatSizeClassComment(t), g.comment);
  // malloc header constants (internal/runtime/gc/malloc.go) the engine's profile uses.
  const std::string malloc = gofile::readFile(root + "/src/internal/runtime/gc/malloc.go");
  EXPECT_EQ(gofile::constant(malloc, "MallocHeaderSize"), 8u);
  EXPECT_NE(malloc.find("MinSizeForMallocHeader = goarch.PtrSize * goarch.PtrBits"), std::string::npos);
}

} // namespace
