// The native JSON trace format: loader and writer. Design essay: sim/malloc.h; schema: json_trace.h.
#include "traces/json_trace.h"

#include "traces/json_io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

namespace traces {

namespace {

using nlohmann::json;

// A schema problem; `where` is "event #N", "meta.config", ... and gets the path in front.
struct SchemaError {
  std::string where;
  std::string what;
};

const char* typeWord(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

// A non-negative integer up to `max`. JSON floats (33.0, 1e30) are refused: sizes and ids are exact.
uint64_t asUnsigned(const json& v, const std::string& where, const char* key, uint64_t max, const char* tooBig = nullptr) {
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
    throw SchemaError{where, std::string("\"") + key + "\" must not be negative, got " + shownJson(v)};
  if (v.is_number_float())
    throw SchemaError{where, std::string("\"") + key + "\" must be a non-negative integer below 2^64, got " + shownJson(v)};
  if (!v.is_number_integer())
    throw SchemaError{where, std::string("\"") + key + "\" must be a non-negative integer, got " + typeWord(v) + " " + shownJson(v)};
  const uint64_t x = v.get<uint64_t>();
  if (x > max) {
    if (tooBig) throw SchemaError{where, std::string(tooBig) + " " + std::to_string(x) + " (\"" + key + "\" must be at most " + std::to_string(max) + ")"};
    throw SchemaError{where, std::string("\"") + key + "\" must be at most " + std::to_string(max) + ", got " + shownJson(v)};
  }
  return x;
}

bool asBool(const json& v, const std::string& where, const char* key) {
  if (!v.is_boolean()) throw SchemaError{where, std::string("\"") + key + "\" must be true or false, got " + shownJson(v)};
  return v.get<bool>();
}

std::string asString(const json& v, const std::string& where, const char* key) {
  if (!v.is_string()) throw SchemaError{where, std::string("\"") + key + "\" must be a string, got " + typeWord(v) + " " + shownJson(v)};
  return v.get<std::string>();
}

void onlyKeys(const json& obj, const std::string& where, std::initializer_list<const char*> allowed, const char* what) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : allowed) ok = ok || it.key() == k;
    if (!ok) {
      std::string list;
      for (const char* k : allowed) list += std::string(list.empty() ? "" : ", ") + k;
      throw SchemaError{where, "unknown key \"" + it.key() + "\" in " + what + " (allowed: " + list + ")"};
    }
  }
}

TraceConfig parseTraceConfig(const json& c) {
  const std::string where = "meta.config";
  if (!c.is_object()) throw SchemaError{where, std::string("must be an object, got ") + typeWord(c)};
  onlyKeys(c, where, {"gomaxprocs", "liveness", "gogc", "tiny", "memory_limit", "scavenger", "sweep", "gc_cycles"}, "meta.config");
  TraceConfig out;
  if (auto it = c.find("gomaxprocs"); it != c.end()) {
    uint64_t n = asUnsigned(*it, where, "gomaxprocs", 1024);
    if (n == 0) throw SchemaError{where, "\"gomaxprocs\" must be at least 1"};
    out.gomaxprocs = static_cast<uint32_t>(n);
  }
  if (auto it = c.find("liveness"); it != c.end()) {
    std::string l = asString(*it, where, "liveness");
    if (l == "gc") out.liveness = sim::Liveness::GC;
    else if (l == "immediate") out.liveness = sim::Liveness::Immediate;
    else throw SchemaError{where, "\"liveness\" must be \"gc\" or \"immediate\", got " + shownJson(*it)};
  }
  if (auto it = c.find("gogc"); it != c.end()) {
    if (it->is_string() && it->get<std::string>() == "off") {
      out.gogc = -1;
    } else if (it->is_number_integer() && (it->is_number_unsigned() ? it->get<uint64_t>() <= 1000000 :
                                           it->get<int64_t>() >= -1000000 && it->get<int64_t>() <= 1000000)) {
      const int64_t g = it->get<int64_t>();
      out.gogc = g < 0 ? -1 : static_cast<int32_t>(g);
    } else {
      throw SchemaError{where, "\"gogc\" must be an integer (0..1000000, negative = off) or \"off\", got " + shownJson(*it)};
    }
  }
  if (auto it = c.find("tiny"); it != c.end()) out.tiny = asBool(*it, where, "tiny");
  if (auto it = c.find("memory_limit"); it != c.end())
    out.memoryLimit = asUnsigned(*it, where, "memory_limit", uint64_t{1} << 62);
  if (auto it = c.find("scavenger"); it != c.end()) out.scavenger = asBool(*it, where, "scavenger");
  if (auto it = c.find("sweep"); it != c.end()) {
    std::string s = asString(*it, where, "sweep");
    if (s == "lazy") out.sweep = sim::SweepMode::Lazy;
    else if (s == "eager") out.sweep = sim::SweepMode::Eager;
    else throw SchemaError{where, "\"sweep\" must be \"lazy\" or \"eager\", got " + shownJson(*it)};
  }
  if (auto it = c.find("gc_cycles"); it != c.end()) {
    std::string g = asString(*it, where, "gc_cycles");
    if (g == "trace") out.gcCycles = sim::GCCycles::Trace;
    else if (g == "pacer") out.gcCycles = sim::GCCycles::Pacer;
    else throw SchemaError{where, "\"gc_cycles\" must be \"trace\" or \"pacer\", got " + shownJson(*it)};
  }
  return out;
}

