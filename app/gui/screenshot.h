// Screenshots: the current OpenGL framebuffer written as a PNG (headless --screenshot, tests).
#pragma once

#include <string>

namespace gui {

// Reads the back buffer (width x height, RGBA) with glReadPixels and writes it to `path` as a PNG,
// top row first. False with *error on failure.
bool writeFramebufferPng(const std::string& path, int width, int height, std::string* error);

} // namespace gui
