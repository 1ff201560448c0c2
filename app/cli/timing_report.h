// spanscope-cli: the timing and lock model's figures in reports (replay's "locks" section,
// compare's rows). Engine design essay: sim/malloc.h; the model: sim/timing.h.
#pragma once

#include "sim/timing.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cli {

// The text section: model and settings, makespan and throughput, allocation latency, mheap.lock
// wait share, a table of locks and a table of Ps.
std::string timingText(const sim::TimingFigures& t);
// The same as JSON (integers in ns; shares and rates as numbers).
nlohmann::ordered_json timingJson(const sim::TimingFigures& t);

// compare: the figures compared between tables (key for JSON/CSV, label for text/Markdown).
struct TimingMetric {
  const char* key;
  const char* label;
  enum Unit { Ns, Share, Rate, Count } unit;
  double (*value)(const sim::TimingFigures&);
};
const std::vector<TimingMetric>& timingMetrics();
std::string timingMetricText(const TimingMetric& m, double v); // "1.20 ms", "3.2%", "650 M/s", "12"
// One row per metric, one column per table, for text or md (`format`).
std::string timingCompare(const std::vector<std::string>& names, const std::vector<sim::TimingFigures>& t,
                          const std::string& format);

} // namespace cli
