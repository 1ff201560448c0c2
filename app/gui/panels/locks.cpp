// Locks: the timing and lock model's figures (sim/timing.h) — which mcentral model runs, a
// sortable table of locks (acquisitions, contention, wait, hold, utilisation), the Ps' busy and
// waiting time and allocation latency, a heat map of wait over (time x lock), and a timeline of
// when each P ran and whom it waited for. Clicking a timeline bar goes to its event.
// Reads: World::timing() (LockModel: figures, heatMap, recent). Go concept: runtime.mutex on
// mheap_.lock and, in Go <= 1.14, on each mcentral; spanSet's lock-free push/pop (Go 1.15+).
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/engine_dialog.h"
#include "app/gui/panels/locks_model.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {

// [SECTION] Model

bool IsCentralLock(sim::LockId id) {
  const sim::LockKind k = sim::lockKind(id);
  return k == sim::LockKind::Central || k == sim::LockKind::SpinePartial || k == sim::LockKind::SpineFull;
}

uint64_t CentralWait(const sim::TimingFigures& f) {
  uint64_t w = 0;
  for (const sim::LockFigures& l : f.locks)
    if (IsCentralLock(l.lock)) w += l.waitTotal;
  return w;
}

static uint64_t LockSortKey(const sim::LockFigures& l, LockColumn c) {
  switch (c) {
    case LockColumn::Acquisitions: return l.acquisitions;
    case LockColumn::Contended: return l.contended;
    case LockColumn::WaitTotal: return l.waitTotal;
    case LockColumn::WaitP99: return l.waitP99;
    case LockColumn::WaitMax: return l.waitMax;
    case LockColumn::Hold: return l.holdTotal;
    case LockColumn::Utilisation: return l.holdTotal; // utilisation = hold / the same makespan
    case LockColumn::Name:
    case LockColumn::Count: break;
  }
  return l.lock;
}

void SortLockRows(std::vector<sim::LockFigures>& rows, LockColumn column, bool ascending) {
  std::stable_sort(rows.begin(), rows.end(), [&](const sim::LockFigures& a, const sim::LockFigures& b) {
    const uint64_t ka = LockSortKey(a, column), kb = LockSortKey(b, column);
    if (ka != kb) return ascending ? ka < kb : ka > kb;
    return a.lock < b.lock;
  });
}

HeatMapModel BuildHeatMap(const sim::WaitHeatMap& h, uint64_t lastEnd) {
  HeatMapModel m;
  m.origin = h.origin();
  m.columnNs = std::max<uint64_t>(1, h.columnNs());
  const uint64_t span = lastEnd > m.origin ? lastEnd - m.origin : 0;
  m.columns = static_cast<uint32_t>(std::clamp<uint64_t>((span + m.columnNs - 1) / m.columnNs, 1, sim::WaitHeatMap::kColumns));
  std::vector<size_t> order(h.rows());
  std::vector<uint64_t> total(h.rows(), 0);
  for (size_t r = 0; r < h.rows(); ++r) {
    order[r] = r;
    for (uint32_t c = 0; c < sim::WaitHeatMap::kColumns; ++c) total[r] += h.cell(r, c);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return total[a] > total[b]; });
  for (size_t r : order) {
    m.rows.push_back(h.rowLock(r));
    m.rowTotal.push_back(total[r]);
    for (uint32_t c = 0; c < m.columns; ++c) {
      m.cells.push_back(h.cell(r, c));
      m.maxCell = std::max(m.maxCell, h.cell(r, c));
    }
  }
  return m;
}

float HeatLevel(uint64_t wait, uint64_t maxCell) {
  if (wait == 0 || maxCell == 0) return 0.0f;
  const double l = std::log1p(static_cast<double>(wait)) / std::log1p(static_cast<double>(maxCell));
  return static_cast<float>(std::clamp(l, 0.02, 1.0));
}

std::pair<uint64_t, uint64_t> SegmentRange(const std::vector<sim::TimeSegment>& segs) {
  if (segs.empty()) return {0, 0};
  uint64_t lo = ~uint64_t{0}, hi = 0;
  for (const sim::TimeSegment& s : segs) {
    lo = std::min(lo, s.begin);
    hi = std::max(hi, s.end);
  }
  return {lo, hi};
}

std::pair<uint64_t, uint64_t> WaitFocusRange(const std::vector<sim::TimeSegment>& segs) {
  const auto [lo, hi] = SegmentRange(segs);
  uint64_t w0 = ~uint64_t{0}, w1 = 0;
  for (const sim::TimeSegment& s : segs)
    if (s.kind == sim::TimeSegment::Wait) w0 = std::min(w0, s.begin), w1 = std::max(w1, s.end);
  if (w1 <= w0) return {lo, hi};
  const uint64_t margin = std::max<uint64_t>(1, (w1 - w0) / 4);
  return {std::max(lo, w0 > margin ? w0 - margin : 0), std::min(hi, w1 + margin)};
}

