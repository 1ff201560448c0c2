// Compare: the loaded trace under several size-class tables at once, following the main cursor.
// A figures table (best green, worst red), HeapInuse over the trace per table (the cursor as a
// line, click to seek), and the trace's request sizes on a log axis with each table's classes as a
// strip of buckets coloured by their rounding waste. Exports write what `spanscope-cli compare`
// writes. Reads: CompareView (compare_view.h), report::compareMetrics.
// Go concept: size classes (sizeclasses.go), the waste they cause (mksizeclasses.go's comment).
#include "app/gui/compare_view.h"
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_widgets.h"
#include "app/report/compare_report.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {

namespace {

// The same categorical palette as the PNG chart (app/report/chart_png.cpp), so a table has one
// colour in the app and in its export.
ImU32 TableColour(size_t k) {
  static constexpr ImU32 kPalette[] = {IM_COL32(31, 119, 180, 255),  IM_COL32(255, 127, 14, 255), IM_COL32(44, 160, 44, 255),
                                       IM_COL32(214, 39, 40, 255),   IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
                                       IM_COL32(227, 119, 194, 255), IM_COL32(127, 127, 127, 255), IM_COL32(188, 189, 34, 255),
                                       IM_COL32(23, 190, 207, 255)};
  // Lighter on the dark background: mix a third of white in.
  const ImU32 c = kPalette[k % (sizeof kPalette / sizeof kPalette[0])];
  auto mix = [&](int shift) { return ((c >> shift & 0xFF) * 2 + 255) / 3; };
  return IM_COL32(mix(IM_COL32_R_SHIFT), mix(IM_COL32_G_SHIFT), mix(IM_COL32_B_SHIFT), 255);
}

const ImVec4 kBest(0.45f, 0.85f, 0.45f, 1), kWorst(1.0f, 0.45f, 0.40f, 1);

std::string Nanos(double ns) {
  char buf[32];
  if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  else if (ns >= 1e3) std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  return buf;
}

// A row of the figures table: label, help, one shown value per table, and its ranking.
struct Row {
  std::string label;
  const char* help;
  std::vector<std::string> cells;
  std::vector<double> values;
  int better = 0; // -1 lower is better, +1 higher is better, 0 not ranked
};

std::vector<Row> FigureRows(const model::CompareSession& cmp, const std::vector<sim::ComparisonFigures>& figs) {
  std::vector<Row> rows;
  for (const report::Metric& m : report::compareMetrics()) {
    Row r{m.label, m.help, {}, {}, m.better};
    if (const size_t at = r.label.find(" (end)"); at != std::string::npos) r.label.erase(at); // "at the cursor" here
    for (const auto& f : figs) {
      const double v = m.value(f);
      r.values.push_back(f.error.empty() ? v : NAN);
      r.cells.push_back(report::shownValue(m, v));
    }
    rows.push_back(std::move(r));
  }
  // Lock figures when the timing model is on (every engine runs the session's config).
  std::vector<sim::TimingFigures> t;
  for (size_t k = 0; k < cmp.size(); ++k)
    if (const sim::LockModel* lm = cmp.world(k).timing()) t.push_back(lm->figures());
  if (t.size() != cmp.size()) return rows;
  struct L {
    const char* label;
    const char* help;
    int better;
    double (*value)(const sim::TimingFigures&);
    bool ns;
  };
  static const L locks[] = {
      {"simulated makespan", "Simulated time from the first event to the last (the timing model).", -1,
       [](const sim::TimingFigures& x) { return double(x.makespan); }, true},
      {"allocation latency p50", "Median simulated time of one allocation, lock waits included.", -1,
       [](const sim::TimingFigures& x) { return double(x.latencyP50); }, true},
      {"allocation latency p99", "99th percentile of the simulated allocation time.", -1,
       [](const sim::TimingFigures& x) { return double(x.latencyP99); }, true},
      {"mheap.lock wait share", "Share of the Ps' time spent waiting for mheap.lock.", -1,
       [](const sim::TimingFigures& x) { return x.heapWaitShare; }, false},
      {"lock wait (all locks)", "Total simulated time spent waiting for any lock.", -1,
       [](const sim::TimingFigures& x) {
         double n = 0;
         for (const auto& l : x.locks) n += double(l.waitTotal);
         return n;
       },
       true},
  };
  for (const L& l : locks) {
    Row r{l.label, l.help, {}, {}, l.better};
    for (const sim::TimingFigures& x : t) {
      const double v = l.value(x);
      r.values.push_back(v);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
      r.cells.push_back(l.ns ? Nanos(v) : buf);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void FiguresTable(const model::CompareSession& cmp, const std::vector<sim::ComparisonFigures>& figs, float height) {
  const int cols = static_cast<int>(figs.size()) + 1;
  // "Difference from the first table": every other column as its change against the first one.
  ImGuiStorage* storage = ImGui::GetStateStorage();
  bool diff = storage->GetBool(ImGui::GetID("diff_first"), false);
  if (figs.size() >= 2 && ImGui::Checkbox(("difference from " + figs[0].name).c_str(), &diff))
    storage->SetBool(ImGui::GetID("diff_first"), diff);
  ui::ItemTooltip("Show the other tables' figures as their change relative to the first table's (+12.5% = an eighth more); "
                  "hover a cell for the figure itself.");
  height -= ImGui::GetFrameHeightWithSpacing();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("##figures", cols, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("figure");
  // Each column at least as wide as its table's full name (a lone "go1.19" column was cut to "go1")
  // and its widest cell: a value or, with "difference from", a percentage (never both).
  for (const auto& f : figs)
    ImGui::TableSetupColumn(f.name.c_str(), ImGuiTableColumnFlags_WidthFixed,
                            std::max(ImGui::CalcTextSize(f.name.c_str()).x, ImGui::CalcTextSize("1023.99 MiB").x) + 8);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("at event %s", FormatCount(cmp.position()).c_str());
  for (size_t k = 0; k < figs.size(); ++k) {
    ImGui::TableSetColumnIndex(static_cast<int>(k) + 1);
    ImGui::PushStyleColor(ImGuiCol_Text, TableColour(k));
    ImGui::TextUnformatted(figs[k].name.c_str());
    ImGui::PopStyleColor();
    if (!figs[k].error.empty()) ui::ItemTooltip("Stopped: " + figs[k].error);
  }
  for (const Row& r : FigureRows(cmp, figs)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.label.c_str());
    ui::ItemTooltip(r.help);
    double lo = INFINITY, hi = -INFINITY;
    for (double v : r.values)
      if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    const bool ranked = r.better != 0 && lo < hi && r.values.size() >= 2;
    for (size_t k = 0; k < r.cells.size(); ++k) {
      ImGui::TableNextColumn();
      const double v = r.values[k];
      const bool best = ranked && v == (r.better < 0 ? lo : hi), worst = ranked && v == (r.better < 0 ? hi : lo);
      std::string text = r.cells[k];
      if (diff && k > 0) {
        const double v0 = r.values[0];
        char buf[32];
        if (v0 == 0) std::snprintf(buf, sizeof buf, v == 0 ? "=" : "(first is 0)");
        else std::snprintf(buf, sizeof buf, "%+.1f%%", 100.0 * (v - v0) / std::fabs(v0));
        text = buf;
      }
      if (best || worst) ImGui::TextColored(best ? kBest : kWorst, "%s", text.c_str());
      else ImGui::TextUnformatted(text.c_str());
      if (diff && k > 0) ui::ItemTooltip(r.cells[k]);
    }
  }
  ImGui::EndTable();
}

// The second engine's HeapInuse minus the first's over the trace, in [a, b]: with two engines
// their lines often overlap, and the difference is what a comparison asks about.
void DifferencePlot(const model::CompareSession& cmp, ImDrawList* dl, ImVec2 a, ImVec2 b, uint64_t n) {
  const std::vector<uint64_t>&s0 = cmp.series(0), &s1 = cmp.series(1);
  const size_t m = std::min(s0.size(), s1.size());
  const std::string title = cmp.name(1) + " − " + cmp.name(0) + " HeapInuse";
  dl->AddText(ImVec2(a.x, a.y - ImGui::GetTextLineHeight() - 2), ui::color::kDim, title.c_str());
  dl->AddRectFilled(a, b, IM_COL32(24, 24, 28, 255));
  if (m == 0) return;
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < m; ++i) {
    const int64_t d = static_cast<int64_t>(s1[i]) - static_cast<int64_t>(s0[i]);
    lo = std::min(lo, d), hi = std::max(hi, d);
  }
  const uint64_t step = ByteAxisStep(static_cast<uint64_t>(std::max<int64_t>({hi, -lo, 1})), 2);
  const double top = static_cast<double>((hi + static_cast<int64_t>(step) - 1) / static_cast<int64_t>(step) * static_cast<int64_t>(step));
  const double bottom = static_cast<double>(-((-lo + static_cast<int64_t>(step) - 1) / static_cast<int64_t>(step) * static_cast<int64_t>(step)));
  const double span = std::max(top - bottom, 1.0);
  auto yOf = [&](double v) { return b.y - (b.y - a.y) * static_cast<float>((v - bottom) / span); };
  for (double t = bottom; t <= top + 0.5; t += static_cast<double>(step)) {
    const float y = yOf(t);
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), t == 0 ? IM_COL32(255, 255, 255, 90) : IM_COL32(255, 255, 255, 28));
    const std::string s = (t > 0 ? "+" : t < 0 ? "−" : "") + FormatBytes(static_cast<uint64_t>(std::fabs(t)));
    dl->AddText(ImVec2(a.x - ImGui::CalcTextSize(s.c_str()).x - 6, y - ImGui::GetTextLineHeight() * 0.5f), ui::color::kDim, s.c_str());
  }
  const float w = b.x - a.x;
  auto xOf = [&](size_t i) {
    const double e = std::min<double>(static_cast<double>(i) * static_cast<double>(cmp.seriesEvery()) + 1, static_cast<double>(n));
    return a.x + w * static_cast<float>(e / static_cast<double>(n));
  };
  // One (min, max) pair per 3 pixels, as the lines above.
  std::vector<ImVec2> pts;
  const int cols = std::max(1, static_cast<int>(w / 3));
  size_t i = 0;
  for (int c = 0; c < cols && i < m; ++c) {
    const float xEnd = a.x + w * static_cast<float>(c + 1) / static_cast<float>(cols);
    int64_t dLo = INT64_MAX, dHi = INT64_MIN;
    const float x = xOf(i);
    for (; i < m && xOf(i) <= xEnd; ++i) {
      const int64_t d = static_cast<int64_t>(s1[i]) - static_cast<int64_t>(s0[i]);
      dLo = std::min(dLo, d), dHi = std::max(dHi, d);
    }
    if (dLo > dHi) continue;
    pts.emplace_back(x, yOf(static_cast<double>(dLo)));
    if (dHi != dLo) pts.emplace_back(x, yOf(static_cast<double>(dHi)));
  }
  dl->PushClipRect(a, b, true);
  dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), TableColour(1), ImDrawFlags_None, ui::PlotLineWidth(1.5f));
  dl->PopClipRect();
}

