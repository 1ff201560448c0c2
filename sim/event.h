// The engine's input: one trace event. Design essay: sim/malloc.h.
// Defined here (not in traces/) because dependencies point one way: app -> traces -> sim.
#pragma once

#include <cstdint>

namespace sim {

enum class EventKind : uint8_t {
  Alloc,        // mallocgc(size, typ) for object `id`
  Free,         // object `id` became unreachable (reclaimed per the liveness mode)
  GC,           // runtime.GC(): a full cycle, mark then sweep everything
  ReadMemStats, // runtime.ReadMemStats: flushes every mcache (changes allocator state)
  Annotate,     // lesson text; `id` indexes the trace's annotation table; no allocator work
  FreeOSMemory, // debug.FreeOSMemory(): a forced GC cycle, then every free page returned to the OS
  GoStart,      // goroutine `id` starts (newproc): a 2 KiB stack, Go 1.19's starting size
  StackGrow,    // goroutine `id`'s stack is copied to a new one of `size` bytes (newstack, copystack)
  GoExit,       // goroutine `id` exits (goexit0, gfput): a grown stack is freed, a 2 KiB one stays
};
inline constexpr uint8_t kEventKindCount = 9;

inline constexpr uint64_t kNoTime = ~uint64_t{0};

struct Event {
  EventKind kind = EventKind::Alloc;
  bool noscan = true;   // Alloc: the type has no pointers (Go: typ == nil || typ.ptrdata == 0)
  uint32_t thread = 0;  // trace thread; mapped to a P by the World
  uint64_t id = 0;      // Alloc/Free: dense object id; Annotate: annotation index; Go*/StackGrow: goroutine id
  uint64_t size = 0;    // Alloc: requested bytes; StackGrow: the new stack's bytes (a power of 2)
  uint64_t time = kNoTime; // trace time in ns, if the source has one (used by the timing model)
};

inline Event allocEvent(uint64_t id, uint64_t size, bool noscan = true, uint32_t thread = 0) {
  return Event{EventKind::Alloc, noscan, thread, id, size, kNoTime};
}
inline Event freeEvent(uint64_t id, uint32_t thread = 0) {
  return Event{EventKind::Free, true, thread, id, 0, kNoTime};
}
// A GC event's id: 0 = runtime.GC() (a forced cycle: mark, then sweep everything);
// kBackgroundGC = a cycle the recorded program's own pacer ran (a Go trace's tracegc without
// runtime.GC() on any stack), replayed per Config::gcCycles.
inline constexpr uint64_t kBackgroundGC = 1;
inline Event gcEvent() { return Event{EventKind::GC, true, 0, 0, 0, kNoTime}; }
inline Event backgroundGCEvent() { return Event{EventKind::GC, true, 0, kBackgroundGC, 0, kNoTime}; }
inline Event readMemStatsEvent() { return Event{EventKind::ReadMemStats, true, 0, 0, 0, kNoTime}; }
inline Event freeOSMemoryEvent() { return Event{EventKind::FreeOSMemory, true, 0, 0, 0, kNoTime}; }
inline Event goStartEvent(uint64_t g, uint32_t thread = 0) { return Event{EventKind::GoStart, true, thread, g, 0, kNoTime}; }
inline Event stackGrowEvent(uint64_t g, uint64_t newSize, uint32_t thread = 0) {
  return Event{EventKind::StackGrow, true, thread, g, newSize, kNoTime};
}
inline Event goExitEvent(uint64_t g, uint32_t thread = 0) { return Event{EventKind::GoExit, true, thread, g, 0, kNoTime}; }

const char* eventKindName(EventKind k);

} // namespace sim
