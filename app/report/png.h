// PNG encoding (libpng) for the pictures spanscope writes: the app's screenshots and the
// comparison chart. One encoder, so every PNG is made the same way.
#pragma once

#include <cstdint>
#include <string>

namespace report {

// `pixels`: `height` rows of `width` pixels of `channels` bytes (3: RGB, 4: RGBA), top row first.
// Appends the PNG file's bytes to *out. zlib level 3 and no row filter: screenshots and charts are
// flat colours, where that is both the smallest and fast (1600x1000: ~40 ms, ~7x faster than
// stb_image_write). False if libpng fails.
bool encodePng(const uint8_t* pixels, int width, int height, int channels, std::string* out);

} // namespace report