TimelineLayout LayoutTimeline(const std::vector<sim::TimeSegment>& segs, uint32_t procs, uint64_t t0, uint64_t t1,
                              float width) {
  TimelineLayout L;
  L.t0 = t0;
  L.t1 = std::max(t1, t0 + 1);
  for (uint32_t p = 0; p < procs; ++p) L.rowWho.push_back(p);
  if (std::any_of(segs.begin(), segs.end(), [](const sim::TimeSegment& s) { return s.who == sim::kGCWorker; }))
    L.rowWho.push_back(sim::kGCWorker);
  const auto rowOf = [&](uint32_t who) -> int64_t {
    if (who == sim::kGCWorker) return static_cast<int64_t>(L.rowWho.size()) - 1;
    return who < procs ? static_cast<int64_t>(who) : -1;
  };
  const double scale = static_cast<double>(width) / static_cast<double>(L.t1 - L.t0);
  const auto x = [&](uint64_t t) {
    return static_cast<float>(static_cast<double>(std::clamp(t, L.t0, L.t1) - L.t0) * scale);
  };
  std::vector<TimelineBar> runs, waits;
  // The last bar of each row and kind, to merge into while segments come closer than a pixel.
  std::vector<int64_t> lastRun(L.rowWho.size(), -1), lastWait(L.rowWho.size(), -1);
  for (size_t i = 0; i < segs.size(); ++i) {
    const sim::TimeSegment& s = segs[i];
    const int64_t row = rowOf(s.who);
    if (row < 0 || s.end <= L.t0 || s.begin >= L.t1) continue;
    TimelineBar b;
    b.row = static_cast<uint32_t>(row);
    b.x1 = std::max(x(s.end), x(s.begin) + 1.0f); // at least a pixel, inside [0, width]
    if (b.x1 > width) b.x1 = width;
    b.x0 = std::min(x(s.begin), b.x1 - 1.0f);
    b.wait = s.kind == sim::TimeSegment::Wait;
    b.lock = s.lock;
    b.segment = i;
    std::vector<TimelineBar>& out = b.wait ? waits : runs;
    int64_t& last = (b.wait ? lastWait : lastRun)[b.row];
    if (last >= 0) {
      TimelineBar& prev = out[static_cast<size_t>(last)];
      if (prev.lock == b.lock && b.x0 <= prev.x1 + 1.0f && b.x1 >= prev.x0 - 1.0f) {
        prev.x0 = std::min(prev.x0, b.x0);
        prev.x1 = std::max(prev.x1, b.x1);
        prev.segment = i;
        continue;
      }
    }
    last = static_cast<int64_t>(out.size());
    out.push_back(b);
  }
  L.bars = std::move(runs);
  L.bars.insert(L.bars.end(), waits.begin(), waits.end());
  return L;
}

std::string DescribeSegment(const sim::TimeSegment& s) {
  const std::string who = sim::executorName(s.who);
  const std::string ev = "event #" + FormatCount(s.event);
  if (s.kind == sim::TimeSegment::Wait) {
    std::string t = who + " waited " + sim::durationText(s.end - s.begin) + " for " + sim::lockName(s.lock);
    if (s.holder != sim::kNoHolder) t += " held by " + sim::executorName(s.holder);
    return t + " (" + ev + ", from " + sim::durationText(s.begin) + ")";
  }
  return who + " ran " + ev + " at " + sim::durationText(s.begin) + " for " + sim::durationText(s.end - s.begin);
}

std::vector<std::string> StepTimingLines(const sim::StepRecord& r) {
  std::vector<std::string> out;
  if (r.end == 0 || r.kind == sim::EventKind::Annotate) return out;
  std::string head = "at " + sim::durationText(r.start) + " for " + sim::durationText(r.end - r.start);
  if (r.wait || r.hold) head += " (waited " + sim::durationText(r.wait) + ", held locks " + sim::durationText(r.hold) + ")";
  out.push_back(head);
  for (uint32_t i = 0; i < r.locksTaken && i < sim::StepRecord::kMaxLockTakes; ++i) {
    const sim::LockTake& k = r.locks[i];
    std::string l = sim::lockName(k.lock) + ":";
    if (k.wait) l += " waited " + sim::durationText(k.wait) + " for " + sim::executorName(k.holder) + (k.hold ? "," : "");
    if (k.hold || !k.wait) l += " held " + sim::durationText(k.hold);
    out.push_back(l);
  }
  if (r.locksTaken > sim::StepRecord::kMaxLockTakes)
    out.push_back("+" + std::to_string(r.locksTaken - sim::StepRecord::kMaxLockTakes) + " more locks");
  return out;
}

