// Cost models (JSON). Design essay: sim/malloc.h; schema: cost_model_json.h.
#include "traces/cost_model_json.h"

#include "traces/json_io.h"

namespace traces {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxCostNs = 4'000'000'000; // 4 s: fits the model's uint32 fields

// "assets/cost_models/go1.19-amd64.json" -> "go1.19-amd64".
std::string stemOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) base.resize(base.size() - 5);
  return base;
}

// The nanoseconds of one cost: an integer, or {"ns": integer, "source": string}.
bool costValue(const json& v, uint32_t* out, std::string* why) {
  const json* ns = &v;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == "ns") continue;
      if (it.key() == "source" && it->is_string()) continue;
      *why = it.key() == "source" ? "\"source\" must be a string" : "unknown key \"" + it.key() + "\" (allowed: ns, source)";
      return false;
    }
    if (!v.contains("ns")) {
      *why = "needs \"ns\"";
      return false;
    }
    ns = &v["ns"];
  }
  if (!ns->is_number_integer() || (!ns->is_number_unsigned() && ns->get<int64_t>() < 0) ||
      ns->get<uint64_t>() > kMaxCostNs) {
    *why = "must be an integer number of nanoseconds from 0 to 4000000000 (or {\"ns\": N, \"source\": \"...\"}), got " +
           shownJson(*ns);
    return false;
  }
  *out = static_cast<uint32_t>(ns->get<uint64_t>());
  return true;
}

} // namespace

std::optional<sim::CostModel> parseCostModel(const std::string& text, const std::string& name, std::string* error) {
  auto fail = [&](const std::string& msg) -> std::optional<sim::CostModel> {
    if (error) *error = name + ": " + msg;
    return std::nullopt;
  };
  std::string syntax;
  std::optional<json> parsed = parseJsonText(text, &syntax);
  if (!parsed) return fail(syntax);
  const json& doc = *parsed;
  if (!doc.is_object()) return fail("a cost model must be a JSON object");
  if (!doc.contains("format") || doc["format"] != kCostModelFormat)
    return fail(std::string("\"format\" must be \"") + kCostModelFormat + "\"" +
                (doc.contains("format") ? ", got " + shownJson(doc["format"]) : ""));
  if (!doc.contains("version") || doc["version"] != kCostModelVersion)
    return fail("unsupported \"version\" " + (doc.contains("version") ? shownJson(doc["version"]) : std::string("(missing)")) +
                " (this build reads version 1)");
  if (!doc.contains("costs") || !doc["costs"].is_object()) return fail("\"costs\" must be an object");

  sim::CostModel m = sim::CostModel::go119Amd64();
  m.name = stemOf(name);
  if (doc.contains("name")) {
    if (!doc["name"].is_string() || doc["name"].get<std::string>().empty())
      return fail("\"name\" must be a non-empty string, got " + shownJson(doc["name"]));
    m.name = doc["name"].get<std::string>();
  }
  const json& costs = doc["costs"];
  for (auto it = costs.begin(); it != costs.end(); ++it) {
    const sim::CostField* field = nullptr;
    for (const sim::CostField& f : sim::costFields())
      if (it.key() == f.key) field = &f;
    if (field == nullptr) {
      std::string allowed;
      for (const sim::CostField& f : sim::costFields()) allowed += (allowed.empty() ? "" : ", ") + std::string(f.key);
      return fail("costs: unknown key \"" + it.key() + "\" (allowed: " + allowed + ")");
    }
    std::string why;
    if (!costValue(*it, &(m.*(field->field)), &why)) return fail("costs: \"" + it.key() + "\": " + why);
  }
  return m;
}

std::optional<sim::CostModel> loadCostModel(const std::string& path, std::string* error) {
  std::optional<std::string> text = readWholeFile(path, error);
  if (!text) return std::nullopt;
  return parseCostModel(*text, path, error);
}

} // namespace traces
