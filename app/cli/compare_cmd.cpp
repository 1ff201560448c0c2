// spanscope-cli compare: one trace under several size-class tables, read once, side by side.
// Engine design essay: sim/malloc.h; the comparison itself: sim/comparison.h.
#include "app/cli/cli.h"

#include "app/cli/chart_png.h"
#include "app/cli/timing_report.h"
#include "app/cli/units.h"
#include "sim/comparison.h"
#include "traces/config_json.h"
#include "traces/cost_model_json.h"
#include "traces/json_io.h"
#include "traces/open_trace.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>

namespace cli {

namespace {

struct CompareOptions {
  std::string trace;
  std::vector<std::string> tables = {"go1.19", "tcmalloc", "jemalloc", "mimalloc", "glibc16", "pow2"};
  std::string configFile;
  std::optional<uint32_t> procs;
  std::optional<sim::Liveness> liveness;
  std::optional<int32_t> gogc;
  std::string report = "text";
  std::string out;
  std::string chart;
  std::optional<sim::CentralMode> locks; // the timing and lock model: on with any of these
  std::string costModel;
  std::optional<sim::ClockSource> clock;
};

std::vector<std::string> splitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    const size_t j = s.find(',', i);
    const std::string part = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (part.empty()) throw UsageError("--tables has an empty name in \"" + s + "\"");
    out.push_back(part);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

std::optional<CompareOptions> parseCompareArgs(const std::vector<std::string>& argv) {
  Args a(argv);
  CompareOptions o;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kCompareHelp, stdout);
      return std::nullopt;
    } else if (f == "--tables") {
      o.tables = splitCommas(a.value(f));
    } else if (f == "--config") {
      o.configFile = a.value(f);
    } else if (f == "--procs") {
      o.procs = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1, 1024));
    } else if (f == "--liveness") {
      const std::string v = a.value(f);
      if (v == "gc") o.liveness = sim::Liveness::GC;
      else if (v == "immediate") o.liveness = sim::Liveness::Immediate;
      else throw UsageError("--liveness expects gc or immediate, got \"" + v + "\"");
    } else if (f == "--gogc") {
      const std::string v = a.value(f);
      o.gogc = v == "off" ? -1 : static_cast<int32_t>(parseSigned(f, v, -1, 1000000));
    } else if (f == "--report") {
      o.report = a.value(f);
      if (o.report != "text" && o.report != "json" && o.report != "csv" && o.report != "md")
        throw UsageError("--report expects text, json, csv or md, got \"" + o.report + "\"");
    } else if (f == "--chart") {
      o.chart = a.value(f);
      if (o.chart.empty()) throw UsageError("--chart needs a PNG file name");
    } else if (f == "--locks") {
      const std::string v = a.value(f);
      if (v == "mutex") o.locks = sim::CentralMode::Mutex;
      else if (v == "lockfree") o.locks = sim::CentralMode::LockFree;
      else throw UsageError("--locks expects mutex or lockfree, got \"" + v + "\"");
    } else if (f == "--cost-model") {
      o.costModel = a.value(f);
      if (o.costModel.empty()) throw UsageError("--cost-model needs a file name");
    } else if (f == "--clock") {
      const std::string v = a.value(f);
      if (v == "trace") o.clock = sim::ClockSource::Trace;
      else if (v == "model") o.clock = sim::ClockSource::Model;
      else throw UsageError("--clock expects trace or model, got \"" + v + "\"");
    } else if (f == "-o" || f == "--output") {
      o.out = a.value(f);
      if (o.out.empty()) throw UsageError("-o needs a file name");
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError("unknown flag " + f);
    } else if (o.trace.empty()) {
      o.trace = f;
    } else {
      throw UsageError("more than one trace given (\"" + o.trace + "\" and \"" + f + "\")");
    }
  }
  if (o.trace.empty()) throw UsageError("missing TRACE (usage: spanscope-cli compare TRACE [--tables a,b,...])");
  if (o.tables.size() > 32) throw UsageError("at most 32 tables at once");
  return o;
}

// One row of the report: a figure, how to read it off, and whether less is better.
struct Metric {
  const char* key;   // JSON/CSV column
  const char* label; // text/Markdown row
  bool bytes;        // shown as a byte size in text and Markdown
  int better;        // -1: lower is better (marked), 0: not ranked
  std::function<double(const sim::ComparisonFigures&)> value;
};

