// Shared helpers of the UI tests: see ui_harness.h.
#include "ui_harness.h"

#include "traces/open_trace.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>

#include <cstdarg>
#include <cstdio>

namespace uitest {

namespace {

void noteRecovery(void* out, const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  static_cast<std::vector<std::string>*>(out)->emplace_back(buf);
}

} // namespace

std::vector<std::string> recoverEndOfFrame() {
  std::vector<std::string> recovered;
  ImGui::ErrorCheckEndFrameRecover(noteRecovery, &recovered);
  return recovered;
}

void checkedFrame(gui::App& app) {
  ImGui::NewFrame();
  app.drawFrame();
  const std::vector<std::string> recovered = recoverEndOfFrame();
  EXPECT_TRUE(recovered.empty()) << "unbalanced ImGui calls: " << recovered.front();
  ImGui::Render();
  app.update(ImGui::GetIO().DeltaTime);
}

std::unique_ptr<model::Session> openTrace(traces::Trace t, const std::string& name) {
  sim::Config cfg;
  traces::applyTraceConfig(t.meta, cfg);
  return model::Session::open(std::move(t), name, cfg);
}

std::unique_ptr<model::Session> openFile(const std::string& path) {
  auto stream = traces::openTrace(path);
  return openTrace(traces::readAll(*stream), path);
}

void loadPresentationFonts() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->AddFontDefault();
  ImFontConfig big;
  big.SizePixels = 22.0f;
  io.Fonts->AddFontDefault(&big);
  unsigned char* pixels;
  int w, h;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
}

traces::Trace emptyTrace() {
  traces::Trace t;
  t.meta.name = "empty";
  return t;
}

// Objects of every size class in turn, a large object every 64 allocations, and every third
// object freed again, until about `bytes` are live: many span classes side by side, some free
// slots, several arenas — the picture a production heap gives.
traces::Trace largeHeapTrace(uint64_t bytes) {
  traces::Trace t;
  t.meta.name = "large heap";
  t.meta.config.liveness = sim::Liveness::Immediate;
  const sim::SizeClassTable table = sim::SizeClassTable::go119();
  uint64_t live = 0, id = 0;
  for (uint64_t i = 0; live < bytes; ++i) {
    const uint64_t size = i % 64 == 63 ? 300000 : table.cls(1 + static_cast<uint32_t>(i % (table.numClasses() - 1))).size;
    t.events.push_back(sim::allocEvent(id, size, i % 2 == 0));
    live += size;
    if (i % 3 == 2) {
      t.events.push_back(sim::freeEvent(id - 1));
      live -= t.events[t.events.size() - 3].size;
    }
    ++id;
  }
  return t;
}

} // namespace uitest
