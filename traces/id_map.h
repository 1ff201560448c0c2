// Source keys (pointer addresses, handles) -> the engine's dense object ids.
// Freed ids are reused (most recently freed first), so the largest id stays near the peak live
// count and the engine's per-object tables follow the live set, not the trace length.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
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
    auto [it, fresh] = live_.try_emplace(key, Live{0, size});
    if (!fresh) return std::nullopt;
    uint64_t id;
    if (!freeIds_.empty()) {
      id = freeIds_.back();
      freeIds_.pop_back();
    } else {
      id = next_++;
    }
    it->second.id = id;
    return id;
  }
  // Ends the object under `key`; nullopt if nothing is live there (an orphan free).
  std::optional<Live> free(uint64_t key) {
    auto it = live_.find(key);
    if (it == live_.end()) return std::nullopt;
    Live l = it->second;
    live_.erase(it);
    freeIds_.push_back(l.id);
    return l;
  }
  const Live* find(uint64_t key) const {
    auto it = live_.find(key);
    return it == live_.end() ? nullptr : &it->second;
  }
  size_t liveCount() const { return live_.size(); }
  uint64_t idsUsed() const { return next_; } // one more than the largest id handed out

 private:
  std::unordered_map<uint64_t, Live> live_;
  std::vector<uint64_t> freeIds_;
  uint64_t next_ = 0;
};

} // namespace traces