TraceVsModel CompareTraceTime(const std::function<sim::Event(uint64_t)>& event, uint64_t upTo, const sim::TimingFigures& f) {
  TraceVsModel out;
  out.modelNs = f.makespan;
  const uint32_t procs = std::max<uint32_t>(1, f.procs);
  std::vector<uint64_t> first(procs, sim::kNoTime), last(procs, 0);
  std::vector<std::pair<uint32_t, uint32_t>> threadP; // (thread, P): few threads, a linear search
  uint64_t t0 = sim::kNoTime, t1 = 0;
  // Threads go to Ps in order of first appearance, so the mapping needs the events from the start;
  // past the window only that mapping is followed, the times come from the window.
  const uint64_t windowFrom = upTo > kTraceTimeWindow ? upTo - kTraceTimeWindow : 0;
  for (uint64_t i = 0; i < upTo; ++i) {
    if (i == kTraceTimeWindow && i < windowFrom) i = windowFrom; // the middle of a long trace is skipped
    const sim::Event e = event(i);
    if (e.kind == sim::EventKind::Annotate) continue;
    auto it = std::find_if(threadP.begin(), threadP.end(), [&](const auto& tp) { return tp.first == e.thread; });
    if (it == threadP.end()) {
      threadP.emplace_back(e.thread, static_cast<uint32_t>(threadP.size() % procs));
      it = threadP.end() - 1;
    }
    if (e.time == sim::kNoTime) continue;
    t0 = std::min(t0, e.time), t1 = std::max(t1, e.time);
    if (i < windowFrom) continue;
    first[it->second] = std::min(first[it->second], e.time);
    last[it->second] = std::max(last[it->second], e.time);
  }
  out.traceTimed = t0 != sim::kNoTime;
  if (!out.traceTimed) return out;
  out.traceNs = t1 - t0;
  for (const sim::ProcFigures& p : f.executors) {
    if (p.who >= procs || first[p.who] == sim::kNoTime) continue;
    const uint64_t traced = last[p.who] - first[p.who], modelled = p.busy + p.waiting;
    if (modelled > traced + traced / 4) out.stretched.push_back({p.who, traced, modelled});
  }
  return out;
}

// [SECTION] Drawing

namespace {

// One colour per lock row: mheap.lock red and the stopped world grey, then each other lock (in the
// table's id order) the next colour of a categorical palette, and past it the golden-ratio hue
// circle with alternating saturation, so no two rows the user sees share a colour.
ImU32 LockColour(const sim::TimingFigures& f, sim::LockId id) {
  switch (sim::lockKind(id)) {
    case sim::LockKind::Heap: return IM_COL32(235, 95, 75, 255);
    case sim::LockKind::World: return IM_COL32(200, 200, 205, 255);
    case sim::LockKind::Central:
    case sim::LockKind::SpinePartial:
    case sim::LockKind::SpineFull: break;
  }
  size_t k = 0; // this lock's place among the mcentral locks of the table
  for (const sim::LockFigures& l : f.locks) {
    if (l.lock == id) break;
    if (IsCentralLock(l.lock)) ++k;
  }
  static constexpr ImU32 kPalette[] = {IM_COL32(90, 160, 235, 255),  IM_COL32(245, 175, 60, 255), IM_COL32(120, 200, 110, 255),
                                       IM_COL32(200, 120, 230, 255), IM_COL32(80, 210, 200, 255), IM_COL32(240, 225, 90, 255),
                                       IM_COL32(160, 110, 70, 255),  IM_COL32(255, 140, 190, 255), IM_COL32(150, 170, 255, 255),
                                       IM_COL32(170, 230, 160, 255)};
  if (k < std::size(kPalette)) return kPalette[k];
  const float hue = std::fmod(0.12f + 0.618034f * static_cast<float>(k), 1.0f);
  return ImColor::HSV(hue, k % 2 ? 0.45f : 0.75f, k % 3 ? 0.95f : 0.75f);
}

// Dark (little wait) to yellow (the most); 0 = the background.
ImU32 HeatColour(float level) {
  if (level <= 0) return IM_COL32(40, 42, 50, 255);
  static const float stops[][3] = {{60, 30, 110}, {200, 60, 70}, {245, 150, 40}, {255, 240, 120}};
  const float f = level * 3.0f;
  const int i = std::min(2, static_cast<int>(f));
  const float t = f - static_cast<float>(i);
  auto mix = [&](int c) { return static_cast<int>(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * t); };
  return IM_COL32(mix(0), mix(1), mix(2), 255);
}

std::string Percent(double f) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * f);
  return b;
}

void Cell(const std::string& text, const std::string& tip) {
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(text.c_str());
  ui::ItemTooltip(tip);
}

