// Units: see units.h.
#include "app/report/units.h"

namespace report {

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  int unit = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024.0 && unit < 6) {
    v /= 1024.0;
    ++unit;
  }
  // KiB with one decimal; MiB and up with two, so that heap figures a few percent apart (HeapSys
  // 1.03 GiB, HeapInuse 1.02 GiB) and sums (4 MiB = 8 KiB + 3.99 MiB) read as they are.
  const double scale = unit == 1 ? 10.0 : 100.0;
  // Round first, so 1023.96 KiB reads "1 MiB" rather than "1024 KiB".
  double rounded = static_cast<double>(static_cast<uint64_t>(v * scale + 0.5)) / scale;
  if (rounded >= 1024.0 && unit < 6) {
    rounded /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 1 ? "%.1f" : "%.2f", rounded);
  std::string s = buf;
  if (s.find('.') != std::string::npos) { // trailing zeros and a bare point go: "4 MiB", "1.5 MiB"
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + " " + kUnits[unit];
}

std::string FormatBytesExact(uint64_t bytes) { return FormatCount(bytes) + " B"; }

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

} // namespace report
