// report::encodePng: what it writes must read back, pixel for pixel, through another decoder
// (stb_image), for both channel counts the app and the chart use.
#include "app/report/png.h"

#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

std::vector<uint8_t> pattern(int w, int h, int channels) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * channels);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 37) ^ (i / 7)); // no two rows alike
  return px;
}

TEST(EncodePng, DecodesBackToTheSamePixels) {
  for (int channels : {3, 4}) {
    const int w = 33, h = 17;
    const std::vector<uint8_t> px = pattern(w, h, channels);
    std::string png;
    ASSERT_TRUE(report::encodePng(px.data(), w, h, channels, &png));
    int rw = 0, rh = 0, rc = 0;
    uint8_t* back = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()), &rw, &rh, &rc, 0);
    ASSERT_NE(back, nullptr) << stbi_failure_reason();
    EXPECT_EQ(rw, w);
    EXPECT_EQ(rh, h);
    EXPECT_EQ(rc, channels);
    EXPECT_TRUE(std::equal(px.begin(), px.end(), back)) << channels << " channels";
    stbi_image_free(back);
  }
}

TEST(EncodePng, RefusesWhatIsNoImage) {
  const uint8_t px[4] = {};
  std::string png;
  EXPECT_FALSE(report::encodePng(px, 0, 1, 4, &png));
  EXPECT_FALSE(report::encodePng(px, 1, 1, 2, &png)) << "grey+alpha is not a format it writes";
  EXPECT_TRUE(png.empty());
}

} // namespace
