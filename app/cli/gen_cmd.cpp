// spanscope-cli gen: write a synthetic workload trace (generators: traces/generators.h).
#include "app/cli/cli.h"

#include "traces/binary_trace.h"
#include "traces/generators.h"
#include "traces/json_trace.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace cli {

namespace {

// EX_SOFTWARE: a generator broke its own rules (see Workload::read).
constexpr int kExitInternal = 70;

// --json holds the whole trace in memory (readAll); beyond this, the binary format is the way.
constexpr uint64_t kMaxJsonEvents = 10'000'000;

// Appends `text` wrapped at `width` columns; every line starts with `indent`.
void appendWrapped(std::string& out, const std::string& text, const std::string& indent, size_t width) {
  size_t col = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j == i) break;
    if (col > 0 && col + 1 + (j - i) > width) {
      out += '\n';
      col = 0;
    }
    if (col == 0) {
      out += indent;
      col = indent.size();
    } else {
      out += ' ';
      ++col;
    }
    out.append(text, i, j - i);
    col += j - i;
    i = j;
  }
  out += '\n';
}

std::string describeGenerator(const traces::GeneratorInfo& g) {
  std::string s = g.name + "\n";
  appendWrapped(s, g.description, "    ", 100);
  s += "    parameters (--param NAME=VALUE; default, range, meaning):\n";
  for (const traces::GeneratorParam& p : g.params) {
    std::string head = "      " + p.name + "=" + p.defaultValue;
    head.resize(std::max<size_t>(head.size() + 2, 28), ' ');
    head += p.range();
    head.resize(std::max<size_t>(head.size() + 2, 50), ' ');
    std::string meaning;
    appendWrapped(meaning, p.meaning, std::string(50, ' '), 100);
    s += head + meaning.substr(50);
  }
  return s;
}

struct GenOptions {
  std::string name, out = "-";
  std::map<std::string, std::string> params;
  uint64_t seed = 1;
  bool json = false, list = false;
};

std::optional<GenOptions> parseGenArgs(const std::vector<std::string>& argv) {
  Args a(argv);
  GenOptions o;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kGenHelp, stdout);
      return std::nullopt;
    } else if (f == "--list") {
      a.noValue(f);
      o.list = true;
    } else if (f == "--param") {
      const std::string v = a.value(f);
      const size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--param expects NAME=VALUE, got \"" + v + "\"");
      if (!o.params.emplace(v.substr(0, eq), v.substr(eq + 1)).second)
        throw UsageError("--param " + v.substr(0, eq) + " given twice");
    } else if (f == "--seed") {
      o.seed = parseUnsigned(f, a.value(f), 0, ~uint64_t{0});
    } else if (f == "-o" || f == "--output") {
      o.out = a.value(f);
      if (o.out.empty()) throw UsageError(f + " needs a file name (or - for standard output)");
    } else if (f == "--json") {
      a.noValue(f);
      o.json = true;
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError("unknown flag " + f);
    } else if (o.name.empty()) {
      o.name = f;
    } else {
      throw UsageError("more than one generator given (\"" + o.name + "\" and \"" + f + "\")");
    }
  }
  return o;
}

} // namespace

int runGen(const std::vector<std::string>& argv) {
  std::optional<GenOptions> opt = parseGenArgs(argv);
  if (!opt) return kExitOk; // --help
  const GenOptions& o = *opt;

  if (o.list) {
    if (!o.name.empty()) {
      const traces::GeneratorInfo* g = traces::findGenerator(o.name);
      if (!g) throw UsageError("unknown generator \"" + o.name + "\" (spanscope-cli gen --list shows them all)");
      std::fputs(describeGenerator(*g).c_str(), stdout);
      return kExitOk;
    }
    std::string s;
    for (const traces::GeneratorInfo& g : traces::generators()) {
      if (!s.empty()) s += '\n';
      s += describeGenerator(g);
    }
    std::fputs(s.c_str(), stdout);
    return kExitOk;
  }
  if (o.name.empty()) throw UsageError("missing NAME (spanscope-cli gen --list shows the generators)");

  std::unique_ptr<traces::EventStream> g;
  try {
    g = traces::makeGenerator(o.name, o.params, o.seed);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (!o.json && o.out == "-" && ::isatty(STDOUT_FILENO))
    throw UsageError("will not write a binary trace to a terminal: give -o FILE, pipe -o - into a command, or use --json");

  try {
    if (o.json) {
      if (g->eventCount().value_or(0) > kMaxJsonEvents)
        throw UsageError("--json holds the trace in memory: at most " + std::to_string(kMaxJsonEvents) +
                         " events (use the binary format for more)");
      const traces::Trace t = traces::readAll(*g);
      if (o.out == "-") {
        std::fputs(traces::traceToJson(t).c_str(), stdout);
      } else if (std::string err; !traces::writeJsonTraceAtomic(t, o.out, &err)) {
        std::fprintf(stderr, "spanscope-cli gen: %s\n", err.c_str());
        return kExitInputError;
      }
    } else {
      traces::BinaryTraceWriter w(o.out, g->meta());
      w.writeAll(*g);
      w.finish();
    }
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "spanscope-cli gen: %s\n", e.what());
    return kExitInputError;
  } catch (const std::logic_error& e) {
    std::fprintf(stderr, "spanscope-cli gen: internal error (a generator bug; please report): %s\n", e.what());
    return kExitInternal;
  }
  if (o.out != "-") {
    const traces::ImportSummary s = g->summary();
    std::fprintf(stderr, "spanscope-cli gen: wrote %llu events (%llu allocs, %llu frees, %llu threads) to %s\n",
                 static_cast<unsigned long long>(s.events), static_cast<unsigned long long>(s.allocs),
                 static_cast<unsigned long long>(s.frees), static_cast<unsigned long long>(s.threads), o.out.c_str());
  }
  return kExitOk;
}

} // namespace cli
