// Fonts: see fonts.h.
#include "app/gui/fonts.h"

#include <imgui.h>

#include <filesystem>

namespace gui {

void setupFonts() {
  ImGuiIO& io = ImGui::GetIO();
  static const ImWchar ranges[] = {
      0x0020, 0x00FF, // Basic Latin + Latin-1 (·, ×)
      0x2010, 0x2027, // dashes, bullets, …
      0x2190, 0x21FF, // arrows (→)
      0x2212, 0x2264, // minus, ≤ ≥
      0x25A0, 0x25FF, // geometric shapes (▶ ◀ ■)
      0,
  };
  const char* path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (std::filesystem::exists(path)) {
    io.Fonts->AddFontFromFileTTF(path, 15.0f, nullptr, ranges);
    io.Fonts->AddFontFromFileTTF(path, 22.0f, nullptr, ranges);
  } else {
    io.Fonts->AddFontDefault();
  }
}

} // namespace gui
