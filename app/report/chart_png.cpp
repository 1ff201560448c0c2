// writeChartPng: see chart_png.h. Text comes from stb_easy_font (its quads are axis-aligned
// rectangles, so a rectangle filler is the whole rasteriser); PNG encoding from libstb.
#include "app/report/chart_png.h"

#include "app/report/png.h"
#include "app/report/units.h"
#include "traces/json_io.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

// stb_easy_font.h defines its functions static; unused ones must not warn.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace report {

namespace {

struct Rgb {
  uint8_t r, g, b;
};

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), px_(static_cast<size_t>(w) * h * 3, 255) {}
  void rect(double x0, double y0, double x1, double y1, Rgb c) {
    const int ax = std::clamp(static_cast<int>(std::floor(std::min(x0, x1))), 0, w_);
    const int bx = std::clamp(static_cast<int>(std::ceil(std::max(x0, x1))), 0, w_);
    const int ay = std::clamp(static_cast<int>(std::floor(std::min(y0, y1))), 0, h_);
    const int by = std::clamp(static_cast<int>(std::ceil(std::max(y0, y1))), 0, h_);
    for (int y = ay; y < by; ++y)
      for (int x = ax; x < bx; ++x) {
        uint8_t* p = &px_[(static_cast<size_t>(y) * w_ + x) * 3];
        p[0] = c.r, p[1] = c.g, p[2] = c.b;
      }
  }
  // Text at (x, y) top-left, `scale` pixels per font unit.
  void text(double x, double y, const std::string& s, Rgb c, double scale = 2) {
    static float buf[4 * 4 * 4000];
    const int quads = stb_easy_font_print(0, 0, const_cast<char*>(s.c_str()), nullptr, buf, sizeof buf);
    for (int q = 0; q < quads; ++q) {
      const float* v = &buf[q * 16]; // 4 vertices of x, y, z, rgba
      rect(x + v[0] * scale, y + v[1] * scale, x + v[8] * scale, y + v[9] * scale, c);
    }
  }
  static double textWidth(const std::string& s, double scale = 2) {
    return stb_easy_font_width(const_cast<char*>(s.c_str())) * scale;
  }
  void line(double x0, double y0, double x1, double y1, Rgb c, double thick = 2) {
    const int steps = static_cast<int>(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0))) + 1;
    for (int i = 0; i <= steps; ++i) {
      const double t = static_cast<double>(i) / steps;
      const double x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t;
      rect(x - thick / 2, y - thick / 2, x + thick / 2, y + thick / 2, c);
    }
  }
  int w() const { return w_; }
  int h() const { return h_; }
  const uint8_t* data() const { return px_.data(); }

 private:
  int w_, h_;
  std::vector<uint8_t> px_;
};

const Rgb kInk{30, 30, 30}, kGrid{220, 220, 220};
// Categorical palette (distinct in print and for common colour blindness).
const Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189},
                        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
Rgb colour(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

// A round axis maximum and its tick step (1, 2 or 5 times a power of two's worth of bytes).
double niceMax(double v, double* step) {
  if (v <= 0) v = 1;
  double s = std::pow(2.0, std::floor(std::log2(v / 4)));
  while (v / s > 8) s *= 2;
  *step = s;
  return std::ceil(v / s) * s;
}

void yAxis(Canvas& cv, double x, double top, double bottom, double right, double max, double step) {
  for (double t = 0; t <= max + step / 2; t += step) {
    const double y = bottom - (bottom - top) * t / max;
    cv.rect(x, y, right, y + 1, kGrid);
    const std::string label = humanBytes(static_cast<uint64_t>(t));
    cv.text(x - Canvas::textWidth(label) - 6, y - 6, label, kInk);
  }
}

void stackedBars(Canvas& cv, const Chart& c, double x0, double top, double x1, double bottom) {
  double max = 0;
  for (const ChartSeries& s : c.series) {
    double sum = 0;
    for (double v : s.stack) sum += v;
    max = std::max(max, sum);
  }
  double step;
  max = niceMax(max, &step);
  yAxis(cv, x0, top, bottom, x1, max, step);
  const double slot = (x1 - x0) / static_cast<double>(std::max<size_t>(c.series.size(), 1));
  for (size_t i = 0; i < c.series.size(); ++i) {
    const double bx = x0 + slot * static_cast<double>(i) + slot * 0.2, bw = slot * 0.6;
    double y = bottom;
    for (size_t k = 0; k < c.series[i].stack.size(); ++k) {
      const double h = (bottom - top) * c.series[i].stack[k] / max;
      cv.rect(bx, y - h, bx + bw, y, colour(k));
      y -= h;
    }
    const std::string& name = c.series[i].name;
    cv.text(bx + bw / 2 - Canvas::textWidth(name) / 2, bottom + 8, name, kInk);
  }
  cv.rect(x0, bottom, x1, bottom + 2, kInk);
}

void linesOverTime(Canvas& cv, const Chart& c, double x0, double top, double x1, double bottom) {
  double max = 0;
  for (const ChartSeries& s : c.series)
    for (double v : s.overTime) max = std::max(max, v);
  double step;
  max = niceMax(max, &step);
  yAxis(cv, x0, top, bottom, x1, max, step);
  for (size_t i = 0; i < c.series.size(); ++i) {
    const std::vector<double>& v = c.series[i].overTime;
    for (size_t k = 1; k < v.size(); ++k) {
      const double xa = x0 + (x1 - x0) * static_cast<double>(k - 1) / static_cast<double>(v.size() - 1);
      const double xb = x0 + (x1 - x0) * static_cast<double>(k) / static_cast<double>(v.size() - 1);
      cv.line(xa, bottom - (bottom - top) * v[k - 1] / max, xb, bottom - (bottom - top) * v[k] / max, colour(i));
    }
  }
  cv.rect(x0, bottom, x1, bottom + 2, kInk);
  cv.text(x0, bottom + 8, "trace start", kInk);
  cv.text(x1 - Canvas::textWidth("end"), bottom + 8, "end", kInk);
}

void legend(Canvas& cv, double x, double y, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    const double row = y + 22.0 * static_cast<double>(i);
    cv.rect(x, row, x + 14, row + 14, colour(i));
    cv.text(x + 22, row, names[i], kInk);
  }
}

} // namespace

bool writeChartPng(const Chart& c, const std::string& path, std::string* error) {
  Canvas cv(1600, 640);
  cv.text(40, 16, c.title, kInk, 3);
  cv.text(150, 70, "Heap bytes at the end of the trace, by where they went", kInk);
  stackedBars(cv, c, 150, 110, 760, 540);
  // Stack legend under the bars, in two rows.
  for (size_t k = 0; k < c.stackLabels.size(); ++k) {
    const double lx = 150 + 200.0 * static_cast<double>(k % 3), ly = 572 + 22.0 * static_cast<double>(k / 3);
    cv.rect(lx, ly, lx + 14, ly + 14, colour(k));
    cv.text(lx + 20, ly, c.stackLabels[k], kInk);
  }
  cv.text(960, 70, "HeapInuse over the trace", kInk);
  linesOverTime(cv, c, 960, 110, 1400, 540);
  std::vector<std::string> names;
  for (const ChartSeries& s : c.series) names.push_back(s.name);
  legend(cv, 1420, 110, names);

  std::string png;
  if (!encodePng(cv.data(), cv.w(), cv.h(), 3, &png)) {
    if (error) *error = path + ": PNG encoding failed";
    return false;
  }
  return traces::writeFileAtomic(path, png, error);
}

} // namespace report
