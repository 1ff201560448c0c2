// The transport toolbar under the menu bar: step buttons, play/pause, speed, go to event #, the
// seek bar over the whole trace (with GC and lesson marks), breakpoints, and a status line saying
// what the current event did.
#include "app/gui/app.h"

#include "app/gui/format.h"
#include "app/gui/panels/panel_widgets.h"
#include "app/model/lessons.h"

#include <imgui.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstring>

namespace gui {

double fasterSpeed(double speed) {
  if (speed == 0) return 0;
  for (double s : kSpeedPresets)
    if (s == 0 || s > speed) return s;
  return 0;
}

double slowerSpeed(double speed) {
  double prev = kSpeedPresets[0];
  for (double s : kSpeedPresets) {
    if (s == 0) return speed == 0 ? prev : std::max(kSpeedPresets[0], std::min(prev, speed));
    if (s >= speed) return prev;
    prev = s;
  }
  return prev;
}

std::string speedLabel(double speed) {
  if (speed == 0) return "as fast as possible";
  char buf[32];
  if (speed >= 1e6) std::snprintf(buf, sizeof buf, "%gM events/s", speed / 1e6);
  else if (speed >= 1e3) std::snprintf(buf, sizeof buf, "%gk events/s", speed / 1e3);
  else std::snprintf(buf, sizeof buf, "%g events/s", speed);
  return buf;
}

namespace {

// Marks on the seek bar at event indices (GC cycles, lesson annotations), at most one per pixel
// column so a trace with a million GCs costs the same as one with a thousand.
void DrawMarks(ImDrawList* dl, ImVec2 min, ImVec2 max, const std::vector<uint64_t>& at, uint64_t total, ImU32 col,
               float y0, float y1) {
  if (total == 0 || at.empty()) return;
  const float w = max.x - min.x;
  float lastX = -1;
  for (uint64_t e : at) {
    float x = std::floor(min.x + w * static_cast<float>(static_cast<double>(e) / static_cast<double>(total)));
    if (x == lastX) continue;
    lastX = x;
    dl->AddLine(ImVec2(x, min.y + y0 * (max.y - min.y)), ImVec2(x, min.y + y1 * (max.y - min.y)), col, 1.0f);
  }
}

} // namespace

std::string App::statusLine() const {
  // What the current event did (or why playback stopped there), in the engine's own words. A
  // message about another position (a breakpoint stop the user has stepped away from) is stale.
  const bool have = session_ != nullptr;
  const uint64_t pos = have ? session_->position() : 0;
  std::string status;
  if (have && !transport_.status.empty() && transport_.statusAt == pos) status = transport_.status;
  else if (!have) status = "No trace loaded";
  else if (const sim::StepRecord* r = session_->lastRecord(); r && r->kind == sim::EventKind::Annotate && session_->currentLesson())
    status = "#" + FormatCount(pos - 1) + "  lesson: " + *session_->currentLesson();
  else if (r) status = "#" + FormatCount(pos - 1) + "  P" + std::to_string(r->p) + "  " + session_->describe(*r);
  else status = "Start of the trace: no event applied yet (Right or Space to begin)";
  if (transport_.playing) {
    std::string rate = "playing at " + speedLabel(transport_.speed);
    if (transport_.engineLimited) rate += " (engine-limited: " + FormatCount(static_cast<uint64_t>(static_cast<double>(transport_.lastFrameEvents) / std::max(1e-3, static_cast<double>(ImGui::GetIO().DeltaTime)))) + " events/s)";
    status = rate + "  ·  " + status;
  }
  return status;
}

void App::drawTransport() {
  const ImGuiIO& io = ImGui::GetIO();
  const ImGuiStyle& style = ImGui::GetStyle();
  // The toolbar wraps its controls onto more rows when the window is narrow (1280×720 with the
  // presentation font): its height is what it drew, so the panels' layout starts below it.
  ImGui::SetNextWindowPos(ImVec2(0, ImGui::GetFrameHeight()));
  ImGui::SetNextWindowSizeConstraints(ImVec2(io.DisplaySize.x, 0), ImVec2(io.DisplaySize.x, io.DisplaySize.y * 0.5f));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoCollapse;
  ImGui::Begin("Transport", nullptr, flags);
  const bool have = session_ != nullptr;
  const uint64_t n = have ? session_->eventCount() : 0, pos = have ? session_->position() : 0;
  toolbarRects_.clear();
  ui::Flow flow;
  auto noteItem = [&] { toolbarRects_.push_back(ImVec4(ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y)); };
  auto button = [&](const char* label, const char* tooltip, bool enabled) {
    flow.next(ImGui::CalcTextSize(label, nullptr, true).x + style.FramePadding.x * 2);
    if (!enabled) ImGui::BeginDisabled();
    const bool pressed = ImGui::Button(label);
    if (!enabled) ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tooltip);
    noteItem();
    return pressed;
  };

