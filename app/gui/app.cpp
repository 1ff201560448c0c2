// App: frame, menus, shortcuts, playback, background loading. See app.h; the toolbar is in
// transport.cpp and each panel in panels/.
//
// [SECTION] Background loading
// [SECTION] App lifetime and loading
// [SECTION] Transport actions and playback
// [SECTION] Frame: menus, panels, popups, shortcuts
#include "app/gui/app.h"

#include "app/gui/format.h"
#include "app/gui/panels/heap_map.h"
#include "app/model/gc_phase.h"
#include "app/model/lessons.h"
#include "traces/event_stream.h"
#include "traces/generators.h"
#include "traces/open_trace.h"
#include "traces/output_file.h"
#include "traces/trace_cache.h"

#include <imgui.h>
#include <imgui_internal.h> // FindWindowByName, HoveredWindow: maximising a panel by its title bar

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

namespace gui {

// [SECTION] Background loading

namespace {

struct LoadCancelled {};

// Forwards a trace stream to readAll, publishing progress after every batch and stopping when the
// user cancels. Progress goes through atomics: the GUI thread reads them while this one reads.
class ProgressStream : public traces::EventStream {
 public:
  ProgressStream(traces::EventStream& in, LoadJob& job) : in_(in), job_(job) {}
  size_t read(sim::Event* out, size_t max) override {
    if (job_.progress.cancel.load(std::memory_order_relaxed)) throw LoadCancelled{};
    size_t n = in_.read(out, max);
    job_.bytesRead.store(in_.bytesRead(), std::memory_order_relaxed);
    job_.bytesTotal.store(in_.bytesTotal(), std::memory_order_relaxed);
    job_.eventsRead.fetch_add(n, std::memory_order_relaxed);
    return n;
  }
  const traces::TraceMeta& meta() const override { return in_.meta(); }
  const std::string* annotation(uint64_t id) const override { return in_.annotation(id); }
  std::string describeObject(uint64_t id) const override { return in_.describeObject(id); }
  const std::vector<uint64_t>* originalIds() const override { return in_.originalIds(); }
  traces::ImportSummary summary() const override { return in_.summary(); }
  std::optional<uint64_t> eventCount() const override { return in_.eventCount(); }
  uint64_t bytesRead() const override { return in_.bytesRead(); }
  uint64_t bytesTotal() const override { return in_.bytesTotal(); }

