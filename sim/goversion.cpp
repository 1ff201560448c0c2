// The Go release profiles. Design essay: sim/malloc.h ("GO 1.26").
#include "sim/goversion.h"

namespace sim {

const char* goVersionName(GoVersion v) { return v == GoVersion::Go126 ? "1.26" : "1.19"; }

namespace {

// "go1.24.3", "1.26", "go1.26rc1" -> minor 24, 26, 26; nullopt unless it reads "[go]1.N...".
std::optional<uint32_t> goMinor(const std::string& s) {
  size_t i = s.rfind("go", 0) == 0 ? 2 : 0;
  if (s.compare(i, 2, "1.") != 0) return std::nullopt;
  i += 2;
  uint32_t minor = 0;
  size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4; ++i, ++digits) minor = minor * 10 + (s[i] - '0');
  if (digits == 0) return std::nullopt;
  return minor;
}

} // namespace

std::optional<GoVersion> parseGoVersion(const std::string& s) {
  const size_t start = s.rfind("go", 0) == 0 ? 2 : 0;
  const std::string v = s.substr(start);
  // A release the engine models exactly: 1.19 or 1.26, optionally with a patch number.
  auto is = [&](const char* minor) {
    const std::string m = minor;
    if (v == m) return true;
    if (v.rfind(m + ".", 0) != 0 || v.size() == m.size() + 1) return false;
    for (size_t i = m.size() + 1; i < v.size(); ++i)
      if (v[i] < '0' || v[i] > '9') return false;
    return true;
  };
  if (is("1.19")) return GoVersion::Go119;
  if (is("1.26")) return GoVersion::Go126;
  return std::nullopt;
}

std::optional<GoVersion> profileForRecordedVersion(const std::string& goVersion) {
  const std::optional<uint32_t> minor = goMinor(goVersion);
  if (!minor) return std::nullopt;
  return *minor >= 23 ? GoVersion::Go126 : GoVersion::Go119;
}

GoProfile goProfile(GoVersion v) {
  GoProfile p;
  p.version = v;
  if (v == GoVersion::Go126) {
    p.mallocHeaders = true;
    p.heapBitsInSpan = true;
    p.inlineMarkBits = true;
    p.splitMallocgc = true;
    p.mspanStructBytes = 160;
    p.mcacheStructBytes = 2296;
    p.triggeredIsHeapLive = true;
    p.consMarkHistory = 4;
    p.memoryLimitHeadroomPercent = 3;
    p.scavengerLimitGoalBug = false;
    p.scavengeIndexGenerations = true;
    p.heapArenaMetaBytes = 65536 + 4 * 1024 + 8 + 8;
    p.buckhashBytes = 179999 * 8;
    p.spanSetBlockBytes = 4608;
    p.persistentStartChunks = 1;
  }
  return p;
}

} // namespace sim
