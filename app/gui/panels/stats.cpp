// Stats over time: MemStats (HeapAlloc, HeapInuse, HeapSys, HeapReleased, the pacer's NextGC and
// GCTrigger, StackInuse) and the waste-ledger categories as lines over the event position, GC cycles
// as vertical lines, the current position as a cursor. Click to seek; the mouse wheel zooms around the mouse. Dear ImGui 1.86 has one-series
// PlotLines only, so the plot is drawn here with ImDrawList, downsampled to one column per pixel.
// Reads: Session::stats (sampled over the whole trace), Session::gcEvents, position.
// Go concept: mstats.go (ReadMemStats), mgc.go (GC cycles), the waste of size classes over time.
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace gui {

// [SECTION] Model

const char* StatSeriesName(StatSeries s) {
  switch (s) {
    case StatSeries::HeapAlloc: return "HeapAlloc";
    case StatSeries::HeapInuse: return "HeapInuse";
    case StatSeries::HeapSys: return "HeapSys";
    case StatSeries::HeapReleased: return "HeapReleased";
    case StatSeries::NextGC: return "NextGC (goal)";
    case StatSeries::GCTrigger: return "GC trigger";
    case StatSeries::StackInuse: return "StackInuse";
    case StatSeries::Live: return "live";
    case StatSeries::Rounding: return "rounding waste";
    case StatSeries::Dead: return "unreachable";
    case StatSeries::Tail: return "tail waste";
    case StatSeries::FreeSlots: return "free slots";
    case StatSeries::CachedFreeSlots: return "cached free slots";
    case StatSeries::FreePages: return "free pages";
    case StatSeries::Count: break;
  }
  return "?";
}

const char* StatSeriesHelp(StatSeries s) {
  switch (s) {
    case StatSeries::HeapAlloc:
      return "MemStats.HeapAlloc: bytes of allocated slots, unreachable objects included until they are swept.";
    case StatSeries::HeapInuse: return "MemStats.HeapInuse: bytes in in-use spans (whole spans).";
    case StatSeries::HeapSys: return "MemStats.HeapSys: heap memory obtained from the OS (HeapInuse + HeapIdle).";
    case StatSeries::HeapReleased:
      return "MemStats.HeapReleased: free heap memory returned to the OS or never touched.";
    case StatSeries::NextGC:
      return "MemStats.NextGC: the heap goal. The pacer aims to finish the next cycle before the heap reaches it "
             "(marked heap × (1 + GOGC/100), at least 4 MiB × GOGC/100).";
    case StatSeries::GCTrigger:
      return "The pacer's trigger: when heapLive (bytes in spans allocated from since the last mark, cached spans "
             "counted whole) reaches it, a GC cycle starts. Below the goal, leaving room for the concurrent mark.";
    case StatSeries::StackInuse:
      return "MemStats.StackInuse: bytes in stack spans (goroutine stacks). Stack spans come from the heap's pages "
             "but are not counted in HeapInuse or HeapSys.";
    case StatSeries::Live: return "Waste ledger: bytes requested by reachable objects.";
    case StatSeries::Rounding: return "Waste ledger: slot bytes of reachable objects beyond their request.";
    case StatSeries::Dead: return "Waste ledger: slots of unreachable objects not yet swept by the GC.";
    case StatSeries::Tail: return "Waste ledger: bytes at the end of spans too few for one more slot.";
    case StatSeries::FreeSlots: return "Waste ledger: free slots in spans queued in mcentral.";
    case StatSeries::CachedFreeSlots: return "Waste ledger: free slots in spans cached by mcaches.";
    case StatSeries::FreePages: return "Waste ledger: free pages still backed by memory (HeapIdle - HeapReleased).";
    case StatSeries::Count: break;
  }
  return "";
}

uint64_t StatValue(const model::StatsSample& s, StatSeries which) {
  switch (which) {
    case StatSeries::HeapAlloc: return s.mem.HeapAlloc;
    case StatSeries::HeapInuse: return s.mem.HeapInuse;
    case StatSeries::HeapSys: return s.mem.HeapSys;
    case StatSeries::HeapReleased: return s.mem.HeapReleased;
    case StatSeries::NextGC: return s.mem.NextGC;
    case StatSeries::GCTrigger: return s.mem.GCTrigger;
    case StatSeries::StackInuse: return s.mem.StackInuse;
    case StatSeries::Live: return s.ledger.liveBytes;
    case StatSeries::Rounding: return s.ledger.roundingWaste;
    case StatSeries::Dead: return s.ledger.deadBytes;
    case StatSeries::Tail: return s.ledger.tailWaste;
    case StatSeries::FreeSlots: return s.ledger.freeSlots;
    case StatSeries::CachedFreeSlots: return s.ledger.cachedFreeSlots;
    case StatSeries::FreePages: return s.ledger.freePages;
    case StatSeries::Count: break;
  }
  return 0;
}

bool HasStatValue(const model::StatsSample& s, StatSeries which) { return s.hasLedger || which < StatSeries::Live; }

int64_t SampleWithValue(const std::vector<model::StatsSample>& samples, int64_t i, StatSeries which) {
  while (i >= 0 && !HasStatValue(samples[static_cast<size_t>(i)], which)) --i;
  return i;
}

int64_t SampleAt(const std::vector<model::StatsSample>& samples, uint64_t pos) {
  auto it = std::upper_bound(samples.begin(), samples.end(), pos,
                             [](uint64_t p, const model::StatsSample& s) { return p < s.event; });
  return static_cast<int64_t>(it - samples.begin()) - 1;
}

// first + floor(c * n / width), without overflowing for any n.
static uint64_t ColumnStart(int c, int width, uint64_t first, uint64_t n) {
  const auto uc = static_cast<uint64_t>(c), uw = static_cast<uint64_t>(width);
  return first + uc * (n / uw) + uc * (n % uw) / uw;
}

std::vector<PlotColumn> DownsampleSeries(const std::vector<model::StatsSample>& samples, StatSeries which, uint64_t first,
                                         uint64_t last, int width) {
  std::vector<PlotColumn> out(static_cast<size_t>(std::max(width, 0)));
  if (width <= 0 || samples.empty() || last < first) return out;
  const uint64_t n = last - first + 1;
  const auto count = static_cast<int64_t>(samples.size());
  auto at = [&](int64_t k) -> const model::StatsSample& { return samples[static_cast<size_t>(k)]; };
  int64_t j = SampleWithValue(samples, SampleAt(samples, first), which);
  int64_t k = j + 1; // the next sample not yet looked at
  for (int c = 0; c < width; ++c) {
    const uint64_t p0 = ColumnStart(c, width, first, n);
    const uint64_t p1 = std::max(ColumnStart(c + 1, width, first, n), p0 + 1); // exclusive
    for (; k < count && at(k).event <= p0; ++k)
      if (HasStatValue(at(k), which)) j = k;
    if (j < 0) continue; // no sample in force yet at p0
    PlotColumn& col = out[static_cast<size_t>(c)];
    col.any = true;
    col.first = col.last = col.lo = col.hi = StatValue(at(j), which);
    for (; k < count && at(k).event < p1; ++k) {
      if (!HasStatValue(at(k), which)) continue;
      const uint64_t v = StatValue(at(k), which);
      col.lo = std::min(col.lo, v);
      col.hi = std::max(col.hi, v);
      col.last = v;
      j = k;
    }
  }
  return out;
}

uint64_t PlotPositionAt(float dx, float width, uint64_t first, uint64_t last) {
  if (width <= 0 || last <= first || dx <= 0) return first;
  const double n = static_cast<double>(last - first + 1);
  const auto off = static_cast<uint64_t>(static_cast<double>(dx) / static_cast<double>(width) * n);
  return std::min(last, first + off);
}

float PlotXOf(uint64_t p, float width, uint64_t first, uint64_t last) {
  const double n = static_cast<double>(last >= first ? last - first + 1 : 1);
  return static_cast<float>((static_cast<double>(p) - static_cast<double>(first) + 0.5) / n *
                            static_cast<double>(width));
}

// [SECTION] Drawing

namespace {

// With GOGC=off the pacer reports a goal and trigger of MaxInt64: no line, and no effect on the scale.
bool Plottable(uint64_t v) { return v < (uint64_t{1} << 62); }

struct StatsState {
  std::array<bool, kStatSeries> shown{}; // mirrored from the window's ImGui storage each frame
  uint64_t first = 0, last = 0;          // visible positions: integers, never ImGui floats (style §6.3)
  // The range resets for another trace or a new ImGui context (its frame count starts again).
  const model::Session* session = nullptr;
  uint64_t events = 0;
  int frame = -1;
  bool wideRange = false; // the series shown spanned 1000× or more in the last frame (automatic log scale)
};
StatsState g_stats;

bool ShownByDefault(StatSeries s) { return s <= StatSeries::Live; }

ImU32 SeriesColour(StatSeries s) {
  switch (s) {
    case StatSeries::HeapAlloc: return IM_COL32(240, 170, 60, 255);
    case StatSeries::HeapInuse: return ui::color::kInUse;
    case StatSeries::HeapSys: return IM_COL32(225, 225, 230, 255);
    case StatSeries::HeapReleased: return IM_COL32(195, 110, 75, 255); // neither HeapInuse's blue nor the cursor's aqua
    case StatSeries::NextGC: return IM_COL32(240, 96, 120, 255);
    case StatSeries::GCTrigger: return IM_COL32(200, 150, 255, 255);
    case StatSeries::StackInuse: return ui::color::kStack;
    case StatSeries::Live: return ui::LedgerColour(LedgerKind::Live);
    case StatSeries::Rounding: return ui::LedgerColour(LedgerKind::Rounding);
    case StatSeries::Dead: return ui::LedgerColour(LedgerKind::Dead);
    case StatSeries::Tail: return ui::LedgerColour(LedgerKind::Tail);
    case StatSeries::FreeSlots: return ui::LedgerColour(LedgerKind::FreeSlots);
    case StatSeries::CachedFreeSlots: return ui::LedgerColour(LedgerKind::CachedFreeSlots);
    case StatSeries::FreePages: return ui::LedgerColour(LedgerKind::FreePages);
    case StatSeries::Count: break;
  }
  return ui::color::kDim;
}

// `storage` and `key`: the plot window's, as the checkbox is drawn inside the popup's window.
void SeriesToggle(StatSeries s, ImGuiStorage* storage, ImGuiID key) {
  const float h = ImGui::GetFrameHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.45f), ImVec2(p.x + h * 0.8f, p.y + h * 0.6f),
                                            SeriesColour(s));
  ImGui::Dummy(ImVec2(h * 0.85f, h));
  ImGui::SameLine(0, 2);
  bool& shown = g_stats.shown[static_cast<size_t>(s)];
  if (ImGui::Checkbox(StatSeriesName(s), &shown)) storage->SetBool(key, shown);
  ui::ItemTooltip(StatSeriesHelp(s));
}

