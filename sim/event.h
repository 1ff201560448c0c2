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
};

inline constexpr uint64_t kNoTime = ~uint64_t{0};

struct Event {
  EventKind kind = EventKind::Alloc;
  bool noscan = true;   // Alloc: the type has no pointers (Go: typ == nil || typ.ptrdata == 0)
  uint32_t thread = 0;  // trace thread; mapped to a P by the World
  uint64_t id = 0;      // Alloc/Free: dense object id; Annotate: annotation index
  uint64_t size = 0;    // Alloc: requested bytes
  uint64_t time = kNoTime; // trace time in ns, if the source has one (used by the timing model)
};

inline Event allocEvent(uint64_t id, uint64_t size, bool noscan = true, uint32_t thread = 0) {
  return Event{EventKind::Alloc, noscan, thread, id, size, kNoTime};
}
inline Event freeEvent(uint64_t id, uint32_t thread = 0) {
  return Event{EventKind::Free, true, thread, id, 0, kNoTime};
}
inline Event gcEvent() { return Event{EventKind::GC, true, 0, 0, 0, kNoTime}; }
inline Event readMemStatsEvent() { return Event{EventKind::ReadMemStats, true, 0, 0, 0, kNoTime}; }

const char* eventKindName(EventKind k);

} // namespace sim
