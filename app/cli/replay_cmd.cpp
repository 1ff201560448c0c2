// spanscope-cli replay: run a trace through the engine (a sim::Replay over the stream), event by event.
// Engine design essay: sim/malloc.h.
#include "app/cli/cli.h"
#include "app/cli/engine_flags.h"

#include "app/cli/report.h"
#include "app/cli/state_dump.h"
#include "sim/malloc.h"
#include "sim/replay.h"
#include "traces/config_json.h"
#include "traces/json_io.h"
#include "traces/open_trace.h"
#include "traces/replay_source.h"

#include <bit>
#include <cstdio>

namespace cli {

namespace {

struct ReplayOptions {
  std::string trace;
  EngineFlags engine;
  std::string table;
  std::optional<uint64_t> until;
  std::string report = "text";
  bool steps = false;
  std::string dumpState;
  bool checkInvariants = false;
};

std::optional<ReplayOptions> parseReplayArgs(const std::vector<std::string>& argv) {
  Args a(argv);
  ReplayOptions o;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kReplayHelp, stdout);
      return std::nullopt;
    } else if (parseEngineFlag(f, a, o.engine)) {
    } else if (f == "--table") {
      o.table = a.value(f);
      if (o.table.empty()) throw UsageError("--table needs a name or a file");
    } else if (f == "--until") {
      o.until = parseUnsigned(f, a.value(f), 0, ~uint64_t{0});
    } else if (f == "--report") {
      o.report = a.value(f);
      if (o.report != "text" && o.report != "json" && o.report != "none")
        throw UsageError("--report expects text, json or none, got \"" + o.report + "\"");
    } else if (f == "--steps") {
      a.noValue(f);
      o.steps = true;
    } else if (f == "--dump-state") {
      o.dumpState = a.value(f);
      if (o.dumpState.empty()) throw UsageError("--dump-state needs a file name");
    } else if (f == "--check-invariants") {
      a.noValue(f);
      o.checkInvariants = true;
    } else {
      takeTracePath(f, o.trace);
    }
  }
  if (o.trace.empty()) throw UsageError("missing TRACE (usage: spanscope-cli replay TRACE [options])");
  return o;
}

std::string fileStem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// "(alloc id 7)", "(free 0x55d0c0a012a0)", "(gc)": what the trace file calls the event.
std::string eventLabel(const traces::EventStream& t, sim::EventKind kind, uint64_t id) {
  std::string s = std::string("(") + sim::eventKindName(kind);
  if (kind == sim::EventKind::Alloc || kind == sim::EventKind::Free) {
    const std::string obj = t.describeObject(id);
    s += " " + (obj.empty() ? "id " + std::to_string(id) : obj);
  }
  return s + ")";
}

// Wraps text at `width` columns, the first line already `firstUsed` wide; continuation lines start
// with `indent`. Newlines in the text are kept.
std::string wrap(const std::string& text, size_t firstUsed, const std::string& indent, size_t width) {
  std::string out;
  size_t col = firstUsed;
  bool lineEmpty = true;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      out += '\n';
      out += indent;
      col = indent.size();
      lineEmpty = true;
      ++i;
      continue;
    }
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    const size_t len = j - i;
    if (!lineEmpty && col + 1 + len > width) {
      out += '\n';
      out += indent;
      col = indent.size();
      lineEmpty = true;
    }
    if (!lineEmpty) {
      out += ' ';
      ++col;
    }
    out.append(text, i, len);
    col += len;
    lineEmpty = false;
    i = j;
  }
  return out;
}

// "    time: at 1.20 µs for 130 ns; mheap.lock: waited 50 ns for P1, held 80 ns; ..." (timing on).
std::string timeLine(const sim::StepRecord& rec) {
  std::string s = "    time: at " + sim::durationText(rec.start) + " for " + sim::durationText(rec.end - rec.start);
  for (uint32_t i = 0; i < rec.locksTaken && i < sim::StepRecord::kMaxLockTakes; ++i) {
    const sim::LockTake& k = rec.locks[i];
    s += i == 0 ? "; " : ", ";
    s += sim::lockName(k.lock) + ":";
    if (k.wait) s += " waited " + sim::durationText(k.wait) + " for " + sim::executorName(k.holder) + (k.hold ? "," : "");
    if (k.hold || !k.wait) s += " held " + sim::durationText(k.hold);
  }
  if (rec.locksTaken > sim::StepRecord::kMaxLockTakes)
    s += " (+" + std::to_string(rec.locksTaken - sim::StepRecord::kMaxLockTakes) + " more; in all: waited " +
         sim::durationText(rec.wait) + ", held " + sim::durationText(rec.hold) + ")";
  return s + "\n";
}

void printStep(std::FILE* out, const traces::EventStream& t, const sim::Event& ev, const sim::StepRecord& rec, size_t indexWidth,
               bool timed) {
  std::string line(1, '#');
  line += std::to_string(rec.index);
  if (line.size() < indexWidth + 1) line.resize(indexWidth + 1, ' ');
  line += "  P";
  line += std::to_string(rec.p);
  line += "  ";
  line += sim::describe(rec);
  line += '\n';
  std::vector<const char*> funcs = sim::goFunctions(rec);
  if (!funcs.empty()) {
    line += "    go: ";
    for (size_t i = 0; i < funcs.size(); ++i) {
      if (i) line += " \u2192 ";
      line += funcs[i];
    }
    line += "\n";
  }
  if (timed && ev.kind != sim::EventKind::Annotate) line += timeLine(rec);
  if (ev.kind == sim::EventKind::Annotate) {
    if (const std::string* text = t.annotation(ev.id)) {
      line += "    lesson: ";
      line += wrap(*text, 12, "            ", 100);
      line += '\n';
    }
  }
  std::fputs(line.c_str(), out);
}

