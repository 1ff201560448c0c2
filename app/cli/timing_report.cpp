// spanscope-cli: the timing and lock model's figures in reports. Engine design essay: sim/malloc.h.
#include "app/cli/timing_report.h"

#include "app/report/units.h"

#include <algorithm>
#include <cstdio>

namespace cli {

using report::fmt;

namespace {

using ull = unsigned long long;
using sim::durationText;

std::string share(double s) { return fmt("%.1f%%", 100.0 * s); }

std::string rate(double perSecond) {
  if (perSecond >= 1e9) return fmt("%.2f G/s", perSecond / 1e9);
  if (perSecond >= 1e6) return fmt("%.1f M/s", perSecond / 1e6);
  if (perSecond >= 1e3) return fmt("%.1f k/s", perSecond / 1e3);
  return fmt("%.0f /s", perSecond);
}

const char* modeWords(sim::CentralMode m) {
  return m == sim::CentralMode::Mutex ? "mcentral as one mutex per span class (Go <= 1.14, the textbook)"
                                      : "mcentral as lock-free span sets (Go 1.15+)";
}

const char* clockWords(sim::ClockSource c) {
  return c == sim::ClockSource::Model ? "trace times ignored: each P runs its events back to back"
                                      : "events start at max(trace time, their P's clock)";
}

constexpr size_t kTextLocks = 12; // lock rows in the text report; JSON has them all

} // namespace

std::string timingText(const sim::TimingFigures& t) {
  std::string o = fmt("\nLocks and time (a model, not a measurement: %u P%s, %s;\n  cost model %s; %s)\n", t.procs,
                      t.procs == 1 ? "" : "s", modeWords(t.central), t.costModel.c_str(), clockWords(t.clock));
  if (t.events == 0) return o + "  (no events timed)\n";
  o += fmt("  simulated     %s (from %s to %s); %llu events, %llu allocations = %s allocations\n",
           durationText(t.makespan).c_str(), durationText(t.firstStart).c_str(), durationText(t.lastEnd).c_str(),
           ull(t.events), ull(t.allocs), rate(t.allocsPerSecond).c_str());
  o += fmt("  latency       allocations p50 %s, p99 %s, max %s (start to end, waits included)\n",
           durationText(t.latencyP50).c_str(), durationText(t.latencyP99).c_str(), durationText(t.latencyMax).c_str());
  o += fmt("  mheap.lock    the Ps waited %s for it = %s of their busy + waiting time\n",
           durationText(t.heapWait).c_str(), share(t.heapWaitShare).c_str());

  std::vector<const sim::LockFigures*> locks;
  for (const sim::LockFigures& l : t.locks) locks.push_back(&l);
  std::stable_sort(locks.begin(), locks.end(), [](const sim::LockFigures* a, const sim::LockFigures* b) {
    return a->waitTotal != b->waitTotal ? a->waitTotal > b->waitTotal : a->holdTotal > b->holdTotal;
  });
  o += fmt("\n  %-44s %9s %9s %11s %10s %10s %11s %6s\n", "lock (most waited first)", "acquired", "contended",
           "wait total", "wait p99", "wait max", "hold total", "util");
  for (size_t i = 0; i < locks.size() && i < kTextLocks; ++i) {
    const sim::LockFigures& l = *locks[i];
    o += fmt("  %-44s %9llu %9llu %11s %10s %10s %11s %6s\n", l.name.c_str(), ull(l.acquisitions), ull(l.contended),
             durationText(l.waitTotal).c_str(), durationText(l.waitP99).c_str(), durationText(l.waitMax).c_str(),
             durationText(l.holdTotal).c_str(), share(l.utilisation).c_str());
  }
  if (locks.size() > kTextLocks)
    o += fmt("  ... %zu more lock%s (all of them in --report json)\n", locks.size() - kTextLocks,
             locks.size() - kTextLocks == 1 ? "" : "s");
  if (locks.empty()) o += "  (no lock taken)\n";

  o += fmt("\n  %-10s %9s %9s %11s %11s %11s %10s %10s %10s\n", "executor", "events", "allocs", "busy", "waiting",
           "idle", "lat p50", "lat p99", "lat max");
  for (const sim::ProcFigures& p : t.executors)
    o += fmt("  %-10s %9llu %9llu %11s %11s %11s %10s %10s %10s\n", sim::executorName(p.who).c_str(), ull(p.events),
             ull(p.allocs), durationText(p.busy).c_str(), durationText(p.waiting).c_str(), durationText(p.idle).c_str(),
             durationText(p.latencyP50).c_str(), durationText(p.latencyP99).c_str(), durationText(p.latencyMax).c_str());
  return o;
}

nlohmann::ordered_json timingJson(const sim::TimingFigures& t) {
  using ojson = nlohmann::ordered_json;
  ojson j;
  j["model"] = sim::centralModeName(t.central);
  j["clock"] = sim::clockSourceName(t.clock);
  j["cost_model"] = t.costModel;
  j["procs"] = t.procs;
  j["first_start_ns"] = t.firstStart;
  j["last_end_ns"] = t.lastEnd;
  j["makespan_ns"] = t.makespan;
  j["events"] = t.events;
  j["allocs"] = t.allocs;
  j["allocs_per_second"] = t.allocsPerSecond;
  j["alloc_latency_ns"] = {{"p50", t.latencyP50}, {"p99", t.latencyP99}, {"max", t.latencyMax}};
  j["heap_lock_wait_ns"] = t.heapWait;
  j["heap_lock_wait_share"] = t.heapWaitShare;
  ojson locks = ojson::array();
  for (const sim::LockFigures& l : t.locks)
    locks.push_back({{"lock", l.name}, {"id", l.lock}, {"acquisitions", l.acquisitions}, {"contended", l.contended},
                     {"wait_total_ns", l.waitTotal}, {"wait_p99_ns", l.waitP99}, {"wait_max_ns", l.waitMax},
                     {"hold_total_ns", l.holdTotal}, {"utilisation", l.utilisation}});
  j["by_lock"] = locks;
  ojson procs = ojson::array();
  for (const sim::ProcFigures& p : t.executors)
    procs.push_back({{"executor", sim::executorName(p.who)}, {"events", p.events}, {"allocs", p.allocs},
                     {"busy_ns", p.busy}, {"waiting_ns", p.waiting}, {"idle_ns", p.idle},
                     {"alloc_latency_ns", {{"p50", p.latencyP50}, {"p99", p.latencyP99}, {"max", p.latencyMax}}}});
  j["by_executor"] = procs;
  return j;
}

const std::vector<TimingMetric>& timingMetrics() {
  using T = sim::TimingFigures;
  static const std::vector<TimingMetric> m = {
      {"makespan_ns", "simulated makespan", TimingMetric::Ns, [](const T& t) { return double(t.makespan); }},
      {"allocs_per_second", "allocations per simulated second", TimingMetric::Rate,
       [](const T& t) { return t.allocsPerSecond; }},
      {"alloc_latency_p50_ns", "allocation latency p50", TimingMetric::Ns, [](const T& t) { return double(t.latencyP50); }},
      {"alloc_latency_p99_ns", "allocation latency p99", TimingMetric::Ns, [](const T& t) { return double(t.latencyP99); }},
      {"alloc_latency_max_ns", "allocation latency max", TimingMetric::Ns, [](const T& t) { return double(t.latencyMax); }},
      {"heap_lock_wait_share", "mheap.lock wait share", TimingMetric::Share, [](const T& t) { return t.heapWaitShare; }},
      {"lock_acquisitions", "lock acquisitions (all locks)", TimingMetric::Count,
       [](const T& t) {
         double n = 0;
         for (const auto& l : t.locks) n += double(l.acquisitions);
         return n;
       }},
      {"lock_wait_ns", "lock wait (all locks)", TimingMetric::Ns,
       [](const T& t) {
         double n = 0;
         for (const auto& l : t.locks) n += double(l.waitTotal);
         return n;
       }},
  };
  return m;
}

std::string timingMetricText(const TimingMetric& m, double v) {
  switch (m.unit) {
    case TimingMetric::Ns: return durationText(static_cast<uint64_t>(v + 0.5));
    case TimingMetric::Share: return share(v);
    case TimingMetric::Rate: return rate(v);
    case TimingMetric::Count: return fmt("%.0f", v);
  }
  return "";
}

std::string timingCompare(const std::vector<std::string>& names, const std::vector<sim::TimingFigures>& t,
                          const std::string& format) {
  if (t.empty()) return "";
  const sim::TimingFigures& first = t.front();
  const std::string title = fmt("Locks and time (a model: %u P%s, %s; cost model %s)", first.procs,
                                first.procs == 1 ? "" : "s", modeWords(first.central), first.costModel.c_str());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"timing"};
  head.insert(head.end(), names.begin(), names.end());
  rows.push_back(head);
  for (const TimingMetric& m : timingMetrics()) {
    std::vector<std::string> r = {m.label};
    for (const sim::TimingFigures& f : t) r.push_back(timingMetricText(m, m.value(f)));
    rows.push_back(r);
  }
  std::string o = "\n" + title + "\n\n";
  if (format == "md") {
    for (size_t ri = 0; ri < rows.size(); ++ri) {
      o += "|";
      for (const std::string& c : rows[ri]) o += " " + c + " |";
      o += "\n";
      if (ri == 0) {
        o += "|---|";
        for (size_t i = 1; i < rows[ri].size(); ++i) o += "---:|";
        o += "\n";
      }
    }
    return o;
  }
  std::vector<size_t> width(head.size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (size_t i = 0; i < rows[ri].size(); ++i) {
      const std::string pad(width[i] - rows[ri][i].size(), ' ');
      line += i == 0 ? rows[ri][i] + pad : "  " + pad + rows[ri][i];
    }
    o += line + "\n";
    if (ri == 0) o += std::string(line.size(), '-') + "\n";
  }
  return o;
}

} // namespace cli
