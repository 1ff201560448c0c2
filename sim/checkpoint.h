// Checkpoints: copies of the whole World taken during a forward run, so that seeking anywhere
// (and stepping back) costs one copy plus at most `interval` events. Design essay: sim/malloc.h.
// Not in Go: a simulator facility. A World is plain data (sim/malloc.h), so a copy is a complete snapshot.
#pragma once

#include "sim/world.h"

#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

// Packs a checkpoint's bulk (World::takeBulk) into fewer bytes and back, e.g. zstd (app/model).
// pack runs on a thread of its own, beside the replay.
class CheckpointCodec {
 public:
  virtual ~CheckpointCodec() = default;
  virtual std::string pack(std::string_view bytes) const = 0;
  // What pack packed; `bytes` is the length it had. Throws if it cannot (restore then leaves its
  // World as it was).
  virtual std::string unpack(std::string_view packed, size_t bytes) const = 0;
};

class Checkpoints {
 public:
  // One checkpoint every `interval` events, within `budgetBytes`: when the copies outgrow the
  // budget, every other one is dropped and the interval doubles (seeking gets slower, never
  // wrong). Given the trace's length (`events` > 0), an offer first doubles the interval while the
  // copies still to come at it (and one pinned copy) would outgrow the budget: the copies that
  // thinning would drop later are never taken (each costs tens of ms at a 1 GiB heap).
  //
  // With a codec (which must outlive this), each copy's bulk is packed on another thread while
  // the replay runs on, and the budget counts packed copies: several times more fit. One copy
  // is packed at a time; the next offer that keeps one waits for it, so what is kept, and every
  // figure here, depends only on the offers, never on threads.
  //
  // bytesPerEvent > 0 (with a codec): copies at least footprint/bytesPerEvent events apart, the
  // interval doubled until they are; the cost of packing a copy grows with the World, not with the
  // events between copies.
  Checkpoints(uint64_t interval, size_t budgetBytes, uint64_t events = 0, const CheckpointCodec* codec = nullptr,
              size_t bytesPerEvent = 0);
  ~Checkpoints();
  Checkpoints(Checkpoints&&) noexcept = default;
  Checkpoints& operator=(Checkpoints&&) = delete;

  // Offers the World after `position` events; kept (true) if position is a multiple of
  // interval() past the latest checkpoint.
  bool offer(const World& w, uint64_t position);
  // Keeps the World after `position` events whatever the interval (after the latest checkpoint);
  // like the start, it survives thinning. For a place a user goes to often: the end of a trace.
  // A pinned copy is kept whole, never packed: going there copies it rather than unpacks it, and
  // the run that pins it (a first pass, at its end) does not wait for its packing.
  void pin(const World& w, uint64_t position);
  // The position of the latest checkpoint at or before `position` (*at); false if none.
  bool atOrBefore(uint64_t position, uint64_t* at) const;
  // That checkpoint's World into *out (unpacked), and its position; false if none.
  bool restore(uint64_t position, World* out, uint64_t* at) const;
  // Frees the storage kept for copying the next World to pack (about one World's worth), for when
  // no more copies are expected soon, e.g. after a first pass; the next copy allocates it again.
  void releaseScratch();

  uint64_t interval() const { return interval_; }
  size_t count() const { return cps_.size(); }
  size_t bytes() const;

 private:
  struct Stored {
    std::optional<World> world; // the whole World, or (packed, once settled) without its bulk
    std::string packed;         // the bulk, packed
    size_t bulkBytes = 0;       // 0: kept whole (a packed bulk holds at least its arrays' lengths)
  };
  // What the packing thread works in: the copy to pack, assigned over the previous one so that its
  // storage is reused (a fresh copy of a 1 GiB heap's World page-faults 26 MB on the replay's
  // thread), and its bulk as bytes. On the heap: the thread holds it while this object moves.
  struct Scratch {
    World world;
    std::string bulk;
  };
  struct Checkpoint {
    uint64_t position;
    std::unique_ptr<Stored> stored; // on the heap: the packing thread holds it while cps_ changes
    size_t bytes;                   // counted against the budget (an estimate while packing)
    size_t wholeBytes;              // the World's footprint, unpacked
    bool pinned = false;
  };
  void keep(const World& w, size_t whole, uint64_t position, bool pinned);
  const Checkpoint* latestAtOrBefore(uint64_t position) const;
  void settle() const; // waits for the copy being packed and counts its packed size
  size_t copyBytes(size_t whole) const; // what a copy of a World this large will count, packed if there is a codec
  void thin();
  bool due(uint64_t position); // whether position is a multiple of interval_ (without a division)
  bool thinnable() const;
  size_t keptBytes(uint64_t interval) const; // what thinning to `interval` would leave

  std::vector<Checkpoint> cps_; // ascending position
  uint64_t interval_;
  uint64_t due_ = 0; // the next multiple of interval_ after the latest offer; 0: unknown
  size_t budget_;
  mutable size_t bytes_ = 0;
  uint64_t events_; // 0: unknown
  const CheckpointCodec* codec_;
  size_t bytesPerEvent_;
  // Packed bytes / whole bytes of the latest packed copy of at least kTypicalBytes (0: none yet):
  // what a copy to come will count. Until one is known a copy counts whole and none is skipped
  // ahead (an almost empty World packs no smaller, so its ratio would thin for nothing).
  static constexpr size_t kTypicalBytes = size_t{1} << 20;
  mutable double packedRatio_ = 0;
  std::unique_ptr<Scratch> scratch_;     // with a codec, once a copy was kept
  mutable std::future<size_t> packing_; // the latest copy's packing: its packed bytes
};

} // namespace sim
