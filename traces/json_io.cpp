// JSON files in and out for every reader in traces/ (json_io.h).
#include "traces/json_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace traces {

namespace {

// Bytes that are not printable ASCII as \xNN, so that a message about a binary file stays one clean line.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

} // namespace

// nlohmann's parse_error text is "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error while parsing ..."; keep only what comes after the position.
std::string jsonErrorWhat(const std::string& what) {
  size_t p = what.find("parse error");
  if (p != std::string::npos) {
    size_t colon = what.find(": ", p);
    if (colon != std::string::npos) return printable(what.substr(colon + 2));
  }
  size_t br = what.find("] ");
  return printable(br == std::string::npos ? what : what.substr(br + 2));
}

std::string lineAndColumnOf(const std::string& text, size_t byte) {
  const size_t end = std::min(byte == 0 ? size_t{0} : byte - 1, text.size());
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < end; ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  return "line " + std::to_string(line) + ", column " + std::to_string(end - lineStart + 1);
}

std::optional<std::string> readWholeFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = path + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    if (error) *error = path + ": read error";
    return std::nullopt;
  }
  return ss.str();
}

std::optional<nlohmann::json> parseJsonText(const std::string& text, std::string* error) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    if (error) *error = lineAndColumnOf(text, e.byte) + ": " + jsonErrorWhat(e.what());
  } catch (const nlohmann::json::exception& e) { // out_of_range.406: a number beyond double's range
    if (error) *error = jsonErrorWhat(e.what()) + " (a number too large for JSON's doubles)";
  }
  return std::nullopt;
}

bool writeFileAtomic(const std::string& path, const std::string& text, std::string* error) {
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  auto fail = [&](const std::string& why) {
    std::remove(tmp.c_str());
    if (error) *error = path + ": " + why;
    return false;
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return fail(std::string("cannot create ") + tmp + ": " + std::strerror(errno));
  const size_t n = std::fwrite(text.data(), 1, text.size(), f);
  const bool writeOk = n == text.size() && std::fflush(f) == 0;
  const int writeErr = errno;
  if (std::fclose(f) != 0 || !writeOk) return fail(std::string("write error: ") + std::strerror(writeOk ? errno : writeErr));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail(std::string("cannot rename ") + tmp + ": " + std::strerror(errno));
  return true;
}

} // namespace traces
