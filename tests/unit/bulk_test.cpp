// sim/bulk.h: an array goes out column by column (byte k of every element together) and comes
// back as it was, for element sizes and counts that do not fit its blocks evenly.
#include "sim/bulk.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace {

struct Odd { // 12 bytes, like the World's object entries
  uint32_t a, b, c;
  bool operator==(const Odd&) const = default;
};

TEST(Bulk, ArraysGoOutByColumnsAndComeBackWhole) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{255}, size_t{256}, size_t{1000}}) {
    std::vector<Odd> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = Odd{static_cast<uint32_t>(i * 2654435761u), 0xc0u, static_cast<uint32_t>(i % 7)};
    const std::vector<Odd> original = v;
    std::string out = "head";
    const Odd* storage = v.data();
    sim::takeArray(v, out);
    EXPECT_TRUE(v.empty());
    EXPECT_GE(v.capacity(), n) << "the array keeps its storage, to be copied into again";
    ASSERT_EQ(out.size(), 4 + 8 + n * sizeof(Odd));
    // Column 4 is the low byte of every element's b: all 0xc0.
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<uint8_t>(out[4 + 8 + 4 * n + i]), 0xc0u) << i;
    // Column 0 is the low byte of a, element by element.
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<uint8_t>(out[4 + 8 + i]), static_cast<uint8_t>(original[i].a)) << i;
    std::string_view in(out);
    in.remove_prefix(4);
    std::string_view again = in;
    std::vector<Odd> back{Odd{1, 2, 3}}; // one element, in storage too small for most n
    sim::putArray(in, back);
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(back, original) << n << " elements";
    sim::putArray(again, v); // storage large enough: filled in place
    EXPECT_EQ(v, original) << n << " elements";
    if (n > 0) EXPECT_EQ(v.data(), storage) << "no new allocation";
  }
}

TEST(Bulk, ATruncatedArrayIsRefused) {
  std::vector<std::array<char, 112>> v(3);
  std::string out;
  sim::takeArray(v, out);
  std::string_view in(out.data(), out.size() - 1);
  std::vector<std::array<char, 112>> back;
  EXPECT_THROW(sim::putArray(in, back), std::logic_error);
}

} // namespace
