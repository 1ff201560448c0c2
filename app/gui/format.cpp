// Text formatting for the GUI (see format.h).
#include "app/gui/format.h"

#include <cinttypes>
#include <cstdio>

namespace gui {

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  int unit = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024.0 && unit < 6) {
    v /= 1024.0;
    ++unit;
  }
  // Round to one decimal first, so 1023.96 KiB reads "1 MiB" rather than "1024 KiB".
  double rounded = static_cast<double>(static_cast<uint64_t>(v * 10.0 + 0.5)) / 10.0;
  if (rounded >= 1024.0 && unit < 6) {
    rounded /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (rounded == static_cast<double>(static_cast<uint64_t>(rounded)))
    std::snprintf(buf, sizeof buf, "%.0f %s", rounded, kUnits[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", rounded, kUnits[unit]);
  return buf;
}

std::string FormatBytesExact(uint64_t bytes) { return FormatCount(bytes) + " B"; }

std::string FormatAddr(uint64_t addr) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, addr);
  return buf;
}

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

std::string FormatPercent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-"; // nothing to divide by (the default font has no dashes beyond ASCII)
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

uint64_t ByteAxisStep(uint64_t maxValue, int maxTicks) {
  if (maxTicks < 1) maxTicks = 1;
  uint64_t step = 1;
  while (step < (uint64_t{1} << 62) && maxValue / step > static_cast<uint64_t>(maxTicks)) step <<= 1;
  return step;
}

uint64_t CountAxisStep(uint64_t range, int maxTicks) {
  if (maxTicks < 1) maxTicks = 1;
  const uint64_t ticks = static_cast<uint64_t>(maxTicks);
  for (uint64_t pow10 = 1;; pow10 *= 10) {
    for (uint64_t m : {uint64_t{1}, uint64_t{2}, uint64_t{5}}) {
      const uint64_t step = m * pow10;
      if (range / step <= ticks) return step;
    }
    if (pow10 > UINT64_MAX / 100) return pow10 * 10;
  }
}

} // namespace gui