const std::vector<Metric>& metrics() {
  using F = sim::ComparisonFigures;
  static const std::vector<Metric> m = {
      {"classes", "size classes", false, 0, [](const F& f) { return f.numClasses; }},
      {"peak_heap_inuse", "peak HeapInuse", true, -1, [](const F& f) { return double(f.peakHeapInuse); }},
      {"mean_heap_inuse", "mean HeapInuse", true, -1, [](const F& f) { return f.meanHeapInuse; }},
      {"peak_heap_sys", "peak HeapSys", true, -1, [](const F& f) { return double(f.peakHeapSys); }},
      {"mean_heap_sys", "mean HeapSys", true, -1, [](const F& f) { return f.meanHeapSys; }},
      {"live_bytes", "live bytes (end)", true, 0, [](const F& f) { return double(f.atEnd.liveBytes); }},
      {"rounding_waste", "rounding waste (end)", true, -1, [](const F& f) { return double(f.atEnd.roundingWaste); }},
      {"tail_waste", "tail waste (end)", true, -1, [](const F& f) { return double(f.atEnd.tailWaste); }},
      {"free_slots", "free slots in in-use spans (end)", true, -1,
       [](const F& f) { return double(f.atEnd.freeSlots + f.atEnd.cachedFreeSlots); }},
      {"dead_bytes", "unswept dead objects (end)", true, 0, [](const F& f) { return double(f.atEnd.deadBytes); }},
      {"pages_free", "free pages (end)", true, 0, [](const F& f) { return double(f.atEnd.freePages); }},
      {"pages_released", "released pages (end)", true, 0, [](const F& f) { return double(f.atEnd.releasedPages); }},
      {"spans_created", "spans created", false, -1, [](const F& f) { return double(f.spansCreated); }},
      {"refills", "mcache refills", false, -1, [](const F& f) { return double(f.refills); }},
      {"mcentral_grows", "mcentral grows", false, -1, [](const F& f) { return double(f.centralGrows); }},
      {"heap_grows", "heap growths (OS)", false, -1, [](const F& f) { return double(f.heapGrows); }},
      {"events", "events run", false, 0, [](const F& f) { return double(f.events); }},
  };
  return m;
}

