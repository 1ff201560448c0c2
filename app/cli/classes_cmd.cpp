// spanscope-cli classes: print, list, export, generate and optimise size-class tables.
// Engine design essay: sim/malloc.h. Go: mksizeclasses.go printComment; the optimiser:
// sim/sizeclass_optimize.h; the library: sim/sizeclass_library.h.
#include "app/cli/cli.h"

#include "app/report/units.h"
#include "sim/sizeclass_library.h"
#include "sim/sizeclass_optimize.h"
#include "sim/sizeclasses.h"
#include "traces/config_json.h"
#include "traces/json_io.h"
#include "traces/open_trace.h"
#include "traces/sizeclass_json.h"

#include <cstdio>

namespace cli {

using report::humanBytes;

namespace {

struct ClassesOptions {
  std::string table = "go1.19";
  bool tableGiven = false, generate = false, knobGiven = false, list = false, json = false;
  std::string optimizeTrace, out;
  sim::SizeClassGeneratorKnobs knobs;
  sim::OptimizeOptions opt;
  bool optGiven = false;
};

ClassesOptions parseClassesArgs(Args& a, bool* help) {
  ClassesOptions o;
  while (!a.done()) {
    const std::string f = a.next();
    auto knob = [&](uint32_t* k, uint64_t lo, uint64_t hi) {
      *k = static_cast<uint32_t>(parseUnsigned(f, a.value(f), lo, hi));
      o.knobGiven = true;
    };
    auto optKnob = [&](uint32_t* k, uint64_t lo, uint64_t hi) {
      *k = static_cast<uint32_t>(parseUnsigned(f, a.value(f), lo, hi));
      o.optGiven = true;
    };
    if (f == "-h" || f == "--help") {
      *help = true;
      return o;
    } else if (f == "--table") {
      o.table = a.value(f);
      o.tableGiven = true;
    } else if (f == "--list") {
      a.noValue(f);
      o.list = true;
    } else if (f == "--json") {
      a.noValue(f);
      o.json = true;
    } else if (f == "-o" || f == "--output") {
      o.out = a.value(f);
      if (o.out.empty()) throw UsageError("-o needs a file name");
    } else if (f == "--generate") {
      a.noValue(f);
      o.generate = true;
    } else if (f == "--page-size") {
      knob(&o.knobs.pageSize, 1024, uint64_t{1} << 20);
    } else if (f == "--max-small") {
      knob(&o.knobs.maxSmall, 16, uint64_t{1} << 20);
    } else if (f == "--waste-div") {
      knob(&o.knobs.tailWasteDiv, 2, 1024); // 1 would make generate() divide by zero
    } else if (f == "--min-align") {
      knob(&o.knobs.minAlign, 1, 4096);
    } else if (f == "--max-align") {
      knob(&o.knobs.maxAlign, 1, 65536);
    } else if (f == "--optimize") {
      o.optimizeTrace = a.value(f);
      if (o.optimizeTrace.empty()) throw UsageError("--optimize needs a trace");
    } else if (f == "--classes") {
      optKnob(&o.opt.classes, 1, 4096);
    } else if (f == "--step") {
      optKnob(&o.opt.step, 8, 4096);
      if (o.opt.step % 8 != 0) throw UsageError("--step must be a multiple of 8");
    } else if (f == "--no-tiny") {
      a.noValue(f);
      o.opt.keepTiny16 = false;
      o.optGiven = true;
    } else {
      throw UsageError(f.rfind("-", 0) == 0 ? "unknown flag " + f : "unexpected argument \"" + f + "\"");
    }
  }
  const int modes = o.generate + o.list + !o.optimizeTrace.empty();
  if (modes > 1) throw UsageError("--generate, --list and --optimize exclude each other");
  if (o.tableGiven && (o.generate || o.list)) throw UsageError("--table does not go with --generate or --list");
  if (o.knobGiven && !o.generate) throw UsageError("generator knobs need --generate");
  if (o.optGiven && o.optimizeTrace.empty()) throw UsageError("--classes, --step and --no-tiny need --optimize");
  if (o.generate && o.knobs.minAlign > o.knobs.maxAlign) throw UsageError("--min-align must not exceed --max-align");
  return o;
}

std::string sourceOf(const std::string& name) {
  for (const sim::LibraryEntry& e : sim::sizeClassLibrary())
    if (name == e.name) return e.source;
  return "";
}

// The requested small sizes of a trace (requests above maxSmall are large objects).
sim::SizeHistogram histogramOf(const std::string& path, uint32_t maxSmall, uint64_t* events) {
  auto stream = traces::openTrace(path);
  sim::SizeHistogram h;
  h.count.assign(maxSmall + 1, 0);
  std::vector<sim::Event> batch(4096);
  while (size_t n = stream->read(batch.data(), batch.size())) {
    for (size_t i = 0; i < n; ++i)
      if (batch[i].kind == sim::EventKind::Alloc && batch[i].size >= 1 && batch[i].size <= maxSmall) h.count[batch[i].size]++;
    *events += n;
  }
  return h;
}

std::string wasteLine(const char* label, const sim::TableWaste& w) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-22s rounding %s, tail %s, total %s (%.2f%% of %s requested)\n", label,
                humanBytes(static_cast<uint64_t>(w.rounding + 0.5)).c_str(), humanBytes(static_cast<uint64_t>(w.tail + 0.5)).c_str(),
                humanBytes(static_cast<uint64_t>(w.total() + 0.5)).c_str(),
                w.requestedBytes ? 100.0 * w.total() / static_cast<double>(w.requestedBytes) : 0.0,
                humanBytes(w.requestedBytes).c_str());
  return buf;
}

