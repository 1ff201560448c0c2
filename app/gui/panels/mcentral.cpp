// mcentral: per span class, the four span sets (partial/full x swept/unswept relative to the current
// sweepgen) with their counts; expand a class to list its spans, click a span to inspect it.
// Reads: HeapView::spansInSet, HeapView::sweepgen, HeapView::span. Go concept: mcentral.go
// (partialSwept/partialUnswept/fullSwept/fullUnswept, cacheSpan's order), mspanset.go (FIFO).
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <cstdio>

namespace gui {

// [SECTION] Model

const char* CentralSetName(CentralSet s) {
  switch (s) {
    case CentralSet::PartialSwept: return "partial swept";
    case CentralSet::PartialUnswept: return "partial unswept";
    case CentralSet::FullSwept: return "full swept";
    case CentralSet::FullUnswept: return "full unswept";
    case CentralSet::Count: break;
  }
  return "?";
}

const char* CentralSetMeaning(CentralSet s) {
  switch (s) {
    case CentralSet::PartialSwept:
      return "Spans with at least one free slot, already swept in this GC cycle. An mcache that needs a span "
             "of this class (refill -> cacheSpan) takes the oldest one from here first.";
    case CentralSet::PartialUnswept:
      return "Spans that had free slots at their last sweep, which was before the latest GC cycle. When partial "
             "swept is empty, cacheSpan sweeps one of these and takes it.";
    case CentralSet::FullSwept:
      return "Spans with no free slot, swept in this cycle: nothing to take until the next GC cycle makes them "
             "unswept. Large objects' spans (span class 0/1) are kept here too.";
    case CentralSet::FullUnswept:
      return "Spans that were full at their last sweep, before the latest GC cycle. The GC may have found dead "
             "objects in them: cacheSpan sweeps them and takes one that got a free slot.";
    case CentralSet::Count: break;
  }
  return "";
}

size_t MCentralClass::total() const {
  size_t n = 0;
  for (size_t c : counts) n += c;
  return n;
}

std::vector<std::array<size_t, kCentralSets>> CountMCentral(const sim::HeapView& v) {
  std::vector<std::array<size_t, kCentralSets>> counts(v.table().numSpanClasses());
  const uint32_t swept = sim::MCentral::sweptIndex(v.sweepgen());
  for (size_t i = 0, n = v.spanCount(); i < n; ++i) {
    const sim::MSpan& s = v.span(static_cast<sim::SpanId>(i));
    if (s.state != sim::SpanState::InUse || s.spanclass >= counts.size()) continue;
    const bool isSwept = s.homeIndex == swept;
    if (s.home == sim::SpanHome::PartialSet)
      ++counts[s.spanclass][static_cast<size_t>(isSwept ? CentralSet::PartialSwept : CentralSet::PartialUnswept)];
    else if (s.home == sim::SpanHome::FullSet)
      ++counts[s.spanclass][static_cast<size_t>(isSwept ? CentralSet::FullSwept : CentralSet::FullUnswept)];
  }
  return counts;
}

std::vector<MCentralClass> BuildMCentral(const sim::HeapView& v, bool includeEmpty) {
  return BuildMCentral(v, includeEmpty, [](sim::SpanClass) { return true; });
}

// [SECTION] Drawing

namespace {

// Panel state lives in the window's ImGui storage (as tree nodes keep their open state), so it
// belongs to the ImGui context. Keys are computed once at the window's ID level; values are read
// and written by key (pointers into the storage move when it grows).
struct Keys {
  ImGuiStorage* storage;
  std::vector<ImGuiID> expanded; // by span class
  bool isExpanded(sim::SpanClass spc) const { return storage->GetBool(expanded[spc], false); }
  void setExpanded(sim::SpanClass spc, bool v) const { storage->SetBool(expanded[spc], v); }
};

void DrawClassLine(const MCentralClass& c, const sim::SizeClassTable& t, const Keys& keys) {
  const bool open = keys.isExpanded(c.spanClass);
  ImGui::TableNextColumn();
  const std::string label = std::string(open ? "- " : "+ ") + SpanClassLabel(t, c.spanClass);
  if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
    keys.setExpanded(c.spanClass, !open);
  ui::RowTooltip("One mcentral per span class. Click to " + std::string(open ? "hide" : "list") + " its spans (" +
                 std::to_string(c.total()) + " queued).");
  for (size_t k = 0; k < kCentralSets; ++k) {
    ImGui::TableNextColumn();
    if (c.counts[k] == 0)
      ImGui::TextDisabled("0");
    else
      ImGui::Text("%s", FormatCount(c.counts[k]).c_str());
    ui::ItemTooltip(std::string(CentralSetName(static_cast<CentralSet>(k))) + ": " +
                    CentralSetMeaning(static_cast<CentralSet>(k)));
  }
}

void DrawSpanLine(const MCentralLine& line, const sim::HeapView& v, Selection& sel) {
  const sim::MSpan& s = v.span(line.span);
  ImGui::TableNextColumn();
  ImGui::Indent();
  const std::string addr = FormatAddr(s.base());
  if (ImGui::Selectable(addr.c_str(), sel.span == line.span, ImGuiSelectableFlags_SpanAllColumns)) sel.span = line.span;
  if (ImGui::IsItemHovered() && (ImGui::TableGetColumnFlags(0) & ImGuiTableColumnFlags_IsHovered)) {
    char tip[240];
    std::snprintf(tip, sizeof tip,
                  "span #%u at %s, %u page(s), in %s.\nallocCount %u / nelems %u, sweepgen %u (%s). Click to "
                  "inspect it.",
                  line.span, addr.c_str(), s.npages, CentralSetName(line.set), s.allocCount, s.nelems, s.sweepgen,
                  SweepStateName(SweepStateOf(s.sweepgen, v.sweepgen())));
    ui::ItemTooltip(tip);
  }
  ImGui::Unindent();
  for (size_t k = 0; k < kCentralSets; ++k) {
    ImGui::TableNextColumn();
    if (static_cast<CentralSet>(k) != line.set) continue;
    const float w = ImGui::GetContentRegionAvail().x * 0.5f;
    ui::FillBar(s.nelems ? static_cast<float>(s.allocCount) / static_cast<float>(s.nelems) : 0.0f,
                ImVec2(w, ImGui::GetTextLineHeight()), ui::color::kLive);
    ImGui::SameLine();
    ImGui::Text("%u/%u", s.allocCount, s.nelems);
    ui::ItemTooltip("allocCount / nelems: allocated slots of the span's slots.");
  }
}

} // namespace

class MCentralPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  ui::ModelKey key;
  std::vector<MCentralClass> cached;
};

