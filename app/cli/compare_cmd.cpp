// spanscope-cli compare: one trace under several size-class tables, read once, side by side.
// Engine design essay: sim/malloc.h; the comparison itself: sim/comparison.h; the report
// (Markdown, CSV, text, chart) is shared with the app: app/report/compare_report.h.
#include "app/cli/cli.h"
#include "app/cli/engine_flags.h"

#include "app/cli/timing_report.h"
#include "app/report/compare_report.h"
#include "sim/comparison.h"
#include "traces/config_json.h"
#include "traces/json_io.h"
#include "traces/open_trace.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace cli {

namespace {

struct CompareOptions {
  std::string trace;
  std::vector<std::string> tables = {"go1.19", "tcmalloc", "jemalloc", "mimalloc", "glibc16", "pow2"};
  bool tablesGiven = false;
  std::vector<sim::GoVersion> profiles; // --profiles: one engine per Go release instead of per table
  EngineFlags engine;
  std::string report = "text";
  std::string out;
  std::string chart;
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
      o.tablesGiven = true;
    } else if (f == "--profiles") {
      for (const std::string& p : splitCommas(a.value(f))) {
        std::optional<sim::GoVersion> v = sim::parseGoVersion(p);
        if (!v) throw UsageError("--profiles expects go1.19 and/or go1.26, got \"" + p + "\"");
        o.profiles.push_back(*v);
      }
    } else if (parseEngineFlag(f, a, o.engine)) {
    } else if (f == "--report") {
      o.report = a.value(f);
      if (o.report != "text" && o.report != "json" && o.report != "csv" && o.report != "md")
        throw UsageError("--report expects text, json, csv or md, got \"" + o.report + "\"");
    } else if (f == "--chart") {
      o.chart = a.value(f);
      if (o.chart.empty()) throw UsageError("--chart needs a PNG file name");
    } else if (f == "-o" || f == "--output") {
      o.out = a.value(f);
      if (o.out.empty()) throw UsageError("-o needs a file name");
    } else {
      takeTracePath(f, o.trace);
    }
  }
  if (o.trace.empty()) throw UsageError("missing TRACE (usage: spanscope-cli compare TRACE [--tables a,b,...])");
  if (o.tables.size() > 32) throw UsageError("at most 32 tables at once");
  if (!o.profiles.empty() && o.tablesGiven) throw UsageError("--profiles and --tables cannot be combined");
  return o;
}

// The lock figures as extra CSV columns after the shared report's (app/report/compare_report.h).
report::CsvExtra timingColumns(const std::vector<sim::TimingFigures>& timing) {
  report::CsvExtra x;
  if (timing.empty()) return x;
  for (const TimingMetric& m : timingMetrics()) x.keys.push_back(m.key);
  for (const sim::TimingFigures& t : timing) {
    std::vector<std::string> row;
    for (const TimingMetric& m : timingMetrics()) {
      char buf[40];
      std::snprintf(buf, sizeof buf, m.unit == TimingMetric::Share ? "%.6f" : "%.0f", m.value(t));
      row.push_back(buf);
    }
    x.cells.push_back(std::move(row));
  }
  return x;
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
    if (!timing.empty()) t["locks"] = nlohmann::json::parse(traces::dumpJson(timingJson(timing[i])));
    t["name"] = f.name;
    for (const report::Metric& m : report::compareMetrics()) t[m.key] = m.value(f);
    t["error"] = f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error);
    t["heap_inuse_series"] = f.heapInuseSeries;
    j["tables"].push_back(t);
  }
  return traces::dumpJson(j, 1) + "\n";
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
  if (!model::resolveConfig(stream->meta(), o.engine, &base, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return kExitInputError;
  }
  std::vector<sim::Config> cfgs;
  std::vector<std::string> names;
  // --profiles: the same trace under each Go release's allocator, each with its release's table
  // unless the config chose another one.
  for (const sim::GoVersion v : o.profiles) {
    cfgs.push_back(report::configForProfile(base, v));
    names.push_back(report::profileName(v));
  }
  for (const std::string& name : o.profiles.empty() ? o.tables : std::vector<std::string>{}) {
    auto table = traces::resolveSizeClassTable(name, "", &err);
    if (!table) {
      std::fprintf(stderr, "spanscope-cli compare: --tables %s: %s\n", name.c_str(), err.c_str());
      return kExitInputError;
    }
    cfgs.push_back(report::configForTable(base, std::move(*table)));
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
    if (const sim::LockModel* m = cmp.world(k).timing()) timing.push_back(m->figures());
  }
  std::string text;
  if (o.report == "text") {
    text = report::compareText(o.trace, figs) + timingCompare(tableNames, timing, "text");
  } else if (o.report == "md") {
    text = report::compareMarkdown(o.trace, figs) + timingCompare(tableNames, timing, "md");
  } else if (o.report == "csv") {
    const report::CsvExtra extra = timingColumns(timing);
    text = report::compareCsv(figs, timing.empty() ? nullptr : &extra);
  }
  else text = jsonReport(o.trace, cmp.sampleEvery(), figs, timing);
  if (o.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (!traces::writeFileAtomic(o.out, text, &err)) {
    std::fprintf(stderr, "spanscope-cli compare: -o %s\n", err.c_str());
    return kExitInputError;
  }
  if (!o.chart.empty() && !report::writeChartPng(report::compareChart(o.trace, figs), o.chart, &err)) {
    std::fprintf(stderr, "spanscope-cli compare: --chart %s\n", err.c_str());
    return kExitInputError;
  }
  return kExitOk;
}

} // namespace cli