 private:
  traces::EventStream& in_;
  LoadJob& job_;
};

// A binary trace file read in place (the trace itself, or the cache of another format): its first
// pass is the engine's. The session keeps `shownPath`, the file the user opened.
void openInPlace(LoadJob& job, const std::string& binaryPath, const std::string& shownPath) {
  auto file = std::make_unique<traces::BinaryTraceFile>(binaryPath);
  sim::Config cfg;
  std::string bad;
  if (!model::resolveConfig(file->meta(), job.engine, &cfg, &bad)) throw traces::TraceError(bad);
  job.eventsTotal.store(file->eventCount());
  job.phase.store(1);
  job.result = model::Session::open(std::move(file), shownPath, std::move(cfg), &job.progress);
}

// Another format, whose ids are the engine's (importers, recorder): converted on the first open
// into the binary cache (traces/trace_cache.h), then read in place, so memory does not grow with
// the trace. A damaged cache is written again; false (stream untouched) if there is no cache
// directory to write to, and the caller reads the trace into memory instead.
bool openThroughCache(LoadJob& job, traces::EventStream& stream) {
  const std::string cache = traces::binaryCachePath(job.path, &job.progress.cancel);
  if (cache.empty()) throw LoadCancelled{};
  std::error_code ec;
  if (std::filesystem::exists(cache, ec)) {
    try {
      openInPlace(job, cache, job.path);
      return true;
    } catch (const traces::TraceError&) {
      std::filesystem::remove(cache, ec); // damaged (or from another version): convert again
      job.phase.store(0);
    }
  } else if (!traces::makeCacheDir(cache)) {
    return false;
  }
  ProgressStream progress(stream, job);
  traces::writeBinaryCache(progress, cache);
  openInPlace(job, cache, job.path);
  return true;
}

// The worker: open (format sniffed from content), read every event, then the Session's first pass.
void runLoad(LoadJob& job) {
  try {
    if (!job.trace && job.isFile && traces::isRandomAccessBinary(job.path)) {
      openInPlace(job, job.path, job.path);
      job.phase.store(2, std::memory_order_release);
      return;
    }
    traces::Trace trace;
    if (job.trace) {
      trace = std::move(*job.trace);
    } else {
      auto stream = job.openStream();
      if (job.isFile && job.path != "-" && !stream->originalIds()) {
        if (openThroughCache(job, *stream)) {
          job.phase.store(2, std::memory_order_release);
          return;
        }
        stream = job.openStream(); // the cache could not be written: read it into memory
      }
      ProgressStream progress(*stream, job);
      trace = traces::readAll(progress);
    }
    sim::Config cfg;
    std::string bad;
    if (!model::resolveConfig(trace.meta, job.engine, &cfg, &bad)) throw traces::TraceError(bad);
    job.eventsTotal.store(trace.events.size());
    job.phase.store(1);
    job.result = model::Session::open(std::move(trace), job.path, std::move(cfg), &job.progress);
  } catch (const LoadCancelled&) {
  } catch (const traces::TraceError& e) {
    job.error = e.what();
  } catch (const std::bad_alloc&) {
    job.error = job.path + ": out of memory while loading";
  } catch (const std::exception& e) { // std::invalid_argument from a generator's parameters, I/O errors
    job.error = job.path + ": " + e.what();
  }
  job.phase.store(2, std::memory_order_release);
}

} // namespace

// [SECTION] App lifetime and loading

App::App(Settings settings, std::string settingsPath)
    : settings_(std::move(settings)), savedSettings_(settings_), settingsPath_(std::move(settingsPath)) {
  for (size_t i = 0; i < kPanelCount; ++i) panels_[i] = kPanels[i].make();
  transport_.speed = settings_.speed;
}

App::~App() {
  if (job_) abandoned_.push_back(std::move(job_));
  for (auto& j : abandoned_) {
    j->progress.cancel.store(true);
    if (j->thread.joinable()) j->thread.join();
  }
  saveSettingsNow();
}

void App::saveSettingsNow() {
  if (settingsPath_.empty()) return;
  if (!transport_.paceLessons) settings_.speed = transport_.speed;
  if (settings_ == savedSettings_) return;
  std::string err;
  if (!saveSettings(settings_, settingsPath_, &err)) reportError(err);
  savedSettings_ = settings_; // also after a failure: one message, not one every few seconds
}

void App::reportError(std::string message) { errors_.push_back(std::move(message)); }

void App::startJob(std::unique_ptr<LoadJob> job) {
  if (job_) cancelLoad();
  job_ = std::move(job);
  LoadJob* j = job_.get();
  job_->thread = std::thread([j] { runLoad(*j); });
}

void App::load(const std::string& path) {
  traces::noteInputFile(path); // exports never replace a trace this app opened
  auto job = std::make_unique<LoadJob>();
  job->path = path;
  job->openStream = [path] { return traces::openTrace(path); };
  job->engine = engine_;
  startJob(std::move(job));
}

void App::generate(const GenerateRequest& request) {
  auto job = std::make_unique<LoadJob>();
  job->path = "generated " + request.name + " (seed " + std::to_string(request.seed) + ")";
  job->isFile = false;
  job->openStream = [request] { return traces::makeGenerator(request.name, request.params, request.seed); };
  job->engine = engine_;
  startJob(std::move(job));
}

void App::reconfigure(model::EngineSettings o) {
  engine_ = std::move(o);
  if (timingChoiceOf(engine_) != TimingChoice::Off) settings_.panelOpen[panelIndex("locks")] = true;
  if (!session_) return;
  auto job = std::make_unique<LoadJob>();
  job->path = session_->path();
  if (session_->readsInPlace()) {
    // Read in place (a binary file or its cache): open the file again, reading no more than then.
    const std::string path = job->path;
    job->openStream = [path] { return traces::openTrace(path); };
  } else {
    // The trace is in memory: replay a copy of it rather than reading the file again.
    job->isFile = false; // already in the recent list if it was a file
    job->trace = session_->trace();
  }
  job->engine = engine_;
  job->resumeAt = session_->position();
  startJob(std::move(job));
}

bool App::loadNow(const std::string& path) {
  load(path);
  waitForLoad();
  return session_ && session_->path() == path;
}

void App::waitForLoad() {
  if (!job_) return;
  if (job_->thread.joinable()) job_->thread.join();
  takeFinishedLoad();
}

void App::cancelLoad() {
  if (!job_) return;
  job_->progress.cancel.store(true);
  abandoned_.push_back(std::move(job_)); // its thread stops at the next batch; joined later
}

void App::takeFinishedLoad() {
  std::erase_if(abandoned_, [](std::unique_ptr<LoadJob>& j) {
    if (j->phase.load(std::memory_order_acquire) != 2) return false;
    j->thread.join();
    return true;
  });
  if (!job_ || job_->phase.load(std::memory_order_acquire) != 2) return;
  if (job_->thread.joinable()) job_->thread.join();
  std::unique_ptr<LoadJob> done = std::move(job_);
  if (done->result) {
    setSession(std::move(done->result), done->isFile);
    if (done->resumeAt > 0) seek(done->resumeAt);
  } else if (!done->error.empty()) reportError(done->error);
}

void App::setSession(std::unique_ptr<model::Session> s, bool addToRecentFiles) {
  if (!transport_.paceLessons) settings_.speed = transport_.speed; // the user's speed, not a lesson's
  session_ = std::move(s);
  selection_ = Selection{};
  commands_.clear();
  transport_.playing = false;
  transport_.owed = 0;
  transport_.status.clear();
  followedAt_ = ~uint64_t{0};
  if (session_) {
    // A scenario with lessons: follow the events, pause at each step, play at a readable pace.
    const bool lessons = !session_->annotationEvents().empty();
    selection_.follow = lessons;
    transport_.paceLessons = lessons;
    transport_.speed = lessons ? kLessonSpeed : settings_.speed;
  }
  if (session_ && addToRecentFiles && !session_->path().empty()) addRecentFile(settings_, session_->path());
}

// [SECTION] Transport actions and playback

void App::step(int64_t n) { commands_.push_back(Command{Command::Step, n}); }

void App::seek(uint64_t position) {
  if (session_) position = std::min(position, session_->eventCount());
  commands_.push_back(Command{Command::Seek, static_cast<int64_t>(std::min<uint64_t>(position, INT64_MAX))});
}

void App::togglePlay() {
  if (!session_) return;
  transport_.playing = !transport_.playing;
  transport_.owed = 0;
  transport_.status.clear();
  // Play at the end starts over, as a media player does.
  if (transport_.playing && session_->position() >= session_->eventCount()) seek(0);
}

void App::runToBreakpoint() {
  if (!session_) return;
  if (!breakpoints_.any()) {
    setStatus("No breakpoint set (Breakpoints… in the toolbar)", session_->position());
    return;
  }
  const uint64_t pos = session_->position();
  const uint64_t hitAt = model::findBreakpointForward(breakpoints_, *session_, pos, session_->eventCount());
  if (hitAt == session_->eventCount()) {
    setStatus("No breakpoint hit after event #" + FormatCount(pos == 0 ? 0 : pos - 1), pos);
    return;
  }
  stopAtBreakpoint(hitAt);
}

// Stops playback just after the breakpoint hit at event `hitAt`, saying why it stopped there.
void App::stopAtBreakpoint(uint64_t hitAt) {
  std::string why;
  model::breakpointHit(breakpoints_, *session_, hitAt, &why);
  setStatus("Stopped at event #" + FormatCount(hitAt) + ": " + why, hitAt + 1);
  transport_.playing = false;
  seek(hitAt + 1);
}

void App::setStatus(std::string text, uint64_t at) {
  transport_.status = std::move(text);
  transport_.statusAt = at;
}

void App::runBackToBreakpoint() {
  if (!session_ || !breakpoints_.any()) return;
  const uint64_t pos = session_->position();
  // The current event is pos-1; look before it.
  const uint64_t hitAt = pos < 2 ? UINT64_MAX : model::findBreakpointBackward(breakpoints_, *session_, pos - 1);
  if (hitAt == UINT64_MAX) {
    setStatus("No breakpoint hit before the current event", pos);
    return;
  }
  stopAtBreakpoint(hitAt);
}

void App::runToSweepEnd() {
  if (!session_) return;
  const model::SweepEnd end = model::findSweepEnd(*session_);
  if (!end.inProgress) {
    setStatus("No sweep in progress: every span is swept for this GC cycle", session_->position());
    return;
  }
  transport_.playing = false;
  if (!end.reached) setStatus("The sweep is still in progress at position " + FormatCount(end.position), end.position);
  else if (end.byGC) setStatus("The sweep ended inside the GC cycle of event #" + FormatCount(end.position - 1) + " (sweep termination sweeps what is left)", end.position);
  else setStatus("Sweep done after event #" + FormatCount(end.position - 1), end.position);
  seek(end.position);
}

void App::nextLesson() {
  if (session_) seek(model::nextLessonPosition(*session_));
}
void App::previousLesson() {
  if (session_) seek(model::previousLessonPosition(*session_));
}
void App::replayLesson() {
  if (session_) seek(model::replayLessonPosition(*session_));
}

void App::applyCommands() {
  if (!session_) {
    commands_.clear();
    return;
  }
  // The Compare panel's commands first: an export writes the figures the user saw when pressing it.
  for (const Command& c : commands_) {
    if (c.kind == Command::ExportCompare) compare_.exportNow(static_cast<ExportKind>(std::clamp<int64_t>(c.arg, 0, 2)), c.path);
    else if (c.kind == Command::OpenCompareTables) compare_.openDialog();
    else if (c.kind == Command::OpenDesigner) compare_.openDesigner();
    else if (c.kind == Command::CompareGoReleases) compare_.requestProfiles({sim::GoVersion::Go119, sim::GoVersion::Go126});
  }
  for (const Command& c : commands_) {
    if (c.kind == Command::Seek) session_->seek(static_cast<uint64_t>(std::max<int64_t>(0, c.arg)));
    else if (c.kind == Command::Step) session_->step(c.arg);
  }
  // Re-opening replaces the session: after the other commands, and only the last one counts.
  const auto timing = std::find_if(commands_.rbegin(), commands_.rend(), [](const Command& c) { return c.kind == Command::SetTiming; });
  if (timing != commands_.rend()) {
    model::EngineSettings o = engine_;
    setTimingChoice(o, static_cast<TimingChoice>(std::clamp<int64_t>(timing->arg, 0, 2)));
    commands_.clear();
    reconfigure(std::move(o));
  }
  commands_.clear();
}

// Advances by speed*dt events (all remaining ones at "as fast as possible"), stops at the first
// breakpoint hit, and stops stepping when the frame's engine budget is spent so the UI keeps its
// frame rate: a trace that cannot be replayed at the asked speed plays slower instead of freezing.
void App::play(double dt) {
  transport_.lastFrameEvents = 0;
  transport_.engineLimited = false;
  if (!transport_.playing || !session_) return;
  const uint64_t pos = session_->position(), n = session_->eventCount();
  if (pos >= n) {
    transport_.playing = false;
    return;
  }
  uint64_t want = n - pos;
  if (transport_.speed > 0) {
    // A long frame (a load, a dragged window) must not make playback jump ahead.
    transport_.owed += transport_.speed * std::clamp(dt, 0.0, 0.25);
    want = static_cast<uint64_t>(std::floor(transport_.owed));
    transport_.owed -= static_cast<double>(want);
  }
  uint64_t target = std::min(n, pos + want);
  const uint64_t hitAt = model::findBreakpointForward(breakpoints_, *session_, pos, target);
  const bool stopsAtHit = hitAt < target;
  if (stopsAtHit) target = hitAt + 1;
  // A lesson paces itself: playback stops when a step's events are all applied, before the next
  // annotation, so its text stays up until Play (or PageDown) goes on.
  uint64_t lessonEnd = n;
  if (transport_.paceLessons) {
    const auto& ann = session_->annotationEvents();
    const auto next = std::upper_bound(ann.begin(), ann.end(), pos);
    if (next != ann.end()) lessonEnd = *next;
  }
  const bool stopsAtLesson = !stopsAtHit && lessonEnd < target;
  if (stopsAtLesson) target = lessonEnd;

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double, std::milli>(transport_.budgetMs);
  uint64_t chunk = 256;
  while (session_->position() < target) {
    session_->step(static_cast<int64_t>(std::min(chunk, target - session_->position())));
    if (Clock::now() >= deadline) break;
    chunk = std::min<uint64_t>(chunk * 2, 65536);
  }
  transport_.lastFrameEvents = session_->position() - pos;
  if (session_->position() < target) {
    transport_.engineLimited = true;
    transport_.owed = 0; // do not build up a debt the engine can never pay
    return;
  }
  if (stopsAtHit) {
    std::string why;
    model::breakpointHit(breakpoints_, *session_, hitAt, &why);
    setStatus("Stopped at event #" + FormatCount(hitAt) + ": " + why, hitAt + 1);
    transport_.playing = false;
  } else if (stopsAtLesson) {
    setStatus("End of this lesson step: Play (Space) or PageDown for the next one", target);
    transport_.playing = false;
  } else if (session_->position() >= n) {
    transport_.playing = false;
  }
}

void App::update(double dt) {
  takeFinishedLoad();
  applyCommands();
  play(dt);
  compare_.follow(session_.get()); // the compared engines share the cursor
  // Settings are written when they change (checked every few seconds), so a killed app keeps them.
  if ((sinceSettingsCheck_ += dt) >= 3) {
    sinceSettingsCheck_ = 0;
    saveSettingsNow();
  }
}

// [SECTION] Frame: menus, panels, popups, shortcuts

namespace {

std::string scenarioPath(const std::string& name) { return std::string(SPANSCOPE_ASSETS_DIR) + "/scenarios/" + name; }

// The bundled scenarios (every .json in assets/scenarios), the classroom tour first, then by name;
// read once, so a scenario added to the directory shows up without a code change.
const std::vector<std::string>& scenarioNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(scenarioPath(""), ec))
      if (e.path().extension() == ".json") v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
      return std::make_pair(a != "classroom.json", a) < std::make_pair(b != "classroom.json", b);
    });
    return v;
  }();
  return names;
}

