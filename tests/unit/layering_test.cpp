// The layering of ARCHITECTURE.md §1, checked rather than hoped for: sim/ includes only the
// standard library and other sim headers; nothing outside app/gui includes ImGui, GLFW or GL; the
// report code does not reach into the CLI. Every #include line of every source file is read.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Include {
  std::string file; // relative to the source tree
  int line = 0;
  std::string target; // what is included, without the quotes or brackets
  bool angled = false;
};

std::vector<Include> includesUnder(const std::string& dir) {
  std::vector<Include> out;
  const fs::path root(SPANSCOPE_SOURCE_DIR);
  if (!fs::exists(root / dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".c")) continue;
    std::ifstream in(entry.path());
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      const size_t hash = text.find_first_not_of(" \t");
      if (hash == std::string::npos || text.compare(hash, 1, "#") != 0) continue;
      const size_t word = text.find_first_not_of(" \t", hash + 1);
      if (word == std::string::npos || text.compare(word, 7, "include") != 0) continue;
      const size_t open = text.find_first_of("<\"", word + 7);
      if (open == std::string::npos) continue;
      const size_t close = text.find(text[open] == '<' ? '>' : '"', open + 1);
      if (close == std::string::npos) continue;
      out.push_back(Include{fs::relative(entry.path(), root).string(), line, text.substr(open + 1, close - open - 1),
                            text[open] == '<'});
    }
  }
  return out;
}

std::string where(const Include& i) { return i.file + ":" + std::to_string(i.line) + ": " + i.target; }

// The C++20 standard library headers sim/ may use (C++ headers and the <cxxx> C headers).
const std::set<std::string>& standardHeaders() {
  static const std::set<std::string> h = {
      "algorithm", "any", "array", "atomic", "barrier", "bit", "bitset", "cassert", "cctype", "cerrno", "cfloat",
      "charconv", "chrono", "cinttypes", "climits", "clocale", "cmath", "compare", "complex", "concepts",
      "condition_variable", "coroutine", "csetjmp", "csignal", "cstdarg", "cstddef", "cstdint", "cstdio", "cstdlib",
      "cstring", "ctime", "cuchar", "cwchar", "cwctype", "deque", "exception", "execution", "expected", "format",
      "forward_list", "functional", "future", "initializer_list", "iomanip", "ios", "iosfwd", "iostream", "istream",
      "iterator", "latch", "limits", "list", "locale", "map", "memory", "memory_resource", "mutex", "new", "numbers",
      "numeric", "optional", "ostream", "queue", "random", "ranges", "ratio", "regex", "scoped_allocator",
      "semaphore", "set", "shared_mutex", "source_location", "span", "sstream", "stack", "stdexcept", "stop_token",
      "streambuf", "string", "string_view", "syncstream", "system_error", "thread", "tuple", "type_traits",
      "typeindex", "typeinfo", "unordered_map", "unordered_set", "utility", "valarray", "variant", "vector", "version"};
  return h;
}

bool isUiHeader(const std::string& target) {
  std::string t = target;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t.find("imgui") != std::string::npos || t.find("glfw") != std::string::npos || t.rfind("gl/", 0) == 0 ||
         t.find("/gl/") != std::string::npos || t.find("glad") != std::string::npos || t.rfind("gles", 0) == 0;
}

TEST(Layering, SimIncludesOnlyTheStandardLibraryAndSim) {
  const std::vector<Include> incs = includesUnder("sim");
  ASSERT_GT(incs.size(), 50u) << "sim/ was read";
  for (const Include& i : incs) {
    if (i.angled) EXPECT_TRUE(standardHeaders().count(i.target)) << where(i) << " is not a standard library header";
    else EXPECT_EQ(i.target.rfind("sim/", 0), 0u) << where(i) << " is not a sim/ header";
  }
}

TEST(Layering, NothingOutsideTheGuiIncludesImGuiGlfwOrGl) {
  for (const char* dir : {"sim", "traces", "app/cli", "app/model", "app/report"}) {
    for (const Include& i : includesUnder(dir)) EXPECT_FALSE(isUiHeader(i.target)) << where(i);
  }
}

TEST(Layering, LowerLayersDoNotIncludeTheAppsAbove) {
  // traces/ sees sim/ only; the shared app libraries (model, report) see neither executable.
  for (const Include& i : includesUnder("traces")) EXPECT_NE(i.target.rfind("app/", 0), 0u) << where(i);
  for (const char* dir : {"app/model", "app/report"}) {
    for (const Include& i : includesUnder(dir)) {
      EXPECT_NE(i.target.rfind("app/cli/", 0), 0u) << where(i);
      EXPECT_NE(i.target.rfind("app/gui/", 0), 0u) << where(i);
    }
  }
}

// Mutable function-local statics in panels hold view state the App should own (a second App, or
// a test, would share it): panels are objects (app/gui/panel.h). Indented `static` = inside a
// function or class; constants are fine.
bool isMutableLocalStatic(const std::string& line) {
  const size_t at = line.find_first_not_of(" \t");
  if (at == 0 || at == std::string::npos || line.compare(at, 7, "static ") != 0) return false;
  return line.compare(at, 17, "static constexpr ") != 0 && line.compare(at, 13, "static const ") != 0;
}

TEST(Layering, PanelsKeepNoStateInFunctionLocalStatics) {
  const fs::path root = fs::path(SPANSCOPE_SOURCE_DIR) / "app/gui/panels";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.path().extension() != ".cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string text;
    for (int line = 1; std::getline(in, text); ++line)
      EXPECT_FALSE(isMutableLocalStatic(text)) << entry.path().filename().string() << ":" << line << ": " << text;
  }
  EXPECT_GT(files, 5);
  EXPECT_TRUE(isMutableLocalStatic("  static MapState s;"));
  EXPECT_FALSE(isMutableLocalStatic("  static constexpr int kN = 3;"));
  EXPECT_FALSE(isMutableLocalStatic("static void Helper() {"));
}

TEST(Layering, TheCheckRecognisesUiHeaders) {
  // So that the tests above could fail: each of these is what a UI include looks like.
  for (const char* h : {"imgui.h", "imgui_internal.h", "GLFW/glfw3.h", "GL/gl.h", "backends/imgui_impl_opengl3.h"})
    EXPECT_TRUE(isUiHeader(h)) << h;
  for (const char* h : {"algorithm", "sim/world.h", "traces/json_io.h", "nlohmann/json.hpp", "glob.h"})
    EXPECT_FALSE(isUiHeader(h)) << h;
  EXPECT_FALSE(standardHeaders().count("nlohmann/json.hpp"));
  EXPECT_FALSE(standardHeaders().count("unistd.h"));
}

} // namespace
