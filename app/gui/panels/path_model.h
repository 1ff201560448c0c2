// What the Path panel shows, without ImGui so the UI tests can check it: the allocator's levels as
// boxes (mcache(P) with its tiny block → mcentral(span class) → mheap: page cache, page allocator,
// arenas → the OS), and the current event's path through them as an ordered list of stops, each
// with the Go functions it ran, the box it lights and the locks it took. Drawing: panels/path.cpp.
// Engine side: sim/step_record.h (PathStep, goFunctions, LockTake).
#pragma once

#include "sim/step_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gui {

// The diagram's boxes, left to right, top to bottom.
enum class PathBox : uint8_t { Tiny, MCache, MCentral, PageCache, PageAlloc, Arenas, OS, Span, Count };
const char* pathBoxName(PathBox b); // "mcache", "mcentral", ...

struct PathStop {
  PathBox box = PathBox::MCache;
  PathBox from = PathBox::Count; // the box the arrow into this stop starts at; Count = none
  std::string what;              // "mcache hit: allocCache had a free slot"
  std::string functions;         // "runtime.nextFreeFast" (outermost first, " → " between)
  std::string lock;              // "mcentral[class 5 noscan].lock: waited 1.2 µs for P1" or ""
};

struct PathModel {
  bool valid = false;        // an allocation or a free; otherwise `note` says what happened
  std::string headline;      // "alloc id 9: 48 B → class 5 (48 B), span class 11"
  std::string note;          // events that take no path (gc, annotations)
  uint32_t p = 0;            // the P that ran it
  uint32_t spanclass = 0, sizeclass = 0;
  bool noscan = true;
  bool large = false, tiny = false;
  std::vector<PathStop> stops; // in call order; the last one is where the object landed
  uint64_t addr = 0;
  sim::SpanId span = sim::kNoSpan;
  uint32_t slot = 0;
  uint32_t tinyOffset = 0;
  uint64_t size = 0; // requested bytes
};

// `objectId` is the file's id of the record's object (Session::objectId).
PathModel BuildPath(const sim::StepRecord* r, uint64_t objectId);

// How many of a path's stops are lit `seconds` after the event became current, when each stop
// takes `perStop` seconds to light (perStop <= 0: all at once). At least one while there are stops.
size_t LitStops(size_t stops, double seconds, double perStop);

} // namespace gui
