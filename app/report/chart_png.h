// A comparison chart as a PNG, drawn in software (no GL): stacked bars of where each table's
// heap bytes went at the end of the trace, beside HeapInuse over the trace for every table.
// Shared by `spanscope-cli compare --chart` and the app's Compare view (one picture for both).
#pragma once

#include <string>
#include <vector>

namespace report {

struct ChartSeries {
  std::string name;                 // a table
  std::vector<double> stack;        // one value per stackLabels entry (bytes)
  std::vector<double> overTime;     // HeapInuse samples (bytes), evenly spaced over the trace
};

struct Chart {
  std::string title;
  std::vector<std::string> stackLabels;
  std::vector<ChartSeries> series;
};

// Renders and writes atomically (temp file + rename). False with *error on failure.
bool writeChartPng(const Chart& c, const std::string& path, std::string* error);

} // namespace report
