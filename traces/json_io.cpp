// JSON files in and out for every reader in traces/ (json_io.h).
#include "traces/json_io.h"

#include "traces/output_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>
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

std::string lineAndColumnOf(std::string_view text, size_t byte) {
  const size_t end = std::min(byte == 0 ? size_t{0} : byte - 1, text.size());
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < end; ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  return "line " + std::to_string(line) + ", column " + std::to_string(end - lineStart + 1);
}

std::optional<std::string> readWholeFile(const std::string& path, std::string* error, size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = path + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  // Read in chunks up to the limit: a device (/dev/zero) or a huge file stops at maxBytes + 1.
  std::string out;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > maxBytes) {
      if (error) *error = path + ": larger than " + std::to_string(maxBytes) + " bytes (the limit for this kind of file)";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    if (error) *error = path + ": read error";
    return std::nullopt;
  }
  return out;
}

namespace {

// One pass over the text before parsing: nesting depth and duplicate keys, with their offsets.
// Keys are compared as written (escapes not decoded), which is what a person sees twice.
// Returns the byte offset of the problem and sets *why, or returns npos.
size_t checkJsonShape(std::string_view t, std::string* why) {
  struct Level {
    bool object;
    size_t firstKey; // this object's keys are keys[firstKey..]
  };
  std::vector<Level> stack;
  std::vector<std::string_view> keys; // the keys of every open object, innermost last
  bool expectKey = false;             // the next string in the current object is a key
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '"') {
      const size_t start = i++;
      while (i < t.size() && t[i] != '"') i += t[i] == '\\' ? 2 : 1;
      if (i >= t.size()) return std::string::npos; // unterminated: nlohmann reports it
      if (expectKey) {
        const std::string_view key = t.substr(start, i + 1 - start);
        for (size_t k = stack.back().firstKey; k < keys.size(); ++k)
          if (keys[k] == key) {
            *why = "duplicate key " + printable(std::string(key.substr(0, kMaxJsonQuote))) + " in one object";
            return start;
          }
        keys.push_back(key);
        expectKey = false;
      }
    } else if (c == '{' || c == '[') {
      if (stack.size() >= kMaxJsonDepth) {
        *why = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        return i;
      }
      stack.push_back(Level{c == '{', keys.size()});
      expectKey = c == '{';
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) {
        keys.resize(stack.back().firstKey);
        stack.pop_back();
      }
      expectKey = false;
    } else if (c == ',') {
      expectKey = !stack.empty() && stack.back().object;
    }
  }
  return std::string::npos;
}

} // namespace

namespace {

// nlohmann's SAX events into a document, except the elements of the sink's array, which go to the
// sink as each is complete (the same values json::parse would build).
class DomBuilder {
 public:
  using json = nlohmann::json;
  explicit DomBuilder(const JsonArraySink* sink) : sink_(sink) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const std::string&) { return put(json(v)); }
  bool string(std::string& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }
  bool key(std::string& k) {
    key_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) { return open(json::object(), false); }
  bool start_array(std::size_t) {
    // The sink's array: an empty placeholder in the document; its elements go to the sink.
    const bool streamed = sink_ && stack_.size() == 1 && stack_.back()->is_object() && key_ == sink_->key;
    return open(json::array(), streamed);
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    what_ = ex.what();
    if (const auto* pe = dynamic_cast<const json::parse_error*>(&ex)) byte_ = pe->byte;
    return false;
  }

  json root;
  std::string what_; // the parse error, if any
  size_t byte_ = 0;  // its 1-based byte offset (0: not a syntax error)

 private:
  // Where a new value goes; nullptr when it is a whole element of the streamed array (handed over).
  json* place(json&& v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json& parent = *stack_.back();
    if (stack_.size() == streamLevel_) {
      element_ = std::move(v);
      return &element_;
    }
    if (parent.is_object()) return &(parent[key_] = std::move(v));
    parent.push_back(std::move(v));
    return &parent.back();
  }
  bool put(json&& v) {
    const bool element = streamLevel_ != 0 && stack_.size() == streamLevel_;
    place(std::move(v));
    if (element) sink_->element(std::move(element_));
    return true;
  }
  bool open(json&& v, bool streamed) {
    stack_.push_back(place(std::move(v)));
    if (streamed) streamLevel_ = stack_.size();
    return true;
  }
  bool close() {
    stack_.pop_back();
    if (stack_.size() + 1 == streamLevel_) streamLevel_ = 0; // the streamed array itself ended
    else if (streamLevel_ != 0 && stack_.size() == streamLevel_) sink_->element(std::move(element_));
    return true;
  }

  const JsonArraySink* sink_;
  std::vector<json*> stack_;
  std::string key_;
  size_t streamLevel_ = 0; // stack depth of the streamed array while inside it (0: not inside)
  json element_;           // the streamed array's element being built
};

} // namespace

std::optional<nlohmann::json> parseJsonText(const std::string& textWithBom, std::string* error, const JsonArraySink* sink) {
  std::string_view text = textWithBom;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3); // a UTF-8 byte order mark (Windows editors)
  std::string why;
  if (const size_t at = checkJsonShape(text, &why); at != std::string::npos) {
    if (error) *error = lineAndColumnOf(text, at + 1) + ": " + why;
    return std::nullopt;
  }
  DomBuilder dom(sink);
  if (nlohmann::json::sax_parse(text, &dom)) return std::move(dom.root);
  if (error) {
    // A number beyond double's range is nlohmann's out_of_range.406, not a syntax error.
    *error = dom.byte_ ? lineAndColumnOf(text, dom.byte_) + ": " + jsonErrorWhat(dom.what_)
                       : jsonErrorWhat(dom.what_) + " (a number too large for JSON's doubles)";
  }
  return std::nullopt;
}

std::string shownJson(const nlohmann::json& v) {
  std::string s = dumpJson(v);
  if (s.size() > kMaxJsonQuote) s = s.substr(0, kMaxJsonQuote - 3) + "...";
  return s;
}

bool writeFileAtomic(const std::string& path, const std::string& text, std::string* error) {
  if (!checkOutputFile(path, error)) return false;
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