// The legend of the series shown, a popup to choose them, the scale and the zoom reset.
void DrawToolbar(uint64_t eventCount, bool* logScale) {
  ImGuiStorage* storage = ImGui::GetStateStorage();
  std::array<ImGuiID, kStatSeries> keys{};
  for (size_t i = 0; i < kStatSeries; ++i) {
    const auto s = static_cast<StatSeries>(i);
    keys[i] = ImGui::GetID(StatSeriesName(s));
    g_stats.shown[i] = storage->GetBool(keys[i], ShownByDefault(s));
  }
  if (ImGui::SmallButton("Series...")) ImGui::OpenPopup("series");
  ui::ItemTooltip("Choose the series to plot: MemStats fields and the waste-ledger categories.");
  if (ImGui::BeginPopup("series")) {
    ImGui::TextDisabled("MemStats");
    for (size_t i = 0; i < kStatSeries; ++i) {
      if (i == static_cast<size_t>(StatSeries::Live)) ImGui::TextDisabled("waste ledger");
      SeriesToggle(static_cast<StatSeries>(i), storage, keys[i]);
    }
    ImGui::EndPopup();
  }
  ui::Flow flow;
  flow.next(0);
  for (size_t i = 0; i < kStatSeries; ++i) {
    if (!g_stats.shown[i]) continue;
    const auto s = static_cast<StatSeries>(i);
    flow.next(ui::LegendItemWidth(StatSeriesName(s)));
    ui::LegendItem(SeriesColour(s), StatSeriesName(s), StatSeriesHelp(s));
  }
  flow.next(ImGui::GetFrameHeight() + ImGui::CalcTextSize("log scale").x + ImGui::CalcTextSize("Fit").x + 30);
  // Until the user chooses, the scale is automatic: logarithmic when the series shown span more than
  // three orders of magnitude (a small heap: 96 B live in 4 MiB of HeapSys), linear otherwise.
  if (ImGui::Checkbox("log scale", logScale)) storage->SetInt(ImGui::GetID("logmode"), *logScale ? 1 : 0);
  ui::ItemTooltip(storage->GetInt(ImGui::GetID("logmode"), -1) < 0
                      ? "A logarithmic byte axis, so small series (waste, live bytes) stay readable next to HeapSys. "
                        "Automatic now: on while the series shown differ by more than 1000×; click to choose."
                      : "A logarithmic byte axis, so small series (waste, live bytes) stay readable next to HeapSys.");
  ImGui::SameLine();
  if (ImGui::SmallButton("Fit")) {
    g_stats.first = 0;
    g_stats.last = eventCount;
  }
  ui::ItemTooltip(
      "Show the whole trace. The mouse wheel over the plot zooms around the mouse; click to go to "
      "a position. Red lines: GC cycles starting; amber bands: their concurrent marks (allocations in them are "
      "allocated black); the green-blue line with triangles: the current position.");
}