struct Column {
  const char* name;
  LockColumn sort;
  const char* help;
};
const Column kLockColumns[] = {
    {"lock", LockColumn::Name, "The lock: mheap.lock (the page heap), stop-the-world (GC pauses: every P waits), "
                               "mcentral[class].lock (Go ≤ 1.14: one mutex per span class) or a span set's "
                               "spineLock (Go 1.15+: taken only to add a block of 512 spans)."},
    {"acquired", LockColumn::Acquisitions, "Times the lock was taken (stop-the-world: pauses)."},
    {"contended", LockColumn::Contended,
     "Acquisitions that had to wait because someone else held the lock (stop-the-world: events held up by a pause)."},
    {"total wait", LockColumn::WaitTotal, "Simulated time spent waiting for this lock, summed over every waiter."},
    {"p99 wait", LockColumn::WaitP99, "99th percentile of the wait over all acquisitions (uncontended ones wait 0)."},
    {"max wait", LockColumn::WaitMax, "The longest single wait for this lock."},
    {"hold", LockColumn::Hold, "Simulated time the lock was held, summed."},
    {"utilisation", LockColumn::Utilisation,
     "Held time / makespan: the share of the run during which the lock was busy. Near 100% the lock is the "
     "bottleneck."},
};
constexpr int kLockColumnCount = static_cast<int>(sizeof kLockColumns / sizeof kLockColumns[0]);

void DrawTimingOff(PanelContext& ctx) {
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted("The timing and lock model is off: events run in trace order with no simulated time.");
  ImGui::TextDisabled("Turn it on to replay this trace on %u P%s with a cost per operation and contention on mheap.lock "
                      "and mcentral — once with lock-free span sets (Go 1.15+), once with a mutex per size class "
                      "(Go ≤ 1.14) — and compare.",
                      ctx.session.world().config().gomaxprocs, ctx.session.world().config().gomaxprocs == 1 ? "" : "s");
  ImGui::PopTextWrapPos();
  if (ImGui::Button("Turn on: lock-free"))
    ctx.commands.push_back(Command{Command::SetTiming, static_cast<int64_t>(TimingChoice::LockFree)});
  ui::ItemTooltip("Replay with the timing model on and mcentral as in Go 1.15+ (lock-free span sets).");
  ImGui::SameLine();
  if (ImGui::Button("Turn on: mutex"))
    ctx.commands.push_back(Command{Command::SetTiming, static_cast<int64_t>(TimingChoice::Mutex)});
  ui::ItemTooltip("Replay with the timing model on and one mutex per mcentral span class, as in Go ≤ 1.14.");
  ImGui::TextDisabled("(Engine → Settings also sets GOMAXPROCS and a cost model.)");
}

// The trace's duration beside the model's, and each P the model stretched (issue 15: a larson run
// modelled at 21.2 ms where the trace took 6.54 ms must say so, not pass the model's time off as
// the program's).
void DrawTraceVsModel(const TraceVsModel& t) {
  if (!t.traceTimed) {
    ImGui::TextDisabled("The trace has no times: every duration here is the model's.");
    return;
  }
  ImGui::Text("Trace: %s  ·  model: %s", sim::durationText(t.traceNs).c_str(), sim::durationText(t.modelNs).c_str());
  ui::ItemTooltip("Trace: from the first to the last time stamp the recording has up to the current event. Model: "
                  "the makespan above, from the cost model. They differ where the cost model prices an operation "
                  "differently from what the recorded program spent.");
  if (t.stretched.empty()) return;
  std::string ps;
  for (size_t i = 0; i < t.stretched.size() && i < 8; ++i) {
    const StretchedP& s = t.stretched[i];
    if (!ps.empty()) ps += ", ";
    ps += 'P';
    ps += std::to_string(s.p);
    ps += ' ';
    ps += sim::durationText(s.modelNs);
    ps += " for ";
    ps += sim::durationText(s.traceNs);
  }
  if (t.stretched.size() > 8) ps += ", +" + std::to_string(t.stretched.size() - 8) + " more";
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.35f, 1));
  ImGui::PushTextWrapPos(0);
  ImGui::Text("The model stretched %zu thread%s: the modelled work on %s takes longer than the trace took (%s).",
              t.stretched.size(), t.stretched.size() == 1 ? "" : "s", t.stretched.size() == 1 ? "its P" : "each P", ps.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ui::ItemTooltip("Busy + waiting time the model needs for a P's events, against the time between that thread's "
                  "first and last event in the trace. Longer: the cost model is slower than the program was, so "
                  "this P's idle time, latency and contention are the model's figures, not the recording's.");
}

