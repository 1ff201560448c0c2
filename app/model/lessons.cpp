// Lesson steps: see lessons.h.
#include "app/model/lessons.h"

#include <algorithm>

namespace model {

const std::vector<uint64_t>& annotationEvents(const Session& s) { return s.annotationEvents(); }

int64_t lessonStepAt(const Session& s) {
  const auto& ann = annotationEvents(s);
  // Annotations applied: those with index < position.
  auto applied = std::lower_bound(ann.begin(), ann.end(), s.position()) - ann.begin();
  return applied - 1;
}

uint64_t lessonStepEnd(const Session& s, int64_t k) {
  const auto& ann = annotationEvents(s);
  if (k + 1 < static_cast<int64_t>(ann.size())) return ann[static_cast<size_t>(k + 1)];
  return s.eventCount();
}

uint64_t nextLessonPosition(const Session& s) {
  const auto& ann = annotationEvents(s);
  const int64_t k = lessonStepAt(s);
  // Inside a step that is not complete yet: complete it; otherwise show the next one complete.
  if (k >= 0 && s.position() < lessonStepEnd(s, k)) return lessonStepEnd(s, k);
  if (k + 1 < static_cast<int64_t>(ann.size())) return lessonStepEnd(s, k + 1);
  return s.eventCount();
}

uint64_t previousLessonPosition(const Session& s) {
  const auto& ann = annotationEvents(s);
  const int64_t k = lessonStepAt(s);
  if (k >= 1) return lessonStepEnd(s, k - 1);
  return ann.empty() ? 0 : ann[0]; // before the first lesson
}

uint64_t replayLessonPosition(const Session& s) {
  const int64_t k = lessonStepAt(s);
  if (k < 0) return 0;
  return annotationEvents(s)[static_cast<size_t>(k)] + 1;
}

} // namespace model
