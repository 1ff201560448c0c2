// A flat array as bytes and back, for checkpoints that keep a World's bulk packed
// (World::takeBulk, sim/checkpoint.h). Not in Go: a simulator facility.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sim {

// Appends v's size and elements to `out`, and frees v.
template <class T>
void takeArray(std::vector<T>& v, std::string& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  const uint64_t n = v.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  std::vector<T>().swap(v);
}

// Reads what takeArray wrote at the front of `in` into v, which is then what a copy of the array
// would be (capacity = size, as in a World copied whole); advances `in`.
template <class T>
void putArray(std::string_view& in, std::vector<T>& v) {
  uint64_t n = 0;
  if (in.size() < sizeof n) throw std::logic_error("checkpoint bulk truncated");
  std::memcpy(&n, in.data(), sizeof n);
  in.remove_prefix(sizeof n);
  const size_t bytes = n * sizeof(T);
  if (n > in.size() / sizeof(T)) throw std::logic_error("checkpoint bulk truncated");
  std::vector<T> fresh(n);
  if (bytes > 0) std::memcpy(fresh.data(), in.data(), bytes);
  in.remove_prefix(bytes);
  v.swap(fresh);
}

} // namespace sim
