// Source keys (pointer addresses, handles) -> the engine's dense object ids.
// Freed ids are reused (most recently freed first), so the largest id stays near the peak live
// count and the engine's per-object tables follow the live set, not the trace length.
//
// An open-addressing table (linear probing, backward-shift deletion): importers do one lookup
// per event, and std::unordered_map's node per entry made that lookup most of a raw heaptrack
// import's time.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace traces {

class IdMap {
 public:
  struct Live {
    uint64_t id;
    uint64_t size;
  };
  // A new live object under `key`; nullopt if `key` is already live (the caller decides: a
  // double allocation of a live address usually means a free was not seen).
  std::optional<uint64_t> alloc(uint64_t key, uint64_t size) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    size_t i = home(key);
    while (slots_[i].used) {
      if (slots_[i].key == key) return std::nullopt;
      i = (i + 1) & mask_;
    }
    uint64_t id;
    if (!freeIds_.empty()) {
      id = freeIds_.back();
      freeIds_.pop_back();
    } else {
      id = next_++;
    }
    slots_[i] = Slot{key, Live{id, size}, true};
    ++count_;
    return id;
  }
  // Ends the object under `key`; nullopt if nothing is live there (an orphan free).
  std::optional<Live> free(uint64_t key) {
    if (count_ == 0) return std::nullopt;
    size_t i = home(key);
    while (slots_[i].used && slots_[i].key != key) i = (i + 1) & mask_;
    if (!slots_[i].used) return std::nullopt;
    const Live l = slots_[i].live;
    erase(i);
    --count_;
    freeIds_.push_back(l.id);
    return l;
  }
  const Live* find(uint64_t key) const {
    if (count_ == 0) return nullptr;
    size_t i = home(key);
    while (slots_[i].used) {
      if (slots_[i].key == key) return &slots_[i].live;
      i = (i + 1) & mask_;
    }
    return nullptr;
  }
  size_t liveCount() const { return count_; }
  uint64_t idsUsed() const { return next_; } // one more than the largest id handed out

 private:
  struct Slot {
    uint64_t key = 0;
    Live live{0, 0};
    bool used = false;
  };
  // Addresses are aligned and clustered: mix all bits into the index (splitmix64's finaliser).
  size_t home(uint64_t k) const {
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebull;
    k ^= k >> 31;
    return static_cast<size_t>(k) & mask_;
  }
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  void erase(size_t i) {
    size_t j = i;
    for (;;) {
      slots_[i].used = false;
      for (;;) {
        j = (j + 1) & mask_;
        if (!slots_[j].used) return;
        const size_t h = home(slots_[j].key);
        // Move j back to i unless its home lies cyclically in (i, j].
        const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (!stays) break;
      }
      slots_[i] = slots_[j];
      i = j;
    }
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = home(s.key);
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0, count_ = 0;
  std::vector<uint64_t> freeIds_;
  uint64_t next_ = 0;
};

} // namespace traces