int emit(const ClassesOptions& o, const std::string& text) {
  std::string err;
  if (o.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (!traces::writeFileAtomic(o.out, text, &err)) {
    std::fprintf(stderr, "spanscope-cli classes: -o %s\n", err.c_str());
    return kExitInputError;
  }
  return kExitOk;
}

int runOptimize(const ClassesOptions& o) {
  uint64_t events = 0;
  sim::SizeHistogram h;
  try {
    h = histogramOf(o.optimizeTrace, o.opt.maxSmall, &events);
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitInputError;
  }
  const sim::SizeClassTable go = sim::SizeClassTable::go119();
  sim::OptimizeOptions opt = o.opt;
  opt.baseline = &go;
  sim::OptimizeResult r;
  try {
    r = sim::optimizeTable(h, opt);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const sim::TableWaste gw = sim::expectedWaste(go, h);
  std::string report = "optimised for " + o.optimizeTrace + ": " + std::to_string(h.total()) + " small requests in " +
                       std::to_string(events) + " events, budget " + std::to_string(opt.classes) + " classes, step " +
                       std::to_string(opt.step) + " B\n";
  report += wasteLine("go1.19 (67 classes)", gw);
  report += wasteLine(("optimised (" + std::to_string(r.table.numClasses() - 1) + ")").c_str(), r.waste);
  if (gw.total() > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "gain over go1.19: %.1f%% less expected waste\n",
                  100.0 * (gw.total() - r.waste.total()) / gw.total());
    report += buf;
  }
  // The table goes to -o (or stdout); the comparison to stderr when the table is JSON on stdout.
  std::fputs(report.c_str(), o.json && o.out.empty() ? stderr : stdout);
  const std::string source = "spanscope-cli classes --optimize " + o.optimizeTrace + " --classes " +
                             std::to_string(opt.classes) + " --step " + std::to_string(opt.step) +
                             (opt.keepTiny16 ? "" : " --no-tiny");
  if (o.json || !o.out.empty()) return emit(o, traces::sizeClassTableToJson(r.table, source));
  std::fputs("\n", stdout);
  return emit(o, sim::formatSizeClassComment(r.table));
}

} // namespace

int runClasses(const std::vector<std::string>& argv) {
  Args a(argv);
  bool help = false;
  const ClassesOptions o = parseClassesArgs(a, &help);
  if (help) {
    std::fputs(kClassesHelp, stdout);
    return kExitOk;
  }
  if (o.list) {
    std::string text;
    for (const sim::LibraryEntry& e : sim::sizeClassLibrary())
      text += std::string(e.name) + std::string(16 - std::min<size_t>(15, std::string(e.name).size()), ' ') + e.title +
              "\n                source: " + e.source + "\n";
    return emit(o, text);
  }
  if (!o.optimizeTrace.empty()) return runOptimize(o);
  if (o.generate) {
    const sim::SizeClassTable t = sim::SizeClassTable::generate(o.knobs);
    return emit(o, o.json ? traces::sizeClassTableToJson(t, "spanscope-cli classes --generate (mksizeclasses rules)")
                          : sim::formatSizeClassComment(t));
  }
  std::string err;
  auto t = traces::resolveSizeClassTable(o.table, "", &err);
  if (!t) {
    std::fprintf(stderr, "spanscope-cli classes: %s\n", err.c_str());
    return kExitInputError;
  }
  return emit(o, o.json ? traces::sizeClassTableToJson(*t, sourceOf(o.table).empty() ? o.table : sourceOf(o.table))
                        : sim::formatSizeClassComment(*t));
}

} // namespace cli
