// Checkpoints: see checkpoint.h.
#include "sim/checkpoint.h"

#include <algorithm>

namespace sim {

Checkpoints::Checkpoints(uint64_t interval, size_t budgetBytes, uint64_t events, const CheckpointCodec* codec,
                         size_t bytesPerEvent)
    : interval_(std::max<uint64_t>(interval, 1)), budget_(budgetBytes), events_(events), codec_(codec),
      bytesPerEvent_(codec == nullptr ? 0 : bytesPerEvent) {}

Checkpoints::~Checkpoints() {
  if (packing_.valid()) packing_.wait();
}

// Replay offers every event: the common case is one event after the last offer, short of due_.
bool Checkpoints::due(uint64_t position) {
  if (position < due_ && position + interval_ > due_) return false;
  due_ = position / interval_ * interval_ + interval_;
  return position % interval_ == 0;
}

bool Checkpoints::offer(const World& w, uint64_t position) {
  if (!due(position)) return false;
  if (!cps_.empty() && cps_.back().position >= position) return false;
  settle();
  const size_t whole = w.footprintBytes();
  if (bytesPerEvent_ > 0 && position > 0) {
    while (interval_ < whole / bytesPerEvent_) thin(); // also with only the start kept
    if (position % interval_ != 0) return false;
  }
  if (events_ > position && (codec_ == nullptr || packedRatio_ > 0)) {
    // Copies of about this size still to come at spacing iv: this one if it is a multiple, the
    // multiples of iv after it up to the end, and room for one pinned copy (kept whole).
    const size_t b = copyBytes(whole);
    auto projected = [&](uint64_t iv) {
      return keptBytes(iv) + b * (events_ / iv - position / iv + (position % iv == 0 ? 1 : 0)) + whole;
    };
    uint64_t iv = interval_;
    while (iv < events_ && projected(iv) > budget_) iv *= 2;
    while (interval_ < iv) thin();
    if (position % interval_ != 0) return false;
  }
  keep(w, whole, position, false);
  return !cps_.empty() && cps_.back().position == position;
}

void Checkpoints::pin(const World& w, uint64_t position) {
  if (!cps_.empty() && cps_.back().position >= position) {
    if (cps_.back().position == position) cps_.back().pinned = true;
    return;
  }
  settle();
  keep(w, w.footprintBytes(), position, true);
}

// Thins to the budget with w (whose footprint is `whole`) counted, then copies w if it stayed and
// starts packing the copy. The previous packing is settled (offer, pin), so the scratch is free.
void Checkpoints::keep(const World& w, size_t whole, uint64_t position, bool pinned) {
  const size_t b = pinned ? whole : copyBytes(whole);
  cps_.push_back(Checkpoint{position, std::make_unique<Stored>(), b, whole, pinned});
  bytes_ += b;
  while (bytes_ > budget_ && thinnable()) thin();
  if (cps_.back().position != position) return; // thinned away: never copied
  Stored* s = cps_.back().stored.get();
  if (codec_ == nullptr || pinned) {
    s->world.emplace(w);
    return;
  }
  if (scratch_) scratch_->world = w; // into the storage of the copy before: no allocation
  else scratch_ = std::make_unique<Scratch>(Scratch{w, {}});
  packing_ = std::async(std::launch::async, [s, scratch = scratch_.get(), codec = codec_] {
    scratch->bulk.clear();
    scratch->world.takeBulk(scratch->bulk);
    s->world.emplace(scratch->world); // copies none of the storage takeBulk left behind
    s->bulkBytes = scratch->bulk.size();
    s->packed = codec->pack(scratch->bulk);
    return s->world->footprintBytes() + s->packed.size();
  });
}

void Checkpoints::releaseScratch() {
  settle();
  scratch_.reset();
}

void Checkpoints::settle() const {
  if (!packing_.valid()) return;
  const size_t packed = packing_.get(); // the copy being packed is the latest (keep thins first)
  Checkpoint& c = const_cast<Checkpoint&>(cps_.back());
  if (c.wholeBytes >= kTypicalBytes) packedRatio_ = static_cast<double>(packed) / static_cast<double>(c.wholeBytes);
  bytes_ = bytes_ - c.bytes + packed;
  c.bytes = packed;
}

size_t Checkpoints::copyBytes(size_t whole) const {
  return codec_ == nullptr || packedRatio_ == 0 ? whole : static_cast<size_t>(static_cast<double>(whole) * packedRatio_);
}

size_t Checkpoints::bytes() const {
  settle();
  return bytes_;
}

size_t Checkpoints::keptBytes(uint64_t interval) const {
  size_t n = 0;
  for (const Checkpoint& c : cps_)
    if (c.position % interval == 0 || c.pinned) n += c.bytes;
  return n;
}

// Whether thinning can drop anything: the start and pinned checkpoints stay whatever the budget.
bool Checkpoints::thinnable() const {
  return std::any_of(cps_.begin(), cps_.end(), [](const Checkpoint& c) { return c.position != 0 && !c.pinned; });
}

void Checkpoints::thin() {
  interval_ *= 2;
  due_ = 0;
  std::vector<Checkpoint> kept;
  kept.reserve(cps_.size() / 2 + 1);
  bytes_ = 0;
  for (Checkpoint& c : cps_) {
    if (c.position % interval_ != 0 && !c.pinned) continue;
    bytes_ += c.bytes;
    kept.push_back(std::move(c));
  }
  cps_ = std::move(kept);
}

const Checkpoints::Checkpoint* Checkpoints::latestAtOrBefore(uint64_t position) const {
  auto it = std::upper_bound(cps_.begin(), cps_.end(), position,
                             [](uint64_t p, const Checkpoint& c) { return p < c.position; });
  return it == cps_.begin() ? nullptr : &*std::prev(it);
}

bool Checkpoints::atOrBefore(uint64_t position, uint64_t* at) const {
  const Checkpoint* c = latestAtOrBefore(position);
  if (c != nullptr) *at = c->position;
  return c != nullptr;
}

bool Checkpoints::restore(uint64_t position, World* out, uint64_t* at) const {
  settle(); // with a codec, every copy is packed from here on
  const Checkpoint* c = latestAtOrBefore(position);
  if (c == nullptr) return false;
  const Stored& s = *c->stored;
  std::string bulk; // unpacked first: if the codec throws (a spilled copy unreadable), *out is untouched
  if (s.bulkBytes > 0) bulk = codec_->unpack(s.packed, s.bulkBytes);
  *at = c->position;
  *out = *s.world;
  if (s.bulkBytes > 0) out->putBulk(bulk);
  return true;
}

} // namespace sim
