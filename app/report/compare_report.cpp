// The comparison report: see compare_report.h.
#include "app/report/compare_report.h"

#include "app/report/units.h"

#include <algorithm>
#include <cstdio>

namespace report {

const std::vector<Metric>& compareMetrics() {
  using F = sim::ComparisonFigures;
  static const std::vector<Metric> m = {
      {"classes", "size classes", "Size classes in the table (class 0, large objects, not counted).", false, 0,
       [](const F& f) { return f.numClasses; }},
      {"peak_heap_inuse", "peak HeapInuse", "Largest HeapInuse so far: bytes in spans holding objects.", true, -1,
       [](const F& f) { return double(f.peakHeapInuse); }},
      {"mean_heap_inuse", "mean HeapInuse", "HeapInuse averaged over the events run so far.", true, -1,
       [](const F& f) { return f.meanHeapInuse; }},
      {"peak_heap_sys", "peak HeapSys", "Largest HeapSys so far: heap memory taken from the OS.", true, -1,
       [](const F& f) { return double(f.peakHeapSys); }},
      {"mean_heap_sys", "mean HeapSys", "HeapSys averaged over the events run so far.", true, -1,
       [](const F& f) { return f.meanHeapSys; }},
      {"live_bytes", "live bytes (end)", "Bytes the program asked for and still holds (the same under every table).",
       true, 0, [](const F& f) { return double(f.atEnd.liveBytes); }},
      {"rounding_waste", "rounding waste (end)", "Live objects' slot size minus their requested size.", true, -1,
       [](const F& f) { return double(f.atEnd.roundingWaste); }},
      {"tail_waste", "tail waste (end)", "Bytes at the end of in-use spans too small for one more object.", true, -1,
       [](const F& f) { return double(f.atEnd.tailWaste); }},
      {"header_bytes", "malloc headers (end)",
       "Go 1.22+: the 8-byte type headers of live pointerful objects above 512 B (part of the rounding waste).",
       true, 0, [](const F& f) { return double(f.atEnd.headerBytes); }},
      {"span_meta_bytes", "span-end heap/mark bits (end)",
       "Go 1.22+/1.26: heap bits and inline mark bits at the end of small spans (part of the tail waste).", true, 0,
       [](const F& f) { return double(f.atEnd.spanMetaBytes); }},
      {"free_slots", "free slots in in-use spans (end)",
       "Empty object slots in spans that hold at least one object (including mcache-cached spans).", true, -1,
       [](const F& f) { return double(f.atEnd.freeSlots + f.atEnd.cachedFreeSlots); }},
      {"dead_bytes", "unswept dead objects (end)", "Freed objects whose span the GC has not swept yet.", true, 0,
       [](const F& f) { return double(f.atEnd.deadBytes); }},
      {"pages_free", "free pages (end)", "Heap pages free in the page heap, still backed by memory.", true, 0,
       [](const F& f) { return double(f.atEnd.freePages); }},
      {"pages_released", "released pages (end)", "Heap pages returned to the OS (scavenged).", true, 0,
       [](const F& f) { return double(f.atEnd.releasedPages); }},
      {"spans_created", "spans created", "mheap.allocSpan calls, small and large.", false, -1,
       [](const F& f) { return double(f.spansCreated); }},
      {"refills", "mcache refills", "mcache.refill calls: a P's cached span for a class ran out.", false, -1,
       [](const F& f) { return double(f.refills); }},
      {"mcentral_grows", "mcentral grows", "mcentral.grow calls: a class needed a new span from mheap.", false, -1,
       [](const F& f) { return double(f.centralGrows); }},
      {"heap_grows", "heap growths (OS)", "mheap.grow calls: memory mapped from the OS.", false, -1,
       [](const F& f) { return double(f.heapGrows); }},
      {"gc_cycles", "GC cycles", "GC cycles completed (MemStats.NumGC).", false, 0,
       [](const F& f) { return double(f.numGC); }},
      {"events", "events run", "Events this engine ran (fewer if it stopped).", false, 0,
       [](const F& f) { return double(f.events); }},
  };
  return m;
}

std::string shownValue(const Metric& m, double v) {
  if (m.bytes) return humanBytes(static_cast<uint64_t>(v + 0.5));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

bool rankOf(const Metric& m, const std::vector<sim::ComparisonFigures>& figs, double* best, double* worst) {
  if (!m.better) return false;
  double lo = 0, hi = 0;
  int finished = 0;
  for (const auto& f : figs) {
    if (!f.error.empty()) continue;
    const double v = m.value(f);
    if (finished++ == 0 || v < lo) lo = v;
    if (finished == 1 || v > hi) hi = v;
  }
  if (finished < 2 || !(lo < hi)) return false;
  *best = lo;
  *worst = hi;
  return true;
}

namespace {

// The lowest value to mark, or -1 when nothing is marked.
double bestOf(const Metric& m, const std::vector<sim::ComparisonFigures>& figs) {
  double best = -1, worst = -1;
  return rankOf(m, figs, &best, &worst) ? best : -1;
}

} // namespace

std::string compareMarkdown(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
  std::string o = "| " + trace + " |";
  for (const auto& f : figs) o += " " + f.name + " |";
  o += "\n|---|";
  for (size_t i = 0; i < figs.size(); ++i) o += "---:|";
  o += "\n";
  for (const Metric& m : compareMetrics()) {
    o += std::string("| ") + m.label + " |";
    const double best = bestOf(m, figs);
    for (const auto& f : figs) {
      const double v = m.value(f);
      const std::string s = shownValue(m, v);
      o += " " + (f.error.empty() && v == best ? "**" + s + "**" : s) + " |";
    }
    o += "\n";
  }
  for (const auto& f : figs)
    if (!f.error.empty()) o += "\n" + f.name + " stopped: " + f.error + "\n";
  return o;
}

std::string compareText(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {trace};
  for (const auto& f : figs) head.push_back(f.name);
  rows.push_back(head);
  for (const Metric& m : compareMetrics()) {
    std::vector<std::string> r = {m.label};
    const double best = bestOf(m, figs);
    for (const auto& f : figs) {
      const double v = m.value(f);
      r.push_back(shownValue(m, v) + (f.error.empty() && v == best ? " *" : "  "));
    }
    rows.push_back(r);
  }
  std::vector<size_t> width(head.size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string o;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    const auto& r = rows[ri];
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string pad(width[i] - r[i].size(), ' ');
      o += i == 0 ? r[i] + pad : "  " + pad + r[i];
    }
    o += "\n";
    if (ri == 0) o += std::string(o.size() - 1, '-') + "\n";
  }
  o += "* = lowest of the tables that finished (where they differ)\n";
  for (const auto& f : figs)
    if (!f.error.empty()) o += f.name + " stopped after " + std::to_string(f.events) + " events: " + f.error + "\n";
  return o;
}

std::string compareCsv(const std::vector<sim::ComparisonFigures>& figs, const CsvExtra* extra) {
  std::string o = "table";
  for (const Metric& m : compareMetrics()) o += std::string(",") + m.key;
  if (extra)
    for (const std::string& k : extra->keys) o += "," + k;
  o += ",error\n";
  for (size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    o += f.name;
    for (const Metric& m : compareMetrics()) {
      char buf[40];
      std::snprintf(buf, sizeof buf, ",%.0f", m.value(f));
      o += buf;
    }
    if (extra && i < extra->cells.size())
      for (const std::string& c : extra->cells[i]) o += "," + c;
    std::string err = f.error;
    for (char& c : err)
      if (c == '"') c = '\'';
    o += ",\"" + err + "\"\n";
  }
  return o;
}

Chart compareChart(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
  Chart c;
  c.title = "spanscope compare: " + trace;
  c.stackLabels = {"live", "rounding waste", "tail waste", "free slots", "dead (unswept)", "free pages", "released"};
  for (const auto& f : figs) {
    const sim::WasteLedger& l = f.atEnd;
    ChartSeries s;
    s.name = f.name;
    s.stack = {double(l.liveBytes), double(l.roundingWaste), double(l.tailWaste), double(l.freeSlots + l.cachedFreeSlots),
               double(l.deadBytes), double(l.freePages), double(l.releasedPages)};
    for (uint64_t v : f.heapInuseSeries) s.overTime.push_back(double(v));
    c.series.push_back(std::move(s));
  }
  return c;
}

sim::Config configForTable(const sim::Config& base, sim::SizeClassTable table) {
  sim::Config c = base;
  c.table = std::move(table);
  c.tinyAlloc = base.tinyAlloc && c.table.tinyClass() != 0; // the tiny allocator needs a 16 B class
  return c;
}

sim::Config configForProfile(const sim::Config& base, sim::GoVersion v) {
  sim::Config c = base;
  c.goVersion = v;
  if (c.table.name() == "go1.19" || c.table.name() == "go1.26")
    c.table = v == sim::GoVersion::Go126 ? sim::SizeClassTable::go126() : sim::SizeClassTable::go119();
  return c;
}

std::string profileName(sim::GoVersion v) { return std::string("go") + sim::goVersionName(v); }

} // namespace report