// Letters and punctuation: Dear ImGui 1.86 indexes io.KeysDown by the backend's key codes, and
// GLFW's codes for these keys are their ASCII codes.
bool keyPressed(char c) { return ImGui::IsKeyPressed(static_cast<unsigned char>(c), false); }
bool namedKeyPressed(ImGuiKey k, bool repeat = true) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(k), repeat); }
// Function keys have no ImGuiKey in 1.86: GLFW's key codes (GLFW_KEY_F5, GLFW_KEY_F11), which the
// backend uses as io.KeysDown indices.
constexpr int kKeyF5 = 294, kKeyF11 = 300;

} // namespace

void App::setDefaultLayout(float width, float height) {
  const float top = ImGui::GetFrameHeight() + transportHeight_;
  const float h = std::max(100.0f, height - top);
  auto at = [&](const char* key, float x, float y, float w, float hh) {
    layout_[panelIndex(key)] = ImVec4(x, top + y * h, w, hh * h);
  };
  if (tile_) {
    // --panels: the listed (open) panels share the whole window in a grid, in the registry's order.
    std::vector<size_t> open;
    for (size_t i = 0; i < kPanelCount; ++i)
      if (settings_.panelOpen[i]) open.push_back(i);
    const size_t n = std::max<size_t>(1, open.size());
    const auto cols = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    const size_t rows = (n + cols - 1) / cols;
    for (size_t k = 0; k < open.size(); ++k) {
      const size_t r = k / cols, c = k % cols;
      const size_t inRow = r + 1 == rows ? n - r * cols : cols; // the last row's panels widen to fill it
      const float w = width / static_cast<float>(inRow);
      layout_[open[k]] = ImVec4(w * static_cast<float>(c), top + h * static_cast<float>(r) / static_cast<float>(rows), w,
                                h / static_cast<float>(rows));
    }
    return;
  }
  if (settings_.present) {
    // The lesson's text and the path on the left, the heap map and the span on the right.
    const float c0 = width * 0.42f, c1 = width - c0;
    at("lesson", 0, 0, c0, 0.46f); // room for a lesson's paragraph at projector size
    at("path", 0, 0.46f, c0, 0.54f);
    at("heapmap", c0, 0, c1, 0.46f);
    at("inspector", c0, 0.46f, c1, 0.54f);
    for (const char* other : {"eventlog", "mheap", "sizeclasses", "mcentral", "ps", "stats"}) at(other, c0, 0, c1, 1.0f);
    at("compare", 0, 0, width, 1.0f);
    at("locks", 0, 0, width, 1.0f);
    return;
  }
  // Three columns under the toolbar: the heap map and event log on the left (the two views a
  // lecture points at), the lesson, the path diagram and the span inspector in the middle, the
  // tables on the right.
  const float c0 = width * 0.42f, c1 = width * 0.29f, c2 = width - c0 - c1;
  at("heapmap", 0, 0, c0, 0.56f);
  at("eventlog", 0, 0.56f, c0, 0.44f);
  at("lesson", c0, 0, c1, 0.20f);
  at("path", c0, 0.20f, c1, 0.44f);
  at("inspector", c0, 0.64f, c1, 0.36f);
  at("sizeclasses", c0 + c1, 0, c2, 0.26f);
  at("mcentral", c0 + c1, 0.26f, c2, 0.16f);
  at("mheap", c0 + c1, 0.42f, c2, 0.22f);
  at("ps", c0 + c1, 0.64f, c2, 0.16f);
  at("stats", c0 + c1, 0.80f, c2, 0.20f);
  at("compare", 0, 0, width, 1.0f); // over everything: a view of its own
  at("locks", c0, 0, c1 + c2, 1.0f); // wide and tall: over the middle and right columns
}

