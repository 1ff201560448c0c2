// spanscope-cli record-go: runs a Go program (Go 1.23+) with GODEBUG=traceallocfree=1 so that the
// execution trace it writes carries every heap allocation and free, then checks that trace with
// the importer (traces/go_exectrace.h). A Go program only writes an execution trace when it asks
// for one (runtime/trace.Start, or `go test -trace=FILE`), so the command either adds -trace to
// `go test`, or puts the file's name where the program's own arguments say "{trace}".
#include "app/cli/cli.h"

#include "traces/go_exectrace.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace cli {

namespace {

namespace fs = std::filesystem;

struct RecordGoOptions {
  std::string output = "go.trace";
  std::vector<std::string> command;
};

std::optional<RecordGoOptions> parseArgs(const std::vector<std::string>& argv) {
  RecordGoOptions o;
  size_t i = 0;
  for (; i < argv.size(); ++i) {
    const std::string& f = argv[i];
    if (f == "--") {
      ++i;
      break;
    }
    if (f == "-h" || f == "--help") return std::fputs(kRecordGoHelp, stdout), std::nullopt;
    if (f == "-o" || f == "--output") {
      if (i + 1 == argv.size() || argv[i + 1].empty()) throw UsageError(f + " needs a file name");
      o.output = argv[++i];
    } else if (f.rfind("--output=", 0) == 0 && f.size() > 9) {
      o.output = f.substr(9);
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError("unknown option \"" + f + "\"");
    } else {
      break;
    }
  }
  o.command.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
  if (o.command.empty() || o.command[0].empty()) throw UsageError("missing the Go program to record");
  // Where the trace goes: `go test` gets -trace=FILE; other programs say where with {trace}.
  bool placed = false;
  for (std::string& a : o.command) {
    for (size_t at; (at = a.find("{trace}")) != std::string::npos; placed = true) a.replace(at, 7, o.output);
  }
  if (!placed && fs::path(o.command[0]).filename() == "go" && o.command.size() > 1 && o.command[1] == "test") {
    std::error_code ec;
    const fs::path abs = fs::absolute(o.output, ec); // go test runs the test binary in the package's directory
    o.command.insert(o.command.begin() + 2, "-trace=" + (ec ? o.output : abs.string()));
    placed = true;
  }
  if (!placed)
    throw UsageError("a Go program writes an execution trace only when it asks for one: record `go test ...` (-trace is "
                     "added), or a program that passes a file name from its arguments to runtime/trace.Start, with "
                     "{trace} where that name goes");
  return o;
}

// Our environment with traceallocfree=1 added to GODEBUG (after the caller's settings, so it wins).
std::vector<std::string> environment() {
  std::vector<std::string> env;
  std::string godebug = "GODEBUG=";
  for (char** e = environ; *e; ++e) {
    const std::string_view v(*e);
    if (v.starts_with("GODEBUG=")) godebug = std::string(v) + (v.size() > 8 ? "," : "");
    else env.emplace_back(v);
  }
  env.push_back(godebug + "traceallocfree=1");
  return env;
}

int recordGo(const RecordGoOptions& o) {
  std::error_code ec;
  fs::remove(o.output, ec); // a stale trace must not pass for this run's
  std::vector<std::string> args = o.command, env = environment();
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  for (std::string& e : env) envp.push_back(e.data());
  argv.push_back(nullptr), envp.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = 0;
  if (const int err = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data())) {
    std::fprintf(stderr, "spanscope-cli record-go: cannot run %s: %s\n", argv[0], std::strerror(err));
    return kExitInputError;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!fs::exists(o.output, ec)) {
    std::fprintf(stderr, "spanscope-cli record-go: %s %s and wrote no trace at %s\n", o.command[0].c_str(),
                 ok ? "succeeded" : "failed", o.output.c_str());
    return kExitInputError;
  }
  traces::GoExecTraceStream stream(std::make_unique<traces::ByteSource>(o.output));
  sim::Event buf[4096];
  while (stream.read(buf, 4096)) {
  }
  std::printf("program:        %s %s\n", o.command[0].c_str(),
              ok ? "exited with status 0" : WIFEXITED(status) ? ("exited with status " + std::to_string(WEXITSTATUS(status))).c_str() : "was killed");
  std::printf("trace:          %s (%s)\n", o.output.c_str(), stream.meta().goVersion.c_str());
  std::fputs(stream.summary().toText().c_str(), stdout);
  return ok ? kExitOk : kExitInputError;
}

} // namespace

int runRecordGo(const std::vector<std::string>& args) {
  const std::optional<RecordGoOptions> o = parseArgs(args);
  if (!o) return kExitOk;
  try {
    return recordGo(*o);
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "spanscope-cli record-go: %s\n", e.what());
  }
  return kExitInputError;
}

} // namespace cli
