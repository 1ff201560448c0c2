// Size classes: per span class (size class x scan/noscan) the spans in use, objects, occupancy and
// the two kinds of waste a size class causes (rounding inside slots, the tail of each span).
// Clicking a row filters the heap map to that span class (Selection::spanClassFilter).
// Reads: HeapView::span over all spans, the size-class table. Go concept: sizeclasses.go's table
// (bytes/obj, bytes/span, objects, tail waste), spanClass (mheap.go makeSpanClass).
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace gui {

// [SECTION] Model

std::string SpanClassLabel(const sim::SizeClassTable& t, sim::SpanClass spc) {
  const uint32_t c = sim::spanClassSize(spc);
  const char* kind = sim::spanClassNoscan(spc) ? "noscan" : "scan";
  if (c == 0) return std::string("large ") + kind;
  if (c >= t.numClasses()) return "class " + std::to_string(c) + " " + kind;
  return "class " + std::to_string(c) + " " + kind + " (" + FormatBytes(t.cls(c).size) + ")";
}

static void AddSpan(SizeClassRow& r, const sim::MSpan& s) {
  const uint64_t live = sim::MSpan::popcount(s.liveBits(), s.words);
  r.spans++;
  r.objects += s.allocCount;
  r.capacity += s.nelems;
  r.liveObjects += live;
  r.liveBytes += s.liveBytes;
  r.roundingWaste += live * s.elemsize - s.liveBytes;
  r.tailWaste += s.bytes() - uint64_t{s.nelems} * s.elemsize;
  r.spanBytes += s.bytes();
}

static void AddRow(SizeClassRow& total, const SizeClassRow& r) {
  total.spans += r.spans;
  total.objects += r.objects;
  total.capacity += r.capacity;
  total.liveObjects += r.liveObjects;
  total.liveBytes += r.liveBytes;
  total.roundingWaste += r.roundingWaste;
  total.tailWaste += r.tailWaste;
  total.spanBytes += r.spanBytes;
}

SizeClassesModel BuildSizeClasses(const sim::HeapView& v, bool includeEmpty) {
  const sim::SizeClassTable& t = v.table();
  std::vector<SizeClassRow> bySpc(t.numSpanClasses());
  for (sim::SpanClass spc = 0; spc < bySpc.size(); ++spc) {
    SizeClassRow& r = bySpc[spc];
    r.spanClass = spc;
    r.sizeClass = sim::spanClassSize(spc);
    r.noscan = sim::spanClassNoscan(spc);
    r.large = r.sizeClass == 0;
    if (!r.large) {
      r.objectSize = t.cls(r.sizeClass).size;
      r.pagesPerSpan = t.cls(r.sizeClass).npages;
      r.objectsPerSpan = t.cls(r.sizeClass).nelems;
    } else {
      r.objectsPerSpan = 1;
    }
  }
  for (size_t i = 0, n = v.spanCount(); i < n; ++i) {
    const sim::MSpan& s = v.span(static_cast<sim::SpanId>(i));
    if (s.state == sim::SpanState::InUse && s.spanclass < bySpc.size()) AddSpan(bySpc[s.spanclass], s);
  }
  SizeClassesModel m;
  for (const SizeClassRow& r : bySpc) AddRow(m.totals, r);
  // Small classes in table order, then the two large span classes.
  for (size_t spc = 2; spc < bySpc.size(); ++spc)
    if (includeEmpty || bySpc[spc].spans > 0) m.rows.push_back(bySpc[spc]);
  for (size_t spc = 0; spc < 2 && spc < bySpc.size(); ++spc)
    if (includeEmpty || bySpc[spc].spans > 0) m.rows.push_back(bySpc[spc]);
  return m;
}

static uint64_t SortKeyInt(const SizeClassRow& r, SizeClassColumn c) {
  switch (c) {
    case SizeClassColumn::Class: return r.large ? (uint64_t{1} << 32) + r.spanClass : r.spanClass;
    case SizeClassColumn::ObjectSize: return r.large ? ~uint64_t{0} : r.objectSize;
    case SizeClassColumn::Spans: return r.spans;
    case SizeClassColumn::Objects: return r.objects;
    case SizeClassColumn::RoundingWaste: return r.roundingWaste;
    case SizeClassColumn::TailWaste: return r.tailWaste;
    case SizeClassColumn::Occupancy:
    case SizeClassColumn::Count: break;
  }
  return 0;
}

void SortSizeClassRows(std::vector<SizeClassRow>& rows, SizeClassColumn column, bool ascending) {
  std::stable_sort(rows.begin(), rows.end(), [&](const SizeClassRow& a, const SizeClassRow& b) {
    if (column == SizeClassColumn::Occupancy) {
      const double l = a.occupancy(), r = b.occupancy();
      if (l != r) return ascending ? l < r : l > r;
    } else {
      const uint64_t ka = SortKeyInt(a, column), kb = SortKeyInt(b, column);
      if (ka != kb) return ascending ? ka < kb : ka > kb;
    }
    return SortKeyInt(a, SizeClassColumn::Class) < SortKeyInt(b, SizeClassColumn::Class);
  });
}

// [SECTION] Drawing

namespace {

struct Column {
  const char* name;
  SizeClassColumn sort; // Count = not sortable
  float width;          // in font sizes; 0 = fit the content
  const char* help;
};
const Column kColumns[] = {
    {"span class", SizeClassColumn::Class, 0,
     "Size class and scan/noscan. A span class is a size class plus whether its objects contain pointers (scan) "
     "or not (noscan); each has its own spans. Click a row to show only that span class in the heap map; click "
     "it again to show all."},
    {"size", SizeClassColumn::ObjectSize, 0,
     "Bytes per object (class_to_size): every request is rounded up to the smallest class that fits. Large "
     "objects (over 32 KiB) get a span of their own, sized in whole pages."},
    {"spans", SizeClassColumn::Spans, 0, "Spans of this span class in use (cached in mcaches or queued in mcentral)."},
    {"objects / slots", SizeClassColumn::Objects, 0,
     "Allocated slots / slots in those spans (allocCount / nelems summed). Allocated slots include unreachable "
     "objects that the GC has not swept yet."},
    {"occupancy", SizeClassColumn::Occupancy, 6.5f, "Allocated slots as a share of the slots in this class's spans."},
    {"rounding", SizeClassColumn::RoundingWaste, 0,
     "Rounding waste: for each reachable object, its slot size minus the bytes it requested."},
    {"tail", SizeClassColumn::TailWaste, 0,
     "Tail waste: at the end of every span, the bytes too few for one more slot (span bytes - nelems x object "
     "size). Fixed per span by the class table."},
    {"span bytes", SizeClassColumn::Count, 0,
     "Bytes of the spans of this span class (their pages): their part of HeapInuse."},
};
constexpr int kColumnCount = static_cast<int>(sizeof kColumns / sizeof kColumns[0]);

// "5 noscan", "large scan": the size has its own column.
std::string ShortLabel(const SizeClassRow& r) {
  const char* kind = r.noscan ? "noscan" : "scan";
  return r.large ? std::string("large ") + kind : std::to_string(r.sizeClass) + " " + kind;
}

void Cell(const std::string& text, int column, const std::string& extra = {}) {
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(text.c_str());
  ui::ItemTooltip(extra.empty() ? std::string(kColumns[column].help) : extra + "\n" + kColumns[column].help);
}

void RowCells(const SizeClassRow& r, bool totals) {
  Cell(totals ? "" : r.large ? "> " + FormatBytes(32768) : FormatBytes(r.objectSize), 1);
  Cell(FormatCount(r.spans), 2,
       totals || r.large ? std::string() : std::to_string(r.pagesPerSpan) + " page(s) per span.");
  Cell(FormatCount(r.objects) + " / " + FormatCount(r.capacity), 3,
       totals || r.large ? std::string() : std::to_string(r.objectsPerSpan) + " slots per span.");
  ImGui::TableNextColumn();
  ui::FillBar(static_cast<float>(r.occupancy()), ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetTextLineHeight()),
              ui::color::kLive);
  ui::ItemTooltip(FormatPercent(r.objects, r.capacity) + " of the slots are allocated. " + kColumns[4].help);
  Cell(FormatBytes(r.roundingWaste), 5, FormatBytesExact(r.roundingWaste));
  Cell(FormatBytes(r.tailWaste), 6, FormatBytesExact(r.tailWaste));
  Cell(FormatBytes(r.spanBytes), 7, FormatBytesExact(r.spanBytes));
}

void SortFromSpecs(std::vector<SizeClassRow>& rows) {
  const ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (specs == nullptr || specs->SpecsCount == 0) return;
  const ImGuiTableColumnSortSpecs& s = specs->Specs[0];
  if (s.ColumnIndex < 0 || s.ColumnIndex >= kColumnCount || kColumns[s.ColumnIndex].sort == SizeClassColumn::Count)
    return;
  SortSizeClassRows(rows, kColumns[s.ColumnIndex].sort, s.SortDirection != ImGuiSortDirection_Descending);
}

void DrawToolbar(PanelContext& ctx, const sim::SizeClassTable& t, bool* showEmpty) {
  ui::Flow flow;
  flow.next(ImGui::GetFrameHeight() + ImGui::CalcTextSize("Show empty classes").x);
  ImGui::Checkbox("Show empty classes", showEmpty);
  ui::ItemTooltip("Also list span classes that have no span in use.");
  char table[96];
  std::snprintf(table, sizeof table, "table %s, %u classes", t.name().c_str(), t.numClasses() - 1);
  flow.nextText(table);
  ImGui::TextDisabled("%s", table);
  ui::ItemTooltip("The size-class table driving the engine (class 0 stands for large objects).");
  if (ctx.selection.spanClassFilter < 0) return;
  const std::string filter =
      "heap map: " + SpanClassLabel(t, static_cast<sim::SpanClass>(ctx.selection.spanClassFilter));
  flow.next(ImGui::CalcTextSize(filter.c_str()).x + ImGui::CalcTextSize("show all").x + 20);
  ImGui::TextUnformatted(filter.c_str());
  ui::ItemTooltip("The heap map shows only this span class.");
  ImGui::SameLine();
  if (ImGui::SmallButton("show all")) ctx.selection.spanClassFilter = -1;
  ui::ItemTooltip("Clear the heap map's span-class filter.");
}

} // namespace