// HeapInuse over the whole trace per table, max-per-column decimated, the cursor as a line. With
// two engines, their difference below.
void InuseOverTime(const model::CompareSession& cmp, std::vector<Command>& commands, ImVec2 size) {
  ImGui::TextUnformatted("HeapInuse over the trace");
  ui::HelpMarker(cmp.size() == 2 ? "One line per engine, and below the second minus the first (above the zero line: the second "
                                   "uses more); the white line is the shared cursor. Click or drag to seek."
                                 : "One line per table; the white line is the shared cursor. Click or drag to seek.");
  for (size_t k = 0; k < cmp.size(); ++k) { // the legend: a swatch and the name per table
    ImGui::SameLine(0, k == 0 ? 16 : 10);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float sq = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, p.y + sq * 0.55f), ImVec2(p.x + sq, p.y + sq * 0.55f), TableColour(k), 3);
    ImGui::Dummy(ImVec2(sq, sq));
    ImGui::SameLine(0, 4);
    ImGui::TextUnformatted(cmp.name(k).c_str());
  }
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  size.y -= ImGui::GetFrameHeightWithSpacing();
  if (size.x < 80 || size.y < 60) return;
  ImGui::InvisibleButton("##inuseplot", size);
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float left = ImGui::CalcTextSize("1023.99 MiB").x + 10, bottom = ImGui::GetTextLineHeight() + 4; // room for axis labels at any font size
  const ImVec2 a(p0.x + left, p0.y + 4), b(p0.x + size.x - 28, p0.y + size.y - bottom);
  // With two engines the lines take the top 60%, their difference the rest (below its title).
  const bool diff = cmp.size() == 2 && b.y - a.y > 160;
  const float mainBottom = diff ? a.y + (b.y - a.y) * 0.6f : b.y;
  const float w = b.x - a.x, h = mainBottom - a.y;
  dl->AddRectFilled(a, ImVec2(b.x, mainBottom), IM_COL32(24, 24, 28, 255));
  uint64_t maxV = 1;
  for (size_t k = 0; k < cmp.size(); ++k)
    for (uint64_t v : cmp.series(k)) maxV = std::max(maxV, v);
  const uint64_t step = ByteAxisStep(maxV, 5);
  const uint64_t top = (maxV + step - 1) / step * step;
  for (uint64_t t = 0; t <= top; t += step) {
    const float y = mainBottom - h * static_cast<float>(static_cast<double>(t) / static_cast<double>(top));
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), IM_COL32(255, 255, 255, 28));
    const std::string s = FormatBytes(t);
    dl->AddText(ImVec2(a.x - ImGui::CalcTextSize(s.c_str()).x - 6, y - ImGui::GetTextLineHeight() * 0.5f), ui::color::kDim, s.c_str());
  }
  const uint64_t n = std::max<uint64_t>(cmp.eventCount(), 1);
  const uint64_t xs = CountAxisStep(n, 6);
  for (uint64_t e = 0; e <= n; e += xs) {
    const float x = a.x + w * static_cast<float>(static_cast<double>(e) / static_cast<double>(n));
    dl->AddLine(ImVec2(x, b.y), ImVec2(x, b.y + 4), ui::color::kDim);
    const std::string s = FormatCount(e);
    const float tw = ImGui::CalcTextSize(s.c_str()).x;
    dl->AddText(ImVec2(std::clamp(x - tw / 2, a.x, b.x - tw), b.y + 3), ui::color::kDim, s.c_str());
  }
  if (diff) DifferencePlot(cmp, dl, ImVec2(a.x, mainBottom + ImGui::GetTextLineHeight() + 8), b, n);
  dl->PushClipRect(a, ImVec2(b.x, mainBottom), true);
  // At most one (min, max) pair per 3 pixels per table, so the vertex count is bounded by the width.
  const int cols = std::max(1, static_cast<int>(w / 3));
  std::vector<ImVec2> pts;
  for (size_t k = 0; k < cmp.size(); ++k) {
    const std::vector<uint64_t>& s = cmp.series(k);
    if (s.empty()) continue;
    pts.clear();
    auto xOf = [&](size_t i) {
      const double e = std::min<double>(static_cast<double>(i) * static_cast<double>(cmp.seriesEvery()) + 1, static_cast<double>(n));
      return a.x + w * static_cast<float>(e / static_cast<double>(n));
    };
    auto yOf = [&](uint64_t v) { return mainBottom - h * static_cast<float>(static_cast<double>(v) / static_cast<double>(top)); };
    size_t i = 0;
    for (int c = 0; c < cols && i < s.size(); ++c) {
      const float xEnd = a.x + w * static_cast<float>(c + 1) / static_cast<float>(cols);
      uint64_t lo = s[i], hi = s[i];
      size_t iLo = i, iHi = i;
      for (; i < s.size() && xOf(i) <= xEnd; ++i) {
        if (s[i] < lo) lo = s[i], iLo = i;
        if (s[i] > hi) hi = s[i], iHi = i;
      }
      // Steps, not slants: HeapInuse holds its value until the event that changes it.
      auto stepTo = [&](ImVec2 p) {
        if (!pts.empty()) pts.emplace_back(p.x, pts.back().y);
        pts.push_back(p);
      };
      if (iLo <= iHi) {
        stepTo(ImVec2(xOf(iLo), yOf(lo)));
        if (iHi != iLo) stepTo(ImVec2(xOf(iHi), yOf(hi)));
      } else {
        stepTo(ImVec2(xOf(iHi), yOf(hi)));
        stepTo(ImVec2(xOf(iLo), yOf(lo)));
      }
    }
    dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), TableColour(k), ImDrawFlags_None, ui::PlotLineWidth(1.5f));
  }
  dl->PopClipRect();
  const float cx = a.x + w * static_cast<float>(static_cast<double>(cmp.position()) / static_cast<double>(n));
  dl->AddLine(ImVec2(cx, a.y), ImVec2(cx, b.y), ui::color::kMarker, 1.5f);
  const ImVec2 m = ImGui::GetIO().MousePos;
  if ((hovered || active) && m.x >= a.x && m.x <= b.x) {
    const uint64_t at = static_cast<uint64_t>(std::clamp((m.x - a.x) / w, 0.0f, 1.0f) * static_cast<float>(n));
    if (active && ImGui::IsMouseDown(ImGuiMouseButton_Left) && at != cmp.position())
      commands.push_back(Command{Command::Seek, static_cast<int64_t>(at)});
    if (hovered) {
      ImGui::BeginTooltip();
      ImGui::Text("event %s (click to seek)", FormatCount(at).c_str());
      const size_t i = static_cast<size_t>(at / cmp.seriesEvery());
      for (size_t k = 0; k < cmp.size(); ++k)
        if (!cmp.series(k).empty())
          ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(TableColour(k)), "%s: %s", cmp.name(k).c_str(),
                             FormatBytes(cmp.series(k)[std::min(i, cmp.series(k).size() - 1)]).c_str());
      if (diff && !cmp.series(0).empty() && !cmp.series(1).empty()) {
        const int64_t d = static_cast<int64_t>(cmp.series(1)[std::min(i, cmp.series(1).size() - 1)]) -
                          static_cast<int64_t>(cmp.series(0)[std::min(i, cmp.series(0).size() - 1)]);
        ImGui::Text("difference: %s%s", d > 0 ? "+" : d < 0 ? "−" : "", FormatBytes(static_cast<uint64_t>(d < 0 ? -d : d)).c_str());
      }
      ImGui::EndTooltip();
    }
  }
}

