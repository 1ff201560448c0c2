// Numbers for people (printf into a string, byte sizes, addresses, counts, percentages), one
// function per form so that a figure prints the same in the CLI, the reports it and the app write,
// and the app's panels. Engine design essay: sim/malloc.h.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

namespace report {

// printf into a std::string (report lines are short: at most 511 characters).
inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// "512 B", "1.5 KiB", "4 MiB", "1.25 GiB": exact values without decimals, otherwise up to 2.
inline std::string humanBytes(uint64_t b) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (b < 1024) return std::to_string(b) + " B";
  int u = 0;
  uint64_t unit = 1;
  while (u < 4 && b >= unit * 1024) {
    unit *= 1024;
    ++u;
  }
  char buf[48];
  if (b % unit == 0) std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(b / unit), units[u]);
  else std::snprintf(buf, sizeof buf, "%.2f %s", static_cast<double>(b) / static_cast<double>(unit), units[u]);
  return buf;
}

inline std::string hexAddr(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "12.5%" with one decimal; "-" when the whole is 0 (ASCII: the app's default font has no other dashes).
inline std::string percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// Binary units, trailing zeros dropped: 0 B, 48 B, 1.5 KiB (one decimal), 64 MiB, 3.99 MiB,
// 1.03 GiB (two decimals from MiB up) (the app's panels; humanBytes above is the reports' form).
std::string FormatBytes(uint64_t bytes);
// Exact figure with the unit: "1,572,864 B" (for tooltips next to a rounded FormatBytes).
std::string FormatBytesExact(uint64_t bytes);
// Thousands separated by commas: 200,000.
std::string FormatCount(uint64_t n);

} // namespace report
