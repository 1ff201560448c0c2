// Breakpoints: what the app stops on while playing or running to a breakpoint. Each is a property
// of one event, read from the session's first pass (model::EventInfo), so finding the next hit
// never replays the engine. No ImGui here.
#pragma once

#include "app/model/session.h"

#include <cstdint>
#include <string>

namespace model {

// What to stop on while playing or running to a breakpoint. Each is a property of one event, read
// from the first pass's EventInfo (so finding the next hit never replays the engine).
struct Breakpoints {
  bool refill = false;      // mcache.refill ran (PathStep::Refill)
  bool centralGrow = false; // mcentral.grow took a new span from mheap
  bool heapGrow = false;    // mheap.grow mapped memory from the OS
  bool large = false;       // a large object (own span)
  bool gc = false;          // a GC cycle ran
  bool sizeClassOn = false; // an alloc or free in size class `sizeClass` (1..N)
  uint32_t sizeClass = 1;
  bool spanClassOn = false; // an allocation in span class `spanClass` (class<<1 | noscan)
  uint32_t spanClass = 2;
  bool addressOn = false;   // an alloc or free of the object holding `address`
  uint64_t address = 0;

  bool any() const { return refill || centralGrow || heapGrow || large || gc || sizeClassOn || spanClassOn || addressOn; }
};

// Does event `i` of the session hit a breakpoint? If so and `why` is given, says which.
bool breakpointHit(const Breakpoints& b, const Session& s, uint64_t i, std::string* why = nullptr);
// The first event index in [from, to) that hits, or `to`.
uint64_t findBreakpointForward(const Breakpoints& b, const Session& s, uint64_t from, uint64_t to);
// The last event index in [0, before) that hits, or UINT64_MAX if none.
uint64_t findBreakpointBackward(const Breakpoints& b, const Session& s, uint64_t before);

} // namespace model