void DrawModeAndSummary(PanelContext& ctx, const sim::TimingFigures& f, const TraceVsModel& traceTime) {
  int mode = f.central == sim::CentralMode::Mutex ? 2 : 1;
  ImGui::TextUnformatted("mcentral:");
  ImGui::SameLine();
  for (int m : {1, 2, 0}) {
    const char* label = m == 1 ? "lock-free (Go 1.15+)" : m == 2 ? "mutex per size class (Go ≤ 1.14)" : "timing off";
    if (ImGui::RadioButton(label, mode == m) && mode != m)
      ctx.commands.push_back(Command{Command::SetTiming, m});
    ui::ItemTooltip(m == 1   ? "Span sets with atomic push/pop: Ps refilling the same class do not wait for each other."
                    : m == 2 ? "One mutex per span class around mcentral's lists: refills of one class queue on it."
                             : "Replay without simulated time.");
    ImGui::SameLine();
  }
  ImGui::NewLine();
  const uint64_t central = CentralWait(f);
  uint64_t psTime = 0;
  for (const sim::ProcFigures& p : f.executors)
    if (p.who != sim::kGCWorker) psTime += p.busy + p.waiting;
  char line[512];
  std::snprintf(line, sizeof line,
                "%u Ps · cost model %s · clock %s · %s events over %s · %.2f M allocs/s · latency p50 %s, p99 %s, max %s",
                f.procs, f.costModel.c_str(), sim::clockSourceName(f.clock), FormatCount(f.events).c_str(),
                sim::durationText(f.makespan).c_str(), f.allocsPerSecond / 1e6, sim::durationText(f.latencyP50).c_str(),
                sim::durationText(f.latencyP99).c_str(), sim::durationText(f.latencyMax).c_str());
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", line);
  ImGui::PopTextWrapPos();
  ui::ItemTooltip("Up to the current event, in simulated time: makespan = first start to last end; allocation latency "
                  "= start to end of each allocation, waits included, over every P.");
  DrawTraceVsModel(traceTime);
  const double centralShare = psTime ? static_cast<double>(central) / static_cast<double>(psTime) : 0.0;
  const std::string waitLine = "Ps waited for mcentral " + sim::durationText(central) + " (" + Percent(centralShare) +
                               " of their time), for mheap.lock " + sim::durationText(f.heapWait) + " (" +
                               Percent(f.heapWaitShare) + ")";
  ImGui::PushStyleColor(ImGuiCol_Text, central > 0 ? ImVec4(1.0f, 0.75f, 0.35f, 1) : ImGui::GetStyleColorVec4(ImGuiCol_Text));
  ImGui::TextUnformatted(waitLine.c_str());
  ImGui::PopStyleColor();
  ui::ItemTooltip("Share of the Ps' busy + waiting time spent waiting for a lock. mcentral waits are what Go 1.15's "
                  "lock-free span sets removed (golang/go#37487).");
}

void DrawLockTable(const sim::TimingFigures& f) {
  std::vector<sim::LockFigures> rows = f.locks;
  const float rowH = ImGui::GetTextLineHeightWithSpacing();
  const float h = rowH * (static_cast<float>(std::min<size_t>(rows.size(), 7)) + 1.6f);
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("locks", kLockColumnCount, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int c = 0; c < kLockColumnCount; ++c)
    ImGui::TableSetupColumn(kLockColumns[c].name, c == 3 ? ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending : 0);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < kLockColumnCount; ++c) {
    ImGui::TableSetColumnIndex(c);
    ImGui::TableHeader(ImGui::TableGetColumnName(c));
    ui::ItemTooltip(kLockColumns[c].help);
  }
  if (const ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
    const ImGuiTableColumnSortSpecs& s = specs->Specs[0];
    if (s.ColumnIndex >= 0 && s.ColumnIndex < kLockColumnCount)
      SortLockRows(rows, kLockColumns[s.ColumnIndex].sort, s.SortDirection != ImGuiSortDirection_Descending);
  }
  for (const sim::LockFigures& l : rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float sw = ImGui::GetTextLineHeight() * 0.7f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + sw * 0.2f), ImVec2(p.x + sw, p.y + sw * 1.2f), LockColour(f, l.lock));
    ImGui::Dummy(ImVec2(sw, sw));
    ImGui::SameLine();
    ImGui::TextUnformatted(l.name.c_str());
    ui::ItemTooltip(l.name + "\n" + kLockColumns[0].help);
    Cell(FormatCount(l.acquisitions), kLockColumns[1].help);
    Cell(FormatCount(l.contended), FormatPercent(l.contended, l.acquisitions) + " of the acquisitions. " + kLockColumns[2].help);
    Cell(sim::durationText(l.waitTotal), FormatCount(l.waitTotal) + " ns. " + kLockColumns[3].help);
    Cell(sim::durationText(l.waitP99), kLockColumns[4].help);
    Cell(sim::durationText(l.waitMax), kLockColumns[5].help);
    Cell(sim::durationText(l.holdTotal), FormatCount(l.holdTotal) + " ns. " + kLockColumns[6].help);
    Cell(Percent(l.utilisation), kLockColumns[7].help);
  }
  ImGui::EndTable();
}