// Counts the paths every event took and, with --steps, prints each one explained.
class StepPrinter : public sim::ReplayObserver {
 public:
  StepPrinter(const traces::EventStream& t, std::FILE* out, size_t indexWidth, ReplayReport* r)
      : t_(t), out_(out), indexWidth_(indexWidth), r_(r) {}
  void onStep(const sim::World& w, const sim::Event& ev, const sim::StepRecord& rec) override {
    r_->eventsReplayed++;
    for (uint64_t p = rec.path; p != 0; p &= p - 1) r_->pathCounts[static_cast<size_t>(std::countr_zero(p))]++;
    if (out_) printStep(out_, t_, ev, rec, indexWidth_, w.timing() && rec.index >= w.config().timing.fromEvent);
  }
 private:
  const traces::EventStream& t_;
  std::FILE* out_; // nullptr: no --steps
  size_t indexWidth_;
  ReplayReport* r_;
};

} // namespace

int runReplay(const std::vector<std::string>& argv) {
  std::optional<ReplayOptions> opt = parseReplayArgs(argv);
  if (!opt) return kExitOk; // --help
  const ReplayOptions& o = *opt;

  std::string err;
  std::unique_ptr<traces::EventStream> stream;
  try {
    stream = traces::openTrace(o.trace);
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitInputError;
  }
  const traces::EventStream& t = *stream;

  // Settings: defaults < trace meta.config < --config file < flags.
  sim::Config cfg;
  if (!model::resolveConfig(t.meta(), o.engine, &cfg, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return kExitInputError;
  }
  if (!o.table.empty()) {
    auto table = traces::resolveSizeClassTable(o.table, "", &err);
    if (!table) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return kExitInputError;
    }
    cfg.table = std::move(*table);
  }
  traces::StreamSource source(*stream, o.until.value_or(~uint64_t{0}));
  sim::Replay replay(sim::World(cfg), source);
  const sim::World& w = replay.world();
  ReplayReport r;
  r.traceName = t.meta().name.empty() ? fileStem(o.trace) : t.meta().name;
  r.tracePath = o.trace;
  r.procs = w.config().gomaxprocs;
  r.liveness = sim::livenessName(w.config().liveness);
  r.sweep = sim::sweepModeName(w.config().sweep);
  r.gogc = w.config().gogc;
  r.goVersion = sim::goVersionName(w.config().goVersion);
  r.table = w.config().table.name();
  r.tiny = w.config().tinyAlloc;
  r.pathCounts.assign(static_cast<size_t>(sim::PathStep::Count), 0);

  const std::optional<uint64_t> total = stream->eventCount();
  const uint64_t n = o.until ? *o.until : ~uint64_t{0};
  const uint64_t last = std::min(n, total.value_or(n)); // events we expect to run, for the #index column
  const size_t indexWidth = last == ~uint64_t{0} ? 0 : std::to_string(last == 0 ? 0 : last - 1).size();
  // With --report json, stdout stays one JSON document: the steps go to stderr.
  StepPrinter printer(t, o.steps ? (o.report == "json" ? stderr : stdout) : nullptr, indexWidth, &r);
  replay.addObserver(&printer);
  std::vector<std::string> bad; // invariants broken after the last event
  auto invariantsBroken = [&](const sim::World& world) {
    if (o.checkInvariants) bad = sim::checkInvariants(world);
    return !bad.empty();
  };
  int exitCode = kExitOk;
  try {
    const sim::ReplayStop stop = replay.runUntil(n, invariantsBroken);
    if (stop == sim::ReplayStop::Error) {
      const sim::ReplayError& e = *replay.error();
      std::fflush(stdout);
      std::fprintf(stderr, "%s: event #%llu %s: %s\n", o.trace.c_str(), static_cast<unsigned long long>(e.index),
                   eventLabel(t, e.event.kind, e.event.id).c_str(), e.why.c_str());
      exitCode = kExitEngineError;
    } else if (stop == sim::ReplayStop::Predicate) {
      std::fflush(stdout);
      std::fprintf(stderr, "%s: event #%llu %s: invariant violated after this event:\n", o.trace.c_str(),
                   static_cast<unsigned long long>(w.last().index), eventLabel(t, w.last().kind, w.last().id).c_str());
      for (const std::string& bl : bad) std::fprintf(stderr, "  %s\n", bl.c_str());
      exitCode = kExitInvariant;
    }
  } catch (const traces::TraceError& e) {
    // Never a silently half-loaded trace: a read error stops the replay with the file and offset.
    std::fflush(stdout);
    std::fprintf(stderr, "%s (after %llu events)\n", e.what(), static_cast<unsigned long long>(replay.position()));
    exitCode = kExitInputError;
  }
  // Unknown if --until stopped a stream.
  r.eventsTotal = source.ended() ? std::optional<uint64_t>(replay.position()) : total;

  // The state dump is written in every case: after an error it shows the state that led to it.
  if (!o.dumpState.empty() && !traces::writeFileAtomic(o.dumpState, stateToJson(w), &err)) {
    std::fprintf(stderr, "spanscope-cli replay: --dump-state %s\n", err.c_str());
    if (exitCode == kExitOk) exitCode = kExitInputError;
  }
  if (exitCode != kExitOk) return exitCode;

  collectState(w, &r);
  if (o.steps && o.report == "text") std::fputs("\n", stdout);
  if (o.report == "text") std::fputs(textReport(r).c_str(), stdout);
  else if (o.report == "json") std::fputs(jsonReport(r).c_str(), stdout);
  return kExitOk;
}

} // namespace cli