std::unique_ptr<Panel> MakeMCentralPanel() { return std::make_unique<MCentralPanel>(); }

void MCentralPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kMCentralTitle, open)) {
    ImGui::End();
    return;
  }
  const sim::HeapView& v = ctx.view;
  Keys keys{ImGui::GetStateStorage(), {}};
  for (uint32_t spc = 0; spc < v.table().numSpanClasses(); ++spc) {
    ImGui::PushID(static_cast<int>(spc));
    keys.expanded.push_back(ImGui::GetID("expanded"));
    ImGui::PopID();
  }
  // A span selected elsewhere opens its class once, so the list shows where it is queued.
  const ImGuiID lastSelectedKey = ImGui::GetID("last_selected"), showEmptyKey = ImGui::GetID("show_empty");
  const int selected = ctx.selection.span == sim::kNoSpan ? -1 : static_cast<int>(ctx.selection.span);
  if (selected != keys.storage->GetInt(lastSelectedKey, -1)) {
    keys.storage->SetInt(lastSelectedKey, selected);
    if (ctx.selection.span < v.spanCount() && v.span(ctx.selection.span).state == sim::SpanState::InUse)
      keys.setExpanded(v.span(ctx.selection.span).spanclass, true);
  }
  bool showEmpty = keys.storage->GetBool(showEmptyKey, false);

  ui::Flow flow;
  char sg[48];
  std::snprintf(sg, sizeof sg, "mheap.sweepgen = %u", v.sweepgen());
  flow.nextText(sg);
  ImGui::TextUnformatted(sg);
  ui::ItemTooltip(
      "sweepgen grows by 2 at every GC cycle. Each mcentral keeps two partial and two full sets; which "
      "of each pair counts as \"swept\" depends on sweepgen, so adding 2 turns every swept set into an "
      "unswept one without moving a span. spanscope sweeps the whole heap inside the GC event, so the "
      "unswept sets are empty between events (Go sweeps in the background).");
  flow.next(ImGui::GetFrameHeight() + ImGui::CalcTextSize("Show empty classes").x);
  if (ImGui::Checkbox("Show empty classes", &showEmpty)) keys.storage->SetBool(showEmptyKey, showEmpty);
  ui::ItemTooltip("Also list span classes whose four sets are empty.");
  flow.next(ImGui::CalcTextSize("Expand all").x + ImGui::CalcTextSize("Collapse all").x + 24);
  if (ImGui::SmallButton("Expand all"))
    for (ImGuiID k : keys.expanded) keys.storage->SetBool(k, true);
  ui::ItemTooltip("List the spans of every class.");
  ImGui::SameLine();
  if (ImGui::SmallButton("Collapse all"))
    for (ImGuiID k : keys.expanded) keys.storage->SetBool(k, false);
  ui::ItemTooltip("Show one line per class.");

  // Rebuilt when the state, the filter or the set of open classes changes; only open classes'
  // sets are walked.
  uint64_t openHash = showEmpty ? 1 : 0;
  for (uint32_t spc = 0; spc < keys.expanded.size(); ++spc)
    if (keys.isExpanded(static_cast<sim::SpanClass>(spc))) openHash = openHash * 1099511628211u + spc + 2;
  if (key.changed(ctx.session, openHash))
    cached = BuildMCentral(v, showEmpty, [&](sim::SpanClass spc) { return keys.isExpanded(spc); });
  const std::vector<MCentralClass>& classes = cached;
  const std::vector<MCentralLine> lines =
      FlattenMCentral(classes, [&](sim::SpanClass spc) { return keys.isExpanded(spc); });
  if (classes.empty()) {
    ImGui::TextDisabled("No span is queued in any mcentral (all spans are cached in mcaches, or none exist).");
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("mcentral", 1 + static_cast<int>(kCentralSets), flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // Two-line headers keep the set columns narrow.
    static const char* const kHeaders[] = {"partial\nswept", "partial\nunswept", "full\nswept", "full\nunswept"};
    ImGui::TableSetupColumn("span class\n/ span", 0, 1.6f);
    for (size_t k = 0; k < kCentralSets; ++k) ImGui::TableSetupColumn(kHeaders[k], 0, 1.0f);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableSetColumnIndex(0);
    ImGui::TableHeader(ImGui::TableGetColumnName(0));
    ui::ItemTooltip("+ / - : click a class to list or hide its spans; click a span to open it in the inspector.");
    for (size_t k = 0; k < kCentralSets; ++k) {
      ImGui::TableSetColumnIndex(static_cast<int>(k + 1));
      ImGui::TableHeader(ImGui::TableGetColumnName(static_cast<int>(k + 1)));
      ui::ItemTooltip(std::string(CentralSetName(static_cast<CentralSet>(k))) + ": " +
                      CentralSetMeaning(static_cast<CentralSet>(k)));
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(lines.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const MCentralLine& line = lines[static_cast<size_t>(i)];
        ImGui::TableNextRow();
        // IDs by what the row shows, not by its position (rows shift as classes open and close).
        ImGui::PushID(static_cast<int>(line.kind));
        ImGui::PushID(
            static_cast<int>(line.kind == MCentralLine::Class ? classes[line.classIndex].spanClass : line.span));
        if (line.kind == MCentralLine::Class)
          DrawClassLine(classes[line.classIndex], v.table(), keys);
        else
          DrawSpanLine(line, v, ctx.selection);
        ImGui::PopID();
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

} // namespace gui
