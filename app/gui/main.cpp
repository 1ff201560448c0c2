// spanscope: the desktop app's entry point. The platform layer only: GLFW window, OpenGL 3.3 core
// context, the two Dear ImGui backends, drag and drop, the GL texture uploader, and the headless
// modes (--screenshot, --bench-frames). Everything else is App (app.h).
#include "app/gui/app.h"
#include "app/gui/fonts.h"
#include "app/gui/options.h"
#include "app/gui/panels/heap_map.h"
#include "app/gui/screenshot.h"
#include "app/gui/texture.h"
#include "app/report/exception_text.h"
#include "traces/json_io.h"

#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h> // ImGui::ErrorCheckEndFrameRecover
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

namespace {

class GlTextureUploader : public gui::TextureUploader {
 public:
  ImTextureID upload(ImTextureID texture, const ImU32* pixels, int w, int h) override {
    GLuint tex = static_cast<GLuint>(reinterpret_cast<intptr_t>(texture));
    if (tex == 0) {
      glGenTextures(1, &tex);
      glBindTexture(GL_TEXTURE_2D, tex);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    glBindTexture(GL_TEXTURE_2D, tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex));
  }
};

void onGlfwError(int code, const char* what) { std::fprintf(stderr, "spanscope: GLFW error %d: %s\n", code, what); }

void onDrop(GLFWwindow* window, int count, const char** paths) {
  if (count > 0) static_cast<gui::App*>(glfwGetWindowUserPointer(window))->load(paths[0]);
}

void ignoreRecoveryLog(void*, const char*, ...) {}

// An exception out of a panel or a command becomes a message in the app, which keeps running:
// the frame's open windows and stacks are closed so the next frame starts clean.
template <class F>
void guarded(gui::App& app, F&& f) {
  std::string what;
  try {
    f();
    return;
  } catch (...) {
    what = report::currentExceptionText();
  }
  ImGui::ErrorCheckEndFrameRecover(ignoreRecoveryLog); // closes what the frame left open
  app.reportError("Internal error: " + what);
}

// One frame: input, UI, render, then the app's commands and playback.
void renderFrame(gui::App& app, GLFWwindow* window) {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  guarded(app, [&] { app.drawFrame(); });
  ImGui::Render();
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  guarded(app, [&] { app.update(ImGui::GetIO().DeltaTime); });
}

bool writeHeapMapGeometry(const gui::App& app, const std::string& path, std::string* error) {
  const gui::HeapMapGeometry& g = app.heapMapGeometry();
  nlohmann::json j = {{"origin_x", g.origin.x}, {"origin_y", g.origin.y}, {"cell", g.cell}, {"cols", g.cols}, {"pages", g.pages}};
  return traces::writeFileAtomic(path, traces::dumpJson(j) + "\n", error);
}

double percentile(std::vector<double> v, double p);

// --bench-seeks: what a user feels when dragging the position slider and stepping back.
void benchSeeks(gui::App& app, uint64_t n) {
  const model::Session& s = *app.session();
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::vector<double> seeks, backs;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17; // xorshift: the same positions every run
    const uint64_t target = 1 + x % std::max<uint64_t>(s.eventCount(), 1);
    const auto t0 = Clock::now();
    app.seek(target);
    app.applyCommands();
    const auto t1 = Clock::now();
    app.seek(target - 1);
    app.applyCommands();
    const auto t2 = Clock::now();
    seeks.push_back(ms(t0, t1));
    backs.push_back(ms(t1, t2));
  }
  std::printf("%llu events, %zu checkpoints (%.0f MiB, one every %llu events): seek anywhere p50 %.1f ms, p95 %.1f ms, "
              "max %.1f ms; step back one event p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
              static_cast<unsigned long long>(s.eventCount()), s.checkpoints().count(),
              static_cast<double>(s.checkpoints().bytes()) / 1048576.0,
              static_cast<unsigned long long>(s.checkpoints().interval()), percentile(seeks, 0.5), percentile(seeks, 0.95),
              *std::max_element(seeks.begin(), seeks.end()), percentile(backs, 0.5), percentile(backs, 0.95),
              *std::max_element(backs.begin(), backs.end()));
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

int runApp(int argc, char** argv) {
  std::string err;
  auto opts = gui::parseOptions(argc, argv, &err);
  if (!opts) {
    std::fprintf(stderr, "%s\n%s", err.c_str(), gui::kUsage);
    return 64;
  }
  if (opts->help) {
    std::fputs(gui::kUsage, stdout);
    return 0;
  }
  const bool headless = !opts->screenshot.empty() || opts->benchFrames > 0 || opts->benchSeeks > 0;

  // Settings and layout persist only in interactive use, so headless output never depends on them.
  std::string settingsPath, iniPath;
  gui::Settings settings;
  if (!headless && !gui::configDirectory().empty()) {
    settingsPath = gui::configDirectory() + "/settings.json";
    iniPath = gui::configDirectory() + "/imgui.ini";
    settings = gui::loadSettings(settingsPath, &err);
    std::error_code ec;
    std::filesystem::create_directories(gui::configDirectory(), ec);
  }
  gui::applyOptions(*opts, settings);

  // The trace loads (its first pass included) on the App's load thread while the window, the GL
  // context and the fonts are made: a large trace is ready sooner by that much. The App goes
  // before the GL context does (its panels hold textures).
  std::optional<gui::App> appHolder(std::in_place, settings, settingsPath);
  if (!err.empty()) appHolder->reportError(err);
  appHolder->setEngine(opts->engine);
  const std::string trace = opts->trace.empty() ? std::string(SPANSCOPE_ASSETS_DIR) + "/scenarios/classroom.json" : opts->trace;
  appHolder->load(trace);

  glfwSetErrorCallback(onGlfwError);
  if (!glfwInit()) {
    std::fprintf(stderr, "spanscope: cannot open a window (no display?). Try xvfb-run, or spanscope-cli for headless replay.\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  if (!opts->screenshot.empty()) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  GLFWwindow* window = glfwCreateWindow(settings.windowWidth, settings.windowHeight, "spanscope", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(headless ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = iniPath.empty() ? nullptr : iniPath.c_str();
  ImGui::StyleColorsDark();
  gui::setupFonts();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  GlTextureUploader uploader;
  gui::setTextureUploader(&uploader);

  int rc = 0;
  {
    gui::App& app = *appHolder;
    glfwSetWindowUserPointer(window, &app);
    glfwSetDropCallback(window, onDrop);
    if (!opts->panels.empty()) app.tilePanels(true);
    if (headless) {
      app.waitForLoad();
      if (!app.session() || app.session()->path() != trace) {
        std::fprintf(stderr, "%s\n", app.errors().empty() ? ("spanscope: cannot open " + trace).c_str() : app.errors().front().c_str());
        rc = 2;
      }
    }
    if (rc == 0 && opts->at) app.seek(*opts->at);
    if (opts->select) app.selection().span = *opts->select;
    if (!opts->compare.empty()) app.compareTables(opts->compare);
    if (!opts->compareProfiles.empty()) app.compareProfiles(opts->compareProfiles);
    if (opts->play) app.transport().speed = *opts->play, app.transport().playing = true;

    if (rc == 0 && !opts->screenshot.empty()) {
      // A few frames so windows and tables settle their sizes, then read the back buffer. Nothing
      // is shown, so the frames before are not swapped in (each clears the buffer; a swap of a
      // 1600x1000 buffer costs ~20 ms on a software renderer).
      for (int i = 0; i < 4; ++i) renderFrame(app, window);
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(window, &fw, &fh);
      if (!gui::writeFramebufferPng(opts->screenshot, fw, fh, &err) ||
          (!opts->heapMapGeometry.empty() && !writeHeapMapGeometry(app, opts->heapMapGeometry, &err))) {
        std::fprintf(stderr, "spanscope: %s\n", err.c_str());
        rc = 2;
      }
    } else if (rc == 0 && opts->benchSeeks > 0) {
      benchSeeks(app, opts->benchSeeks);
    } else if (rc == 0 && opts->benchFrames > 0) {
      // Frame time = everything a frame costs (UI, engine while playing, GL drawing, swap), with
      // glFinish so the software renderer's work is inside the frame it belongs to. The UI part
      // (ImGui + panels + app update) is also reported alone.
      using Clock = std::chrono::steady_clock;
      std::vector<double> total, ui;
      uint64_t played = 0, vertices = 0;
      double playSeconds = 0;
      for (uint64_t i = 0; i < opts->benchFrames + 10; ++i) { // 10 warm-up frames not counted
        const uint64_t before = app.session()->position();
        const auto f0 = Clock::now();
        renderFrame(app, window);
        const auto f1 = Clock::now();
        glfwSwapBuffers(window);
        glFinish();
        const auto f2 = Clock::now();
        if (i < 10) continue;
        vertices += static_cast<uint64_t>(ImGui::GetDrawData()->TotalVtxCount);
        total.push_back(std::chrono::duration<double, std::milli>(f2 - f0).count());
        ui.push_back(std::chrono::duration<double, std::milli>(f1 - f0).count());
        if (app.transport().playing || app.session()->position() != before) {
          played += app.session()->position() - before;
          playSeconds += std::chrono::duration<double>(f2 - f0).count();
        }
      }
      const sim::MemStats m = app.session()->world().memStats();
      std::printf("%zu frames at %dx%d, HeapSys %.0f MiB, %llu vertices per frame: frame p50 %.2f ms, p95 %.2f ms, max %.2f ms; "
                  "UI alone p50 %.2f ms, p95 %.2f ms\n",
                  total.size(), settings.windowWidth, settings.windowHeight, static_cast<double>(m.HeapSys) / 1048576.0,
                  static_cast<unsigned long long>(vertices / total.size()), percentile(total, 0.5), percentile(total, 0.95),
                  *std::max_element(total.begin(), total.end()), percentile(ui, 0.5), percentile(ui, 0.95));
      if (opts->play)
        std::printf("playing at %s: %llu events replayed in %.2f s (%.0f events/s)\n", gui::speedLabel(*opts->play).c_str(),
                    static_cast<unsigned long long>(played), playSeconds, playSeconds > 0 ? static_cast<double>(played) / playSeconds : 0.0);
    } else if (rc == 0) {
      std::string title;
      while (!glfwWindowShouldClose(window) && !app.quitRequested()) {
        if (glfwGetWindowAttrib(window, GLFW_ICONIFIED)) {
          glfwWaitEventsTimeout(0.05);
          continue;
        }
        renderFrame(app, window);
        glfwSwapBuffers(window);
        const std::string want = app.session() ? "spanscope — " + app.session()->path() : "spanscope";
        if (want != title) glfwSetWindowTitle(window, (title = want).c_str());
      }
      glfwGetWindowSize(window, &app.settings().windowWidth, &app.settings().windowHeight);
    }
  }
  appHolder.reset();
  gui::setTextureUploader(nullptr);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return rc;
}

int main(int argc, char** argv) {
  // Anything that escapes (before the window exists, or at shutdown) ends with a message and exit
  // status 2, never an abort.
  try {
    return runApp(argc, argv);
  } catch (...) {
    std::fprintf(stderr, "spanscope: %s\n", report::currentExceptionText().c_str());
  }
  return 2;
}