// Zooms the visible range by `factor` keeping `pos` under the mouse; at least 8 positions, at most
// the whole trace.
void ZoomAround(uint64_t pos, double factor, uint64_t eventCount) {
  StatsState& st = g_stats;
  const uint64_t oldSpan = std::max<uint64_t>(1, st.last - st.first);
  const auto span = std::clamp<uint64_t>(static_cast<uint64_t>(static_cast<double>(oldSpan) * factor), 8,
                                         std::max<uint64_t>(eventCount, 8));
  const double frac = static_cast<double>(pos - st.first) / static_cast<double>(oldSpan);
  const auto left = static_cast<uint64_t>(frac * static_cast<double>(span));
  st.first = pos > left ? pos - left : 0;
  st.last = st.first + span;
  if (st.last > eventCount) {
    st.last = eventCount;
    st.first = eventCount > span ? eventCount - span : 0;
  }
}

struct PlotGeom {
  ImVec2 min, max; // the plotting area (inside the axes)
  uint64_t first, last, yMax;
  bool log = false; // y by log2(bytes), from yMin (powers of two; smaller values sit on the axis)
  uint64_t yMin = 1;
  float x(uint64_t p) const { return min.x + PlotXOf(p, max.x - min.x, first, last); }
  float y(uint64_t v) const {
    double f = static_cast<double>(v) / static_cast<double>(yMax);
    if (log) {
      const double lo = std::log2(static_cast<double>(yMin));
      f = (std::log2(static_cast<double>(std::max(v, yMin))) - lo) / (std::log2(static_cast<double>(yMax)) - lo);
    }
    return max.y - static_cast<float>(f) * (max.y - min.y);
  }
};

