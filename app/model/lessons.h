// Lesson steps: a scenario's annotations cut its trace into steps. Step k is annotation k plus the
// events after it up to the next annotation, which are what its text explains. The Lesson panel
// and the PageUp/PageDown shortcuts walk a scenario one step at a time with these.
#pragma once

#include "app/model/session.h"

#include <cstdint>
#include <vector>

namespace model {

// Indices of the session's Annotate events, ascending (recorded by its first pass).
const std::vector<uint64_t>& annotationEvents(const Session& s);

// The step the session's position is in: k such that annotation k is the last one applied; -1
// before the first annotation.
int64_t lessonStepAt(const Session& s);
// The position where step k is complete: just before annotation k+1 (or the end of the trace).
uint64_t lessonStepEnd(const Session& s, int64_t k);

// Positions for the Next / Back / Replay buttons.
uint64_t nextLessonPosition(const Session& s);
uint64_t previousLessonPosition(const Session& s);
uint64_t replayLessonPosition(const Session& s); // just after the current annotation

} // namespace model