std::string shownValue(const Metric& m, double v) {
  if (m.bytes) return humanBytes(static_cast<uint64_t>(v + 0.5));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Lowest value of a ranked metric among the tables that finished; -1 (nothing to mark) when the
// metric is not ranked, fewer than two tables finished, or they all agree.
double bestOf(const Metric& m, const std::vector<sim::ComparisonFigures>& figs) {
  if (!m.better) return -1;
  double best = -1, worst = -1;
  int finished = 0;
  for (const auto& f : figs) {
    if (!f.error.empty()) continue;
    const double v = m.value(f);
    if (finished++ == 0 || v < best) best = v;
    if (finished == 1 || v > worst) worst = v;
  }
  return finished >= 2 && best < worst ? best : -1;
}

std::string mdReport(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
  std::string o = "| " + trace + " |";
  for (const auto& f : figs) o += " " + f.name + " |";
  o += "\n|---|";
  for (size_t i = 0; i < figs.size(); ++i) o += "---:|";
  o += "\n";
  for (const Metric& m : metrics()) {
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

std::string textReport(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {trace};
  for (const auto& f : figs) head.push_back(f.name);
  rows.push_back(head);
  for (const Metric& m : metrics()) {
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

std::string csvReport(const std::vector<sim::ComparisonFigures>& figs, const std::vector<sim::TimingFigures>& timing) {
  std::string o = "table";
  for (const Metric& m : metrics()) o += std::string(",") + m.key;
  if (!timing.empty())
    for (const TimingMetric& m : timingMetrics()) o += std::string(",") + m.key;
  o += ",error\n";
  for (size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    o += f.name;
    for (const Metric& m : metrics()) {
      char buf[40];
      std::snprintf(buf, sizeof buf, ",%.0f", m.value(f));
      o += buf;
    }
    if (!timing.empty())
      for (const TimingMetric& m : timingMetrics()) {
        char buf[40];
        std::snprintf(buf, sizeof buf, m.unit == TimingMetric::Share ? ",%.6f" : ",%.0f", m.value(timing[i]));
        o += buf;
      }
    std::string err = f.error;
    for (char& c : err)
      if (c == '"') c = '\'';
    o += ",\"" + err + "\"\n";
  }
  return o;
}

std::string jsonReport(const std::string& trace, uint64_t sampleEvery, const std::vector<sim::ComparisonFigures>& figs,
                       const std::vector<sim::TimingFigures>& timing) {
  nlohmann::json j;
  j["trace"] = trace;
  j["series_every_events"] = sampleEvery;
  j["tables"] = nlohmann::json::array();
  for (size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    nlohmann::json t;
    if (!timing.empty()) t["locks"] = nlohmann::json::parse(timingJson(timing[i]).dump());
    t["name"] = f.name;
    for (const Metric& m : metrics()) t[m.key] = m.value(f);
    t["error"] = f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error);
    t["heap_inuse_series"] = f.heapInuseSeries;
    j["tables"].push_back(t);
  }
  return j.dump(1) + "\n";
}

Chart chartOf(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs) {
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

} // namespace

int runCompare(const std::vector<std::string>& argv) {
  std::optional<CompareOptions> opt = parseCompareArgs(argv);
  if (!opt) return kExitOk;
  const CompareOptions& o = *opt;

  std::unique_ptr<traces::EventStream> stream;
  try {
    stream = traces::openTrace(o.trace);
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitInputError;
  }
  std::string err;
  sim::Config base;
  traces::applyTraceConfig(stream->meta(), base);
  if (!o.configFile.empty() && !traces::applyConfigFile(o.configFile, &base, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return kExitInputError;
  }
  if (o.procs) base.gomaxprocs = *o.procs;
  if (o.liveness) base.liveness = *o.liveness;
  if (o.gogc) base.gogc = *o.gogc;
  if (o.locks || o.clock || !o.costModel.empty()) {
    base.timing.enabled = true;
    if (o.locks) base.timing.central = *o.locks;
    if (o.clock) base.timing.clock = *o.clock;
    if (!o.costModel.empty()) {
      std::optional<sim::CostModel> cost = traces::loadCostModel(o.costModel, &err);
      if (!cost) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return kExitInputError;
      }
      base.timing.cost = std::move(*cost);
    }
  }
  std::vector<sim::Config> cfgs;
  std::vector<std::string> names;
  for (const std::string& name : o.tables) {
    auto table = traces::resolveSizeClassTable(name, "", &err);
    if (!table) {
      std::fprintf(stderr, "spanscope-cli compare: --tables %s: %s\n", name.c_str(), err.c_str());
      return kExitInputError;
    }
    sim::Config c = base;
    c.table = std::move(*table);
    c.tinyAlloc = base.tinyAlloc && c.table.tinyClass() != 0; // the tiny allocator needs a 16 B class
    cfgs.push_back(std::move(c));
    names.push_back(name);
  }
  sim::Comparison cmp(std::move(cfgs), std::move(names));

  // Large batches: each engine runs a whole batch while its state is in cache (sim/comparison.h).
  std::vector<sim::Event> batch(65536);
  uint64_t i = 0;
  try {
    while (size_t n = stream->read(batch.data(), batch.size())) {
      size_t bad = 0;
      if (!cmp.stepBatch(batch.data(), n, &err, &bad)) {
        std::fprintf(stderr, "%s: event #%llu (%s): %s\n", o.trace.c_str(), static_cast<unsigned long long>(i + bad),
                     sim::eventKindName(batch[bad].kind), err.c_str());
        return kExitEngineError;
      }
      i += n;
    }
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s (after %llu events)\n", e.what(), static_cast<unsigned long long>(i));
    return kExitInputError;
  }

  const std::vector<sim::ComparisonFigures> figs = cmp.figures();
  std::vector<sim::TimingFigures> timing; // one per table when the timing model is on
  std::vector<std::string> tableNames;
  for (size_t k = 0; k < figs.size(); ++k) {
    tableNames.push_back(figs[k].name);
    if (const sim::LockModel* m = cmp.worlds()[k].timing()) timing.push_back(m->figures());
  }
  std::string text;
  if (o.report == "text") text = textReport(o.trace, figs) + timingCompare(tableNames, timing, "text");
  else if (o.report == "md") text = mdReport(o.trace, figs) + timingCompare(tableNames, timing, "md");
  else if (o.report == "csv") text = csvReport(figs, timing);
  else text = jsonReport(o.trace, cmp.sampleEvery(), figs, timing);
  if (o.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (!traces::writeFileAtomic(o.out, text, &err)) {
    std::fprintf(stderr, "spanscope-cli compare: -o %s\n", err.c_str());
    return kExitInputError;
  }
  if (!o.chart.empty() && !writeChartPng(chartOf(o.trace, figs), o.chart, &err)) {
    std::fprintf(stderr, "spanscope-cli compare: --chart %s\n", err.c_str());
    return kExitInputError;
  }
  return kExitOk;
}

} // namespace cli
