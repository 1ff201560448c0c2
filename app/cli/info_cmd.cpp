// spanscope-cli info: what a trace holds, from one streaming pass: events by kind, threads,
// duration, request sizes by Go 1.19 size class, peak live requested bytes and objects.
// Memory follows the live set (sizes kept per live dense id), not the trace length.
#include "app/cli/cli.h"

#include "sim/sizeclasses.h"
#include "traces/json_io.h"
#include "traces/open_trace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace cli {

namespace {

// Requested sizes of the live objects by id. Ids are dense (reused after free), so a vector;
// an id far beyond the live count (a source that does not number densely) goes to a hash map
// instead, so memory still follows the live set.
class LiveSizes {
 public:
  // Returns false if `id` was already live (its old size is replaced).
  bool alloc(uint64_t id, uint64_t size) {
    bool wasLive;
    if (dense(id)) {
      if (id >= size_.size()) {
        const size_t n = std::max<size_t>(id + 1, size_.size() * 2);
        size_.resize(n, 0);
        live_.resize(n, false);
      }
      wasLive = live_[id];
      if (wasLive) bytes_ -= size_[id];
      size_[id] = size;
      live_[id] = true;
    } else {
      auto [it, fresh] = sparse_.try_emplace(id, size);
      wasLive = !fresh;
      if (wasLive) bytes_ -= it->second, it->second = size;
    }
    if (!wasLive) ++objects_;
    bytes_ += size;
    return !wasLive;
  }
  // Returns false if `id` was not live.
  bool free(uint64_t id) {
    if (id < size_.size() && live_[id]) {
      bytes_ -= size_[id];
      live_[id] = false;
    } else if (auto it = sparse_.find(id); it != sparse_.end()) {
      bytes_ -= it->second;
      sparse_.erase(it);
    } else {
      return false;
    }
    --objects_;
    return true;
  }
  uint64_t bytes() const { return bytes_; }
  uint64_t objects() const { return objects_; }

 private:
  bool dense(uint64_t id) const { return id < size_.size() || id < std::max<uint64_t>(uint64_t{1} << 20, 4 * objects_); }
  std::vector<uint64_t> size_;
  std::vector<bool> live_;
  std::unordered_map<uint64_t, uint64_t> sparse_;
  uint64_t bytes_ = 0, objects_ = 0;
};

struct SizeRow {
  uint64_t allocs = 0, noscan = 0, requested = 0, roundingWaste = 0;
};

struct TraceInfo {
  std::string format;
  traces::TraceMeta meta;
  uint64_t byKind[sim::kEventKindCount] = {};
  uint64_t events = 0;
  std::unordered_set<uint32_t> threads;
  uint64_t minTime = sim::kNoTime, maxTime = 0;
  uint64_t peakBytes = 0, peakBytesAt = 0, peakObjects = 0, peakObjectsAt = 0;
  uint64_t liveBytes = 0, liveObjects = 0;
  uint64_t deadFrees = 0, liveAllocs = 0;
  std::map<uint32_t, SizeRow> classes;  // Go 1.19 size class -> row (class 0: size 0, zerobase)
  std::map<uint32_t, SizeRow> largeLog; // large objects by ceil(log2(pages))
  traces::ImportSummary summary;
};

TraceInfo scan(traces::EventStream& s) {
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  TraceInfo info;
  LiveSizes live;
  std::vector<sim::Event> batch(1 << 14);
  while (size_t n = s.read(batch.data(), batch.size())) {
    for (size_t i = 0; i < n; ++i, ++info.events) {
      const sim::Event& ev = batch[i];
      info.byKind[static_cast<size_t>(ev.kind)]++;
      info.threads.insert(ev.thread);
      if (ev.time != sim::kNoTime) {
        info.minTime = std::min(info.minTime, ev.time);
        info.maxTime = std::max(info.maxTime, ev.time);
      }
      if (ev.kind == sim::EventKind::Alloc) {
        if (!live.alloc(ev.id, ev.size)) ++info.liveAllocs;
        SizeRow* row;
        uint64_t classBytes = ev.size;
        if (ev.size == 0) {
          row = &info.classes[0]; // Go: mallocgc returns &zerobase
        } else if (ev.size <= table.maxSmall()) {
          const uint32_t c = table.classOf(ev.size);
          row = &info.classes[c];
          classBytes = table.cls(c).size;
        } else {
          const uint64_t pages = (ev.size + sim::kPageSize - 1) / sim::kPageSize;
          row = &info.largeLog[static_cast<uint32_t>(std::bit_width(pages - 1))];
          classBytes = pages * sim::kPageSize;
        }
        row->allocs++;
        row->noscan += ev.noscan;
        row->requested += ev.size;
        row->roundingWaste += classBytes - ev.size;
        if (live.bytes() > info.peakBytes) info.peakBytes = live.bytes(), info.peakBytesAt = info.events;
        if (live.objects() > info.peakObjects) info.peakObjects = live.objects(), info.peakObjectsAt = info.events;
      } else if (ev.kind == sim::EventKind::Free) {
        if (!live.free(ev.id)) ++info.deadFrees;
      }
    }
  }
  info.liveBytes = live.bytes();
  info.liveObjects = live.objects();
  info.summary = s.summary();
  info.format = info.summary.format;
  info.meta = s.meta();
  return info;
}

std::string largeLabel(uint32_t log) {
  const uint64_t hi = uint64_t{1} << log, lo = log == 0 ? 1 : (hi >> 1) + 1;
  return lo == hi ? std::to_string(hi) + " page" + (hi == 1 ? "" : "s") : std::to_string(lo) + "-" + std::to_string(hi) + " pages";
}

std::string duration(const TraceInfo& t) {
  if (t.minTime == sim::kNoTime) return "no times";
  const uint64_t ns = t.maxTime - t.minTime;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.6f s (%llu ns, from %llu to %llu)", static_cast<double>(ns) / 1e9,
                static_cast<unsigned long long>(ns), static_cast<unsigned long long>(t.minTime),
                static_cast<unsigned long long>(t.maxTime));
  return buf;
}