void App::setPresentation(bool on) {
  if (on == settings_.present) return;
  if (on) {
    panelsBeforePresent_ = settings_.panelOpen;
    for (size_t i = 0; i < kPanelCount; ++i) settings_.panelOpen[i] = false;
    for (const char* key : {"lesson", "path", "heapmap", "inspector"}) settings_.panelOpen[panelIndex(key)] = true;
  } else {
    // Started in presentation mode (--present, or saved so): back to the default panels.
    const bool saved = std::find(panelsBeforePresent_.begin(), panelsBeforePresent_.end(), true) != panelsBeforePresent_.end();
    settings_.panelOpen = saved ? panelsBeforePresent_ : defaultPanelOpen();
  }
  settings_.present = on;
  maximised_ = kPanelCount;
  relayout_ = 3;
}

// Presentation mode scales the style's sizes (padding, spacing, scrollbars, rounding) with the font;
// ImGui's ScaleAllSizes is one-way, so the unscaled style is kept and scaled afresh on a change.
void App::applyStyleScale() {
  ImGuiStyle& style = ImGui::GetStyle();
  if (!haveBaseStyle_) {
    // Opaque windows: panels laid over others (Compare, a maximised panel) must not show the
    // figures of the ones beneath through them.
    style.Colors[ImGuiCol_WindowBg].w = 1.0f;
    baseStyle_ = style, haveBaseStyle_ = true;
  }
  const float want = settings_.present ? 1.25f : 1.0f;
  if (want == styleScale_) return;
  style = baseStyle_;
  if (want != 1.0f) style.ScaleAllSizes(want);
  styleScale_ = want;
}

