// spanscope-cli import: convert any trace spanscope reads (native JSON or binary, heaptrack, mtrace,
// ltrace, Go allocfreetrace; plain, gzip or zstd) into the native binary format or JSON.
// Binary layout: docs/binary-trace-format.md.
#include "app/cli/cli.h"

#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "traces/open_trace.h"

#include <cstdio>
#include <filesystem>

namespace cli {

namespace {

struct ImportOptions {
  std::string input, output;
  bool json = false, zstd = true;
};

std::optional<ImportOptions> parseImportArgs(const std::vector<std::string>& argv) {
  Args a(argv);
  ImportOptions o;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kImportHelp, stdout);
      return std::nullopt;
    } else if (f == "-o" || f == "--output") {
      o.output = a.value(f);
      if (o.output.empty()) throw UsageError(f + " needs a file name");
    } else if (f == "--json") {
      a.noValue(f);
      o.json = true;
    } else if (f == "--no-zstd") {
      a.noValue(f);
      o.zstd = false;
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError("unknown flag " + f);
    } else if (o.input.empty()) {
      o.input = f;
    } else {
      throw UsageError("more than one input given (\"" + o.input + "\" and \"" + f + "\")");
    }
  }
  if (o.input.empty()) throw UsageError("missing FILE (usage: spanscope-cli import FILE -o OUT)");
  if (o.output.empty()) throw UsageError("missing -o OUT (the file to write)");
  if (o.json && o.output == "-") throw UsageError("--json writes a file atomically; give a file name, not -");
  if (o.json && !o.zstd) throw UsageError("--no-zstd is for binary output; it makes no sense with --json");
  return o;
}

} // namespace

int runImport(const std::vector<std::string>& argv) {
  const std::optional<ImportOptions> opt = parseImportArgs(argv);
  if (!opt) return kExitOk; // --help
  const ImportOptions& o = *opt;
  std::unique_ptr<traces::EventStream> in;
  uint64_t events = 0;
  try {
    in = traces::openTrace(o.input);
    if (o.json) {
      const traces::Trace t = traces::readAll(*in);
      events = t.events.size();
      std::string err;
      if (!traces::writeJsonTraceAtomic(t, o.output, &err)) throw traces::TraceError(err);
    } else {
      traces::BinaryTraceWriter w(o.output, in->meta(), {.zstd = o.zstd});
      w.writeAll(*in); // on an error the writer's destructor removes its temp file
      w.finish();
      events = w.eventsWritten();
    }
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitInputError;
  }
  // With -o - the trace itself is on stdout: the summary goes to stderr.
  std::FILE* out = o.output == "-" ? stderr : stdout;
  std::fputs(in->summary().toText().c_str(), out);
  std::string wrote = "wrote:          " + o.output + " (" +
                      (o.json ? std::string("JSON") : std::string("binary") + (o.zstd ? ", zstd" : ", uncompressed")) + ", " +
                      std::to_string(events) + " events";
  std::error_code ec;
  if (o.output != "-") {
    const auto bytes = std::filesystem::file_size(o.output, ec);
    if (!ec) wrote += ", " + std::to_string(bytes) + " bytes";
  }
  std::fprintf(out, "%s)\n", wrote.c_str());
  return kExitOk;
}

} // namespace cli
