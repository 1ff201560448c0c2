// Replay configuration files. Design essay: sim/malloc.h; schema: config_json.h.
#include "traces/config_json.h"

#include "sim/sizeclass_library.h"

#include "traces/json_io.h"
#include "traces/json_trace.h"
#include "traces/sizeclass_json.h"

#include <nlohmann/json.hpp>

#include <fstream>


namespace traces {

namespace {

using nlohmann::json;

std::string dirOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

std::optional<sim::SizeClassTable> resolveSizeClassTable(const std::string& nameOrPath, const std::string& baseDir,
                                                         std::string* error) {
  if (nameOrPath.empty()) {
    if (error) *error = "empty size-class table name (use a library name such as go1.19, or a JSON file)";
    return std::nullopt;
  }
  // A library name unless it looks like a path (a JSON file, or anything with a slash).
  const bool looksLikePath = nameOrPath.find('/') != std::string::npos ||
                             (nameOrPath.size() > 5 && nameOrPath.compare(nameOrPath.size() - 5, 5, ".json") == 0);
  if (!looksLikePath) {
    std::string why;
    if (auto t = sim::libraryTable(nameOrPath, &why)) return t;
    if (std::ifstream(baseDir.empty() ? nameOrPath : baseDir + "/" + nameOrPath).good()) return loadSizeClassTable(
        baseDir.empty() ? nameOrPath : baseDir + "/" + nameOrPath, error);
    if (error) *error = why;
    return std::nullopt;
  }
  std::string path = nameOrPath;
  if (path[0] != '/' && !baseDir.empty()) path = baseDir + "/" + path;
  return loadSizeClassTable(path, error);
}

bool applyConfigJson(const std::string& text, const std::string& name, const std::string& baseDir,
                     sim::Config* cfg, std::string* error) {
  auto fail = [&](const std::string& msg) {
    if (error) *error = name + ": " + msg;
    return false;
  };
  std::string syntax;
  std::optional<json> parsed = parseJsonText(text, &syntax);
  if (!parsed) return fail(syntax);
  const json& doc = *parsed;
  if (!doc.is_object()) return fail("a replay config must be a JSON object");

  sim::Config out = *cfg;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    const json& v = *it;
    const std::string at = "\"" + key + "\": ";
    if (key == "gomaxprocs") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1024)
        return fail(at + "must be an integer from 1 to 1024, got " + shownJson(v));
      out.gomaxprocs = static_cast<uint32_t>(v.get<int64_t>());
    } else if (key == "liveness") {
      if (v == "gc") out.liveness = sim::Liveness::GC;
      else if (v == "immediate") out.liveness = sim::Liveness::Immediate;
      else return fail(at + "must be \"gc\" or \"immediate\", got " + shownJson(v));
    } else if (key == "gogc") {
      if (v == "off") {
        out.gogc = -1;
      } else if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0) {
        out.gogc = -1;
      } else if (v.is_number_integer() && v.get<uint64_t>() <= 1000000) {
        out.gogc = static_cast<int32_t>(v.get<uint64_t>());
      } else {
        return fail(at + "must be an integer (0..1000000, negative = off) or \"off\", got " + shownJson(v));
      }
    } else if (key == "sweep") {
      if (v == "lazy") out.sweep = sim::SweepMode::Lazy;
      else if (v == "eager") out.sweep = sim::SweepMode::Eager;
      else return fail(at + "must be \"lazy\" or \"eager\", got " + shownJson(v));
    } else if (key == "memory_limit") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > (uint64_t{1} << 62))
        return fail(at + "must be a byte count (0 .. 2^62), got " + shownJson(v));
      out.scavenger.memoryLimit = v.get<uint64_t>();
    } else if (key == "globals_bytes") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > (uint64_t{1} << 40))
        return fail(at + "must be a byte count (0 .. 2^40), got " + shownJson(v));
      out.globalsBytes = v.get<uint64_t>();
    } else if (key == "mark") {
      if (v == "concurrent") out.markWindow = true;
      else if (v == "instant") out.markWindow = false;
      else return fail(at + "must be \"concurrent\" or \"instant\", got " + shownJson(v));
    } else if (key == "gc_cycles") {
      if (v == "trace") out.gcCycles = sim::GCCycles::Trace;
      else if (v == "pacer") out.gcCycles = sim::GCCycles::Pacer;
      else return fail(at + "must be \"trace\" or \"pacer\", got " + shownJson(v));
    } else if (key == "trace_gaps") {
      if (v == "running") out.traceGapsRunning = true;
      else if (v == "idle") out.traceGapsRunning = false;
      else return fail(at + "must be \"running\" or \"idle\", got " + shownJson(v));
    } else if (key == "scavenger") {
      if (!v.is_boolean()) return fail(at + "must be true or false, got " + shownJson(v));
      out.scavenger.enabled = v.get<bool>();
    } else if (key == "tiny") {
      if (!v.is_boolean()) return fail(at + "must be true or false, got " + shownJson(v));
      out.tinyAlloc = v.get<bool>();
    } else if (key == "max_heap_bytes") {
      if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0) || v.get<uint64_t>() < sim::kPageSize)
        return fail(at + "must be an integer of at least 8192 bytes, got " + shownJson(v));
      out.maxHeapBytes = v.get<uint64_t>();
    } else if (key == "go_version") {
      std::optional<sim::GoVersion> gv = v.is_string() ? sim::parseGoVersion(v.get<std::string>()) : std::nullopt;
      if (!gv) return fail(at + "must be \"1.19\" or \"1.26\" (the Go releases the engine models), got " + shownJson(v));
      out.goVersion = *gv;
    } else if (key == "size_classes") {
      if (!v.is_string()) return fail(at + "must be \"go1.19\" or the path of a size-class table JSON file, got " + shownJson(v));
      std::string why;
      auto table = resolveSizeClassTable(v.get<std::string>(), baseDir, &why);
      if (!table) return fail(at + why);
      out.table = std::move(*table);
    } else {
      return fail("unknown key \"" + key + "\" (allowed: go_version, gomaxprocs, liveness, gogc, sweep, memory_limit, globals_bytes, mark, gc_cycles, trace_gaps, scavenger, tiny, max_heap_bytes, size_classes)");
    }
  }
  *cfg = std::move(out);
  return true;
}

bool applyConfigFile(const std::string& path, sim::Config* cfg, std::string* error) {
  std::optional<std::string> text = readWholeFile(path, error);
  return text && applyConfigJson(*text, path, dirOf(path), cfg, error);
}

std::optional<sim::Config> loadConfigJson(const std::string& path, std::string* error) {
  sim::Config cfg;
  if (!applyConfigFile(path, &cfg, error)) return std::nullopt;
  return cfg;
}

} // namespace traces