void App::toggleMaximised(size_t panel) {
  if (panel >= kPanelCount) return;
  if (maximised_ == panel) {
    maximised_ = kPanelCount;
    restoreNext_ = true;
    restoreFor_ = panel;
    return;
  }
  if (ImGuiWindow* w = ImGui::FindWindowByName(kPanels[panel].title)) restorePos_ = w->Pos, restoreSize_ = w->Size;
  else restorePos_ = ImVec2(layout_[panel].x, layout_[panel].y), restoreSize_ = ImVec2(layout_[panel].z, layout_[panel].w);
  settings_.panelOpen[panel] = true;
  maximised_ = panel;
}

// Double-click on a panel's title bar, or F11 with the mouse over a panel: maximise or restore it.
void App::handleMaximiseGestures() {
  const ImGuiIO& io = ImGui::GetIO();
  ImGuiContext& g = *ImGui::GetCurrentContext();
  ImGuiWindow* hovered = g.HoveredWindow ? g.HoveredWindow->RootWindow : nullptr;
  if (!hovered) return;
  for (size_t i = 0; i < kPanelCount; ++i) {
    if (!settings_.panelOpen[i] || std::string_view(hovered->Name) != kPanels[i].title) continue;
    const bool onTitle = hovered->TitleBarRect().Contains(io.MousePos);
    if ((onTitle && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) || ImGui::IsKeyPressed(kKeyF11, false))
      toggleMaximised(i);
    return;
  }
}

void App::openEngineDialog() {
  sim::Config base;
  if (session_) traces::applyTraceConfig(session_->trace().meta, base);
  sim::Config current = base;
  std::string bad; // a cost model that went bad since: the dialog shows the rest
  model::applyEngineSettings(engine_, current, &bad);
  engineDialog_.open(session_ ? session_->world().config() : current, base, engine_);
}

