// spanscope-cli: the replay report. Engine design essay: sim/malloc.h.
#include "app/cli/report.h"

#include "app/cli/timing_report.h"
#include "app/report/units.h"
#include "traces/json_io.h"

#include <nlohmann/json.hpp>

#include <map>

namespace cli {

using report::fmt;
using report::humanBytes;
using report::percent;

namespace {

using ull = unsigned long long;

struct Field {
  const char* name;     // Go's field name (text report)
  const char* key;      // snake_case key (JSON report)
  uint64_t value;
  bool bytes;
};

std::vector<Field> memStatsFields(const sim::MemStats& m) {
  return {
      {"HeapAlloc", "heap_alloc", m.HeapAlloc, true},
      {"HeapInuse", "heap_inuse", m.HeapInuse, true},
      {"HeapIdle", "heap_idle", m.HeapIdle, true},
      {"HeapReleased", "heap_released", m.HeapReleased, true},
      {"HeapSys", "heap_sys", m.HeapSys, true},
      {"HeapObjects", "heap_objects", m.HeapObjects, false},
      {"Mallocs", "mallocs", m.Mallocs, false},
      {"Frees", "frees", m.Frees, false},
      {"TotalAlloc", "total_alloc", m.TotalAlloc, true},
      {"StackInuse", "stack_inuse", m.StackInuse, true},
      {"StackSys", "stack_sys", m.StackSys, true},
      {"MSpanInuse", "mspan_inuse", m.MSpanInuse, true},
      {"MSpanSys", "mspan_sys", m.MSpanSys, true},
      {"MCacheInuse", "mcache_inuse", m.MCacheInuse, true},
      {"NumGC", "num_gc", m.NumGC, false},
      {"NextGC", "next_gc", m.NextGC, true},
  };
}

std::vector<Field> ledgerFields(const sim::WasteLedger& l) {
  return {
      {"live objects (requested bytes)", "live_bytes", l.liveBytes, true},
      {"rounding (slot beyond request)", "rounding_waste", l.roundingWaste, true},
      {"dead objects, not yet swept", "dead_bytes", l.deadBytes, true},
      {"span tail waste", "tail_waste", l.tailWaste, true},
      {"free slots, spans in mcentral", "free_slots", l.freeSlots, true},
      {"free slots, spans in mcaches", "cached_free_slots", l.cachedFreeSlots, true},
      {"free pages (committed)", "free_pages", l.freePages, true},
      {"released pages (not committed)", "released_pages", l.releasedPages, true},
  };
}

std::string gogcText(int32_t g) { return g < 0 ? "off" : std::to_string(g); }

} // namespace

void collectState(const sim::World& w, ReplayReport* r) {
  r->ms = w.memStats();
  r->ledger = w.ledger();
  const sim::HeapView v = w.view();
  const sim::SizeClassTable& t = v.table();
  std::map<sim::SpanClass, ClassRow> rows;
  for (sim::SpanId id = 0; id < v.spanCount(); ++id) {
    const sim::MSpan& s = v.span(id);
    if (s.state != sim::SpanState::InUse) continue;
    const uint32_t sc = sim::spanClassSize(s.spanclass);
    const uint32_t reach = sim::MSpan::popcount(s.liveBits(), s.words);
    if (sc == 0) {
      r->largeSpans++;
      r->largePages += s.npages;
      r->largeReachable += reach;
      continue;
    }
    ClassRow& row = rows[s.spanclass];
    row.sizeclass = sc;
    row.size = t.cls(sc).size;
    row.spanclass = s.spanclass;
    row.noscan = sim::spanClassNoscan(s.spanclass);
    row.spans++;
    row.objects += s.allocCount;
    row.capacity += s.nelems;
    row.reachable += reach;
  }
  r->classes.clear();
  for (auto& [spc, row] : rows) r->classes.push_back(row);
  if (const sim::LockModel* m = w.timing()) r->timing = m->figures();
}

std::string textReport(const ReplayReport& r) {
  std::string o;
  o += "spanscope replay: " + r.traceName + "\n";
  o += "  trace    " + r.tracePath + "\n";
  if (r.eventsTotal) o += fmt("  events   %llu of %llu replayed\n", ull(r.eventsReplayed), ull(*r.eventsTotal));
  else o += fmt("  events   %llu replayed (stopped by --until)\n", ull(r.eventsReplayed));
  o += fmt("  config   Go %s, GOMAXPROCS %u, liveness %s, GOGC %s, sweep %s, table %s, tiny allocator %s\n",
           r.goVersion.c_str(), r.procs, r.liveness.c_str(), gogcText(r.gogc).c_str(), r.sweep.c_str(), r.table.c_str(),
           r.tiny ? "on" : "off");

  o += "\nMemStats (what runtime.ReadMemStats would report now)\n";
  for (const Field& f : memStatsFields(r.ms)) {
    if (f.bytes && f.value >= 1024)
      o += fmt("  %-14s %12s  %14llu B\n", f.name, humanBytes(f.value).c_str(), ull(f.value));
    else if (f.bytes)
      o += fmt("  %-14s %12s\n", f.name, humanBytes(f.value).c_str());
    else
      o += fmt("  %-14s %12llu\n", f.name, ull(f.value));
  }

  o += "\nWaste ledger (every byte of HeapSys counted once)\n";
  const uint64_t sys = r.ms.HeapSys;
  for (const Field& f : ledgerFields(r.ledger)) {
    o += fmt("  %-32s %12s %8s\n", f.name, humanBytes(f.value).c_str(), percent(f.value, sys).c_str());
    // Go 1.22+: the parts of rounding and tail that are runtime metadata (0 under Go 1.19).
    if (std::string(f.key) == "rounding_waste" && r.ledger.headerBytes)
      o += fmt("    %-30s %12s %8s\n", "of which 8-byte malloc headers", humanBytes(r.ledger.headerBytes).c_str(),
               percent(r.ledger.headerBytes, sys).c_str());
    if (std::string(f.key) == "tail_waste" && r.ledger.spanMetaBytes)
      o += fmt("    %-30s %12s %8s\n", "of which heap/mark bits", humanBytes(r.ledger.spanMetaBytes).c_str(),
               percent(r.ledger.spanMetaBytes, sys).c_str());
  }
  o += "  " + std::string(54, '-') + "\n";
  const uint64_t total = r.ledger.total();
  const bool ok = total == sys;
  o += fmt("  %-32s %12s %8s   %s\n", "total", humanBytes(total).c_str(), percent(total, sys).c_str(),
           ok ? "= HeapSys \u2713" : fmt("\u2260 HeapSys (%llu B) \u2717", ull(sys)).c_str());

  o += "\nPaths taken (events per step)\n";
  bool any = false;
  for (size_t i = 0; i < r.pathCounts.size(); ++i) {
    if (r.pathCounts[i] == 0) continue;
    any = true;
    o += fmt("  %-28s %8llu\n", sim::pathStepName(static_cast<sim::PathStep>(i)), ull(r.pathCounts[i]));
  }
  if (!any) o += "  (no events)\n";

  o += "\nSize classes with spans in use\n";
  if (r.classes.empty()) {
    o += "  (none)\n";
  } else {
    o += fmt("  %5s %7s  %-16s %6s %18s %10s %10s\n", "class", "size", "span class", "spans", "objects/capacity",
             "occupancy", "reachable");
    for (const ClassRow& c : r.classes) {
      const std::string spc = std::to_string(c.spanclass) + (c.noscan ? " noscan" : " scan");
      const std::string oc = std::to_string(c.objects) + "/" + std::to_string(c.capacity);
      o += fmt("  %5u %7s  %-16s %6llu %18s %10s %10llu\n", c.sizeclass, humanBytes(c.size).c_str(), spc.c_str(),
               ull(c.spans), oc.c_str(), percent(c.objects, c.capacity).c_str(), ull(c.reachable));
    }
  }
  if (r.largeSpans)
    o += fmt("  large objects: %llu span%s, %llu pages (%s), %llu reachable\n", ull(r.largeSpans),
             r.largeSpans == 1 ? "" : "s", ull(r.largePages), humanBytes(r.largePages * sim::kPageSize).c_str(),
             ull(r.largeReachable));
  if (r.timing) o += timingText(*r.timing);
  return o;
}

std::string jsonReport(const ReplayReport& r) {
  using ojson = nlohmann::ordered_json;
  ojson j;
  j["trace"] = {{"name", r.traceName}, {"path", r.tracePath}};
  j["events_replayed"] = r.eventsReplayed;
  if (r.eventsTotal) j["events_total"] = *r.eventsTotal;
  else j["events_total"] = nullptr;
  j["config"] = {{"go_version", r.goVersion}, {"gomaxprocs", r.procs}, {"liveness", r.liveness}, {"sweep", r.sweep}, {"gogc", r.gogc < 0 ? -1 : r.gogc},
                 {"gc_off", r.gogc < 0}, {"table", r.table}, {"tiny", r.tiny}};
  ojson ms = ojson::object();
  for (const Field& f : memStatsFields(r.ms)) ms[f.key] = f.value;
  j["memstats"] = ms;
  ojson led = ojson::object();
  for (const Field& f : ledgerFields(r.ledger)) led[f.key] = f.value;
  led["header_bytes"] = r.ledger.headerBytes;     // part of rounding_waste (Go 1.22+)
  led["span_meta_bytes"] = r.ledger.spanMetaBytes; // part of tail_waste (Go 1.22+ / 1.26)
  led["total"] = r.ledger.total();
  led["equals_heap_sys"] = r.ledger.total() == r.ms.HeapSys;
  j["ledger"] = led;
  ojson paths = ojson::object();
  for (size_t i = 0; i < r.pathCounts.size(); ++i) paths[sim::pathStepName(static_cast<sim::PathStep>(i))] = r.pathCounts[i];
  j["paths"] = paths;
  ojson classes = ojson::array();
  for (const ClassRow& c : r.classes)
    classes.push_back({{"class", c.sizeclass}, {"size", c.size}, {"span_class", c.spanclass}, {"noscan", c.noscan},
                       {"spans", c.spans}, {"objects", c.objects}, {"capacity", c.capacity},
                       {"reachable", c.reachable}});
  j["classes"] = classes;
  j["large"] = {{"spans", r.largeSpans}, {"pages", r.largePages}, {"reachable", r.largeReachable}};
  if (r.timing) j["locks"] = timingJson(*r.timing);
  else j["locks"] = nullptr;
  return traces::dumpJson(j, 2) + "\n";
}

} // namespace cli
