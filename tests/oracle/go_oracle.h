// Go oracle harness: builds the programs under tests/oracle/go/<name>/ with the installed Go 1.19
// (or Go 1.26, `go` on PATH),
// runs them with GOMAXPROCS=1 GOGC=off, and parses what they print. Each program is built and run
// at most once per test-binary run (results cached in a static).
//
// Output format of every program (one record per line, fields separated by single spaces):
//   addr <index> <size> <noscan 0|1> <hex address>   an allocation, in program order
//   free <index> [<round>]                           the program dropped its reference to it
//                                                    (in drop round <round>, default 0)
//   case|seq|phase <i> <first addr index> <count>    a group of allocations (case also has
//                                                    size and noscan before first/count)
//   ms <label> <Field>=<value> ...                   a runtime.ReadMemStats snapshot
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace oracle {

// The Go 1.19 toolchain the oracle runs: Debian's golang-1.19-go (`make deps` installs it). It is
// called by this path, never as `go`, which on these machines is a newer Go.
inline constexpr const char* kGo119 = "/usr/lib/go-1.19/bin/go";
// The Go 1.26 toolchain: `go` on PATH, which must say go1.26 (`go version`); anything else fails
// loudly. Programs are built with GOEXPERIMENT=norandomizedheapbase64 (Go 1.26 randomises the heap
// base by default; the engine keeps Go 1.19's fixed 0xc000000000) and GOTOOLCHAIN=local.
inline constexpr const char* kGo126 = "go";

// Which real runtime a program is built with.
enum class GoToolchain { Go119, Go126 };
const char* toolchainName(GoToolchain t); // "go1.19", "go1.26"

struct GoAlloc {
  uint64_t index = 0;
  uint64_t size = 0;
  bool noscan = true;
  uint64_t addr = 0;
};

struct GoGroup {
  std::string kind; // "case", "seq" or "phase"
  uint64_t id = 0;
  uint64_t size = 0; // "case" only
  bool noscan = true; // "case" only
  uint64_t first = 0;
  uint64_t count = 0;
};

struct GoOutput {
  bool ok = false;
  std::string error;                // why the program could not be built or run
  std::string raw;                  // stdout as printed
  std::string stderrText;           // stderr as printed (e.g. a GODEBUG=allocfreetrace=1 trace)
  std::vector<GoAlloc> allocs;      // in index order (allocs[i].index == i)
  std::vector<uint64_t> frees;      // indices of dropped objects, in printed order
  std::vector<uint64_t> freeRounds; // the drop round of each entry of frees
  std::vector<GoGroup> groups;
  std::map<std::string, std::map<std::string, uint64_t>> ms; // label -> field -> value

  const GoGroup* group(const std::string& kind, uint64_t id) const;
  // after[field] - before[field] as a signed number; records a test failure and returns 0 if a
  // label or field is missing.
  int64_t delta(const std::string& before, const std::string& after, const std::string& field) const;
};

// A GC setting of a program's runs: GOGC (negative = off) and GOMEMLIMIT in bytes (0: none);
// label() is how the tests name it ("GOGC=100 GOMEMLIMIT=67108864").
struct Setting {
  int32_t gogc;
  uint64_t memLimit;
  std::string label() const {
    return "GOGC=" + (gogc < 0 ? std::string("off") : std::to_string(gogc)) +
           (memLimit ? " GOMEMLIMIT=" + std::to_string(memLimit) : "");
  }
};

// Go's range of one figure (min and max over runs and recorded sessions).
struct Range {
  uint64_t lo, hi;
};

// Builds (once) and runs (once) tests/oracle/go/<name>/main.go. On any failure, ok is false and
// error says why; a missing Go toolchain gives "Go 1.19 not installed: run make deps".
// `env` adds variables to the run's environment ("GODEBUG=allocfreetrace=1"); they come after the
// defaults, so "GOGC=100" overrides GOGC=off.
const GoOutput& runGoOracle(const std::string& name, const std::vector<std::string>& env = {},
                            GoToolchain toolchain = GoToolchain::Go119);
inline const GoOutput& runGoOracle(const std::string& name, GoToolchain toolchain) {
  return runGoOracle(name, {}, toolchain);
}

} // namespace oracle
