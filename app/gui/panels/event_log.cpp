// Event log panel: every trace event in one virtualized table (ImGuiListClipper, so a 10-million-
// event trace costs the same as a 10-event one), with the path each took through the allocator and
// the Go functions on it. Rows other than the current one come from the first pass's EventInfo
// (Session::events()); the current event's full explanation comes from its StepRecord
// (Session::describe: sim::describe with the file's object ids). The current row is highlighted; clicking a row seeks to just after that event.
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/locks_model.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <string>

namespace gui {

namespace {

// A StepRecord with what the first pass kept of an event: enough for sim::goFunctions.
sim::StepRecord PartialRecord(const sim::Event& ev, const model::EventInfo& info) {
  sim::StepRecord r;
  r.kind = ev.kind;
  r.path = info.pathMask;
  return r;
}

std::string PathSteps(uint64_t mask) {
  std::string s;
  for (unsigned i = 0; i < static_cast<unsigned>(sim::PathStep::Count); ++i) {
    const auto st = static_cast<sim::PathStep>(i);
    if (!((mask >> i) & 1) || st == sim::PathStep::Annotate) continue;
    if (!s.empty()) s += ", ";
    s += sim::pathStepName(st);
  }
  return s;
}

std::string GoChain(const sim::StepRecord& r) {
  std::string s;
  for (const char* f : sim::goFunctions(r)) {
    if (!s.empty()) s += " → ";
    s += f;
  }
  return s;
}

struct LogState {
  bool follow = true;
  uint64_t lastPosition = ~uint64_t{0};
};

} // namespace

class EventLogPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  LogState st;
};

std::unique_ptr<Panel> MakeEventLogPanel() { return std::make_unique<EventLogPanel>(); }

void EventLogPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kEventLogTitle, open)) {
    ImGui::End();
    return;
  }
  const model::Session& s = ctx.session;
  const uint64_t n = s.eventCount(), pos = s.position();

  // The current event in full, above the list.
  if (const sim::StepRecord* r = s.lastRecord()) {
    ImGui::TextWrapped("#%s  P%u  %s", FormatCount(pos - 1).c_str(), r->p, s.describe(*r).c_str());
    ui::ItemTooltip("The current event: the last one applied. The engine's explanation of the path it took, in Go's terms.");
    const std::string chain = GoChain(*r);
    if (!chain.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
      ImGui::TextWrapped("%s", chain.c_str());
      ImGui::PopStyleColor();
      ui::ItemTooltip("The Go 1.19 runtime functions this event ran through, outermost first.");
    }
    // With the timing model on: when it ran, and each lock it took (Locks panel for the whole run).
    const std::vector<std::string> timing = s.world().timing() ? StepTimingLines(*r) : std::vector<std::string>{};
    for (size_t i = 0; i < timing.size(); ++i) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.78f, 0.45f, 1.0f));
      ImGui::TextWrapped("%s%s", i == 0 ? "time: " : "  ", timing[i].c_str());
      ImGui::PopStyleColor();
      ui::ItemTooltip(i == 0 ? "Simulated time on its P: when the event started (its trace time or when its P was free, "
                               "whichever is later) and how long it took, waits included."
                             : "A lock this event took: how long it waited and for whom (the P that held it), and how "
                               "long it held it.");
    }
  } else {
    ImGui::TextDisabled("No event applied yet. Step forward (Right) to run the first one.");
  }
  ImGui::Checkbox("Follow the current event", &st.follow);
  ui::ItemTooltip("Scroll the list to keep the current event in view when the position changes.");
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled("%s events; click a row to go to the state after it", FormatCount(n).c_str());

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_BordersV | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##events", 8, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // Fixed widths from the widest value each column can hold: the clipper only ever shows a few
    // rows, so fitting to the visible ones would make columns jump while scrolling.
    auto width = [](const char* widest) { return ImGui::CalcTextSize(widest).x + 8; };
    ImGui::TableSetupColumn("#", 0, width((FormatCount(n) + "0").c_str()));
    ImGui::TableSetupColumn("thread", 0, width("thread"));
    ImGui::TableSetupColumn("op", 0, width("readmemstats"));
    ImGui::TableSetupColumn("id", 0, width("1000000"));
    ImGui::TableSetupColumn("size", 0, width("10,000,000"));
    ImGui::TableSetupColumn("class", 0, width("large"));
    ImGui::TableSetupColumn("address", 0, width("0xc000000000"));
    ImGui::TableSetupColumn("path → Go functions", ImGuiTableColumnFlags_WidthStretch);
    // Header row by hand, so that each column can say what its numbers mean.
    static constexpr const char* kHeaderTips[] = {
        "Event number in the trace, from 0 (as spanscope-cli replay counts them).",
        "The trace's thread; the engine runs it on a P (threads map to Ps in order of first appearance).",
        "alloc (mallocgc), free (the object became unreachable), gc (runtime.GC), readmemstats, annotate (lesson text).",
        "The object's id as the trace file gives it (the id a lesson's text uses).",
        "Requested bytes of an allocation.",
        "Size class the object was rounded up to (1..67 in Go 1.19); large objects (> 32 KiB) have their own span.",
        "Address of the object allocated or freed.",
        "The steps the event took through the allocator, then the Go runtime functions on that path, outermost first.",
    };
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < 8; ++c) {
      ImGui::TableSetColumnIndex(c);
      ImGui::TableHeader(ImGui::TableGetColumnName(c));
      ui::ItemTooltip(kHeaderTips[c]);
    }

    const float rowH = ImGui::GetTextLineHeightWithSpacing();
    if (st.follow && pos != st.lastPosition && pos > 0) {
      // Keep the current row in view, a third of the way down.
      const float y = static_cast<float>(pos - 1) * rowH;
      const float viewH = ImGui::GetWindowHeight();
      if (y < ImGui::GetScrollY() || y > ImGui::GetScrollY() + viewH - 3 * rowH) ImGui::SetScrollY(std::max(0.0f, y - viewH / 3));
    }
    st.lastPosition = pos;

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(std::min<uint64_t>(n, INT32_MAX)), rowH);
    while (clipper.Step()) {
      for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
        const uint64_t i = static_cast<uint64_t>(row);
        const sim::Event ev = s.event(i);
        const model::EventInfo info = s.info(i);
        const bool current = pos > 0 && i == pos - 1;
        const bool future = i >= pos;
        ImGui::TableNextRow();
        if (current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(200, 150, 40, 110));
        if (future) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TableNextColumn();
        ImGui::PushID(row);
        const std::string idx = FormatCount(i);
        if (ImGui::Selectable(idx.c_str(), current, ImGuiSelectableFlags_SpanAllColumns)) {
          ctx.commands.push_back(Command{Command::Seek, static_cast<int64_t>(i + 1)});
        }
        const bool rowHovered = ImGui::IsItemHovered();
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::Text("%u", ev.thread);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(sim::eventKindName(ev.kind));
        ImGui::TableNextColumn();
        if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free)
          ImGui::TextUnformatted(std::to_string(s.objectId(ev.id)).c_str());
        ImGui::TableNextColumn();
        if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::StackGrow) ImGui::TextUnformatted(FormatCount(ev.size).c_str());
        ImGui::TableNextColumn();
        if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free) {
          if (info.sizeClass) ImGui::Text("%u", info.sizeClass);
          else if (info.addr) ImGui::TextUnformatted("large");
        }
        ImGui::TableNextColumn();
        if (info.addr) ImGui::TextUnformatted(FormatAddr(info.addr).c_str());
        ImGui::TableNextColumn();
        std::string detail;
        if (ev.kind == sim::EventKind::Annotate) {
          const auto& ann = s.trace().annotations;
          detail = ev.id < ann.size() ? "lesson: " + ann[ev.id] : "lesson";
        } else if (future) {
          detail = PathSteps(info.pathMask);
        } else {
          detail = PathSteps(info.pathMask);
          const std::string chain = GoChain(PartialRecord(ev, info));
          if (!chain.empty()) detail += "  →  " + chain;
        }
        ImGui::TextUnformatted(detail.c_str());
        if (future) ImGui::PopStyleColor();
        if (rowHovered) {
          ImGui::BeginTooltip();
          ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
          ImGui::Text("Event #%s (%s)%s", idx.c_str(), sim::eventKindName(ev.kind), future ? ", not applied yet" : "");
          if (current) ImGui::TextUnformatted(s.describe(*s.lastRecord()).c_str());
          ImGui::TextDisabled("Path: %s", PathSteps(info.pathMask).c_str());
          const std::string chain = GoChain(PartialRecord(ev, info));
          if (!chain.empty()) ImGui::TextDisabled("Go: %s", chain.c_str());
          ImGui::TextDisabled("Click to show the heap right after this event.");
          ImGui::PopTextWrapPos();
          ImGui::EndTooltip();
        }
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

} // namespace gui
