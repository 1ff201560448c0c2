// spanscope-cli classes: print a size-class table as Go's sizeclasses.go header does.
// Engine design essay: sim/malloc.h. Go: mksizeclasses.go printComment.
#include "app/cli/cli.h"

#include "sim/sizeclasses.h"
#include "traces/config_json.h"

#include <cstdio>

namespace cli {

int runClasses(const std::vector<std::string>& argv) {
  Args a(argv);
  std::string table = "go1.19";
  bool tableGiven = false, generate = false, knobGiven = false;
  sim::SizeClassGeneratorKnobs k;
  while (!a.done()) {
    const std::string f = a.next();
    if (f == "-h" || f == "--help") {
      std::fputs(kClassesHelp, stdout);
      return kExitOk;
    } else if (f == "--table") {
      table = a.value(f);
      tableGiven = true;
    } else if (f == "--generate") {
      a.noValue(f);
      generate = true;
    } else if (f == "--page-size") {
      k.pageSize = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1024, uint64_t{1} << 20));
      knobGiven = true;
    } else if (f == "--max-small") {
      k.maxSmall = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 16, uint64_t{1} << 20));
      knobGiven = true;
    } else if (f == "--waste-div") {
      k.tailWasteDiv = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 2, 1024)); // 1: SIGFPE in generate()
      knobGiven = true;
    } else if (f == "--min-align") {
      k.minAlign = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1, 4096));
      knobGiven = true;
    } else if (f == "--max-align") {
      k.maxAlign = static_cast<uint32_t>(parseUnsigned(f, a.value(f), 1, 65536));
      knobGiven = true;
    } else {
      throw UsageError(f.rfind("-", 0) == 0 ? "unknown flag " + f : "unexpected argument \"" + f + "\"");
    }
  }
  if (generate && tableGiven) throw UsageError("--table and --generate exclude each other");
  if (knobGiven && !generate) throw UsageError("generator knobs need --generate");
  if (generate) {
    if (k.minAlign > k.maxAlign) throw UsageError("--min-align must not exceed --max-align");
    std::fputs(sim::formatSizeClassComment(sim::SizeClassTable::generate(k)).c_str(), stdout);
    return kExitOk;
  }
  std::string err;
  auto t = traces::resolveSizeClassTable(table, "", &err);
  if (!t) {
    std::fprintf(stderr, "spanscope-cli classes: %s\n", err.c_str());
    return kExitInputError;
  }
  std::fputs(sim::formatSizeClassComment(*t).c_str(), stdout);
  return kExitOk;
}

} // namespace cli
