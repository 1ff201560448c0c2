// spanscope-cli: the headless tool. Engine design essay: sim/malloc.h.
// Subcommands: replay (replay_cmd.cpp), classes (classes_cmd.cpp), record (record_cmd.cpp),
// import (import_cmd.cpp), info (info_cmd.cpp). Help texts: help.cpp.
#include "app/cli/cli.h"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs("spanscope-cli: missing command (usage: spanscope-cli replay TRACE [options] | classes | --help)\n", stderr);
    return cli::kExitUsage;
  }
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
      if (rest[0] == "gen") return std::fputs(cli::kGenHelp, stdout), cli::kExitOk;
      std::fprintf(stderr, "spanscope-cli help: unknown command \"%s\" (commands: replay, classes, record, import, info)\n", rest[0].c_str());
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
    if (cmd == "gen") return cli::runGen(rest);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "spanscope-cli %s: %s (see spanscope-cli %s --help)\n", cmd.c_str(), e.what(), cmd.c_str());
    return cli::kExitUsage;
  }
  std::fprintf(stderr, "spanscope-cli: unknown command \"%s\" (commands: replay, classes, record, import, info, help)\n", cmd.c_str());
  return cli::kExitUsage;
}
