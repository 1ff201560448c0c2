// heaptrack_print as an independent check: see heaptrack_print.h.
#include "traces/heaptrack_print.h"

#include "traces/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace traces {

namespace {

constexpr size_t kMaxOutput = 1 << 20; // the summary is a few hundred bytes; ignore the rest

// The value of "<label><value>" on its own line, up to the end of the line.
std::optional<std::string_view> lineValue(std::string_view text, std::string_view label) {
  size_t at = 0;
  while ((at = text.find(label, at)) != std::string_view::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      const size_t start = at + label.size();
      const size_t end = text.find('\n', start);
      return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    }
    at += label.size();
  }
  return std::nullopt;
}

// A heaptrack byte figure as the range of exact values that print as it: "5.49K" = [5485, 5495].
struct ByteRange {
  uint64_t lo, hi;
};
std::optional<ByteRange> parseBytes(std::string_view s) {
  if (s.empty()) return std::nullopt;
  static constexpr std::string_view kUnits = "BKMGT";
  const size_t unit = kUnits.find(s.back());
  if (unit == std::string_view::npos) return std::nullopt;
  s.remove_suffix(1);
  uint64_t mult = 1;
  for (size_t i = 0; i < unit; ++i) mult *= 1000;
  uint64_t digits = 0, scale = 1;
  bool point = false, any = false;
  for (char c : s) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9' || digits > (uint64_t{1} << 40)) return std::nullopt;
    digits = digits * 10 + static_cast<uint64_t>(c - '0');
    any = true;
    if (point) scale *= 10;
  }
  if (!any || (unit == 0 && point) || scale > mult) return std::nullopt;
  const uint64_t value = digits * (mult / scale), half = unit == 0 ? 0 : mult / scale / 2;
  return ByteRange{value - std::min(value, half), value + half};
}

// heaptrack_print's standard output (stderr discarded), or nullopt with *why.
std::optional<std::string> runHeaptrackPrint(const std::string& path, std::string* why) {
  int fds[2];
  if (pipe(fds) != 0) {
    *why = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // Only the summary: the per-backtrace listings cost time and are not compared.
  const char* argv[] = {"heaptrack_print",         "-f", path.c_str(), "--print-peaks=0", "--print-allocators=0",
                        "--print-temporary=0", "--print-leaks=0", nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    *why = rc == ENOENT ? "heaptrack_print is not on PATH" : std::string("cannot run heaptrack_print: ") + std::strerror(rc);
    return std::nullopt;
  }
  std::string out;
  char buf[1 << 14];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < kMaxOutput) out.append(buf, static_cast<size_t>(n)); // keep draining past the cap
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *why = "heaptrack_print failed on " + path;
    return std::nullopt;
  }
  return out;
}

// What heaptrack_print assumes from the name: ".gz" gzip, ".zst" zstd, anything else plain.
Compression compressionByName(const std::string& path) {
  auto endsWith = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  return endsWith(".gz") ? Compression::Gzip : endsWith(".zst") ? Compression::Zstd : Compression::None;
}

} // namespace

std::string formatHeaptrackBytes(uint64_t bytes) {
  static constexpr char kUnits[] = "KMGT";
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (unit < 4 && v > 1000.) {
    v /= 1000.;
    ++unit;
  }
  char buf[48];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%c", v, kUnits[unit - 1]);
  }
  return buf;
}

std::optional<HeaptrackPrintFigures> parseHeaptrackPrintOutput(std::string_view text) {
  const auto calls = lineValue(text, "calls to allocation functions: ");
  const auto peak = lineValue(text, "peak heap memory consumption: ");
  const auto leaked = lineValue(text, "total memory leaked: ");
  if (!calls || !peak || !leaked || !parseBytes(*peak) || !parseBytes(*leaked)) return std::nullopt;
  HeaptrackPrintFigures f;
  bool digits = false;
  for (char c : *calls) { // "8351 (15294/s)"
    if (c < '0' || c > '9' || f.allocations > (uint64_t{1} << 58)) break;
    f.allocations = f.allocations * 10 + static_cast<uint64_t>(c - '0');
    digits = true;
  }
  if (!digits) return std::nullopt;
  f.peak = *peak;
  f.leaked = *leaked;
  if (const auto suppressed = lineValue(text, "suppressed leaks: ")) {
    if (!parseBytes(*suppressed)) return std::nullopt;
    f.suppressed = *suppressed;
  }
  return f;
}

void addHeaptrackPrintComparisons(const HeaptrackPrintFigures& theirs, ImportSummary& s) {
  auto ours = [](uint64_t bytes) { return formatHeaptrackBytes(bytes) + " (" + std::to_string(bytes) + " B)"; };
  s.comparisons.push_back({"heaptrack_print: calls to allocation functions", std::to_string(theirs.allocations),
                           std::to_string(s.allocs), theirs.allocations == s.allocs});
  s.comparisons.push_back({"heaptrack_print: peak heap memory consumption", theirs.peak, ours(s.peakLiveBytes),
                           theirs.peak == formatHeaptrackBytes(s.peakLiveBytes)});
  bool leakMatch = theirs.leaked == formatHeaptrackBytes(s.liveBytes);
  std::string leakText = theirs.leaked;
  if (!theirs.suppressed.empty()) {
    // Two rounded figures: the exact total lies in the sum of their ranges.
    const ByteRange a = *parseBytes(theirs.leaked), b = *parseBytes(theirs.suppressed);
    leakMatch = s.liveBytes >= a.lo + b.lo && s.liveBytes <= a.hi + b.hi;
    leakText += " + " + theirs.suppressed + " suppressed";
  }
  s.comparisons.push_back({"heaptrack_print: total memory leaked (live at the end)", leakText, ours(s.liveBytes), leakMatch});
}

bool compareWithHeaptrackPrint(const std::string& path, ImportSummary& s, std::string* why) {
  if (s.format != "heaptrack (interpreted)") {
    *why = "heaptrack_print reads interpreted heaptrack files only (convert a raw file with heaptrack_interpret)";
    return false;
  }
  if (path == "-") {
    *why = "standard input cannot be read a second time by heaptrack_print";
    return false;
  }
  try {
    ByteSource src(path);
    if (src.compression() != compressionByName(path)) {
      *why = std::string("heaptrack_print picks the decompressor by file name, and ") + path + " is " +
             compressionName(src.compression()) + " (name it .zst, .gz or neither to match)";
      return false;
    }
  } catch (const TraceError& e) {
    *why = e.what();
    return false;
  }
  const std::optional<std::string> out = runHeaptrackPrint(path, why);
  if (!out) return false;
  const std::optional<HeaptrackPrintFigures> figures = parseHeaptrackPrintOutput(*out);
  if (!figures) {
    *why = "heaptrack_print printed no summary for " + path;
    return false;
  }
  addHeaptrackPrintComparisons(*figures, s);
  return true;
}

} // namespace traces
