// App: the desktop app's state and its frame. Owns the Session, the selection, the command queue
// (applied between frames, ARCHITECTURE.md §2), the transport (playing, speed, breakpoints), the
// background loader, error messages and settings. No GLFW or GL here: main.cpp is the platform
// layer, and the UI tests drive an App through ImGuiIO alone.
#pragma once

#include "app/gui/engine_dialog.h"
#include "app/gui/compare_view.h"
#include "app/gui/file_dialog.h"
#include "app/gui/generate_dialog.h"
#include "app/gui/panel.h"
#include "app/gui/panel_registry.h"
#include "app/gui/settings.h"
#include "app/model/breakpoints.h"
#include "app/model/session.h"
#include "traces/event_stream.h"

#include <imgui.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gui {

struct HeapMapGeometry; // panels/heap_map.h

struct Transport {
  bool playing = false;
  double speed = 50;      // events per second while playing; 0 = as fast as possible
  double owed = 0;        // fraction of an event carried to the next frame
  double budgetMs = 8;    // engine time per frame while playing (keeps the UI responsive)
  uint64_t lastFrameEvents = 0; // events applied by playback in the last frame
  bool engineLimited = false;   // last frame ran out of budget before reaching the target
  std::string status;           // one line under the toolbar ("stopped at breakpoint: ...")
  uint64_t statusAt = 0;        // the position `status` describes: shown only while the position is there
  bool paceLessons = false;     // stop playing at the end of each lesson step (traces with annotations)
};

// Playback speeds offered by the toolbar and the [ ] keys, in events per second; 0 = as fast as
// possible (the engine's per-frame budget is then the only limit).
// Playback speed a scenario with lessons starts at: slow enough to watch each event's path light up.
inline constexpr double kLessonSpeed = 2;
inline constexpr double kSpeedPresets[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 1e4, 1e5, 1e6, 0};
double fasterSpeed(double speed);
double slowerSpeed(double speed);
std::string speedLabel(double speed); // "50 ev/s", "1M ev/s", "max"

// A trace being read and prepared on a worker thread while the GUI keeps drawing.
struct LoadJob {
  std::string path;                     // the file, or what the generator is called
  bool isFile = true;                   // files go to the recent list; generated workloads do not
  std::function<std::unique_ptr<traces::EventStream>()> openStream;
  std::optional<traces::Trace> trace;   // re-opening a trace already read: used instead of openStream
  model::EngineSettings engine;         // applied over the trace's meta config
  uint64_t resumeAt = 0;                // position to seek to once loaded
  std::atomic<uint64_t> bytesRead{0}, bytesTotal{0}, eventsRead{0};
  std::atomic<uint64_t> eventsTotal{0}; // known once reading is done (the first pass's goal)
  std::atomic<int> phase{0};            // 0 reading, 1 first pass (checkpoints), 2 finished
  model::LoadProgress progress;         // first pass: events done, and the cancel flag
  std::unique_ptr<model::Session> result; // set before phase becomes 2
  std::string error;                    // set before phase becomes 2 (empty = ok or cancelled)
  std::thread thread;
};

