// The desktop app's command line: `spanscope [TRACE] [flags]`, including the headless modes
// (--screenshot, --bench-frames) used by tests, the README images and `make bench`.
#pragma once

#include "app/gui/settings.h"
#include "app/model/engine_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gui {

struct Options {
  std::string trace;             // TRACE or --trace FILE; "" = the classroom scenario
  std::string screenshot;        // --screenshot PATH: render one frame to a PNG and exit
  std::optional<uint64_t> at;    // --at N|end: position (events applied) before the frame
  std::vector<std::string> panels; // --panels a,b,c: only these panels open (keys as in panel_registry.h)
  int width = 1600, height = 1000; // --size WxH (headless modes; the window's first size otherwise)
  bool sizeGiven = false;
  uint64_t benchFrames = 0;      // --bench-frames N: render N frames, print frame-time statistics, exit
  uint64_t benchSeeks = 0;       // --bench-seeks N: N seeks anywhere and N steps back; print their times, exit
  std::optional<double> play;    // --play SPEED: play while benchmarking (events/s; "max" = 0)
  bool largeText = false;        // --large-text
  bool present = false;          // --present: presentation mode
  std::optional<uint32_t> select; // --select-span ID: open this span in the inspector (screenshots)
  model::EngineSettings engine;   // --procs N, --locks mutex|lockfree (the timing model on), --liveness gc|immediate: over the trace's own
  std::vector<std::string> compare; // --compare a,b,...: size-class tables (library names or JSON files) in the Compare panel
  std::vector<sim::GoVersion> compareProfiles; // --compare-profiles go1.19,go1.26: Go releases in the Compare panel
  std::string heapMapGeometry;   // --heapmap-geometry PATH: with --screenshot, where the heap map drew its pages (JSON)
  bool help = false;
};

// Parses argv. Returns nullopt and sets *error ("spanscope: ...") on bad usage.
std::optional<Options> parseOptions(int argc, const char* const* argv, std::string* error);

// What the flags change in the settings the app starts with: the window size, the open panels
// (--panels; --procs and --locks open the Locks panel, since they ask about Ps and locks), the font,
// presentation mode (--present: with its four panels unless --panels lists others).
void applyOptions(const Options& o, Settings& s);

extern const char* const kUsage;

} // namespace gui
