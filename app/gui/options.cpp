// Command line of the desktop app: see options.h.
#include "app/gui/options.h"

#include "app/gui/panel_registry.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gui {

const char* const kUsage =
    "usage: spanscope [TRACE] [options]\n"
    "\n"
    "Opens TRACE (any supported format; the bundled classroom scenario if none) in the desktop app.\n"
    "\n"
    "  --trace FILE         the trace to open (same as TRACE)\n"
    "  --at N|end           start at position N (events applied), or after the last event\n"
    "  --panels a,b,...     open only these panels: heapmap, path, inspector, sizeclasses, ps, mcentral,\n"
    "                       mheap, eventlog, stats, lesson, locks, compare (none: only the menu and the toolbar)\n"
    "  --go 1.19|1.26       the Go release the engine models instead of the trace's own\n"
    "  --procs N            GOMAXPROCS (1..1024) instead of the trace's own\n"
    "  --locks MODE         the timing and lock model on, mcentral as 'mutex' (Go <= 1.14) or\n"
    "                       'lockfree' (Go 1.15+); Engine → Settings in the app. With --procs, opens\n"
    "                       the Locks panel\n"
    "  --liveness MODE      'gc' (a freed slot is reclaimed when a GC cycle sweeps its span) or\n"
    "                       'immediate' (at the free, as in C); default: the trace's own, else gc\n"
    "  --compare a,b,...    replay under these size-class tables side by side (library names such as\n"
    "                       go1.19, tcmalloc, jemalloc, mimalloc, glibc16, pow2, or JSON table files)\n"
    "                       and open the Compare panel\n"
    "  --compare-profiles go1.19,go1.26\n"
    "                       replay under each Go release's allocator side by side (what\n"
    "                       spanscope-cli compare --profiles prints; in the app: View → Compare Go releases)\n"
    "                       and open the Compare panel\n"
    "  --large-text         the larger font (projectors)\n"
    "  --present            presentation mode: everything scaled up, Lesson + Path + Heap map +\n"
    "                       Span inspector filling the window (View → Presentation mode)\n"
    "  --select-span ID     open span ID in the span inspector\n"
    "  --screenshot PATH    render one frame to PATH (PNG) and exit; works under xvfb-run\n"
    "  --heapmap-geometry PATH  with --screenshot: write where the heap map drew its pages (JSON:\n"
    "                       origin_x, origin_y, cell, cols, pages), for image checks\n"
    "  --size WxH           window size (default 1600x1000)\n"
    "  --bench-frames N     render N frames and print frame-time statistics (p50/p95/max)\n"
    "  --bench-seeks N      after loading, seek to N positions anywhere and step back one event N times;\n"
    "                       print the times (p50/p95/max) and the checkpoints kept\n"
    "  --play SPEED         while benchmarking, play at SPEED events/s ('max' = as fast as possible)\n"
    "  --help               this text\n";

namespace {

template <typename T>
bool parseNumber(const char* s, T* out) {
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, *out);
  return ec == std::errc() && p == end && p != s;
}

} // namespace

