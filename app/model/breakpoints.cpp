// Breakpoints: see breakpoints.h.
#include "app/model/breakpoints.h"

#include <algorithm>

namespace model {

namespace {

// One event against the breakpoints (what the engine did with it in `info`).
bool hits(const Breakpoints& b, const Session& s, const sim::Event& ev, const EventInfo& info, std::string* why) {
  auto has = [&](sim::PathStep st) { return (info.pathMask >> static_cast<unsigned>(st)) & 1; };
  auto hit = [&](const char* what) {
    if (why) *why = what;
    return true;
  };
  if (b.refill && has(sim::PathStep::Refill)) return hit("mcache refill");
  if (b.centralGrow && has(sim::PathStep::CentralGrow)) return hit("mcentral grow");
  if (b.heapGrow && has(sim::PathStep::HeapGrow)) return hit("heap grown from the OS");
  if (b.large && has(sim::PathStep::LargeAlloc)) return hit("large object");
  if (b.gc && has(sim::PathStep::GCCycle)) return hit("GC cycle");
  const bool allocOrFree = ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free;
  if (b.sizeClassOn && allocOrFree && info.sizeClass != 0 && info.sizeClass == b.sizeClass) return hit("size class");
  if (b.spanClassOn && ev.kind == sim::EventKind::Alloc && info.addr != 0 && !has(sim::PathStep::ZeroSize) &&
      ((info.sizeClass << 1) | (ev.noscan ? 1u : 0u)) == b.spanClass)
    return hit("span class");
  if (b.addressOn && allocOrFree && info.addr != 0) {
    // The object's extent: its requested size for an alloc; for a free the trace gives no size, so
    // its size class's slot, or just its first byte for a large object.
    const sim::SizeClassTable& t = s.world().table();
    uint64_t extent = ev.kind == sim::EventKind::Alloc ? ev.size
                      : info.sizeClass != 0 && info.sizeClass < t.numClasses() ? t.cls(info.sizeClass).size
                                                                               : 1;
    if (b.address >= info.addr && b.address < info.addr + std::max<uint64_t>(extent, 1)) return hit("address");
  }
  return false;
}

} // namespace

bool breakpointHit(const Breakpoints& b, const Session& s, uint64_t i, std::string* why) {
  return hits(b, s, s.event(i), s.info(i), why);
}

uint64_t findBreakpointForward(const Breakpoints& b, const Session& s, uint64_t from, uint64_t to) {
  if (!b.any()) return to;
  return s.scan(from, to, [&](uint64_t, const sim::Event& ev, const EventInfo& info) { return hits(b, s, ev, info, nullptr); });
}

// Backwards one checkpoint interval at a time: each is scanned forwards, keeping its last hit.
uint64_t findBreakpointBackward(const Breakpoints& b, const Session& s, uint64_t before) {
  if (!b.any()) return UINT64_MAX;
  while (before > 0) {
    uint64_t at = 0;
    s.checkpoints().atOrBefore(before - 1, &at);
    uint64_t last = UINT64_MAX;
    s.scan(at, before, [&](uint64_t i, const sim::Event& ev, const EventInfo& info) {
      if (hits(b, s, ev, info, nullptr)) last = i;
      return false;
    });
    if (last != UINT64_MAX) return last;
    before = at;
  }
  return UINT64_MAX;
}

} // namespace model