void DrawProcTable(const sim::TimingFigures& f) {
  static constexpr const char* kNames[] = {"P", "events", "allocs", "busy", "waiting", "idle", "alloc p50", "alloc p99", "alloc max"};
  static constexpr const char* kHelp[] = {
      "The P (a goroutine scheduler slot with its own mcache), or the background GC worker (mark and sweep).",
      "Trace events this P ran.",
      "Allocations among them.",
      "Simulated time running events, not counting waits.",
      "Simulated time waiting for a lock (or for the stopped world).",
      "Simulated time with nothing to run (makespan - busy - waiting).",
      "Median allocation latency on this P: start to end, waits included.",
      "99th percentile allocation latency on this P.",
      "Slowest allocation on this P.",
  };
  const float rowH = ImGui::GetTextLineHeightWithSpacing();
  const float h = rowH * (static_cast<float>(std::min<size_t>(f.executors.size(), 9)) + 1.6f);
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("procs", 9, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (const char* n : kNames) ImGui::TableSetupColumn(n);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < 9; ++c) {
    ImGui::TableSetColumnIndex(c);
    ImGui::TableHeader(kNames[c]);
    ui::ItemTooltip(kHelp[c]);
  }
  for (const sim::ProcFigures& p : f.executors) {
    const uint64_t total = p.busy + p.waiting + p.idle;
    ImGui::TableNextRow();
    Cell(sim::executorName(p.who), kHelp[0]);
    Cell(FormatCount(p.events), kHelp[1]);
    Cell(FormatCount(p.allocs), kHelp[2]);
    Cell(sim::durationText(p.busy) + " (" + FormatPercent(p.busy, total) + ")", kHelp[3]);
    Cell(sim::durationText(p.waiting) + " (" + FormatPercent(p.waiting, total) + ")", kHelp[4]);
    Cell(sim::durationText(p.idle), kHelp[5]);
    Cell(p.allocs ? sim::durationText(p.latencyP50) : "-", kHelp[6]);
    Cell(p.allocs ? sim::durationText(p.latencyP99) : "-", kHelp[7]);
    Cell(p.allocs ? sim::durationText(p.latencyMax) : "-", kHelp[8]);
  }
  ImGui::EndTable();
}

// Short row labels: "mheap.lock", "mcentral[44 noscan]", "… .full spine".
std::string ShortLockName(sim::LockId id) {
  const sim::SpanClass spc = sim::lockSpanClass(id);
  const std::string cls = "mcentral[" + std::to_string(sim::spanClassSize(spc)) + (sim::spanClassNoscan(spc) ? " noscan]" : " scan]");
  switch (sim::lockKind(id)) {
    case sim::LockKind::Central: return cls;
    case sim::LockKind::SpinePartial: return cls + " partial spine";
    case sim::LockKind::SpineFull: return cls + " full spine";
    default: return sim::lockName(id);
  }
}

constexpr size_t kMaxHeatRows = 10; // the most waited-for locks; the table lists all

void DrawHeatMap(const sim::LockModel& lm, const sim::TimingFigures& f) {
  const HeatMapModel m = BuildHeatMap(lm.heatMap(), f.lastEnd);
  if (m.rows.empty()) {
    ImGui::TextDisabled("No P has waited for a lock yet.");
    return;
  }
  const size_t rows = std::min(m.rows.size(), kMaxHeatRows);
  float labelW = 0;
  for (size_t r = 0; r < rows; ++r) labelW = std::max(labelW, ImGui::CalcTextSize(ShortLockName(m.rows[r]).c_str()).x);
  labelW += 8;
  const float rowH = ImGui::GetTextLineHeight() + 2;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float plotW = std::max(64.0f, ImGui::GetContentRegionAvail().x - labelW - 4);
  const float cellW = plotW / static_cast<float>(m.columns);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float x0 = origin.x + labelW;
  ImGui::InvisibleButton("heat", ImVec2(labelW + plotW, rowH * static_cast<float>(rows)));
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (size_t r = 0; r < rows; ++r) {
    const float y = origin.y + rowH * static_cast<float>(r);
    dl->AddText(ImVec2(origin.x, y), ImGui::GetColorU32(ImGuiCol_Text), ShortLockName(m.rows[r]).c_str());
    dl->AddRectFilled(ImVec2(x0, y), ImVec2(x0 + plotW, y + rowH - 1), HeatColour(0));
    for (uint32_t c = 0; c < m.columns; ++c) {
      const uint64_t w = m.cell(r, c);
      if (w == 0) continue;
      const float cx = x0 + cellW * static_cast<float>(c);
      dl->AddRectFilled(ImVec2(cx, y), ImVec2(std::max(cx + cellW, cx + 1), y + rowH - 1), HeatColour(HeatLevel(w, m.maxCell)));
    }
  }
  if (hovered && mouse.x >= x0) {
    const size_t r = std::min(rows - 1, static_cast<size_t>(std::max(0.0f, (mouse.y - origin.y) / rowH)));
    const uint32_t c = std::min(m.columns - 1, static_cast<uint32_t>((mouse.x - x0) / cellW));
    const uint64_t t = m.origin + uint64_t{c} * m.columnNs;
    ImGui::SetTooltip("%s\nfrom %s to %s\nwaited %s (all waiters summed)", sim::lockName(m.rows[r]).c_str(),
                      sim::durationText(t).c_str(), sim::durationText(t + m.columnNs).c_str(),
                      sim::durationText(m.cell(r, c)).c_str());
  } else if (hovered) {
    const size_t r = std::min(rows - 1, static_cast<size_t>(std::max(0.0f, (mouse.y - origin.y) / rowH)));
    ImGui::SetTooltip("%s: waited %s in all", sim::lockName(m.rows[r]).c_str(), sim::durationText(m.rowTotal[r]).c_str());
  }
  // Legend: the colour scale, and what a column is.
  const float lw = 160, lh = ImGui::GetTextLineHeight() * 0.7f;
  ImGui::TextDisabled("wait per cell:");
  ImGui::SameLine();
  const ImVec2 bar = ImGui::GetCursorScreenPos();
  for (int i = 0; i < 32; ++i) {
    const float a = bar.x + lw * static_cast<float>(i) / 32, b = bar.x + lw * static_cast<float>(i + 1) / 32;
    dl->AddRectFilled(ImVec2(a, bar.y + 3), ImVec2(b, bar.y + 3 + lh), HeatColour(static_cast<float>(i + 1) / 32));
  }
  ImGui::Dummy(ImVec2(lw, lh + 3));
  ui::ItemTooltip("Logarithmic colour scale from 1 ns (dark) to the largest cell (yellow); no wait is the background.");
  ImGui::SameLine();
  ImGui::TextDisabled("up to %s · column = %s, from %s to %s%s", sim::durationText(m.maxCell).c_str(),
                      sim::durationText(m.columnNs).c_str(), sim::durationText(m.origin).c_str(),
                      sim::durationText(m.origin + m.columnNs * m.columns).c_str(),
                      m.rows.size() > rows ? (" · " + std::to_string(m.rows.size() - rows) + " more locks in the table").c_str() : "");
}