void App::placeNextWindow(size_t panel) {
  if (panel == maximised_) {
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    const float top = ImGui::GetFrameHeight() + transportHeight_;
    ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(d.x, std::max(100.0f, d.y - top)), ImGuiCond_Always);
    ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always); // the double-click that maximised it also toggled collapse
    return;
  }
  if (restoreNext_ && panel == restoreFor_) {
    ImGui::SetNextWindowPos(restorePos_, ImGuiCond_Always);
    ImGui::SetNextWindowSize(restoreSize_, ImGuiCond_Always);
    ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
    return;
  }
  const ImVec4& r = layout_[panel];
  const ImGuiCond cond = relayout_ > 0 ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), cond);
  ImGui::SetNextWindowSize(ImVec2(r.z, r.w), cond);
  if (relayout_ > 0) ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
}

void App::drawFrame() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.Fonts->Fonts.Size > 1) io.FontDefault = io.Fonts->Fonts[settings_.largeText || settings_.present ? 1 : 0];
  applyStyleScale();
  compare_.follow(session_.get());
  if (compare_.takeOpenRequest()) settings_.panelOpen[panelIndex("compare")] = true;
  drawMenuBar();
  const float toolbarBefore = transportHeight_;
  drawTransport();
  // The toolbar's height settles over the first frames (it wraps, auto-resizes): lay the panels
  // out again while it does, so none starts under it.
  if (framesDrawn_ > 0 && framesDrawn_ < 4 && std::fabs(transportHeight_ - toolbarBefore) > 0.5f) relayout_ = std::max(relayout_, 2);
  ++framesDrawn_;
  setDefaultLayout(io.DisplaySize.x, io.DisplaySize.y);
  drawPanels();
  handleMaximiseGestures();
  drawLoadProgress();
  std::string picked;
  if (fileDialog_.draw(&picked)) {
    settings_.lastDirectory = fileDialog_.directory();
    load(picked);
  }
  GenerateRequest request;
  if (generateDialog_.draw(&request)) generate(request);
  compare_.drawWindows(session_.get());
  model::EngineSettings chosen;
  if (engineDialog_.draw(&chosen)) reconfigure(std::move(chosen));
  drawErrorPopup();
  handleShortcuts();
}

const HeapMapGeometry& App::heapMapGeometry() const {
  return static_cast<const HeapMapPanel&>(*panels_[panelIndex("heapmap")]).geometry();
}

