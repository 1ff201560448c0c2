// prefetchLine: a hint that the cache line at p is read soon (World::prefetch). Not Go's.
#pragma once

namespace sim {

// Not __builtin_prefetch: GCC 12's control-dependence dead-code elimination removes a prefetch that
// sits under a condition (the hint has no effect it must keep), and with it the condition.
inline void prefetchLine(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

} // namespace sim
