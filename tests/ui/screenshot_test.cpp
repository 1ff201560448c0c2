// Screenshot tests: the real app (GLFW + OpenGL 3.3 + Mesa) under xvfb-run renders one frame to a
// PNG; the test reads it back (stb_image) and checks that it is not blank and that the heap map
// shows each page in the colour of the state Go's allocator leaves it in.
#include "app/gui/panels/heap_map.h"
#include "traces/json_trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace {

const std::string kShots = SPANSCOPE_SHOT_DIR;

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;
  ImU32 at(int x, int y) const {
    const uint8_t* p = &rgba[(static_cast<size_t>(y) * w + x) * 4];
    return IM_COL32(p[0], p[1], p[2], p[3]);
  }
};

#ifdef SPANSCOPE_KEEP_GL_DRIVER
// Sanitizer build: Mesa's driver preloaded, so it stays mapped until LeakSanitizer runs at exit.
// Mesa dlclose()s it first otherwise, and the blocks only its globals point to show as leaks from
// "<unknown module>" (third party; nothing a suppression can name).
const std::string kKeepDriver = "env LD_PRELOAD=" SPANSCOPE_KEEP_GL_DRIVER " ";
#else
const std::string kKeepDriver;
#endif

// Runs spanscope under xvfb-run and loads the PNG it wrote.
Image shoot(const std::string& name, const std::string& args) {
  std::filesystem::create_directories(kShots);
  const std::string png = kShots + "/" + name + ".png";
  std::filesystem::remove(png);
  const std::string cmd =
      "xvfb-run -a -s '-screen 0 1920x1200x24' " + kKeepDriver + std::string(SPANSCOPE_GUI) + " --screenshot " + png + " " + args;
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  Image img;
  int channels = 0;
  uint8_t* data = stbi_load(png.c_str(), &img.w, &img.h, &channels, 4);
  EXPECT_NE(data, nullptr) << "no PNG at " << png;
  if (data) {
    img.rgba.assign(data, data + static_cast<size_t>(img.w) * img.h * 4);
    stbi_image_free(data);
  }
  return img;
}

bool near(ImU32 a, ImU32 b) {
  for (int shift = 0; shift < 24; shift += 8) {
    const int d = static_cast<int>((a >> shift) & 0xff) - static_cast<int>((b >> shift) & 0xff);
    if (d < -3 || d > 3) return false;
  }
  return true;
}

std::string hex(ImU32 c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff);
  return buf;
}

TEST(ScreenshotTest, DefaultLayoutIsNotBlank) {
  const Image img = shoot("default", "--size 1280x800 --at 20");
  ASSERT_EQ(img.w, 1280);
  ASSERT_EQ(img.h, 800);
  std::map<ImU32, size_t> counts;
  for (int y = 0; y < img.h; y += 2)
    for (int x = 0; x < img.w; x += 2) ++counts[img.at(x, y)];
  size_t most = 0, total = 0;
  for (auto& [c, n] : counts) most = std::max(most, n), total += n;
  EXPECT_GT(counts.size(), 50u) << "a real frame has text, panels and the heap map's colours";
  EXPECT_LT(static_cast<double>(most) / static_cast<double>(total), 0.8) << "one colour covers most of the image";
}

TEST(ScreenshotTest, HeapMapShowsEachPageInItsStateColour) {
  // small_refill: 171 allocations of 48 B (size class 5, noscan: span class 11). Stop right after
  // the 171st, before the final ReadMemStats flushes the mcache.
  const std::string trace = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/small_refill.json";
  std::string err;
  auto t = traces::loadJsonTrace(trace, &err);
  ASSERT_TRUE(t) << err;
  uint64_t lastAlloc = 0;
  for (uint64_t i = 0; i < t->events.size(); ++i)
    if (t->events[i].kind == sim::EventKind::Alloc) lastAlloc = i;
  const std::string geomPath = kShots + "/small_refill.json";
  const Image img = shoot("small_refill", "--trace " + trace + " --at " + std::to_string(lastAlloc + 1) +
                                              " --panels heapmap --size 900x700 --heapmap-geometry " + geomPath);
  ASSERT_GT(img.w, 0);
  std::ifstream gf(geomPath);
  const nlohmann::json g = nlohmann::json::parse(gf);
  const float ox = g["origin_x"], oy = g["origin_y"], cell = g["cell"];
  const uint32_t cols = g["cols"];
  ASSERT_EQ(g["pages"].get<uint64_t>(), 512u) << "one 4 MiB chunk mapped";
  ASSERT_GE(cell, 4.0f);

  // Go 1.19: the first allocation maps a 4 MiB chunk (512 pages, all released until used); the
  // P's page cache takes the aligned 64-page block holding the first free page (pages 0..63); the
  // first class-5 span is page 0. 170 slots fill it; the 171st allocation hands it back to
  // mcentral (full set) and the mcache caches a new span on page 1.
  const uint32_t classes = 68;
  auto info = [](gui::PageState s) {
    gui::PageInfo p;
    p.state = s;
    p.spanclass = sim::makeSpanClass(5, true);
    return p;
  };
  const struct {
    uint64_t page;
    gui::PageState state;
  } expect[] = {
      {0, gui::PageState::InUse},      {1, gui::PageState::Cached},      {2, gui::PageState::PageCache},
      {63, gui::PageState::PageCache}, {64, gui::PageState::Released},   {511, gui::PageState::Released},
  };
  for (const auto& e : expect) {
    // A point inside the cell, away from the grid lines and the centre (class labels).
    const int x = static_cast<int>(ox + (static_cast<float>(e.page % cols) + 0.3f) * cell);
    const int y = static_cast<int>(oy + (static_cast<float>(e.page / cols) + 0.3f) * cell);
    const ImU32 want = gui::PageColour(info(e.state), classes), got = img.at(x, y);
    EXPECT_TRUE(near(got, want)) << "page " << e.page << " (" << gui::PageStateName(e.state) << ") at " << x << "," << y
                                 << ": " << hex(got) << ", expected " << hex(want);
  }
}

} // namespace