// Tick values on the byte axis: multiples of a power of two, or every e-th power of two on a log
// axis (at most about six of them).
std::vector<uint64_t> ByteTicks(const PlotGeom& g) {
  std::vector<uint64_t> ticks;
  if (!g.log) {
    const uint64_t step = ByteAxisStep(g.yMax, 5);
    for (uint64_t v = 0; v <= g.yMax && (v == 0 || v >= step); v += step) ticks.push_back(v);
    return ticks;
  }
  const int b0 = std::countr_zero(g.yMin), b1 = std::countr_zero(g.yMax); // both are powers of two
  const int e = std::max(1, (b1 - b0 + 5) / 6);
  for (int b = (b0 + e - 1) / e * e; b <= b1; b += e) ticks.push_back(uint64_t{1} << b);
  return ticks;
}

void DrawAxes(ImDrawList* dl, const PlotGeom& g) {
  const ImU32 grid = IM_COL32(255, 255, 255, 28), text = ui::color::kDim;
  for (uint64_t v : ByteTicks(g)) {
    const float y = g.y(v);
    dl->AddLine(ImVec2(g.min.x, y), ImVec2(g.max.x, y), grid);
    const std::string label = FormatBytes(v);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(g.min.x - ts.x - 6, y - ts.y * 0.5f), text, label.c_str());
  }
  const uint64_t range = g.last - g.first;
  const uint64_t xStep = CountAxisStep(range, std::max(1, static_cast<int>((g.max.x - g.min.x) / 90.0f)));
  for (uint64_t p = (g.first + xStep - 1) / xStep * xStep; p <= g.last; p += xStep) {
    const float x = g.x(p);
    dl->AddLine(ImVec2(x, g.min.y), ImVec2(x, g.max.y), grid);
    const std::string label = FormatCount(p);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const float lx = std::clamp(x - ts.x * 0.5f, g.min.x - 4, g.max.x - ts.x); // keep labels inside the panel
    dl->AddText(ImVec2(lx, g.max.y + 3), text, label.c_str());
    if (p > UINT64_MAX - xStep) break;
  }
  dl->AddRect(g.min, g.max, IM_COL32(255, 255, 255, 60));
}