class App {
 public:
  // settingsPath: where settings are saved on exit and on changes; "" = never save (tests, headless).
  explicit App(Settings settings = {}, std::string settingsPath = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // One frame: call between ImGui::NewFrame() and ImGui::Render().
  void drawFrame();
  // After Render: applies queued commands, advances playback by `dt` seconds within the engine
  // budget, and takes a finished load.
  void update(double dt);

  // Loading. load() reads in the background; loadNow() blocks (headless use, tests). Errors become
  // messages in errors() (shown as a popup), never exceptions.
  void load(const std::string& path);
  bool loadNow(const std::string& path);
  void generate(const GenerateRequest& request); // a workload from traces/generators.h, in the background
  void setSession(std::unique_ptr<model::Session> s, bool addToRecentFiles = true);
  bool loading() const { return job_ != nullptr; }
  void cancelLoad();
  void waitForLoad(); // blocks until the background load has finished and been taken

  const model::Session* session() const { return session_.get(); }
  Selection& selection() { return selection_; }
  Transport& transport() { return transport_; }
  model::Breakpoints& breakpoints() { return breakpoints_; }
  std::vector<Command>& commands() { return commands_; }
  // The Compare panel: tables by library name or JSON path (--compare), following the cursor.
  void compareTables(std::vector<std::string> specs) { compare_.request(std::move(specs)); }
  // The Compare panel across Go releases (--compare-profiles), following the cursor.
  void compareProfiles(std::vector<sim::GoVersion> v) { compare_.requestProfiles(std::move(v)); }
  CompareView& compareView() { return compare_; }
  const std::vector<std::string>& errors() const { return errors_; }
  void reportError(std::string message);
  Settings& settings() { return settings_; }
  // The user's engine settings over each trace's own (Engine → Settings, --procs, --locks); used by
  // every load. reconfigure() sets them and re-opens the current trace at the same position.
  const model::EngineSettings& engine() const { return engine_; }
  void setEngine(model::EngineSettings o) { engine_ = std::move(o); }
  void reconfigure(model::EngineSettings o);
  bool& panelOpen(size_t panel) { return settings_.panelOpen[panel]; }
  // Where the heap map panel drew its pages in the last frame (tests, --heapmap-geometry).
  const HeapMapGeometry& heapMapGeometry() const;

  // Transport actions (what the toolbar and the shortcuts do).
  void step(int64_t n);
  void seek(uint64_t position);
  void togglePlay();
  void runToBreakpoint();     // seek to just after the next hit (stays put if there is none)
  void runBackToBreakpoint(); // seek to just after the previous hit before the current event
  void runToSweepEnd();       // seek to where the sweep in progress ends (gc_phase.h findSweepEnd)
  void nextLesson();          // the next annotation with the events it explains applied
  void previousLesson();
  void replayLesson();        // back to just after the current annotation

  // Where each toolbar control was drawn in the last frame (x0, y0, x1, y1): tests check that all
  // are inside the window at 1280×720.
  const std::vector<ImVec4>& toolbarRects() const { return toolbarRects_; }
  float toolbarBottom() const { return ImGui::GetFrameHeight() + transportHeight_; }
  // The line under the toolbar: why playback stopped here, else what the current event did.
  std::string statusLine() const;

  // Default window placement for a display of this size (used where imgui.ini has none): three
  // columns; in presentation mode Lesson + Path on the left and Heap map + Span inspector on the
  // right; with tilePanels() the open panels share the whole window.
  void setDefaultLayout(float width, float height);
  // Presentation mode (View menu, --present): the large font, the style and the panels' drawings
  // scaled by presentScale(), and only Lesson, Path, Heap map and Span inspector open, laid out
  // afresh; turning it off brings back the panels that were open.
  void setPresentation(bool on);
  bool presenting() const { return settings_.present; }
  float uiScale() const { return settings_.present ? kPresentScale : 1.0f; }
  static constexpr float kPresentScale = 1.5f;
  void resetLayout() { relayout_ = 3; } // every open panel back to the default layout next frame
  void tilePanels(bool on) { tile_ = on, relayout_ = 3; } // --panels: the listed panels fill the window
  // Maximise a panel over the whole area under the toolbar, or restore it (double-click its title
  // bar, or F11 over it). kPanelCount = none.
  void toggleMaximised(size_t panel);
  size_t maximised() const { return maximised_; }
  void saveSettingsNow();
  bool quitRequested() const { return quitRequested_; }
  // Applies the commands queued by panels and seek(): between frames (the frame loop does it;
  // headless benchmarks call it directly).
  void applyCommands();

 private:
  void stopAtBreakpoint(uint64_t hitAt); // stop playback just after that event, saying why
  void setStatus(std::string text, uint64_t at); // a status line that holds while the position is `at`
  void drawMenuBar();
  void drawPanels();
  void followCurrentEvent(); // follow mode: select the span and slot the current event touched
  void drawLoadProgress();
  void drawErrorPopup();
  void drawShortcutsWindow();
  void handleShortcuts();
  void drawTransport(); // transport.cpp
  void drawBreakpointsPopup();
  void play(double dt);
  void takeFinishedLoad();
  void startJob(std::unique_ptr<LoadJob> job);
  void placeNextWindow(size_t panel);
  void applyStyleScale();
  void handleMaximiseGestures();
  void openEngineDialog();

  Settings settings_;
  Settings savedSettings_;     // as last written, to save again only when something changed
  double sinceSettingsCheck_ = 0;
  std::string settingsPath_;
  std::unique_ptr<model::Session> session_;
  Selection selection_;
  Transport transport_;
  model::Breakpoints breakpoints_;
  std::vector<Command> commands_;
  std::vector<std::string> errors_;
  std::unique_ptr<LoadJob> job_;
  std::vector<std::unique_ptr<LoadJob>> abandoned_; // cancelled jobs whose thread is still running
  FileDialog fileDialog_;
  GenerateDialog generateDialog_;
  CompareView compare_;
  std::array<std::unique_ptr<Panel>, kPanelCount> panels_; // kPanels' order
  model::EngineSettings engine_;
  EngineDialog engineDialog_;
  std::array<ImVec4, kPanelCount> layout_{}; // default x, y, w, h per panel
  float transportHeight_ = 0;
  std::vector<ImVec4> toolbarRects_; // every toolbar control's rectangle in the last frame (x0, y0, x1, y1)
  uint64_t followedAt_ = ~uint64_t{0}; // position follow mode last selected for
  // Frames in which every open panel is placed at its default position: a few, so the layout also
  // follows the toolbar's height as it settles (it wraps with the presentation font).
  int relayout_ = 0;
  int framesDrawn_ = 0;
  bool tile_ = false;      // the default layout tiles the open panels over the whole window
  std::array<bool, kPanelCount> panelsBeforePresent_{};
  ImGuiStyle baseStyle_{};  // the style before presentation scaling
  bool haveBaseStyle_ = false;
  float styleScale_ = 1.0f; // the scale baseStyle_ was last applied with
  size_t maximised_ = kPanelCount;
  ImVec2 restorePos_{}, restoreSize_{}; // the maximised panel's window before it was maximised
  bool restoreNext_ = false;
  size_t restoreFor_ = kPanelCount;
  char gotoText_[24] = "";
  bool focusGoto_ = false;
  bool showShortcuts_ = false;
  bool showBreakpoints_ = false;
  bool quitRequested_ = false;
};

} // namespace gui
