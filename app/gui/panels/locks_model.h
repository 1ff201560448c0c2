// What the Locks panel shows, computed without ImGui so the UI tests can check it: lock rows and
// their order, mcentral's share of the waiting, the wait heat map's columns and colour scale, the
// per-P timeline's bars, and one line per segment and per step. Drawing: panels/locks.cpp.
// Engine side: sim/timing.h (LockModel, TimingFigures, WaitHeatMap, TimeSegment).
#pragma once

#include "sim/event.h"
#include "sim/step_record.h"
#include "sim/timing.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gui {

// mcentral's own locks: the per-class mutex (Go <= 1.14) and the span sets' spine locks (1.15+).
bool IsCentralLock(sim::LockId id);
// Total wait of every P and the GC worker for mcentral locks, in simulated ns.
uint64_t CentralWait(const sim::TimingFigures& f);

// Columns of the lock table that sort.
enum class LockColumn { Name, Acquisitions, Contended, WaitTotal, WaitP99, WaitMax, Hold, Utilisation, Count };
// Stable sort; ties in lock id order (mheap.lock, stop-the-world, then mcentral by class).
void SortLockRows(std::vector<sim::LockFigures>& rows, LockColumn column, bool ascending);

// The heat map as drawn: the columns that hold time up to the last event, and rows (locks that
// ever waited) with the most waited-for lock first.
struct HeatMapModel {
  uint64_t origin = 0, columnNs = 1; // simulated ns of column 0's left edge; width of a column
  uint32_t columns = 0;
  std::vector<sim::LockId> rows;
  std::vector<uint64_t> rowTotal;    // wait ns per row, over all columns
  std::vector<uint64_t> cells;       // rows x columns, wait ns
  uint64_t maxCell = 0;
  uint64_t cell(size_t r, uint32_t c) const { return cells[r * columns + c]; }
};
HeatMapModel BuildHeatMap(const sim::WaitHeatMap& h, uint64_t lastEnd);
// Colour scale position of a cell: 0 for no wait, else in (0, 1], logarithmic from 1 ns to the
// largest cell so that a few nanoseconds beside milliseconds still show.
float HeatLevel(uint64_t wait, uint64_t maxCell);

// The timeline: one row per P (in order), then one for the GC worker if it ran; bars placed in
// [0, width] pixels for the time range [t0, t1).
struct TimelineBar {
  uint32_t row = 0;
  float x0 = 0, x1 = 0;
  bool wait = false;
  sim::LockId lock = 0;
  size_t segment = 0; // index in the segments given (the last one merged into this bar)
};
struct TimelineLayout {
  uint64_t t0 = 0, t1 = 0;
  std::vector<uint32_t> rowWho; // executor of each row (P index or sim::kGCWorker)
  std::vector<TimelineBar> bars; // run bars first, then wait bars (drawn on top)
};
// Segments outside [t0, t1) are left out; each bar is at least one pixel wide, and bars of the
// same row, kind and lock closer than a pixel merge, so the bar count is bounded by the pixels
// as well as by the segments (at most sim::LockModel::kRecent).
TimelineLayout LayoutTimeline(const std::vector<sim::TimeSegment>& segs, uint32_t procs, uint64_t t0, uint64_t t1,
                              float width);
// The time range the segments cover: [earliest begin, latest end); {0, 0} if there are none.
std::pair<uint64_t, uint64_t> SegmentRange(const std::vector<sim::TimeSegment>& segs);
// The timeline's default view: the waits with a quarter of their range on each side (within the
// segments' range), where contention is; all the segments if nobody waited.
std::pair<uint64_t, uint64_t> WaitFocusRange(const std::vector<sim::TimeSegment>& segs);

// "P3 waited 1.2 µs for mcentral[class 44 noscan].lock held by P1 (event #57)",
// "P3 ran event #57 at 12.0 µs for 1.5 µs".
std::string DescribeSegment(const sim::TimeSegment& s);
// The current step's timing for the event log: "at 12.0 µs for 1.5 µs (waited 1.2 µs, held
// 300 ns)" and one line per lock taken: "mcentral[class 44 noscan].lock: waited 1.2 µs for P1,
// held 300 ns". Empty without timing, and for annotations (they take no time).
std::vector<std::string> StepTimingLines(const sim::StepRecord& r);

// The trace's own time beside the model's: how long the recorded program took for the events up
// to `upTo` (last trace time - first), how long the model took (makespan), and the Ps whose modelled
// work (busy + waiting) ran longer than their threads took in the trace: there the cost model is
// slower than the program was, so the model stretched that thread and its figures are the model's,
// not the recording's. Threads are placed on Ps as the engine does (order of first appearance,
// round-robin past GOMAXPROCS).
struct StretchedP {
  uint32_t p = 0;
  uint64_t traceNs = 0, modelNs = 0;
};
struct TraceVsModel {
  bool traceTimed = false; // the trace has times
  uint64_t traceNs = 0, modelNs = 0;
  std::vector<StretchedP> stretched; // by P; only those stretched by more than a quarter
};
// `event(i)` reads event i (Session::event). At most 2 × kTraceTimeWindow events are read, so a
// long trace costs the same as a short one: the first ones (the first time stamp, the threads'
// order of appearance) and the last ones before `upTo` (the Ps' time spans, the last time stamp).
inline constexpr uint64_t kTraceTimeWindow = uint64_t{1} << 16;
TraceVsModel CompareTraceTime(const std::function<sim::Event(uint64_t)>& event, uint64_t upTo, const sim::TimingFigures& f);

} // namespace gui
