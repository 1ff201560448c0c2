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
