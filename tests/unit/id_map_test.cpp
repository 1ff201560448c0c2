// IdMap's open-addressing table against a std::map model, through many random allocs and frees
// (collisions, wrap-around and backward-shift deletion all get exercised at this size).
#include "traces/id_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace {

TEST(IdMapModel, RandomOperationsAgreeWithAStdMap) {
  traces::IdMap m;
  std::map<uint64_t, uint64_t> model; // key -> size
  std::mt19937_64 rng(17);
  // Keys from a small aligned range so that allocs hit live keys and frees hit dead ones often.
  auto key = [&] { return 0x7f0000000000ull + (rng() % 5000) * 16; };
  for (int step = 0; step < 200000; ++step) {
    const uint64_t k = key();
    if (rng() % 2) {
      const uint64_t size = rng() % 1000;
      const auto id = m.alloc(k, size);
      const bool wasLive = model.count(k) != 0;
      ASSERT_EQ(id.has_value(), !wasLive) << "step " << step;
      if (!wasLive) model[k] = size;
    } else {
      const auto l = m.free(k);
      const auto it = model.find(k);
      ASSERT_EQ(l.has_value(), it != model.end()) << "step " << step;
      if (l) {
        EXPECT_EQ(l->size, it->second);
        model.erase(it);
      }
    }
    ASSERT_EQ(m.liveCount(), model.size());
  }
  for (const auto& [k, size] : model) {
    const traces::IdMap::Live* l = m.find(k);
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->size, size);
  }
  EXPECT_LE(m.idsUsed(), 5000u) << "ids are reused: never more than the keys that can be live at once";
}

TEST(IdMapModel, LiveIdsAreDistinct) {
  traces::IdMap m;
  std::vector<bool> seen(10000, false);
  for (uint64_t k = 0; k < 10000; ++k) {
    const auto id = m.alloc(k * 4096, 1);
    ASSERT_TRUE(id);
    ASSERT_LT(*id, seen.size());
    EXPECT_FALSE(seen[*id]);
    seen[*id] = true;
  }
}

} // namespace