// The timeline's visible time range: the waits by default (WaitFocusRange); the mouse wheel zooms
// around the pointer and dragging pans, until "Fit waits" hands it back to the default.
struct TimelineView {
  bool user = false; // the user zoomed or panned
  double lo = 0, hi = 1;
};

void DrawTimeline(PanelContext& ctx, const sim::LockModel& lm, const sim::TimingFigures& f, TimelineView& view) {
  const std::vector<sim::TimeSegment> segs = lm.recent();
  if (segs.empty()) {
    ImGui::TextDisabled("No event has run yet.");
    return;
  }
  const auto [a0, a1] = SegmentRange(segs);
  if (ImGui::SmallButton("Fit waits")) view.user = false;
  ui::ItemTooltip("Show the stretch of time where Ps waited (all of it if nobody did). Mouse wheel: zoom; drag: pan.");
  ImGui::SameLine();
  if (ImGui::SmallButton("Fit all")) view = {true, static_cast<double>(a0), static_cast<double>(a1)};
  ui::ItemTooltip("Show every segment the model keeps (the last 4,096 runs and waits).");
  if (!view.user) {
    const auto [f0, f1] = WaitFocusRange(segs);
    view.lo = static_cast<double>(f0), view.hi = static_cast<double>(std::max(f1, f0 + 1));
  }
  const auto t0 = static_cast<uint64_t>(std::max(0.0, view.lo)), t1 = static_cast<uint64_t>(std::max(view.hi, view.lo + 1));
  ImGui::SameLine();
  ImGui::TextDisabled("%s … %s  ·  blue: running; coloured: waiting (the lock's colour, as in the table); yellow outline: "
                      "the current event",
                      sim::durationText(t0).c_str(), sim::durationText(t1).c_str());

  const float labelW = ImGui::CalcTextSize("GC worker").x + 8;
  const float plotW = std::max(64.0f, ImGui::GetContentRegionAvail().x - labelW - 4);
  const TimelineLayout L = LayoutTimeline(segs, lm.procs(), t0, t1, plotW);
  const float rowH = ImGui::GetTextLineHeight() + 3;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float x0 = origin.x + labelW;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::InvisibleButton("timeline", ImVec2(labelW + plotW, rowH * static_cast<float>(L.rowWho.size())));
  const bool hovered = ImGui::IsItemHovered();
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mouse = io.MousePos;
  const double nsPerPx = (view.hi - view.lo) / static_cast<double>(plotW);
  if (hovered && io.MouseWheel != 0) {
    const double at = view.lo + static_cast<double>(mouse.x - x0) * nsPerPx;
    const double k = io.MouseWheel > 0 ? 0.8 : 1.25;
    view = {true, at - (at - view.lo) * k, at + (view.hi - at) * k};
    if (view.hi - view.lo < 10) view.hi = view.lo + 10; // 10 ns across the plot is close enough
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    const double d = static_cast<double>(io.MouseDelta.x) * nsPerPx;
    view = {true, view.lo - d, view.hi - d};
  }
  dl->PushClipRect(origin, ImVec2(x0 + plotW, origin.y + rowH * static_cast<float>(L.rowWho.size())), true);
  for (size_t r = 0; r < L.rowWho.size(); ++r) {
    const float y = origin.y + rowH * static_cast<float>(r);
    dl->AddText(ImVec2(origin.x, y), ImGui::GetColorU32(ImGuiCol_Text), sim::executorName(L.rowWho[r]).c_str());
    dl->AddRectFilled(ImVec2(x0, y), ImVec2(x0 + plotW, y + rowH - 1), IM_COL32(40, 42, 50, 255));
  }
  for (const TimelineBar& b : L.bars) {
    const float y = origin.y + rowH * static_cast<float>(b.row);
    // Runs fill the row; waits (drawn after) cover the middle of it in the lock's colour.
    const ImVec2 a(x0 + b.x0, b.wait ? y + 3 : y + 1), z(x0 + b.x1, b.wait ? y + rowH - 4 : y + rowH - 2);
    dl->AddRectFilled(a, z, b.wait ? LockColour(f, b.lock) : IM_COL32(70, 120, 170, 255));
  }
  // The current event and the segment under the pointer come from the segments themselves, not
  // from the bars: a bar may stand for several merged segments.
  const uint64_t current = ctx.session.position() > 0 ? ctx.session.position() - 1 : ~uint64_t{0};
  const auto rowOf = [&](uint32_t who) {
    return static_cast<size_t>(std::find(L.rowWho.begin(), L.rowWho.end(), who) - L.rowWho.begin());
  };
  const auto px = [&](uint64_t t) {
    return x0 + static_cast<float>((static_cast<double>(t) - view.lo) / (view.hi - view.lo) * static_cast<double>(plotW));
  };
  const size_t mouseRow = static_cast<size_t>(std::max(0.0f, (mouse.y - origin.y) / rowH));
  const sim::TimeSegment* hit = nullptr;
  for (const sim::TimeSegment& sg : segs) {
    const size_t r = rowOf(sg.who);
    if (r >= L.rowWho.size() || sg.end < t0 || sg.begin > t1) continue;
    const float a = px(sg.begin), z = std::max(px(sg.end), a + 1.0f), y = origin.y + rowH * static_cast<float>(r);
    if (sg.event == current && sg.kind == sim::TimeSegment::Run)
      dl->AddRect(ImVec2(a - 1, y), ImVec2(z + 1, y + rowH - 1), ui::color::kSelected, 0, 0, 2.0f);
    // A wait wins over the run around it.
    if (hovered && r == mouseRow && mouse.x >= a - 1 && mouse.x <= z + 1 &&
        (!hit || (sg.kind == sim::TimeSegment::Wait && hit->kind == sim::TimeSegment::Run)))
      hit = &sg;
  }
  dl->PopClipRect();
  if (hit) {
    const sim::TimeSegment& s = *hit;
    ImGui::SetTooltip("%s\nClick to go to the state after event #%s.", DescribeSegment(s).c_str(), FormatCount(s.event).c_str());
    // A click, not the end of a drag, seeks.
    if (ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 16)
      ctx.commands.push_back(Command{Command::Seek, static_cast<int64_t>(s.event + 1)});
  }
  ImGui::TextDisabled("the last %s segments of the model's %s", FormatCount(segs.size()).c_str(),
                      FormatCount(sim::LockModel::kRecent).c_str());
}

} // namespace

class LocksPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  // figures() walks every lock's histograms: rebuilt only when the position changes.
  ui::ModelKey key;
  sim::TimingFigures f;
  TraceVsModel traceTime; // with f: the trace's duration beside the model's
  TimelineView timeline;
};

std::unique_ptr<Panel> MakeLocksPanel() { return std::make_unique<LocksPanel>(); }

void LocksPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kLocksTitle, open)) {
    ImGui::End();
    return;
  }
  const sim::LockModel* lm = ctx.session.world().timing();
  if (lm == nullptr) {
    DrawTimingOff(ctx);
    ImGui::End();
    return;
  }
  if (key.changed(ctx.session, static_cast<uint64_t>(lm->config().central) << 32 | lm->procs())) {
    f = lm->figures();
    const model::Session& s = ctx.session;
    traceTime = CompareTraceTime([&s](uint64_t i) { return s.event(i); }, s.position(), f);
  }
  DrawModeAndSummary(ctx, f, traceTime);
  if (ImGui::CollapsingHeader("Locks", ImGuiTreeNodeFlags_DefaultOpen)) DrawLockTable(f);
  if (ImGui::CollapsingHeader("Ps: busy, waiting, allocation latency", ImGuiTreeNodeFlags_DefaultOpen)) DrawProcTable(f);
  if (ImGui::CollapsingHeader("Wait over time", ImGuiTreeNodeFlags_DefaultOpen)) DrawHeatMap(*lm, f);
  if (ImGui::CollapsingHeader("Timeline: who ran, who waited for whom", ImGuiTreeNodeFlags_DefaultOpen)) DrawTimeline(ctx, *lm, f, timeline);
  ImGui::End();
}

} // namespace gui
