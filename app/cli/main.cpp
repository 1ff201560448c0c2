// spanscope-cli: the headless tool. Engine design essay: sim/malloc.h.
// Subcommands: replay (replay_cmd.cpp), classes (classes_cmd.cpp), record (record_cmd.cpp),
// record-go (record_go_cmd.cpp),
// import (import_cmd.cpp), info (info_cmd.cpp). Help texts: help.cpp.
#include "app/cli/cli.h"
#include "app/report/exception_text.h"
#include "traces/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Every file named on the command line, except as an output, is an input: no writer of this run
// may replace it (traces/output_file.h). The values of -o/--output, --dump-state and --chart are
// outputs; after "--" come a recorded program's own arguments.
void noteInputFiles(const std::vector<std::string>& args) {
  static const char* const kOutputFlags[] = {"-o", "--output", "--dump-state", "--chart"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    bool output = false;
    for (const char* f : kOutputFlags) {
      if (a == f) output = true, ++i; // skip its value
      else if (a.rfind(std::string(f) + "=", 0) == 0) output = true;
    }
    if (output) continue;
    const size_t eq = a.rfind("--", 0) == 0 ? a.find('=') : std::string::npos;
    traces::noteInputFile(eq == std::string::npos ? a : a.substr(eq + 1));
  }
}

int runCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs("spanscope-cli: missing command (usage: spanscope-cli replay TRACE [options] | classes | --help)\n", stderr);
    return cli::kExitUsage;
  }
  noteInputFiles(args);
  const std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    if (cmd == "help" && !rest.empty()) {
      if (rest[0] == "replay") return std::fputs(cli::kReplayHelp, stdout), cli::kExitOk;
      if (rest[0] == "classes") return std::fputs(cli::kClassesHelp, stdout), cli::kExitOk;
      if (rest[0] == "compare") return std::fputs(cli::kCompareHelp, stdout), cli::kExitOk;
      if (rest[0] == "import") return std::fputs(cli::kImportHelp, stdout), cli::kExitOk;
      if (rest[0] == "info") return std::fputs(cli::kInfoHelp, stdout), cli::kExitOk;
      if (rest[0] == "record") return std::fputs(cli::kRecordHelp, stdout), cli::kExitOk;
      if (rest[0] == "record-go") return std::fputs(cli::kRecordGoHelp, stdout), cli::kExitOk;
      if (rest[0] == "gen") return std::fputs(cli::kGenHelp, stdout), cli::kExitOk;
      std::fprintf(stderr, "spanscope-cli help: unknown command \"%s\" (commands: replay, classes, record, record-go, import, info)\n", rest[0].c_str());
      return cli::kExitUsage;
    }
    std::fputs(cli::kMainHelp, stdout);
    return cli::kExitOk;
  }
  try {
    if (cmd == "replay") return cli::runReplay(rest);
    if (cmd == "classes") return cli::runClasses(rest);
    if (cmd == "compare") return cli::runCompare(rest);
    if (cmd == "import") return cli::runImport(rest);
    if (cmd == "info") return cli::runInfo(rest);
    if (cmd == "record") return cli::runRecord(rest);
    if (cmd == "record-go") return cli::runRecordGo(rest);
    if (cmd == "gen") return cli::runGen(rest);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "spanscope-cli %s: %s (see spanscope-cli %s --help)\n", cmd.c_str(), e.what(), cmd.c_str());
    return cli::kExitUsage;
  }
  std::fprintf(stderr, "spanscope-cli: unknown command \"%s\" (commands: replay, classes, record, record-go, import, info, help)\n", cmd.c_str());
  return cli::kExitUsage;
}

// A report that did not reach standard output (a full disk, a closed pipe, /dev/full) is a failure,
// not a success with the output lost.
int checkStdout(int status) {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "spanscope-cli: writing standard output: %s\n", errno ? std::strerror(errno) : "write error");
    return cli::kExitInputError;
  }
  return status;
}

} // namespace

int main(int argc, char** argv) {
  // Everything is caught: a bad input or a bug ends with a message and exit status 2, never an abort.
  try {
    return checkStdout(runCommand(std::vector<std::string>(argv + 1, argv + argc)));
  } catch (...) {
    std::fprintf(stderr, "spanscope-cli: %s\n", report::currentExceptionText().c_str());
  }
  return cli::kExitInputError;
}
