// Cost models for the timing and lock model (JSON) -> sim::CostModel. Design essay: sim/malloc.h;
// the model: sim/timing.h. The shipped default: assets/cost_models/go1.19-amd64.json.
//
//   {"format": "spanscope-cost-model", "version": 1,
//    "name": "go1.19-amd64", "description": "...",
//    "costs": {"mcache_hit": {"ns": 16, "source": "go test -bench ... BenchmarkSmall16"},
//              "tiny_hit": 5, ...}}
//
// "format" and "version" are required; "costs" is an object whose keys are the cost fields
// (sim::costFields(): mcache_hit, tiny_hit, ..., read_mem_stats) and whose values are integers of
// nanoseconds (0..4000000000) or objects {"ns": N, "source": "where the number came from"}.
// Keys left out keep the built-in default (sim::CostModel::go119Amd64()); an unknown key is an
// error, so a typo never goes unnoticed. "name" defaults to the file's name without ".json".
// Other top-level keys ("description", "measured_on", ...) are documentation and ignored.
#pragma once

#include "sim/timing.h"

#include <optional>
#include <string>

namespace traces {

inline constexpr const char* kCostModelFormat = "spanscope-cost-model";
inline constexpr int kCostModelVersion = 1;

// On error *error is one line: "<path>: <where>: <what>" ("<path>: line L, column C: ..." for
// syntax errors).
std::optional<sim::CostModel> loadCostModel(const std::string& path, std::string* error);
// The same from text; `name` stands for the path in messages and names the model by default.
std::optional<sim::CostModel> parseCostModel(const std::string& text, const std::string& name, std::string* error);

} // namespace traces