void DrawGcLines(ImDrawList* dl, const PlotGeom& g, const std::vector<uint64_t>& gcs) {
  // A GC during event i shows from position i+1 on; skip lines that land on an already drawn pixel.
  // Many cycles in view fade, so they mark where GCs ran without washing the chart red.
  auto it = std::lower_bound(gcs.begin(), gcs.end(), g.first == 0 ? 0 : g.first - 1);
  const auto end = std::upper_bound(it, gcs.end(), g.last == 0 ? 0 : g.last - 1);
  const float perPixel = static_cast<float>(end - it) / std::max(1.0f, g.max.x - g.min.x);
  const auto alpha = static_cast<int>(std::clamp(110.0f * 0.05f / std::max(perPixel, 0.05f), 22.0f, 110.0f));
  float lastX = -1e9f;
  for (; it != end; ++it) {
    const float x = std::floor(g.x(*it + 1));
    if (x - lastX < 2.0f) continue; // at most one line every other pixel
    lastX = x;
    dl->AddLine(ImVec2(x, g.min.y), ImVec2(x, g.max.y), IM_COL32(230, 80, 80, alpha));
  }
}

// The concurrent marks as light bands behind the series (drawn at least a pixel wide, so a short
// mark in a long trace still shows). Bands that meet on screen are drawn as one, so a zoomed-out
// trace with thousands of cycles costs a rectangle per band of pixels, not per cycle.
void DrawMarkWindows(ImDrawList* dl, const PlotGeom& g, const std::vector<model::Session::MarkWindow>& windows) {
  auto it = std::lower_bound(windows.begin(), windows.end(), g.first,
                             [](const model::Session::MarkWindow& w, uint64_t p) { return w.to < p; });
  float x0 = 0, x1 = -1; // the band being gathered
  auto flush = [&] {
    if (x1 > x0) dl->AddRectFilled(ImVec2(x0, g.min.y), ImVec2(x1, g.max.y), IM_COL32(255, 190, 90, 34));
  };
  for (; it != windows.end() && it->from <= g.last; ++it) {
    const float a = std::floor(g.x(std::max(it->from, g.first)));
    const float b = std::max(a + 1.0f, std::ceil(g.x(std::min(it->to, g.last))));
    if (a <= x1) {
      x1 = std::max(x1, b);
      continue;
    }
    flush();
    x0 = a, x1 = b;
  }
  flush();
}