std::optional<Options> parseOptions(int argc, const char* const* argv, std::string* error) {
  Options o;
  auto fail = [&](const std::string& what) {
    if (error) *error = "spanscope: " + what;
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--trace" || a == "--screenshot" || a == "--at" || a == "--panels" || a == "--size" ||
               a == "--bench-frames" || a == "--bench-seeks" || a == "--play" || a == "--select-span" ||
               a == "--heapmap-geometry" || a == "--procs" || a == "--go" || a == "--locks" || a == "--liveness" ||
               a == "--compare" || a == "--compare-profiles") {
      const char* v = value();
      if (!v) return fail(a + " needs a value");
      if (a == "--trace") {
        o.trace = v;
      } else if (a == "--screenshot") {
        o.screenshot = v;
      } else if (a == "--at") {
        uint64_t n = UINT64_MAX; // "end": seeking clamps to the trace's length
        if (std::string(v) != "end" && !parseNumber(v, &n)) return fail("--at: not a number: " + std::string(v));
        o.at = n;
      } else if (a == "--panels") {
        std::string list = v;
        for (size_t start = 0; start <= list.size();) {
          size_t comma = list.find(',', start);
          if (comma == std::string::npos) comma = list.size();
          std::string key = list.substr(start, comma - start);
          if (key != "none" && panelIndex(key) == kPanelCount) return fail("--panels: unknown panel '" + key + "'");
          o.panels.push_back(key);
          start = comma + 1;
        }
      } else if (a == "--size") {
        std::string s = v;
        size_t x = s.find('x');
        if (x == std::string::npos || !parseNumber(s.substr(0, x).c_str(), &o.width) ||
            !parseNumber(s.substr(x + 1).c_str(), &o.height) || o.width < 320 || o.height < 240 || o.width > 8192 ||
            o.height > 8192)
          return fail("--size: expected WxH between 320x240 and 8192x8192, got " + s);
        o.sizeGiven = true;
      } else if (a == "--bench-frames") {
        if (!parseNumber(v, &o.benchFrames) || o.benchFrames == 0) return fail("--bench-frames: expected a positive number");
      } else if (a == "--bench-seeks") {
        if (!parseNumber(v, &o.benchSeeks) || o.benchSeeks == 0) return fail("--bench-seeks: expected a positive number");
      } else if (a == "--play") {
        double speed = 0;
        if (std::string(v) != "max" && (!parseNumber(v, &speed) || speed <= 0))
          return fail("--play: expected events per second or 'max'");
        o.play = speed;
      } else if (a == "--compare") {
        const std::string list = v;
        for (size_t start = 0; start <= list.size();) {
          size_t comma = list.find(',', start);
          if (comma == std::string::npos) comma = list.size();
          if (comma == start) return fail("--compare: empty table name in '" + list + "'");
          o.compare.push_back(list.substr(start, comma - start));
          start = comma + 1;
        }
      } else if (a == "--compare-profiles") {
        const std::string list = v;
        for (size_t start = 0; start <= list.size();) {
          size_t comma = list.find(',', start);
          if (comma == std::string::npos) comma = list.size();
          const std::string name = list.substr(start, comma - start);
          const std::optional<sim::GoVersion> g = sim::parseGoVersion(name);
          if (!g) return fail("--compare-profiles: expected go1.19 and/or go1.26, got '" + name + "'");
          o.compareProfiles.push_back(*g);
          start = comma + 1;
        }
      } else if (a == "--procs") {
        uint32_t p = 0;
        if (!parseNumber(v, &p) || p < 1 || p > 1024) return fail("--procs: expected 1..1024, got " + std::string(v));
        o.engine.procs = p;
      } else if (a == "--go") {
        const std::optional<sim::GoVersion> g = sim::parseGoVersion(v);
        if (!g) return fail("--go: expected 1.19 or 1.26, got " + std::string(v));
        o.engine.goVersion = *g;
      } else if (a == "--locks") {
        const std::string m = v;
        if (m != "mutex" && m != "lockfree") return fail("--locks: expected mutex or lockfree, got " + m);
        o.engine.timing = true;
        o.engine.locks = m == "mutex" ? sim::CentralMode::Mutex : sim::CentralMode::LockFree;
      } else if (a == "--liveness") {
        o.engine.liveness = model::parseLiveness(v);
        if (!o.engine.liveness) return fail("--liveness: expected gc or immediate, got " + std::string(v));
      } else if (a == "--heapmap-geometry") {
        o.heapMapGeometry = v;
      } else if (a == "--select-span") {
        uint32_t id;
        if (!parseNumber(v, &id)) return fail("--select-span: not a span id: " + std::string(v));
        o.select = id;
      }
    } else if (a == "--large-text") {
      o.largeText = true;
    } else if (a == "--present") {
      o.present = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("unknown option " + a);
    } else if (o.trace.empty()) {
      o.trace = a;
    } else {
      return fail("more than one trace given: " + o.trace + ", " + a);
    }
  }
  if (!o.heapMapGeometry.empty() && o.screenshot.empty()) return fail("--heapmap-geometry needs --screenshot");
  if (!o.compare.empty() && !o.compareProfiles.empty()) return fail("--compare and --compare-profiles cannot be combined");
  return o;
}

void applyOptions(const Options& o, Settings& s) {
  if (o.sizeGiven || !o.screenshot.empty() || o.benchFrames > 0) s.windowWidth = o.width, s.windowHeight = o.height;
  if (!o.panels.empty()) {
    for (size_t i = 0; i < kPanelCount; ++i)
      s.panelOpen[i] = std::find(o.panels.begin(), o.panels.end(), kPanels[i].key) != o.panels.end();
  } else if (o.engine.procs || o.engine.timing) {
    s.panelOpen[panelIndex("locks")] = true;
  }
  if (o.largeText) s.largeText = true;
  if (o.present) {
    s.present = true;
    if (o.panels.empty()) // the presentation layout's panels, unless --panels names others
      for (size_t i = 0; i < kPanelCount; ++i) {
        const std::string_view k = kPanels[i].key;
        s.panelOpen[i] = k == "lesson" || k == "path" || k == "heapmap" || k == "inspector";
      }
  }
}

} // namespace gui
