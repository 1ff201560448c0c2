// spanscope-cli: shared declarations of the subcommands. Design essay of the engine: sim/malloc.h.
// The CLI uses only the standard library, sim/ and traces/ (never ImGui, GLFW or GL).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

// Exit codes (documented in --help).
enum ExitCode : int {
  kExitOk = 0,
  kExitEngineError = 1, // the trace made the engine fail (bad event or simulated out of memory)
  kExitInputError = 2,  // cannot read or parse an input file (trace, config, table)
  kExitInvariant = 3,   // --check-invariants found a violation
  kExitUsage = 64,      // bad command line (EX_USAGE)
};

// Thrown by argument parsing; main prints "spanscope-cli[ <cmd>]: <message>" and a hint, exits 64.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A tiny flag reader: "--flag value" and "--flag=value"; everything else is positional.
class Args {
 public:
  Args(std::vector<std::string> args) : args_(std::move(args)) {}
  bool done() const { return i_ >= args_.size(); }
  // The next argument. If it is a flag "--name=value", flag() returns "--name" and the value is
  // kept for value().
  std::string next();
  // The value of the flag just read (from "=value" or the next argument).
  std::string value(const std::string& flag);
  // Fails if the flag just read had "=value" although it takes none.
  void noValue(const std::string& flag);

 private:
  std::vector<std::string> args_;
  size_t i_ = 0;
  std::optional<std::string> inlineValue_;
};

// Strict integer parsing for flags ("12", not "12x" or "-1" for unsigned).
uint64_t parseUnsigned(const std::string& flag, const std::string& text, uint64_t min, uint64_t max);
int64_t parseSigned(const std::string& flag, const std::string& text, int64_t min, int64_t max);

// An argument that is not a known flag: the trace's path if none was given yet ("-" = stdin);
// otherwise a UsageError (an unknown flag, or a second trace).
void takeTracePath(const std::string& arg, std::string& trace);

int runReplay(const std::vector<std::string>& args);
int runClasses(const std::vector<std::string>& args);
int runCompare(const std::vector<std::string>& args);
int runImport(const std::vector<std::string>& args);
int runInfo(const std::vector<std::string>& args);
int runRecord(const std::vector<std::string>& args);
int runRecordGo(const std::vector<std::string>& args);
int runGen(const std::vector<std::string>& args);

// Help texts (help.cpp).
extern const char* const kMainHelp;
extern const char* const kReplayHelp;
extern const char* const kClassesHelp;
extern const char* const kCompareHelp;
extern const char* const kImportHelp;
extern const char* const kInfoHelp;
extern const char* const kRecordHelp;
extern const char* const kRecordGoHelp;
extern const char* const kGenHelp;

} // namespace cli