TraceMeta parseMeta(const json& m) {
  if (!m.is_object()) throw SchemaError{"meta", std::string("must be an object, got ") + typeWord(m)};
  TraceMeta meta;
  if (auto it = m.find("name"); it != m.end()) meta.name = asString(*it, "meta", "name");
  if (auto it = m.find("description"); it != m.end()) meta.description = asString(*it, "meta", "description");
  if (auto it = m.find("source"); it != m.end()) meta.source = asString(*it, "meta", "source");
  if (auto it = m.find("config"); it != m.end()) meta.config = parseTraceConfig(*it);
  if (auto it = m.find("go_version"); it != m.end()) {
    meta.goVersion = asString(*it, "meta", "go_version");
    if (!sim::profileForRecordedVersion(meta.goVersion))
      throw SchemaError{"meta", "\"go_version\" must be a Go release such as \"go1.26.8\" or \"1.19\", got " + shownJson(*it)};
  }
  return meta;
}

// One element of "events" into t (ids made dense through `dense`). Throws SchemaError.
void addEvent(const json& e, size_t index, Trace& t, std::unordered_map<uint64_t, uint64_t>& dense) {
  const std::string where = "event #" + std::to_string(index);
  if (!e.is_object()) throw SchemaError{where, std::string("must be an object, got ") + typeWord(e)};
  auto op = e.find("op");
  if (op == e.end()) throw SchemaError{where, "missing \"op\""};
  if (!op->is_string()) throw SchemaError{where, "\"op\" must be a string, got " + shownJson(*op)};
  const std::string o = op->get<std::string>();
  sim::Event ev;
  auto need = [&](const char* key) -> const json& {
    auto it = e.find(key);
    if (it == e.end()) throw SchemaError{where, "missing \"" + std::string(key) + "\" in " + o};
    return *it;
  };
  auto readTime = [&] {
    if (auto it = e.find("time"); it != e.end()) ev.time = asUnsigned(*it, where, "time", (uint64_t{1} << 63) - 1);
  };
  auto readThread = [&] {
    if (auto it = e.find("thread"); it != e.end())
      ev.thread = static_cast<uint32_t>(asUnsigned(*it, where, "thread", 0xFFFFFFFFull));
  };
  if (o == "alloc") {
    onlyKeys(e, where, {"op", "id", "size", "noscan", "thread", "time"}, "alloc");
    ev.kind = sim::EventKind::Alloc;
    const uint64_t fileId = asUnsigned(need("id"), where, "id", ~uint64_t{0});
    ev.size = asUnsigned(need("size"), where, "size", kMaxEventSize, "absurd size");
    if (auto it = e.find("noscan"); it != e.end()) ev.noscan = asBool(*it, where, "noscan");
    readThread();
    readTime();
    auto [it, fresh] = dense.emplace(fileId, t.originalIds.size());
    if (fresh) t.originalIds.push_back(fileId);
    ev.id = it->second;
  } else if (o == "free") {
    onlyKeys(e, where, {"op", "id", "thread", "time"}, "free");
    ev.kind = sim::EventKind::Free;
    const uint64_t fileId = asUnsigned(need("id"), where, "id", ~uint64_t{0});
    readThread();
    readTime();
    // A free of an id no alloc used yet is the engine's to reject at replay (exit 1, naming the
    // event), like a double free; the file itself is well formed.
    auto [it, fresh] = dense.emplace(fileId, t.originalIds.size());
    if (fresh) t.originalIds.push_back(fileId);
    ev.id = it->second;
  } else if (o == "gc" || o == "readmemstats") {
    if (o == "gc") onlyKeys(e, where, {"op", "time", "background"}, "gc");
    else onlyKeys(e, where, {"op", "time"}, "readmemstats");
    ev.kind = o == "gc" ? sim::EventKind::GC : sim::EventKind::ReadMemStats;
    // "background": true = a cycle the recorded program's pacer ran (Config::gcCycles decides)
    if (auto it = e.find("background"); it != e.end() && asBool(*it, where, "background")) ev.id = sim::kBackgroundGC;
    readTime();
  } else if (o == "free_os_memory") {
    onlyKeys(e, where, {"op", "time"}, "free_os_memory");
    ev.kind = sim::EventKind::FreeOSMemory;
    readTime();
  } else if (o == "go_start" || o == "go_exit") {
    onlyKeys(e, where, {"op", "id", "thread", "time"}, o == "go_start" ? "go_start" : "go_exit");
    ev.kind = o == "go_start" ? sim::EventKind::GoStart : sim::EventKind::GoExit;
    ev.id = asUnsigned(need("id"), where, "id", ~uint64_t{0}); // goroutine ids are kept as they are
    readThread();
    readTime();
  } else if (o == "stack_grow") {
    onlyKeys(e, where, {"op", "id", "size", "thread", "time"}, "stack_grow");
    ev.kind = sim::EventKind::StackGrow;
    ev.id = asUnsigned(need("id"), where, "id", ~uint64_t{0});
    ev.size = asUnsigned(need("size"), where, "size", kMaxEventSize, "absurd size");
    readThread();
    readTime();
  } else if (o == "annotate") {
    onlyKeys(e, where, {"op", "text"}, "annotate");
    ev.kind = sim::EventKind::Annotate;
    ev.id = t.annotations.size();
    t.annotations.push_back(asString(need("text"), where, "text"));
  } else {
    throw SchemaError{where, "unknown op " + shownJson(*op) +
                              " (expected alloc, free, gc, readmemstats, annotate, free_os_memory, go_start, stack_grow or go_exit)"};
  }
  t.events.push_back(ev);
}

} // namespace

