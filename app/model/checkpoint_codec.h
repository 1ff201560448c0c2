// Checkpoints packed with zstd (sim::CheckpointCodec): a session keeps several times more of them
// in the same budget, so a seek replays fewer events.
#pragma once

#include "sim/checkpoint.h"

#include <atomic>
#include <cstdint>
#include <string>

namespace model {

// zstd at level 1: a World's bulk (object table, span structs, bitmaps) packs to about a quarter
// at some 300 MB/s on one core, beside the replay; unpacking 17 MB takes ~15 ms.
const sim::CheckpointCodec& zstdCheckpointCodec();

// zstd at level 1, the packed bytes written to a file rather than kept in memory: what pack
// returns is where they are (17 bytes), so a session's memory no longer grows with its
// checkpoints (128 packed copies of a 1 GiB heap are 420 MB). The file is made in `dir` and
// unlinked at once, so nothing is left behind, even after a crash; reading a copy back comes from
// the page cache. If the file cannot be made, or a write fails, or it would outgrow maxFileBytes,
// copies from then on are kept in memory as zstdCheckpointCodec keeps them.
class SpillingCheckpointCodec final : public sim::CheckpointCodec {
 public:
  explicit SpillingCheckpointCodec(const std::string& dir, uint64_t maxFileBytes = uint64_t{4} << 30);
  ~SpillingCheckpointCodec() override;
  SpillingCheckpointCodec(const SpillingCheckpointCodec&) = delete;
  SpillingCheckpointCodec& operator=(const SpillingCheckpointCodec&) = delete;

  std::string pack(std::string_view bytes) const override;
  std::string unpack(std::string_view packed, size_t bytes) const override;
  // Bytes written to the file so far (0 if there is none).
  uint64_t fileBytes() const { return end_.load(); }
  // Whether copies still go to the file.
  bool spilling() const { return fd_ >= 0 && !stopped_.load(); }

 private:
  std::string dir_;
  int fd_ = -1;
  uint64_t maxFileBytes_;
  mutable std::atomic<uint64_t> end_{0};      // pack appends (one packing at a time), unpack reads
  mutable std::atomic<bool> stopped_{false}; // a write failed or the file is full: memory from then on
};

} // namespace model