std::string textReport(const std::string& path, const TraceInfo& t) {
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  auto num = [](uint64_t v) { return std::to_string(v); };
  std::string s = "file:           " + path + "\n";
  s += "format:         " + t.format + "\n";
  if (!t.meta.name.empty()) s += "name:           " + t.meta.name + "\n";
  if (!t.meta.goVersion.empty()) s += "recorded with:  " + t.meta.goVersion + " (replays under the go1." +
                                        (sim::profileForRecordedVersion(t.meta.goVersion) == sim::GoVersion::Go126 ? "26" : "19") +
                                        " profile)\n";
  s += "events:         " + num(t.events) + " (" + num(t.byKind[0]) + " alloc, " + num(t.byKind[1]) + " free, " +
       num(t.byKind[2]) + " gc, " + num(t.byKind[3]) + " readmemstats, " + num(t.byKind[4]) + " annotate)\n";
  if (t.byKind[5] + t.byKind[6] + t.byKind[7] + t.byKind[8])
    s += "                (" + num(t.byKind[5]) + " free_os_memory, " + num(t.byKind[6]) + " go_start, " + num(t.byKind[7]) +
         " stack_grow, " + num(t.byKind[8]) + " go_exit)\n";
  s += "threads:        " + num(t.threads.size()) + "\n";
  s += "duration:       " + duration(t) + "\n";
  s += "peak live:      " + num(t.peakBytes) + " B requested (after event #" + (t.peakBytes ? num(t.peakBytesAt) : "-") +
       "), " + num(t.peakObjects) + " objects (after event #" + (t.peakObjects ? num(t.peakObjectsAt) : "-") + ")\n";
  s += "live at end:    " + num(t.liveBytes) + " B requested, " + num(t.liveObjects) + " objects\n";
  if (t.deadFrees || t.liveAllocs)
    s += "anomalies:      " + num(t.deadFrees) + " frees of an id that is not live, " + num(t.liveAllocs) +
         " allocs of an id that is live (replay rejects both)\n";
  s += "\nrequest sizes by Go 1.19 size class (large objects by pages of 8 KiB):\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-18s %10s %12s %12s %16s %16s\n", "class", "bytes/obj", "allocs", "noscan",
                "requested B", "rounding waste B");
  s += line;
  auto row = [&](const std::string& label, const std::string& size, const SizeRow& r) {
    std::snprintf(line, sizeof line, "%-18s %10s %12llu %12llu %16llu %16llu\n", label.c_str(), size.c_str(),
                  static_cast<unsigned long long>(r.allocs), static_cast<unsigned long long>(r.noscan),
                  static_cast<unsigned long long>(r.requested), static_cast<unsigned long long>(r.roundingWaste));
    s += line;
  };
  for (const auto& [c, r] : t.classes) row(c == 0 ? "size 0 (zerobase)" : std::to_string(c), c == 0 ? "0" : num(table.cls(c).size), r);
  for (const auto& [lg, r] : t.largeLog) row("large " + largeLabel(lg), "-", r);
  s += "\nreader summary:\n";
  std::string sum = t.summary.toText();
  for (size_t b = 0; b < sum.size();) {
    const size_t e = sum.find('\n', b);
    s += "  " + sum.substr(b, e - b) + "\n";
    b = e == std::string::npos ? sum.size() : e + 1;
  }
  return s;
}