void App::drawPanels() {
  if (!session_) {
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::Begin("No trace###welcome", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted(loading() ? "Loading…" : "No trace loaded.");
    ImGui::TextUnformatted("File → Open (Ctrl+O), drop a trace file on the window, or:");
    if (ImGui::Button("Open the classroom scenario")) load(scenarioPath("classroom.json"));
    ImGui::End();
    return;
  }
  followCurrentEvent();
  const sim::HeapView view = session_->world().view();
  PanelContext ctx{*session_, view, selection_, commands_, &compare_};
  ctx.uiScale = uiScale();
  // A step forward lights the Path panel's stops one by one; so does playback slow enough to follow.
  ctx.animateSeconds = !transport_.playing ? 0.6 : transport_.speed > 0 && transport_.speed <= 4 ? 0.8 / transport_.speed : 0;
  if (maximised_ < kPanelCount && !settings_.panelOpen[maximised_]) maximised_ = kPanelCount; // closed while maximised
  for (size_t i = 0; i < kPanelCount; ++i) {
    if (!settings_.panelOpen[i] || (maximised_ < kPanelCount && i != maximised_)) continue;
    placeNextWindow(i);
    panels_[i]->Draw(ctx, &settings_.panelOpen[i]);
  }
  if (maximised_ == kPanelCount) { // applied to every open panel this frame
    relayout_ = std::max(0, relayout_ - 1);
    restoreNext_ = false;
  }
}

void App::followCurrentEvent() {
  const uint64_t pos = session_->position();
  if (!selection_.follow || pos == followedAt_) return;
  const bool stepped = followedAt_ != ~uint64_t{0} && pos == followedAt_ + 1; // a seek or a load does not pulse
  followedAt_ = pos;
  const sim::StepRecord* r = session_->lastRecord();
  if (r && (r->kind == sim::EventKind::Alloc || r->kind == sim::EventKind::Free) && r->span != sim::kNoSpan) {
    selection_.span = r->span;
    selection_.address = r->addr;
    selection_.pulseAt = stepped ? ImGui::GetTime() : -1;
    return;
  }
  if (stepped) return; // a lesson step or a GC after an allocation: keep showing that allocation's span
  // Arrived by a seek at an event that touched no object (a lesson, a GC): show the span of the
  // nearest allocation or free before it, if that span still holds the address.
  const uint64_t from = pos > 64 ? pos - 64 : 0;
  for (uint64_t i = pos; i-- > from;) {
    const uint64_t addr = session_->info(i).addr;
    if (addr == 0) continue;
    const sim::SpanId span = session_->world().view().spanAt(addr);
    if (span == sim::kNoSpan) return;
    selection_.span = span;
    selection_.address = addr;
    selection_.pulseAt = -1;
    return;
  }
}

void App::drawMenuBar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open…", "Ctrl+O")) fileDialog_.open(settings_.lastDirectory);
    if (ImGui::MenuItem("Generate a workload…")) generateDialog_.open();
    if (ImGui::BeginMenu("Classroom scenarios")) {
      for (const std::string& s : scenarioNames())
        if (ImGui::MenuItem(s.c_str())) load(scenarioPath(s));
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Recent files", !settings_.recentFiles.empty())) {
      std::string chosen;
      for (const std::string& f : settings_.recentFiles)
        if (ImGui::MenuItem(f.c_str())) chosen = f;
      ImGui::EndMenu();
      if (!chosen.empty()) load(chosen);
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quitRequested_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (size_t i = 0; i < kPanelCount; ++i) ImGui::MenuItem(kPanels[i].title, nullptr, &settings_.panelOpen[i]);
    ImGui::Separator();
    ImGui::MenuItem("Large text (for projectors)", nullptr, &settings_.largeText);
    if (ImGui::MenuItem("Presentation mode", "F5", settings_.present)) setPresentation(!settings_.present);
    if (ImGui::MenuItem("Reset layout")) resetLayout();
    if (ImGui::MenuItem(maximised_ < kPanelCount ? "Restore panel" : "Maximise panel under the mouse", "F11", maximised_ < kPanelCount,
                        maximised_ < kPanelCount))
      toggleMaximised(maximised_);
    ImGui::Separator();
    if (ImGui::MenuItem("Compare tables…")) compare_.openDialog();
    if (ImGui::MenuItem("Compare Go releases (1.19 vs 1.26)")) compare_.requestProfiles({sim::GoVersion::Go119, sim::GoVersion::Go126});
    if (ImGui::MenuItem("Size-class designer…")) compare_.openDesigner();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Playback", session_ != nullptr)) {
    if (ImGui::MenuItem(transport_.playing ? "Pause" : "Play", "Space")) togglePlay();
    if (ImGui::MenuItem("Step forward", "Right")) step(1);
    if (ImGui::MenuItem("Step back", "Left")) step(-1);
    if (ImGui::MenuItem("Step forward ×10", "Shift+Right")) step(10);
    if (ImGui::MenuItem("Step forward ×100", "Ctrl+Right")) step(100);
    if (ImGui::MenuItem("Step forward ×1000", "Ctrl+Shift+Right")) step(1000);
    if (ImGui::MenuItem("Go to start", "Home")) seek(0);
    if (ImGui::MenuItem("Go to end", "End")) seek(session_->eventCount());
    if (ImGui::MenuItem("Go to event…", "Ctrl+G")) focusGoto_ = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Run to next breakpoint", "B")) runToBreakpoint();
    if (ImGui::MenuItem("Back to previous breakpoint", "Shift+B")) runBackToBreakpoint();
    if (ImGui::MenuItem("Step to end of this sweep", "S", false, session_->world().view().sweepInProgress())) runToSweepEnd();
    ImGui::Separator();
    ImGui::MenuItem("Pause at each lesson step", nullptr, &transport_.paceLessons, !session_->annotationEvents().empty());
    if (ImGui::MenuItem("Next lesson step", "PageDown")) nextLesson();
    if (ImGui::MenuItem("Previous lesson step", "PageUp")) previousLesson();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Engine")) {
    if (ImGui::MenuItem("Settings…")) openEngineDialog();
    ImGui::Separator();
    ImGui::TextDisabled("Timing and lock model");
    const TimingChoice now = session_ ? timingChoiceOf(session_->world().config()) : timingChoiceOf(engine_);
    for (TimingChoice t : {TimingChoice::Off, TimingChoice::LockFree, TimingChoice::Mutex})
      if (ImGui::MenuItem(timingChoiceLabel(t), nullptr, now == t) && now != t) {
        model::EngineSettings o = engine_;
        setTimingChoice(o, t);
        reconfigure(std::move(o));
      }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    ImGui::MenuItem("Keyboard shortcuts", nullptr, &showShortcuts_);
    ImGui::EndMenu();
  }
  if (session_) {
    // At the right of the menu bar: the liveness in force (it decides what every heap figure
    // means, so it is always in view, with the reason), then the file and its event count.
    const sim::Liveness live = session_->world().config().liveness;
    const std::string banner = std::string("liveness ") + sim::livenessName(live) + " (" +
                               model::livenessSource(session_->trace().meta, engine_, live) + ")";
    std::string where = session_->trace().meta.name.empty() ? session_->path() : session_->trace().meta.name;
    where += "  ·  " + FormatCount(session_->eventCount()) + " events";
    // The Go release modelled: it changes classes, objects per span and the waste ledger.
    const std::string release = std::string("Go ") + sim::goVersionName(session_->world().config().goVersion);
    const float right = ImGui::CalcTextSize(where.c_str()).x + ImGui::CalcTextSize(banner.c_str()).x +
                        ImGui::CalcTextSize(release.c_str()).x + 64;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 20, ImGui::GetWindowWidth() - right));
    ImGui::TextUnformatted(release.c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The engine models Go %s's allocator (a trace recorded with Go 1.23 or later opens under 1.26).\n"
                        "Change it in Engine → Settings; compare both in View → Compare Go releases.",
                        sim::goVersionName(session_->world().config().goVersion));
    ImGui::SameLine(0, 24);
    ImGui::TextColored(live == sim::Liveness::Immediate ? ImVec4(1.0f, 0.78f, 0.45f, 1) : ImVec4(0.55f, 0.85f, 0.6f, 1), "%s",
                       banner.c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Liveness %s: %s\nChange it in Engine → Settings.", sim::livenessName(live),
                        model::livenessReason(session_->trace().meta, engine_, live).c_str());
    ImGui::SameLine(0, 24);
    ImGui::TextDisabled("%s", where.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", session_->path().c_str());
  }
  ImGui::EndMainMenuBar();
  if (showShortcuts_) drawShortcutsWindow();
}

