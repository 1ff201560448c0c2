// Breakpoints: see breakpoints.h.
#include "app/model/breakpoints.h"

#include <algorithm>

namespace model {

bool breakpointHit(const Breakpoints& b, const Session& s, uint64_t i, std::string* why) {
  const EventInfo& info = s.events()[i];
  const sim::Event& ev = s.trace().events[i];
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

uint64_t findBreakpointForward(const Breakpoints& b, const Session& s, uint64_t from, uint64_t to) {
  if (!b.any()) return to;
  for (uint64_t i = from; i < to; ++i)
    if (breakpointHit(b, s, i)) return i;
  return to;
}

uint64_t findBreakpointBackward(const Breakpoints& b, const Session& s, uint64_t before) {
  if (!b.any()) return UINT64_MAX;
  for (uint64_t i = before; i-- > 0;)
    if (breakpointHit(b, s, i)) return i;
  return UINT64_MAX;
}

} // namespace model
