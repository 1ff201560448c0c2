// The comparison report shared by `spanscope-cli compare` and the app's Compare view: which figures
// a comparison shows, how each is read and ranked, and the Markdown, CSV and text tables and the
// PNG chart made of them, so both write byte-identical files. Standard library and stb only.
#pragma once

#include "app/report/chart_png.h"
#include "sim/comparison.h"

#include <functional>
#include <string>
#include <vector>

namespace report {

// One row of the report: a figure, how to read it off, and whether less is better.
struct Metric {
  const char* key;   // JSON/CSV column
  const char* label; // text/Markdown row
  const char* help;  // one sentence for tooltips
  bool bytes;        // shown as a byte size in text and Markdown
  int better;        // -1: lower is better (marked), 0: not ranked
  std::function<double(const sim::ComparisonFigures&)> value;
};
const std::vector<Metric>& compareMetrics();

// "1.5 MiB" for byte metrics, a whole number otherwise.
std::string shownValue(const Metric& m, double v);

// Lowest and highest value of a ranked metric among the tables that finished. False (nothing to
// mark) when the metric is not ranked, fewer than two tables finished, or they all agree.
bool rankOf(const Metric& m, const std::vector<sim::ComparisonFigures>& figs, double* best, double* worst);

// Extra CSV columns after the figures (the CLI's lock figures): keys, and one cell per key per table.
struct CsvExtra {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> cells; // [table][key]
};

// One row per metric, one column per table; the lowest of a ranked metric in bold. `trace` heads
// the first column.
std::string compareMarkdown(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs);
// The same as aligned text, the lowest marked with '*'.
std::string compareText(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs);
// A header row, then one row per table: every metric as a whole number, extras, the error.
std::string compareCsv(const std::vector<sim::ComparisonFigures>& figs, const CsvExtra* extra = nullptr);

// The chart of a comparison: where the heap bytes went at the end, and HeapInuse over the trace.
Chart compareChart(const std::string& trace, const std::vector<sim::ComparisonFigures>& figs);

// The config one table of a comparison runs with: `base` with that table, and the tiny allocator
// only if the table has a 16-byte class for it.
sim::Config configForTable(const sim::Config& base, sim::SizeClassTable table);

// The config one Go release of a comparison across releases (`compare --profiles`, the app's
// "Go releases" compare) runs with: `base` under release v, with v's own table unless `base`
// chose a table other than Go's.
sim::Config configForProfile(const sim::Config& base, sim::GoVersion v);
// "go1.19", "go1.26": a release's column name in such a comparison.
std::string profileName(sim::GoVersion v);

} // namespace report
