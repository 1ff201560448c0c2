// Fonts: DejaVu Sans (Debian's fonts-dejavu-core) at a normal and a large size, with the arrows and
// punctuation the engine's explanations use ("→", "…", "·"); ImGui's built-in font if it is missing.
#pragma once

namespace gui {

// Adds the two fonts to ImGui's atlas (index 0 normal, 1 large). Call before the atlas is built.
void setupFonts();

} // namespace gui