std::optional<Trace> parseJsonTrace(const std::string& text, const std::string& name, std::string* error) {
  auto fail = [&](const std::string& msg) -> std::optional<Trace> {
    if (error) *error = name + ": " + msg;
    return std::nullopt;
  };
  // The events are converted as the parser reaches each one, never held as a document.
  Trace t;
  std::unordered_map<uint64_t, uint64_t> dense; // file id -> dense id
  size_t index = 0;
  const JsonArraySink events{"events", [&](json&& e) { addEvent(e, index++, t, dense); }};
  try {
    std::string syntax;
    std::optional<json> parsed = parseJsonText(text, &syntax, &events);
    if (!parsed) return fail(syntax);
    const json& doc = *parsed;
    if (!doc.is_object())
      return fail(std::string("not a spanscope trace: the top level must be an object, got ") + typeWord(doc));
    auto fmt = doc.find("format");
    if (fmt == doc.end()) return fail("not a spanscope trace: missing \"format\": \"spanscope-trace\"");
    if (!fmt->is_string() || fmt->get<std::string>() != kTraceFormat)
      return fail("not a spanscope trace: \"format\" is " + shownJson(*fmt) + ", expected \"spanscope-trace\"");
    auto ver = doc.find("version");
    if (ver == doc.end()) return fail("missing \"version\" (this build reads version 1)");
    if (!ver->is_number_integer() || ver->get<int64_t>() != kTraceVersion)
      return fail("unsupported version " + shownJson(*ver) + " (this build reads version 1)");
    if (auto m = doc.find("meta"); m != doc.end()) t.meta = parseMeta(*m);
    auto evs = doc.find("events");
    if (evs == doc.end()) return fail("missing \"events\" array");
    if (!evs->is_array()) return fail(std::string("\"events\" must be an array, got ") + typeWord(*evs));
    return t;
  } catch (const SchemaError& se) {
    return fail(se.where + ": " + se.what);
  } catch (const json::exception& e) { // should not happen (types are checked first); never crash
    return fail(jsonErrorWhat(e.what()));
  }
}

