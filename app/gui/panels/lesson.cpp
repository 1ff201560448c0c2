// Lesson panel: the scenario's annotations for the current step, in plain words, with Back / Next
// buttons that walk the scenario one step at a time (a step is an annotation plus the events it
// explains; app/gui/lessons.h). A class can follow the whole scenario from this panel alone.
// Under it, whatever the trace: the GC phase the current event ran (mark, sweep, reclaim,
// scavenge, stacks), explained from its StepRecord (app/gui/gc_phase.h).
#include "app/gui/format.h"
#include "app/model/gc_phase.h"
#include "app/model/lessons.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <string>

namespace gui {

namespace {

// "GC phase" section: one paragraph per GC-related step of the current event, and the figures.
void DrawGcPhase(const model::Session& s) {
  const sim::StepRecord* r = s.lastRecord();
  if (!r) return;
  const std::vector<const model::GcPhaseNote*> notes = model::gcPhaseNotes(*r);
  if (notes.empty()) return;
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::TextColored(ImVec4(1.0f, 0.62f, 0.45f, 1), "GC phase at event #%s", FormatCount(s.position() - 1).c_str());
  ui::ItemTooltip("What the current event did for the garbage collector, the scavenger or goroutine stacks, from "
                  "the engine's record of its path (the event log's Path column).");
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(model::gcPhaseFigures(*r, s.world().view()).c_str());
  for (const model::GcPhaseNote* n : notes) {
    ImGui::Bullet();
    ImGui::TextUnformatted(n->title);
    ImGui::Indent();
    ImGui::TextDisabled("%s", n->text);
    ImGui::Unindent();
  }
  ImGui::PopTextWrapPos();
}

} // namespace

void DrawLessonPanel(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kLessonTitle, open)) {
    ImGui::End();
    return;
  }
  const model::Session& s = ctx.session;
  const traces::TraceMeta& meta = s.trace().meta;
  const auto& ann = model::annotationEvents(s);
  const int64_t k = model::lessonStepAt(s);
  auto seek = [&](uint64_t p) { ctx.commands.push_back(Command{Command::Seek, static_cast<int64_t>(p)}); };

  if (!meta.name.empty()) {
    ImGui::TextUnformatted(meta.name.c_str());
    if (!meta.description.empty()) ui::ItemTooltip(meta.description);
  }
  if (ann.empty()) {
    // Without a scenario the GC phase is what this panel has to say: first, in view.
    DrawGcPhase(s);
    ImGui::Spacing();
    ImGui::TextWrapped("This trace has no lesson annotations.");
    if (!meta.description.empty()) ImGui::TextWrapped("%s", meta.description.c_str());
    ImGui::TextDisabled("Use the transport (Space, arrows) and the event log to follow it.");
    ImGui::End();
    return;
  }

  const bool canBack = s.position() > ann[0];
  if (!canBack) ImGui::BeginDisabled();
  if (ImGui::Button("< Back")) seek(model::previousLessonPosition(s));
  if (!canBack) ImGui::EndDisabled();
  ui::ItemTooltip("The previous step, with the events it explains applied (PageUp).");
  ImGui::SameLine();
  const bool canNext = s.position() < s.eventCount();
  if (!canNext) ImGui::BeginDisabled();
  if (ImGui::Button(k < 0 ? "Start >" : "Next >")) seek(model::nextLessonPosition(s));
  if (!canNext) ImGui::EndDisabled();
  ui::ItemTooltip("The next step: its text, and the heap after the events it explains (PageDown).");
  ImGui::SameLine();
  if (k >= 0 && ImGui::Button("Replay step")) seek(model::replayLessonPosition(s));
  if (k >= 0) ui::ItemTooltip("Back to just after this step's text, before its events: then step with Right to watch each one.");
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled("step %s of %s", k < 0 ? "–" : FormatCount(static_cast<uint64_t>(k) + 1).c_str(), FormatCount(ann.size()).c_str());
  ui::ItemTooltip("A step is one annotation of the scenario and the events after it, up to the next annotation.");
  ImGui::Separator();

  if (const std::string* text = s.currentLesson()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(text->c_str());
    ImGui::PopTextWrapPos();
    const uint64_t first = ann[static_cast<size_t>(k)] + 1, end = model::lessonStepEnd(s, k);
    if (end > first) {
      ImGui::Spacing();
      ImGui::TextDisabled("This step is events #%s … #%s; %s of them applied.", FormatCount(first).c_str(),
                          FormatCount(end - 1).c_str(), FormatCount(s.position() > first ? s.position() - first : 0).c_str());
    }
  } else {
    if (!meta.description.empty()) ImGui::TextWrapped("%s", meta.description.c_str());
    ImGui::TextDisabled("Press Start (or PageDown) to begin the lesson.");
  }
  DrawGcPhase(s);
  ImGui::End();
}

} // namespace gui
