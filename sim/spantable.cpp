// SpanTable: see spantable.h.
#include "sim/spantable.h"

#include "sim/bulk.h"

#include <algorithm>

namespace sim {

namespace {
// Points s's bitmaps (and tiny refs) at the same offsets in a pool at `to` instead of `from`.
void moveBits(MSpan& s, uintptr_t from, uintptr_t to) {
  if (s.bits == nullptr) return;
  s.bits = reinterpret_cast<uint64_t*>(reinterpret_cast<uintptr_t>(s.bits) - from + to);
  if (s.tinyRefs != nullptr) s.tinyRefs = reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(s.tinyRefs) - from + to);
}
} // namespace

SpanTable::SpanTable(const SpanTable& o) { *this = o; }

// One pass over the structs, copying and rebasing each (a copy then a rebase pass read them twice).
SpanTable& SpanTable::operator=(const SpanTable& o) {
  if (this == &o) return *this;
  pool_ = o.pool_; // reuses this table's storage when it is large enough: no allocation
  free_ = o.free_;
  spans_.resize(o.spans_.size());
  const uintptr_t from = reinterpret_cast<uintptr_t>(o.pool_.data()), to = reinterpret_cast<uintptr_t>(pool_.data());
  const MSpan* src = o.spans_.data();
  MSpan* dst = spans_.data();
  for (size_t i = 0, n = o.spans_.size(); i < n; ++i) {
    dst[i] = src[i];
    moveBits(dst[i], from, to);
  }
  return *this;
}

void SpanTable::rebase(uintptr_t from) {
  const uintptr_t to = reinterpret_cast<uintptr_t>(pool_.data());
  if (from == to) return;
  for (MSpan& s : spans_) moveBits(s, from, to);
}

SpanId SpanTable::add() {
  spans_.emplace_back();
  return static_cast<SpanId>(spans_.size() - 1);
}

void SpanTable::initBits(MSpan& s, bool tinyBlocks) {
  const uint32_t need = 3 * s.words + (tinyBlocks ? (s.nelems + 7) / 8 : 0);
  if (need > s.bitsCap) {
    if (s.bitsCap > 0) { // too small: back to its free list
      if (free_.size() <= s.bitsCap) free_.resize(s.bitsCap + 1);
      free_[s.bitsCap].push_back(static_cast<uint32_t>(s.bits - pool_.data()));
    }
    size_t at = 0;
    if (need < free_.size() && !free_[need].empty()) {
      at = free_[need].back();
      free_[need].pop_back();
    } else {
      at = pool_.size();
      const uintptr_t was = reinterpret_cast<uintptr_t>(pool_.data());
      pool_.resize(pool_.size() + need); // geometric growth: rebasing is amortised O(1) per block
      rebase(was);
    }
    s.bits = pool_.data() + at;
    s.bitsCap = need;
  }
  std::fill_n(s.bits, need, uint64_t{0});
  s.tinyRefs = tinyBlocks ? reinterpret_cast<uint8_t*>(s.bits + 3 * s.words) : nullptr;
}

size_t SpanTable::footprintBytes() const {
  size_t b = spans_.capacity() * sizeof(MSpan) + pool_.capacity() * sizeof(uint64_t);
  b += free_.capacity() * sizeof(free_[0]);
  for (const auto& f : free_) b += f.capacity() * sizeof(uint32_t);
  return b;
}

void SpanTable::takeBulk(std::string& out) {
  const uint64_t base = reinterpret_cast<uintptr_t>(pool_.data()); // the structs' bits point into it
  out.append(reinterpret_cast<const char*>(&base), sizeof base);
  takeArray(spans_, out);
  takeArray(pool_, out);
}

void SpanTable::putBulk(std::string_view& in) {
  uint64_t base = 0;
  if (in.size() < sizeof base) throw std::logic_error("checkpoint bulk truncated");
  std::memcpy(&base, in.data(), sizeof base);
  in.remove_prefix(sizeof base);
  putArray(in, spans_);
  putArray(in, pool_);
  rebase(static_cast<uintptr_t>(base));
}

} // namespace sim