void DrawSeries(ImDrawList* dl, const PlotGeom& g, const std::vector<model::StatsSample>& samples, StatSeries s) {
  const int width = std::max(1, static_cast<int>(g.max.x - g.min.x));
  const std::vector<PlotColumn> cols = DownsampleSeries(samples, s, g.first, g.last, width);
  std::vector<ImVec2> pts;
  pts.reserve(cols.size() * 4);
  // A flat stretch becomes one segment: a point level with the two before it moves the last one.
  auto add = [&](float x, float y) {
    const size_t n = pts.size();
    if (n >= 2 && pts[n - 1].y == y && pts[n - 2].y == y) {
      pts[n - 1].x = x;
      return;
    }
    if (n >= 1 && pts[n - 1].x == x && pts[n - 1].y == y) return;
    pts.emplace_back(x, y);
  };
  for (int c = 0; c < width; ++c) {
    const PlotColumn& col = cols[static_cast<size_t>(c)];
    if (!col.any || !Plottable(col.hi)) continue;
    // At most two points per column: its whole range, walked towards where the column ends, so
    // spikes stay visible and the line joins the next column.
    const float x = g.min.x + static_cast<float>(c) + 0.5f;
    const bool falling = col.last < col.first;
    add(x, g.y(falling ? col.hi : col.lo));
    add(x, g.y(falling ? col.lo : col.hi));
  }
  // Thickness 1 uses the font atlas's baked lines: two vertices per point.
  if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), SeriesColour(s), 0, ui::PlotLineWidth());
}

void HoverTooltip(const model::Session& session, uint64_t pos) {
  const std::vector<model::StatsSample>& samples = session.stats();
  const int64_t i = SampleAt(samples, pos);
  ImGui::BeginTooltip();
  ImGui::Text("position %s (after event #%s)", FormatCount(pos).c_str(), pos ? FormatCount(pos - 1).c_str() : "-");
  if (i >= 0) {
    const model::StatsSample& s = samples[static_cast<size_t>(i)];
    if (s.event != pos) ImGui::TextDisabled("values sampled at position %s", FormatCount(s.event).c_str());
    if (ImGui::BeginTable("values", 2)) {
      for (size_t k = 0; k < kStatSeries; ++k) {
        if (!g_stats.shown[k]) continue;
        const auto which = static_cast<StatSeries>(k);
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(SeriesColour(which)), "%s", StatSeriesName(which));
        ImGui::TableNextColumn();
        const int64_t h = SampleWithValue(samples, i, which); // a ledger series: its last walk
        if (h < 0) continue;
        const model::StatsSample& from = samples[static_cast<size_t>(h)];
        const uint64_t v = StatValue(from, which);
        std::string text = Plottable(v) ? FormatBytes(v) : "off (GOGC=off)";
        if (from.event != s.event) text += " (at position " + FormatCount(from.event) + ")";
        ImGui::TextUnformatted(text.c_str());
      }
      ImGui::EndTable();
    }
    ImGui::Text("GC cycles so far: %u", s.mem.NumGC);
  }
  ImGui::TextDisabled("click to go to this position");
  ImGui::EndTooltip();
}

} // namespace

