// The app's checkpoint codecs (app/model/checkpoint_codec.h): packed copies spilled to an unlinked
// file come back byte for byte, in any order; without a file (no directory, a full one, the size
// cap) they stay in memory and still come back; a damaged copy is an error, never a wrong World.
#include "app/model/checkpoint_codec.h"
#include "sim/checkpoint.h"
#include "sim/malloc.h"
#include "world_fingerprint.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using model::SpillingCheckpointCodec;

// A fresh directory under the test's temp dir, removed afterwards.
struct TempDir {
  TempDir() {
    std::string t = (fs::temp_directory_path() / "spanscope-codec-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + t);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

std::string bytesOf(size_t n, uint32_t seed) { // half runs of zeros, half noise: packs, not to nothing
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    if ((i / 512) % 2 == 1) s[i] = static_cast<char>(rng());
  return s;
}

TEST(SpillingCheckpointCodec, CopiesGoToAnUnlinkedFileAndComeBackInAnyOrder) {
  TempDir dir;
  SpillingCheckpointCodec codec(dir.path);
  ASSERT_TRUE(codec.spilling());
  EXPECT_TRUE(fs::is_empty(dir.path)) << "the file is unlinked as soon as it is made";
  std::vector<std::string> bulks, packed;
  uint64_t written = 0;
  for (uint32_t k = 0; k < 5; ++k) {
    bulks.push_back(bytesOf(100000 + 777 * k, k));
    packed.push_back(codec.pack(bulks.back()));
    EXPECT_EQ(packed.back().size(), 17u) << "a tag and where the copy is, not the copy";
    EXPECT_GT(codec.fileBytes(), written);
    EXPECT_LT(codec.fileBytes() - written, bulks.back().size()) << "packed before it is written";
    written = codec.fileBytes();
  }
  for (size_t k : {3u, 0u, 4u, 1u, 2u, 3u}) EXPECT_EQ(codec.unpack(packed[k], bulks[k].size()), bulks[k]) << k;
}

TEST(SpillingCheckpointCodec, WithoutAFileCopiesStayInMemory) {
  SpillingCheckpointCodec none("/nonexistent/spanscope-dir");
  EXPECT_FALSE(none.spilling());
  const std::string b = bytesOf(50000, 9);
  const std::string p = none.pack(b);
  EXPECT_GT(p.size(), 17u) << "the packed bytes themselves";
  EXPECT_LT(p.size(), b.size());
  EXPECT_EQ(none.unpack(p, b.size()), b);
  EXPECT_EQ(none.fileBytes(), 0u);
}

TEST(SpillingCheckpointCodec, PastItsSizeCapCopiesStayInMemory) {
  TempDir dir;
  const std::string a = bytesOf(40000, 1), b = bytesOf(40000, 2);
  SpillingCheckpointCodec codec(dir.path, 30000); // room for one packed copy (~20 KB), not two
  const std::string pa = codec.pack(a), pb = codec.pack(b);
  EXPECT_EQ(pa.size(), 17u);
  EXPECT_GT(pb.size(), 17u) << "the second would outgrow the cap";
  EXPECT_FALSE(codec.spilling()) << "and the ones after it stay in memory too";
  EXPECT_LE(codec.fileBytes(), 30000u);
  EXPECT_EQ(codec.unpack(pa, a.size()), a);
  EXPECT_EQ(codec.unpack(pb, b.size()), b);
}

TEST(SpillingCheckpointCodec, ADamagedCopyIsAnError) {
  TempDir dir;
  SpillingCheckpointCodec codec(dir.path);
  const std::string b = bytesOf(30000, 3);
  std::string p = codec.pack(b);
  std::string past = p;
  past[8] = static_cast<char>(0x7f); // the offset's top byte: past the end of the file
  EXPECT_THROW(codec.unpack(past, b.size()), std::runtime_error);
  EXPECT_THROW(codec.unpack("", b.size()), std::runtime_error);
  EXPECT_THROW(codec.unpack("F12", b.size()), std::runtime_error);
  EXPECT_THROW(codec.unpack(p, b.size() + 1), std::runtime_error) << "a length other than packed";
}

// Through sim::Checkpoints: a World restored from a spilled copy and run forward is the World a
// straight replay reaches; a copy that cannot be read back leaves the World it was restoring into
// as it was.
TEST(SpillingCheckpointCodec, SpilledCheckpointsRestoreTheWorld) {
  using namespace sim;
  TempDir dir;
  SpillingCheckpointCodec codec(dir.path);
  const std::vector<Event> evs = spanscope_test::mixedTrace(12000, 4);
  Checkpoints cps(1000, size_t{1} << 30, 0, &codec);
  World w;
  spanscope_test::offerEachStep(cps, w, evs, evs.size());
  EXPECT_GT(codec.fileBytes(), 0u);
  for (uint64_t target : {0ull, 999ull, 5000ull, 11999ull}) {
    World back;
    uint64_t at = 0;
    ASSERT_TRUE(cps.restore(target, &back, &at));
    World straight;
    for (uint64_t i = 0; i < target; ++i) ASSERT_TRUE(straight.step(evs[i]));
    for (uint64_t i = at; i < target; ++i) ASSERT_TRUE(back.step(evs[i]));
    EXPECT_EQ(spanscope_test::fingerprint(back), spanscope_test::fingerprint(straight)) << target;
  }
}

// A codec whose copies cannot be read back.
class UnreadableCodec : public sim::CheckpointCodec {
 public:
  std::string pack(std::string_view) const override { return "x"; }
  std::string unpack(std::string_view, size_t) const override { throw std::runtime_error("unreadable"); }
};

TEST(SpillingCheckpointCodec, ARestoreThatCannotReadItsCopyLeavesTheWorldAsItWas) {
  using namespace sim;
  UnreadableCodec codec;
  const std::vector<Event> evs = spanscope_test::mixedTrace(3000, 6);
  Checkpoints cps(1000, size_t{1} << 30, 0, &codec);
  World w;
  for (size_t i = 0; i < 2000; ++i) ASSERT_TRUE(w.step(evs[i]));
  cps.offer(w, 2000);
  World live;
  for (size_t i = 0; i < 2500; ++i) ASSERT_TRUE(live.step(evs[i]));
  const std::string before = spanscope_test::fingerprint(live);
  uint64_t at = 0;
  EXPECT_THROW(cps.restore(2200, &live, &at), std::runtime_error);
  EXPECT_EQ(spanscope_test::fingerprint(live), before);
  ASSERT_TRUE(live.step(evs[2500])) << "and it runs on";
}

} // namespace