std::string jsonReport(const std::string& path, const TraceInfo& t) {
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  nlohmann::ordered_json j;
  j["file"] = path;
  j["format"] = t.format;
  j["name"] = t.meta.name;
  if (!t.meta.goVersion.empty()) j["go_version"] = t.meta.goVersion;
  j["events"] = t.events;
  j["events_by_kind"] = {{"alloc", t.byKind[0]}, {"free", t.byKind[1]}, {"gc", t.byKind[2]},
                         {"readmemstats", t.byKind[3]}, {"annotate", t.byKind[4]},
                         {"free_os_memory", t.byKind[5]}, {"go_start", t.byKind[6]}, {"stack_grow", t.byKind[7]},
                         {"go_exit", t.byKind[8]}};
  j["threads"] = t.threads.size();
  if (t.minTime == sim::kNoTime) {
    j["first_time_ns"] = nullptr, j["last_time_ns"] = nullptr, j["duration_ns"] = nullptr;
  } else {
    j["first_time_ns"] = t.minTime, j["last_time_ns"] = t.maxTime, j["duration_ns"] = t.maxTime - t.minTime;
  }
  j["peak_live_bytes"] = t.peakBytes;
  j["peak_live_objects"] = t.peakObjects;
  j["live_bytes_at_end"] = t.liveBytes;
  j["live_objects_at_end"] = t.liveObjects;
  j["frees_of_dead_ids"] = t.deadFrees;
  j["allocs_of_live_ids"] = t.liveAllocs;
  auto row = [](const SizeRow& r) {
    return nlohmann::ordered_json{{"allocs", r.allocs}, {"noscan", r.noscan}, {"requested_bytes", r.requested},
                                  {"rounding_waste_bytes", r.roundingWaste}};
  };
  nlohmann::ordered_json classes = nlohmann::ordered_json::array();
  for (const auto& [c, r] : t.classes) {
    nlohmann::ordered_json e = {{"class", c}, {"bytes_per_object", c == 0 ? 0 : table.cls(c).size}};
    e.update(row(r));
    classes.push_back(e);
  }
  j["size_classes"] = classes;
  nlohmann::ordered_json large = nlohmann::ordered_json::array();
  for (const auto& [lg, r] : t.largeLog) {
    const uint64_t hi = uint64_t{1} << lg;
    nlohmann::ordered_json e = {{"min_pages", lg == 0 ? 1 : (hi >> 1) + 1}, {"max_pages", hi}};
    e.update(row(r));
    large.push_back(e);
  }
  j["large"] = large;
  const traces::ImportSummary& s = t.summary;
  j["summary"] = {{"format", s.format}, {"orphan_frees", s.orphanFrees}, {"unknown_lines", s.unknownLines},
                  {"failed_allocs", s.failedAllocs}, {"notes", s.notes}};
  return traces::dumpJson(j, 2) + "\n";
}

} // namespace

int runInfo(const std::vector<std::string>& argv) {
  Args a(argv);
  std::string path;
  bool json = false;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kInfoHelp, stdout);
      return kExitOk;
    } else if (f == "--json") {
      a.noValue(f);
      json = true;
    } else {
      takeTracePath(f, path);
    }
  }
  if (path.empty()) throw UsageError("missing FILE (usage: spanscope-cli info FILE [--json])");
  TraceInfo info;
  try {
    std::unique_ptr<traces::EventStream> s = traces::openTrace(path);
    info = scan(*s);
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitInputError;
  }
  std::fputs((json ? jsonReport(path, info) : textReport(path, info)).c_str(), stdout);
  return kExitOk;
}

} // namespace cli