// Green (no waste) through yellow to red (a quarter or more of the bucket's bytes wasted).
ImU32 WasteColour(double fraction) {
  const float t = static_cast<float>(std::clamp(fraction / 0.25, 0.0, 1.0));
  const float r = t < 0.5f ? 60 + 380 * t : 250, g = t < 0.5f ? 170 + 40 * t : 190 - 300 * (t - 0.5f);
  return IM_COL32(static_cast<int>(r), static_cast<int>(g), 60, 255);
}

// The trace's request sizes (log axis, 8 bins per octave) above one strip per table whose buckets
// (the sizes each class serves) are coloured by the bucket's rounding waste.
void SizeHistogram(const model::CompareSession& cmp, ImVec2 size) {
  const sim::SizeHistogram& hist = cmp.histogram();
  bool headers = false;
  for (size_t k = 0; k < cmp.size(); ++k) headers = headers || &cmp.lookupHistogram(k) != &hist;
  ImGui::TextUnformatted(headers ? "Request sizes and each engine's classes (Go 1.26: + 8 B header)" : "Request sizes and each table's classes");
  ui::HelpMarker("Top: how many allocations of each size the whole trace makes (log size axis, log count: bar height "
                 "grows with log(1 + requests)). Below: one strip per "
                 "table; each bucket is the sizes one class serves, coloured by its rounding waste on this trace "
                 "(green none, red 25% or more of the bucket's bytes); grey buckets get no requests. Hover for figures."
                 "\n\nUnder Go 1.26 a pointerful object above 512 B is looked up with its 8-byte malloc header (size + 8), "
                 "so its strip counts it in the class of size + 8 and its rounding here excludes the header; objects "
                 "above 32760 B are large there.");
  ImGui::SameLine(0, 24);
  for (double f : {0.0, 0.0625, 0.125, 0.1875, 0.25}) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float sq = ImGui::GetTextLineHeight() * 0.8f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + sq, p.y + 2 + sq), WasteColour(f));
    ImGui::Dummy(ImVec2(sq, sq));
    ImGui::SameLine(0, 3);
    ImGui::TextDisabled(f >= 0.25 ? "25%%+" : "%.0f%%", f * 100);
    ImGui::SameLine(0, 10);
  }
  ImGui::NewLine();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  if (size.x < 120 || size.y < 80) return;
  size.y -= ImGui::GetFrameHeightWithSpacing();
  ImGui::InvisibleButton("##histogram", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float labelW = 130, strip = std::clamp((size.y * 0.5f) / static_cast<float>(std::max<size_t>(cmp.size(), 1)), 8.0f, 22.0f);
  const float axisH = ImGui::GetTextLineHeight() + 6;
  const ImVec2 a(p0.x + labelW, p0.y + 4);
  const float w = size.x - labelW - 10;
  const float barsBottom = p0.y + size.y - axisH - strip * static_cast<float>(cmp.size()) - 6;
  const float barsH = barsBottom - a.y;
  if (w < 50 || barsH < 20) return;
  // Log axis from 4 B to 32 KiB.
  constexpr double kLo = 2, kHi = 15; // log2 of the ends
  auto xOf = [&](double bytes) {
    const double l = std::clamp(std::log2(std::max(bytes, 1.0)), kLo, kHi);
    return a.x + w * static_cast<float>((l - kLo) / (kHi - kLo));
  };
  dl->AddRectFilled(a, ImVec2(a.x + w, barsBottom), IM_COL32(24, 24, 28, 255));
  // Bars: 8 per octave over sizes (2^(lo + i/8), 2^(lo + (i+1)/8)].
  constexpr int kBins = static_cast<int>((kHi - kLo) * 8);
  std::vector<uint64_t> bins(kBins, 0);
  for (size_t s = 1; s < hist.count.size(); ++s) {
    if (!hist.count[s]) continue;
    const int i = std::clamp(static_cast<int>(std::ceil((std::log2(static_cast<double>(s)) - kLo) * 8)) - 1, 0, kBins - 1);
    bins[static_cast<size_t>(i)] += hist.count[s];
  }
  const uint64_t maxBin = std::max<uint64_t>(1, *std::max_element(bins.begin(), bins.end()));
  for (int i = 0; i < kBins; ++i) {
    if (!bins[static_cast<size_t>(i)]) continue;
    const float x0 = a.x + w * static_cast<float>(i) / kBins, x1 = a.x + w * static_cast<float>(i + 1) / kBins;
    // Log counts: one bin with most requests must not flatten the rest.
    const float bh = barsH * static_cast<float>(std::log1p(static_cast<double>(bins[static_cast<size_t>(i)])) /
                                                std::log1p(static_cast<double>(maxBin)));
    dl->AddRectFilled(ImVec2(x0 + 0.5f, barsBottom - std::max(bh, 1.0f)), ImVec2(x1 - 0.5f, barsBottom), IM_COL32(150, 160, 180, 255));
  }
  dl->AddText(ImVec2(p0.x, a.y), ui::color::kDim, "requests");
  dl->AddText(ImVec2(p0.x, a.y + ImGui::GetTextLineHeight()), ui::color::kDim, ("max " + FormatCount(maxBin) + "/bin").c_str());
  dl->AddText(ImVec2(p0.x, a.y + ImGui::GetTextLineHeight() * 2), ui::color::kDim, "log count");
  // Strips.
  std::vector<std::vector<model::ClassBucket>> buckets;
  for (size_t k = 0; k < cmp.size(); ++k) buckets.push_back(model::classBuckets(cmp.world(k).table(), cmp.lookupHistogram(k)));
  for (size_t k = 0; k < cmp.size(); ++k) {
    const float y0 = barsBottom + 4 + strip * static_cast<float>(k), y1 = y0 + strip - 2;
    dl->AddText(ImVec2(p0.x, y0 + (strip - ImGui::GetTextLineHeight()) * 0.5f - 1), TableColour(k), cmp.name(k).c_str());
    // Buckets narrower than a pixel are pooled until the group spans one; equal colours merge.
    std::vector<std::pair<float, ImU32>> segs; // right edge and colour, left to right
    float gx0 = a.x;
    uint64_t gReq = 0, gBytes = 0, gWaste = 0;
    const std::vector<model::ClassBucket>& bs = buckets[k];
    for (size_t c = 0; c < bs.size(); ++c) {
      gReq += bs[c].requests, gBytes += bs[c].requestedBytes, gWaste += bs[c].roundingBytes;
      const float x1 = xOf(static_cast<double>(bs[c].hi));
      if (x1 - gx0 < 1.0f && c + 1 < bs.size()) continue;
      const ImU32 colour = gReq == 0 ? IM_COL32(70, 70, 78, 255)
                                     : WasteColour(static_cast<double>(gWaste) / static_cast<double>(gBytes + gWaste));
      if (!segs.empty() && segs.back().second == colour) segs.back().first = x1;
      else segs.emplace_back(x1, colour);
      gx0 = x1;
      gReq = gBytes = gWaste = 0;
    }
    float x0 = a.x;
    for (const auto& [x1, colour] : segs) {
      if (x1 > x0) dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), colour);
      x0 = x1;
    }
    // Class boundaries as ticks where buckets are wide enough to tell apart.
    float prevX = a.x;
    for (const model::ClassBucket& bk : bs) {
      const float x = xOf(static_cast<double>(bk.hi));
      if (x - prevX >= 5) dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), IM_COL32(20, 20, 24, 255));
      prevX = x;
    }
  }
  // Size axis: powers of two, labelled where there is room.
  const float axisY = barsBottom + 6 + strip * static_cast<float>(cmp.size());
  float lastLabel = -1e9f;
  for (int e = static_cast<int>(kLo); e <= static_cast<int>(kHi); ++e) {
    const float x = xOf(std::ldexp(1.0, e));
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, barsBottom), IM_COL32(255, 255, 255, 22));
    const std::string s = FormatBytes(uint64_t{1} << e);
    const float tw = ImGui::CalcTextSize(s.c_str()).x;
    const float lx = std::min(x - tw / 2, a.x + w - tw); // the last label kept inside the plot
    if (lx < lastLabel + 8) continue;
    dl->AddText(ImVec2(lx, axisY), ui::color::kDim, s.c_str());
    lastLabel = lx + tw;
  }
  if (!hovered) return;
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (m.x < a.x || m.x > a.x + w) return;
  const double bytes = std::exp2(kLo + (kHi - kLo) * static_cast<double>((m.x - a.x) / w));
  if (m.y < barsBottom) {
    const int i = std::clamp(static_cast<int>((m.x - a.x) / w * kBins), 0, kBins - 1);
    ImGui::SetTooltip("%s requests of %.0f..%.0f B", FormatCount(bins[static_cast<size_t>(i)]).c_str(),
                      std::floor(std::exp2(kLo + i / 8.0)) + 1, std::floor(std::exp2(kLo + (i + 1) / 8.0)));
    return;
  }
  const int k = static_cast<int>((m.y - barsBottom - 4) / strip);
  if (k < 0 || k >= static_cast<int>(cmp.size())) return;
  for (size_t c = 0; c < buckets[static_cast<size_t>(k)].size(); ++c) {
    const model::ClassBucket& bk = buckets[static_cast<size_t>(k)][c];
    if (bytes > bk.hi) continue;
    ImGui::SetTooltip("%s class %zu: %u..%u B\n%s requests, %s requested, rounding waste %s (%s)", cmp.name(static_cast<size_t>(k)).c_str(),
                      c + 1, bk.lo, bk.hi, FormatCount(bk.requests).c_str(), FormatBytes(bk.requestedBytes).c_str(),
                      FormatBytes(bk.roundingBytes).c_str(), FormatPercent(bk.roundingBytes, bk.requestedBytes + bk.roundingBytes).c_str());
    return;
  }
}

