// GC phases for the views: what each GC, sweep, scavenge and stack step of a StepRecord means in
// plain words (the Lesson panel's "GC phase" section), and where the sweep in progress ends (the
// transport's "Step to end of this sweep"). No ImGui here, so the UI tests check it directly.
// Go: mgc.go (gcStart, gcMarkTermination), mgcsweep.go, mgcscavenge.go, stack.go, proc.go (gfget).
#pragma once

#include "app/model/session.h"
#include "sim/heapview.h"
#include "sim/step_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace model {

struct GcPhaseNote {
  sim::PathStep step;
  const char* title; // "Page reclaimer"
  const char* text;  // two or three sentences for a learner
};

// The explanation of one step, or nullptr when the step is not part of a GC phase, the scavenger
// or goroutine stacks (e.g. NextFreeFast).
const GcPhaseNote* gcPhaseNote(sim::PathStep s);
// The notes for the steps the event took, in call order (empty when it ran no GC phase).
std::vector<const GcPhaseNote*> gcPhaseNotes(const sim::StepRecord& r);
// The figures behind the notes, one line: "mheap.sweepgen 6 · 412 spans unswept · this event swept
// 3 spans (1 freed) · 64 KiB released to the OS".
std::string gcPhaseFigures(const sim::StepRecord& r, const sim::HeapView& v);

// Where the sweep in progress at the session's position ends.
struct SweepEnd {
  bool inProgress = false; // a sweep was in progress at the start (otherwise nothing else is set)
  bool reached = false;    // found; false: the trace or the bound ended first
  bool byGC = false;       // the next GC cycle finished it (Go: finishsweep_m) within one event
  uint64_t position = 0;   // the first position after the start with no sweep in progress, the
                           // position just after that GC, or where the search stopped
};
inline constexpr uint64_t kSweepEndMaxEvents = 5'000'000; // about a second of engine time
// Replays a copy of the engine from the session's position, one event at a time (the session is
// not moved), until HeapView::sweepInProgress() is false.
SweepEnd findSweepEnd(const Session& s, uint64_t maxEvents = kSweepEndMaxEvents);

} // namespace model