  if (button("|<", "First event (Home)", have && pos > 0)) seek(0);
  if (button("-1000", "Back 1000 events (Ctrl+Shift+Left)", have && pos > 0)) step(-1000);
  if (button("-100", "Back 100 events (Ctrl+Left)", have && pos > 0)) step(-100);
  if (button("-10", "Back 10 events (Shift+Left)", have && pos > 0)) step(-10);
  if (button("-1", "Step back one event (Left)", have && pos > 0)) step(-1);
  ImGui::PushStyleColor(ImGuiCol_Button, transport_.playing ? ImVec4(0.55f, 0.35f, 0.1f, 1) : ImVec4(0.15f, 0.45f, 0.25f, 1));
  if (button(transport_.playing ? " Pause ###play" : " Play  ###play", "Play / pause (Space)", have)) togglePlay();
  ImGui::PopStyleColor();
  if (button("+1", "Step forward one event (Right)", have && pos < n)) step(1);
  if (button("+10", "Forward 10 events (Shift+Right)", have && pos < n)) step(10);
  if (button("+100", "Forward 100 events (Ctrl+Right)", have && pos < n)) step(100);
  if (button("+1000", "Forward 1000 events (Ctrl+Shift+Right)", have && pos < n)) step(1000);
  if (button(">|", "Last event (End)", have && pos < n)) seek(n);

  const float em = ImGui::GetFontSize();
  flow.next(em * 10);
  ImGui::SetNextItemWidth(em * 10);
  if (ImGui::BeginCombo("##speed", speedLabel(transport_.speed).c_str())) {
    for (double s : kSpeedPresets)
      if (ImGui::Selectable(speedLabel(s).c_str(), s == transport_.speed)) transport_.speed = s;
    ImGui::EndCombo();
  }
  noteItem();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Playback speed in trace events per second ([ slower, ] faster). The engine gets at most %.0f ms per frame, so the window stays responsive at any speed.", transport_.budgetMs);

  flow.next(ImGui::CalcTextSize("Go to #").x + style.ItemSpacing.x + em * 7);
  ImGui::TextUnformatted("Go to #");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em * 7);
  if (focusGoto_) ImGui::SetKeyboardFocusHere(), focusGoto_ = false;
  if (ImGui::InputText("##goto", gotoText_, sizeof gotoText_, ImGuiInputTextFlags_CharsDecimal | ImGuiInputTextFlags_EnterReturnsTrue) && have) {
    uint64_t target = 0;
    const char* end = gotoText_ + std::strlen(gotoText_);
    auto [p, ec] = std::from_chars(gotoText_, end, target);
    if (ec == std::errc() && p == end) seek(std::min(target, n == 0 ? 0 : n - 1) + 1);
  }
  noteItem();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Event number (from 0, as the CLI counts) to show the state right after; Enter to go (Ctrl+G)");

  if (button(breakpoints_.any() ? "Breakpoints (on)…###bp" : "Breakpoints…###bp",
             "Stop playback on refills, mcentral grows, heap growth, large objects, GCs, a size or span class, or an address", true))
    showBreakpoints_ = !showBreakpoints_;
  if (button("Run to next", "Run to the next breakpoint hit (B); Shift+B runs back to the previous one", have && breakpoints_.any())) runToBreakpoint();
  {
    const bool sweeping = have && session_->world().view().sweepInProgress();
    const std::string tip = !have ? std::string("No trace loaded")
                            : sweeping ? "Step forward to the first event after which every span is swept for this GC cycle (S). " +
                                             FormatCount(session_->world().view().unsweptSpans()) + " spans are unswept now."
                                       : std::string("Disabled: no sweep in progress. Every in-use span is swept for this GC cycle "
                                                     "(an eager sweep, or a lazy one already finished); the next GC cycle starts one.");
    if (button("Sweep end", tip.c_str(), sweeping)) runToSweepEnd();
  }

  // The engine's mode, always in view: the timing figures mean nothing without it.
  const std::string engine = (have ? engineSummary(session_->world().config()) : std::string("Engine…")) + "###engine_button";
  if (button(engine.c_str(),
             "GOMAXPROCS and the timing and lock model the engine runs with. Click to change them "
             "(Engine → Settings): the trace is replayed again and you stay at the same event.", true))
    openEngineDialog();

  // The seek bar over the whole trace: GC cycles as red marks at the bottom, lesson annotations as
  // blue marks at the top, on a row of its own.
  ImGui::SetNextItemWidth(-1);
  uint64_t seekPos = pos, zero = 0;
  char label[64];
  std::snprintf(label, sizeof label, "%s / %s", FormatCount(pos).c_str(), FormatCount(n).c_str());
  if (!have) ImGui::BeginDisabled();
  if (ImGui::SliderScalar("##seek", ImGuiDataType_U64, &seekPos, &zero, have ? &n : &zero, label) && have) seek(seekPos);
  noteItem();
  if (!have) ImGui::EndDisabled();
  if (have) {
    const ImVec2 mn = ImGui::GetItemRectMin(), mx = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    DrawMarks(dl, mn, mx, session_->gcEvents(), n, IM_COL32(230, 80, 70, 220), 0.65f, 1.0f);
    DrawMarks(dl, mn, mx, model::annotationEvents(*session_), n, IM_COL32(90, 160, 255, 220), 0.0f, 0.35f);
    if (ImGui::IsItemHovered() && !ImGui::IsItemActive()) {
      const double f = std::clamp((io.MousePos.x - mn.x) / std::max(1.0f, mx.x - mn.x), 0.0f, 1.0f);
      ImGui::SetTooltip("Seek bar: %s events applied of %s. Drag to seek anywhere (checkpoints make it instant).\n"
                        "Under the mouse: event #%s. Red marks: GC cycles; blue marks: lesson steps.",
                        FormatCount(pos).c_str(), FormatCount(n).c_str(),
                        FormatCount(static_cast<uint64_t>(f * static_cast<double>(n))).c_str());
    }
  }

  // One line (the window clips it): the whole of it is in the tooltip and the event log.
  const std::string status = statusLine();
  ImGui::TextUnformatted(status.c_str());
  if (ImGui::IsItemHovered() && have && session_->lastRecord()) {
    std::string funcs;
    for (const char* f : sim::goFunctions(*session_->lastRecord())) funcs += funcs.empty() ? f : std::string(" → ") + f;
    ImGui::SetTooltip("%s\n\nThe Go functions on its path:\n%s", status.c_str(), funcs.c_str());
  }
  transportHeight_ = ImGui::GetCursorPosY() + style.WindowPadding.y - style.ItemSpacing.y;
  ImGui::End();
  drawBreakpointsPopup();
}