std::optional<Trace> loadJsonTrace(const std::string& path, std::string* error) {
  std::optional<std::string> text = readWholeFile(path, error, kMaxJsonTraceBytes);
  if (!text) return std::nullopt;
  return parseJsonTrace(*text, path, error);
}

std::string traceToJson(const Trace& t) {
  using ojson = nlohmann::ordered_json;
  std::string out = "{\"format\": \"spanscope-trace\", \"version\": 1,\n";
  ojson meta = ojson::object();
  if (!t.meta.name.empty()) meta["name"] = t.meta.name;
  if (!t.meta.description.empty()) meta["description"] = t.meta.description;
  if (!t.meta.source.empty()) meta["source"] = t.meta.source;
  if (!t.meta.goVersion.empty()) meta["go_version"] = t.meta.goVersion;
  if (!t.meta.config.empty()) {
    ojson c = ojson::object();
    const TraceConfig& tc = t.meta.config;
    if (tc.gomaxprocs) c["gomaxprocs"] = *tc.gomaxprocs;
    if (tc.liveness) c["liveness"] = sim::livenessName(*tc.liveness);
    if (tc.gogc) {
      if (*tc.gogc < 0) c["gogc"] = "off";
      else c["gogc"] = *tc.gogc;
    }
    if (tc.tiny) c["tiny"] = *tc.tiny;
    if (tc.memoryLimit) c["memory_limit"] = *tc.memoryLimit;
    if (tc.scavenger) c["scavenger"] = *tc.scavenger;
    if (tc.sweep) c["sweep"] = sim::sweepModeName(*tc.sweep);
    if (tc.gcCycles) c["gc_cycles"] = sim::gcCyclesName(*tc.gcCycles);
    meta["config"] = c;
  }
  out += " \"meta\": " + dumpJson(meta) + ",\n \"events\": [";
  bool first = true;
  for (const sim::Event& ev : t.events) {
    ojson e;
    e["op"] = sim::eventKindName(ev.kind);
    switch (ev.kind) {
      case sim::EventKind::Alloc:
        e["id"] = t.originalId(ev.id);
        e["size"] = ev.size;
        e["noscan"] = ev.noscan;
        if (ev.thread != 0) e["thread"] = ev.thread;
        break;
      case sim::EventKind::Free:
        e["id"] = t.originalId(ev.id);
        if (ev.thread != 0) e["thread"] = ev.thread;
        break;
      case sim::EventKind::GC:
        if (ev.id == sim::kBackgroundGC) e["background"] = true;
        break;
      case sim::EventKind::ReadMemStats:
      case sim::EventKind::FreeOSMemory:
        break;
      case sim::EventKind::GoStart:
      case sim::EventKind::GoExit:
      case sim::EventKind::StackGrow:
        e["id"] = ev.id;
        if (ev.kind == sim::EventKind::StackGrow) e["size"] = ev.size;
        if (ev.thread != 0) e["thread"] = ev.thread;
        break;
      case sim::EventKind::Annotate:
        e["text"] = ev.id < t.annotations.size() ? t.annotations[ev.id] : std::string();
        break;
    }
    if (ev.time != sim::kNoTime && ev.kind != sim::EventKind::Annotate) e["time"] = ev.time;
    out += first ? "\n  " : ",\n  ";
    out += dumpJson(e);
    first = false;
  }
  out += first ? "]}\n" : "\n ]}\n";
  return out;
}

bool writeJsonTraceAtomic(const Trace& t, const std::string& path, std::string* error) {
  return writeFileAtomic(path, traceToJson(t), error);
}

} // namespace traces
