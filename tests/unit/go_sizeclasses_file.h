// Reading a Go sizeclasses.go in the test (not in the code under test): the arrays, constants and
// the header comment, for Go 1.26's internal/runtime/gc names. Shared by the unit test (a copy in
// tests/data/go1.26) and the oracle test (the installed GOROOT file).
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gofile {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The comma-separated body of `var <name> = [...]T{...}`.
inline std::vector<std::string> arrayItems(const std::string& src, const std::string& name) {
  const size_t decl = src.find("var " + name + " = [");
  if (decl == std::string::npos) return {};
  const size_t open = src.find('{', decl), close = src.find('}', decl);
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> items;
  std::stringstream ss(src.substr(open + 1, close - open - 1));
  for (std::string item; std::getline(ss, item, ',');) {
    const size_t b = item.find_first_not_of(" \t\n"), e = item.find_last_not_of(" \t\n");
    if (b != std::string::npos) items.push_back(item.substr(b, e - b + 1));
  }
  return items;
}

inline bool allDigits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// Integers; an item that is not one becomes ~0 so that comparisons fail visibly.
inline std::vector<uint64_t> intArray(const std::string& src, const std::string& name) {
  std::vector<uint64_t> out;
  for (const std::string& s : arrayItems(src, name)) out.push_back(allDigits(s) ? std::stoull(s) : ~uint64_t{0});
  return out;
}

// Divide-magic entries are "0" or "^uint32(0)/D + 1"; evaluated here.
inline std::vector<uint64_t> divMagic(const std::string& src, const std::string& name) {
  std::vector<uint64_t> out;
  const std::string prefix = "^uint32(0)/", suffix = " + 1";
  for (const std::string& s : arrayItems(src, name)) {
    const bool expr = s.size() > prefix.size() + suffix.size() && s.rfind(prefix, 0) == 0 &&
                      s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    const std::string d = expr ? s.substr(prefix.size(), s.size() - prefix.size() - suffix.size()) : "";
    if (s == "0") out.push_back(0);
    else if (allDigits(d)) out.push_back(uint64_t{0xFFFFFFFFu} / std::stoull(d) + 1);
    else out.push_back(~uint64_t{0});
  }
  return out;
}

// The integer in a const block line `<name> = <int>` or `<name> = <type>(<int>)`; 0 if absent.
inline uint64_t constant(const std::string& src, const std::string& name) {
  std::stringstream ss(src);
  for (std::string line; std::getline(ss, line);) {
    const size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line.compare(b, name.size(), name) != 0) continue;
    const size_t eq = line.find('=', b + name.size());
    if (eq == std::string::npos || line.find_first_not_of(" \t", b + name.size()) != eq) continue;
    const size_t paren = line.find('(', eq); // int8(2): skip the type's digits
    const size_t digits = line.find_first_of("0123456789", paren == std::string::npos ? eq : paren);
    if (digits == std::string::npos) continue;
    return std::stoull(line.substr(digits));
  }
  return 0;
}

// The comment block of a sizeclasses.go (both releases): from the table header through the
// alignment rows, which end at a blank line.
inline std::string tableComment(const std::string& src) {
  std::string comment;
  std::stringstream ss(src);
  bool inTable = false, inAlign = false;
  for (std::string line; std::getline(ss, line);) {
    if (!inTable && line.rfind("// class  bytes/obj", 0) == 0) inTable = true;
    if (!inTable) continue;
    if (line.rfind("// alignment  bits", 0) == 0) inAlign = true;
    if (inAlign && line.empty()) break;
    comment += line + "\n";
  }
  return comment;
}

// What Go 1.26's internal/runtime/gc/sizeclasses.go says.
struct SizeClasses126 {
  uint64_t maxSmallSize = 0, numSizeClasses = 0, tinySizeClass = 0, tinySize = 0, pageShift = 0;
  std::vector<uint64_t> classToSize, classToNPages, classToDivMagic, sizeToClass8, sizeToClass128;
  std::string comment; // "// class  bytes/obj" .. the last alignment row, newline-terminated
};

inline SizeClasses126 parseSizeClasses126(const std::string& src) {
  SizeClasses126 t;
  t.maxSmallSize = constant(src, "MaxSmallSize");
  t.numSizeClasses = constant(src, "NumSizeClasses");
  t.tinySizeClass = constant(src, "TinySizeClass");
  t.tinySize = constant(src, "TinySize");
  t.pageShift = constant(src, "PageShift");
  t.classToSize = intArray(src, "SizeClassToSize");
  t.classToNPages = intArray(src, "SizeClassToNPages");
  t.classToDivMagic = divMagic(src, "SizeClassToDivMagic");
  t.sizeToClass8 = intArray(src, "SizeToSizeClass8");
  t.sizeToClass128 = intArray(src, "SizeToSizeClass128");
  t.comment = tableComment(src);
  return t;
}

} // namespace gofile
