// glReadPixels -> PNG (report::encodePng), written atomically.
#include "app/gui/screenshot.h"

#include "app/report/png.h"
#include "traces/json_io.h"

#include <GL/gl.h>

#include <cstdint>
#include <vector>

namespace gui {

bool writeFramebufferPng(const std::string& path, int width, int height, std::string* error) {
  if (width <= 0 || height <= 0) {
    if (error) *error = path + ": empty framebuffer";
    return false;
  }
  const size_t stride = static_cast<size_t>(width) * 4;
  std::vector<uint8_t> pixels(stride * static_cast<size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // OpenGL's first row is the bottom one; PNG's is the top one. Opaque alpha: the window has no
  // transparency, but the back buffer's alpha channel is whatever the clear left there.
  std::vector<uint8_t> flipped(pixels.size());
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = pixels.data() + static_cast<size_t>(height - 1 - y) * stride;
    uint8_t* dst = flipped.data() + static_cast<size_t>(y) * stride;
    for (size_t x = 0; x < stride; x += 4) {
      dst[x] = src[x], dst[x + 1] = src[x + 1], dst[x + 2] = src[x + 2], dst[x + 3] = 255;
    }
  }
  std::string png;
  if (!report::encodePng(flipped.data(), width, height, 4, &png)) {
    if (error) *error = path + ": PNG encoding failed";
    return false;
  }
  return traces::writeFileAtomic(path, png, error);
}

} // namespace gui