// The model walks every span: rebuilt only when the state or the filter changes.
class SizeClassesPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  ui::ModelKey key;
  SizeClassesModel cached;
};

std::unique_ptr<Panel> MakeSizeClassesPanel() { return std::make_unique<SizeClassesPanel>(); }

void SizeClassesPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kSizeClassesTitle, open)) {
    ImGui::End();
    return;
  }
  const sim::SizeClassTable& t = ctx.view.table();
  const ImGuiID showEmptyKey = ImGui::GetID("show_empty"); // UI state in the window's ImGui storage
  bool showEmpty = ImGui::GetStateStorage()->GetBool(showEmptyKey, false);
  DrawToolbar(ctx, t, &showEmpty);
  ImGui::GetStateStorage()->SetBool(showEmptyKey, showEmpty);

  if (key.changed(ctx.session, showEmpty ? 1 : 0)) cached = BuildSizeClasses(ctx.view, showEmpty);
  SizeClassesModel m = cached; // sorted below, per frame
  // Columns keep their natural width; a narrow window scrolls sideways with the class column fixed.
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("size_classes", kColumnCount, flags)) {
    ImGui::TableSetupScrollFreeze(1, 2); // the class column, the header and the totals stay in view
    for (int c = 0; c < kColumnCount; ++c) {
      ImGuiTableColumnFlags cf = c == 0 ? ImGuiTableColumnFlags_DefaultSort : 0;
      if (kColumns[c].sort == SizeClassColumn::Count) cf |= ImGuiTableColumnFlags_NoSort;
      if (kColumns[c].width > 0) cf |= ImGuiTableColumnFlags_WidthFixed;
      ImGui::TableSetupColumn(kColumns[c].name, cf, kColumns[c].width * ImGui::GetFontSize());
    }
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < kColumnCount; ++c) {
      ImGui::TableSetColumnIndex(c);
      ImGui::TableHeader(ImGui::TableGetColumnName(c));
      ui::ItemTooltip(kColumns[c].help);
    }
    SortFromSpecs(m.rows);

    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("total");
    ui::ItemTooltip("Totals over every span class, shown or not.");
    RowCells(m.totals, /*totals=*/true);

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m.rows.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const SizeClassRow& r = m.rows[static_cast<size_t>(i)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(r.spanClass);
        const bool selected = ctx.selection.spanClassFilter == r.spanClass;
        if (ImGui::Selectable(ShortLabel(r).c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
          ctx.selection.spanClassFilter = selected ? -1 : r.spanClass;
        ui::RowTooltip(SpanClassLabel(t, r.spanClass) + ": span class " + std::to_string(r.spanClass) + " = " +
                       std::to_string(r.sizeClass) + "<<1 | " + (r.noscan ? "1" : "0") + ".\n" + kColumns[0].help);
        ImGui::PopID();
        RowCells(r, /*totals=*/false);
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

} // namespace gui