void App::drawBreakpointsPopup() {
  if (!showBreakpoints_) return;
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, transportHeight_ + 30), ImGuiCond_Appearing, ImVec2(0.5f, 0));
  if (!ImGui::Begin("Breakpoints", &showBreakpoints_, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  model::Breakpoints& b = breakpoints_;
  ImGui::TextDisabled("Playback stops after the first event that does one of these:");
  ImGui::Checkbox("mcache refill", &b.refill);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The P's cached span for the class was full (or missing): runtime.(*mcache).refill");
  ImGui::Checkbox("mcentral grow", &b.centralGrow);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("mcentral had no span with free slots and took a new one from mheap: runtime.(*mcentral).grow");
  ImGui::Checkbox("heap growth from the OS", &b.heapGrow);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("mheap mapped more memory (4 MiB chunks): runtime.(*mheap).grow");
  ImGui::Checkbox("large object", &b.large);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An allocation above 32 KiB, on a span of its own: runtime.(*mcache).allocLarge");
  ImGui::Checkbox("GC cycle", &b.gc);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A GC cycle ran: started by the pacer's trigger, runtime.GC() or debug.FreeOSMemory (gcStart; the mark, then mark termination: mheap.sweepgen += 2)");
  ImGui::Checkbox("size class", &b.sizeClassOn);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  int sc = static_cast<int>(b.sizeClass);
  if (ImGui::InputInt("##sc", &sc)) b.sizeClass = static_cast<uint32_t>(std::max(1, sc));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An allocation or free of an object in this size class (1..67 in Go 1.19)");
  ImGui::Checkbox("span class", &b.spanClassOn);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  int spc = static_cast<int>(b.spanClass);
  if (ImGui::InputInt("##spc", &spc)) b.spanClass = static_cast<uint32_t>(std::max(0, spc));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An allocation in this span class (size class × 2, + 1 for noscan)");
  ImGui::Checkbox("address", &b.addressOn);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  ImGui::InputScalar("##addr", ImGuiDataType_U64, &b.address, nullptr, nullptr, "%" PRIx64, ImGuiInputTextFlags_CharsHexadecimal);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An allocation or free of the object that holds this address (hex)");
  if (selection_.address && ImGui::Button("Use the selected address")) b.address = selection_.address, b.addressOn = true;
  ImGui::Separator();
  if (ImGui::Button("Run to next (B)")) runToBreakpoint();
  ImGui::SameLine();
  if (ImGui::Button("Back to previous (Shift+B)")) runBackToBreakpoint();
  ImGui::SameLine();
  if (ImGui::Button("Clear all")) b = model::Breakpoints{};
  ImGui::End();
}

} // namespace gui
