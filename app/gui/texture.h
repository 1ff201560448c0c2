// Texture upload, provided by the platform layer (OpenGL in main.cpp). The core library has no GL,
// so a panel that would draw through a texture asks here; with no uploader (the window-less UI
// tests) it draws the same picture with ImDrawList rectangles instead.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace gui {

class TextureUploader {
 public:
  virtual ~TextureUploader() = default;
  // Replaces the contents of `texture` (or creates one when it is null) with w x h RGBA pixels
  // (ImU32 as IM_COL32 builds them), sampled nearest; returns the texture to draw.
  virtual ImTextureID upload(ImTextureID texture, const ImU32* pixels, int w, int h) = 0;
};

// The process's uploader (nullptr = none). Set once by the platform layer before the first frame.
void setTextureUploader(TextureUploader* uploader);
TextureUploader* textureUploader();

} // namespace gui