void App::drawShortcutsWindow() {
  ImGui::SetNextWindowSize(ImVec2(460, 0), ImGuiCond_Appearing);
  if (!ImGui::Begin("Keyboard shortcuts", &showShortcuts_, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  static constexpr const char* kRows[][2] = {
      {"Space", "play / pause"},
      {"Right / Left", "step forward / back one event"},
      {"Shift + Right / Left", "step ×10"},
      {"Ctrl + Right / Left", "step ×100"},
      {"Ctrl + Shift + Right / Left", "step ×1000"},
      {"Home / End", "first / last event"},
      {"Ctrl+G", "go to event #"},
      {"[ / ]", "slower / faster"},
      {"B / Shift+B", "run to next / back to previous breakpoint"},
      {"S", "step to the end of the sweep in progress"},
      {"PageDown / PageUp", "next / previous lesson step"},
      {"Ctrl+O", "open a trace"},
      {"Ctrl+Q", "quit"},
      {"F5", "presentation mode on / off"},
      {"F11, double-click a title", "maximise / restore the panel under the mouse"},
      {"Heap map: wheel, drag", "zoom, pan; click a page to inspect its span"},
  };
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg)) {
    for (const auto& r : kRows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r[0]);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r[1]);
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

void App::drawLoadProgress() {
  if (!job_) return;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(520.0f, d.x * 0.9f), 0), ImGuiCond_Always);
  ImGui::Begin("Loading###loading", nullptr, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoResize);
  ImGui::TextWrapped("%s", job_->path.c_str());
  float fraction = 0;
  std::string text;
  if (job_->phase.load() == 0) {
    const uint64_t done = job_->bytesRead.load(), total = job_->bytesTotal.load();
    fraction = total ? static_cast<float>(static_cast<double>(done) / static_cast<double>(total)) : 0.0f;
    text = "Reading: " + FormatCount(job_->eventsRead.load()) + " events";
    if (total) text += ", " + FormatBytes(done) + " of " + FormatBytes(total);
  } else {
    const uint64_t done = job_->progress.eventsDone.load(), total = job_->eventsTotal.load();
    fraction = total ? static_cast<float>(static_cast<double>(done) / static_cast<double>(total)) : 1.0f;
    text = "Replaying once for checkpoints: " + FormatCount(done) + " of " + FormatCount(total) + " events";
  }
  ImGui::ProgressBar(fraction, ImVec2(-1, 0));
  ImGui::TextUnformatted(text.c_str());
  if (ImGui::Button("Cancel") || namedKeyPressed(ImGuiKey_Escape, false)) cancelLoad();
  ImGui::End();
}

void App::drawErrorPopup() {
  if (errors_.empty()) return;
  if (!ImGui::IsPopupOpen("Error###error")) ImGui::OpenPopup("Error###error");
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, d.x * 0.9f), 0), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal("Error###error", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::TextWrapped("%s", errors_.front().c_str());
    if (errors_.size() > 1) ImGui::TextDisabled("(%zu more)", errors_.size() - 1);
    if (ImGui::Button("OK", ImVec2(100, 0)) || namedKeyPressed(ImGuiKey_Enter, false)) {
      errors_.erase(errors_.begin());
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
}

void App::handleShortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId)) return;
  if (io.KeyCtrl && keyPressed('O')) fileDialog_.open(settings_.lastDirectory);
  if (io.KeyCtrl && keyPressed('Q')) quitRequested_ = true;
  if (!session_) return;
  const int64_t count = io.KeyCtrl && io.KeyShift ? 1000 : io.KeyCtrl ? 100 : io.KeyShift ? 10 : 1;
  if (namedKeyPressed(ImGuiKey_RightArrow)) step(count);
  if (namedKeyPressed(ImGuiKey_LeftArrow)) step(-count);
  if (namedKeyPressed(ImGuiKey_Space, false)) togglePlay();
  if (namedKeyPressed(ImGuiKey_Home, false)) seek(0);
  if (namedKeyPressed(ImGuiKey_End, false)) seek(session_->eventCount());
  if (namedKeyPressed(ImGuiKey_PageDown, false)) nextLesson();
  if (namedKeyPressed(ImGuiKey_PageUp, false)) previousLesson();
  if (io.KeyCtrl && keyPressed('G')) focusGoto_ = true;
  if (!io.KeyCtrl && keyPressed('B')) io.KeyShift ? runBackToBreakpoint() : runToBreakpoint();
  if (!io.KeyCtrl && !io.KeyShift && keyPressed('S')) runToSweepEnd();
  if (ImGui::IsKeyPressed(kKeyF5, false)) setPresentation(!settings_.present);
  if (keyPressed('[')) transport_.speed = slowerSpeed(transport_.speed);
  if (keyPressed(']')) transport_.speed = fasterSpeed(transport_.speed);
}

} // namespace gui