void DrawStatsPanel(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kStatsTitle, open, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    ImGui::End();
    return;
  }
  StatsState& st = g_stats;
  const model::Session& session = ctx.session;
  const uint64_t count = session.eventCount();
  const int frame = ImGui::GetFrameCount();
  if (st.session != &session || st.events != count || frame < st.frame) {
    st.session = &session;
    st.events = count;
    st.first = 0;
    st.last = count;
  }
  st.frame = frame;
  const int logMode = ImGui::GetStateStorage()->GetInt(ImGui::GetID("logmode"), -1); // -1 automatic
  bool logScale = logMode < 0 ? st.wideRange : logMode == 1;
  DrawToolbar(count, &logScale);

  const std::vector<model::StatsSample>& samples = session.stats();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(std::max(avail.x, 120.0f), std::max(avail.y, 120.0f));
  ImGui::InvisibleButton("##plot", size);
  const bool hovered = ImGui::IsItemHovered();

  PlotGeom g;
  g.min = ImVec2(origin.x + 72, origin.y + 6);
  g.max = ImVec2(origin.x + size.x - 8, origin.y + size.y - ImGui::GetTextLineHeight() - 8);
  g.first = st.first;
  g.last = std::max(st.last, st.first + 1);
  uint64_t hi = 1, lo = ~uint64_t{0}; // greatest value and least non-zero value in view
  for (size_t k = 0; k < kStatSeries; ++k) {
    if (!st.shown[k]) continue;
    const int64_t a = std::max<int64_t>(0, SampleAt(samples, g.first));
    for (size_t i = static_cast<size_t>(a); i < samples.size() && samples[i].event <= g.last; ++i) {
      if (!HasStatValue(samples[i], static_cast<StatSeries>(k))) continue;
      const uint64_t v = StatValue(samples[i], static_cast<StatSeries>(k));
      if (!Plottable(v)) continue;
      hi = std::max(hi, v);
      if (v > 0) lo = std::min(lo, v);
    }
  }
  hi = std::min(hi, uint64_t{1} << 62);
  st.wideRange = lo != ~uint64_t{0} && hi / lo >= 1000; // next frame's automatic scale
  g.log = logScale;
  if (logScale) {
    g.yMax = std::bit_ceil(hi + hi / 12); // headroom above the largest value
    g.yMin = lo == ~uint64_t{0} ? 1 : std::bit_floor(lo);
    if (g.yMin >= g.yMax) g.yMin = std::max<uint64_t>(1, g.yMax / 2);
    if (g.yMin == g.yMax) g.yMax *= 2;
  } else {
    // Headroom: the largest value never sits on the top border.
    const uint64_t top = hi + hi / 12;
    const uint64_t step = ByteAxisStep(top, 5);
    g.yMax = (top + step - 1) / step * step;
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  DrawAxes(dl, g);
  DrawMarkWindows(dl, g, session.markWindows());
  DrawGcLines(dl, g, session.gcEvents());
  dl->PushClipRect(g.min, g.max, true);
  for (size_t k = 0; k < kStatSeries; ++k)
    if (st.shown[k]) DrawSeries(dl, g, samples, static_cast<StatSeries>(k));
  dl->PopClipRect();
  const uint64_t pos = session.position();
  if (pos >= g.first && pos <= g.last) {
    const float x = g.x(pos);
    // The cursor: a colour no series uses (HeapSys is white), with triangles at both ends.
    const ImU32 cursor = IM_COL32(0, 235, 190, 255);
    dl->AddLine(ImVec2(x, g.min.y), ImVec2(x, g.max.y), cursor, 1.5f);
    dl->AddTriangleFilled(ImVec2(x - 5, g.min.y), ImVec2(x + 5, g.min.y), ImVec2(x, g.min.y + 7), cursor);
    dl->AddTriangleFilled(ImVec2(x - 5, g.max.y), ImVec2(x + 5, g.max.y), ImVec2(x, g.max.y - 7), cursor);
  }
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered && mouse.x >= g.min.x && mouse.x < g.max.x) {
    const uint64_t at = PlotPositionAt(mouse.x - g.min.x, g.max.x - g.min.x, g.first, g.last);
    dl->AddLine(ImVec2(mouse.x, g.min.y), ImVec2(mouse.x, g.max.y), IM_COL32(255, 255, 255, 70));
    HoverTooltip(session, at);
    if (ImGui::IsItemClicked()) ctx.commands.push_back(Command{Command::Seek, static_cast<int64_t>(at)});
    const float wheel = ImGui::GetIO().MouseWheel;
    if (wheel != 0.0f) ZoomAround(at, wheel > 0 ? 0.8 : 1.25, count);
  }
  dl->PopClipRect();
  ImGui::End();
}

} // namespace gui
