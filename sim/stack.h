// Goroutine stacks: the stack pool, per-P stack caches, large stacks, dead Gs' stacks.
// Design essay: sim/malloc.h. Go: stack.go (stackalloc, stackfree, stackpool, stackcache),
// proc.go (newproc1/gfget, goexit0/gfput), mgcmark.go (markrootFreeGStacks).
//
// Differences from Go: stacks are never shrunk (Go halves a stack at GC when less than a quarter
// is used; a trace does not say how much is used), and startingStackSize stays 2 KiB (Go 1.19's
// adaptive starting size is off by default). Stack memory holds no data here: a stack is an
// address range inside a manual span.
#pragma once

#include "sim/mspan.h"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace sim {

inline constexpr uint64_t kFixedStack = 2048;          // Go: _FixedStack on linux/amd64 (= startingStackSize)
inline constexpr uint32_t kNumStackOrders = 4;         // Go: _NumStackOrders: 2, 4, 8, 16 KiB from the pool
inline constexpr uint64_t kStackCacheSize = 32768;     // Go: _StackCacheSize (also a pool span's size)
inline constexpr uint64_t kMaxStackBytes = uint64_t{512} << 20; // largest power of 2 <= maxstacksize (1e9)

// Go: mcache.stackcache[order]: a LIFO list of free stacks (top = back) and its bytes.
struct StackFreeList {
  std::vector<uint64_t> list;
  uint64_t size = 0;
};

struct Goroutine {
  uint64_t lo = 0;   // stack base address
  uint64_t size = 0; // stack bytes
};

struct Stacks {
  // Go: stackpool[order].item.span: pool spans with a free stack, front = index 0 (mSpanList).
  std::array<std::vector<SpanId>, kNumStackOrders> pool;
  // Go: mspan.manualFreeList of each pool span, by span id (top = back).
  std::vector<std::vector<uint64_t>> manualFree;
  std::vector<std::array<StackFreeList, kNumStackOrders>> cache; // per P
  std::unordered_map<uint64_t, Goroutine> live;                  // by goroutine id
  // Dead Gs (Go: p.gFree per P, sched.gFree.stack / .noStack): a kept 2 KiB stack's address, or
  // 0 for a G without a stack. Top = back.
  std::vector<std::vector<uint64_t>> gFree;
  std::vector<uint64_t> gFreeStack;
  uint64_t gFreeNoStack = 0;
  uint64_t inUse = 0; // bytes in stack spans (Go: heapStats.inStacks, MemStats.StackInuse)
};

// Go: stackalloc's order for a pool size (2 KiB -> 0 ... 16 KiB -> 3); n is a power of 2.
inline uint32_t stackOrder(uint64_t n) {
  uint32_t order = 0;
  for (uint64_t n2 = n; n2 > kFixedStack; n2 >>= 1) order++;
  return order;
}
inline bool isPoolStack(uint64_t n) { return n < (kFixedStack << kNumStackOrders) && n < kStackCacheSize; }

} // namespace sim
