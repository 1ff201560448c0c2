// Window-less Dear ImGui for the UI tests: a context with DisplaySize, DeltaTime and a built font
// atlas (Dear ImGui 1.86 has no null backend), frames driven in a loop, input injected through
// ImGuiIO. Named keys are mapped to indices 256+ of io.KeysDown so they never collide with the
// ASCII letters the app reads directly (as GLFW's key codes are).
#pragma once

#include "app/gui/app.h"
#include "app/gui/texture.h"

#include <imgui.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace uitest {

// Textures kept in memory: what OpenGL would be given, for tests to look at.
class CpuTextures : public gui::TextureUploader {
 public:
  struct Texture {
    int w = 0, h = 0;
    std::vector<ImU32> pixels;
  };
  ImTextureID upload(ImTextureID texture, const ImU32* pixels, int w, int h) override {
    if (texture == nullptr) texture = reinterpret_cast<ImTextureID>(static_cast<intptr_t>(textures.size() + 1));
    Texture& t = textures[texture];
    t.w = w, t.h = h;
    t.pixels.assign(pixels, pixels + static_cast<size_t>(w) * static_cast<size_t>(h));
    ++uploads;
    return texture;
  }
  std::map<ImTextureID, Texture> textures;
  int uploads = 0;
};

class Harness {
 public:
  explicit Harness(float w = 1600, float h = 1000) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(w, h);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = 256 + k;
    unsigned char* pixels;
    int tw, th;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &tw, &th);
    gui::setTextureUploader(&textures);
  }
  ~Harness() {
    gui::setTextureUploader(nullptr);
    ImGui::DestroyContext();
  }
  CpuTextures textures;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // One frame of the app, as main.cpp runs it (without GL).
  void frame(gui::App& app) {
    ImGui::NewFrame();
    app.drawFrame();
    ImGui::Render();
    app.update(ImGui::GetIO().DeltaTime);
  }
  void frames(gui::App& app, int n) {
    for (int i = 0; i < n; ++i) frame(app);
  }
  // A key press and release over two frames, with modifiers held.
  void press(gui::App& app, int keyIndex, bool ctrl = false, bool shift = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = ctrl, io.KeyShift = shift;
    io.KeysDown[keyIndex] = true;
    frame(app);
    io.KeysDown[keyIndex] = false;
    frame(app);
    io.KeyCtrl = io.KeyShift = false;
  }
  void pressNamed(gui::App& app, ImGuiKey k, bool ctrl = false, bool shift = false) { press(app, 256 + k, ctrl, shift); }
  // Move, press, release: a left click at p over three frames.
  void click(gui::App& app, ImVec2 p) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p;
    frame(app);
    io.MouseDown[0] = true;
    frame(app);
    io.MouseDown[0] = false;
    frame(app);
  }
  void type(gui::App& app, const std::string& text) {
    for (char c : text) ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
    frame(app);
  }
};

// A session over an in-memory trace, with the trace's own config.
// What ImGui's end-of-frame check had to repair (unbalanced Begin/End, PushID/PopID, tables,
// style stacks): one message each, empty if the frame was balanced. Call before Render/EndFrame.
std::vector<std::string> recoverEndOfFrame();
// One app frame, checked with recoverEndOfFrame(), rendered, then the app's update.
void checkedFrame(gui::App& app);

std::unique_ptr<model::Session> openTrace(traces::Trace t, const std::string& name = "test");
std::unique_ptr<model::Session> openFile(const std::string& path);
// The fonts as main.cpp loads them (fonts.cpp): the default and the 22 px presentation font, so a
// test measures what a projector shows.
void loadPresentationFonts();

// Traces for the panel tests: no events at all; the classroom scenario; a heap of about 1 GiB.
traces::Trace emptyTrace();
traces::Trace largeHeapTrace(uint64_t bytes);

} // namespace uitest