// The export buttons queue commands: the app writes the files between frames.
void ExportRow(const CompareView& view, char* exportPath, size_t exportPathSize, std::vector<Command>& commands) {
  if (ImGui::Button("Tables…")) commands.push_back(Command{Command::OpenCompareTables});
  ui::ItemTooltip("Compare size-class tables (Go 1.19, TCMalloc, jemalloc, …) on this trace.");
  ImGui::SameLine();
  if (ImGui::Button("Go releases")) commands.push_back(Command{Command::CompareGoReleases});
  ui::ItemTooltip("Compare this trace under Go 1.19's and Go 1.26's allocators (malloc headers, span-end heap and "
                  "mark bits, 160 B mspans), as `spanscope-cli compare --profiles go1.19,go1.26`.");
  ImGui::SameLine();
  if (ImGui::Button("Designer…")) commands.push_back(Command{Command::OpenDesigner});
  ImGui::SameLine(0, 24);
  ImGui::TextUnformatted("Export");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::clamp(ImGui::GetContentRegionAvail().x - 330, 120.0f, 420.0f));
  ImGui::InputTextWithHint("##exportpath", "file (default: beside the trace)", exportPath, exportPathSize);
  const std::string path = exportPath;
  auto button = [&](const char* label, ExportKind kind) {
    ImGui::SameLine();
    if (ImGui::Button(label)) commands.push_back(Command{Command::ExportCompare, static_cast<int64_t>(kind), path});
    ui::ItemTooltip("Writes " + (path.empty() ? view.defaultExportPath(kind) : path) +
                    " (the same file `spanscope-cli compare` writes)");
  };
  button("Markdown", ExportKind::Markdown);
  button("CSV", ExportKind::Csv);
  button("PNG chart", ExportKind::Png);
  if (!view.status().empty()) ImGui::TextDisabled("%s", view.status().c_str());
}

} // namespace

class ComparePanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  char exportPath_[512] = ""; // what the user typed; "" = beside the trace
};

std::unique_ptr<Panel> MakeComparePanel() { return std::make_unique<ComparePanel>(); }

void ComparePanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kCompareTitle, open)) {
    ImGui::End();
    return;
  }
  if (ctx.compare == nullptr) {
    ImGui::TextDisabled("Not available here.");
    ImGui::End();
    return;
  }
  const CompareView& view = *ctx.compare;
  const model::CompareSession* cmp = view.comparison();
  if (cmp == nullptr) {
    ImGui::TextWrapped("Replay this trace under several size-class tables at once (Go 1.19, TCMalloc, jemalloc, mimalloc, "
                       "glibc-like, powers of two, a JSON table, or one you design), or under Go 1.19's and Go 1.26's "
                       "allocators, all following the main cursor.");
    if (ImGui::Button("Compare tables…")) ctx.commands.push_back(Command{Command::OpenCompareTables});
    ImGui::SameLine();
    if (ImGui::Button("Go releases (1.19 vs 1.26)")) ctx.commands.push_back(Command{Command::CompareGoReleases});
    ui::ItemTooltip("The same trace under Go 1.19's and Go 1.26's allocators, as `spanscope-cli compare --profiles`.");
    ImGui::SameLine();
    if (ImGui::Button("Size-class designer…")) ctx.commands.push_back(Command{Command::OpenDesigner});
    if (!view.status().empty()) ImGui::TextDisabled("%s", view.status().c_str());
    ImGui::End();
    return;
  }
  ExportRow(view, exportPath_, sizeof exportPath_, ctx.commands);
  const std::vector<sim::ComparisonFigures> figs = cmp->figures();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float topH = std::max(120.0f, avail.y * 0.55f);
  // Room for the labels and every column if it fits in 60% of the panel (wider at projector size).
  float cellsW = 0;
  for (const auto& f : figs)
    cellsW += std::max(ImGui::CalcTextSize(f.name.c_str()).x, ImGui::CalcTextSize("1023.99 MiB").x) + 8 + ImGui::GetStyle().CellPadding.x * 2;
  const float labelsW = ImGui::CalcTextSize("free slots in in-use spans").x + ImGui::GetStyle().CellPadding.x * 2 + 24;
  const float tableW = std::min(avail.x * 0.6f, labelsW + cellsW);
  // Each part in its own child window: its own draw list, so each stays within 16-bit indices.
  if (ImGui::BeginChild("##figureschild", ImVec2(tableW, topH))) FiguresTable(*cmp, figs, ImGui::GetContentRegionAvail().y);
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("##inusechild", ImVec2(0, topH))) InuseOverTime(*cmp, ctx.commands, ImGui::GetContentRegionAvail());
  ImGui::EndChild();
  if (ImGui::BeginChild("##histchild", ImVec2(0, 0))) SizeHistogram(*cmp, ImGui::GetContentRegionAvail());
  ImGui::EndChild();
  ImGui::End();
}

} // namespace gui
