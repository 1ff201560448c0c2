// JSON files in and out, shared by every JSON reader in traces/ (traces, configs, size-class
// tables): whole-file reads, parsing with line/column errors, atomic writes.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace traces {

// Limits on JSON input (README "Limits and guarantees"): an input never chooses an allocation.
inline constexpr size_t kMaxJsonDepth = 64;                  // nesting of arrays and objects
inline constexpr size_t kMaxSmallJsonFile = size_t{16} << 20; // configs, tables, cost models, settings
inline constexpr size_t kMaxJsonQuote = 60;                  // bytes of input quoted in an error

// Reads a whole file of at most maxBytes. On failure *error = "<path>: cannot open: <why>",
// "<path>: read error" or "<path>: larger than N bytes (...)" — /dev/zero ends there too.
std::optional<std::string> readWholeFile(const std::string& path, std::string* error,
                                         size_t maxBytes = kMaxSmallJsonFile);

// Parses JSON text. On a syntax error *error = "line L, column C: <what>" (the caller puts the
// file name in front); bytes that are not printable ASCII are shown as \xNN. Refused as errors
// with their line and column, before nlohmann sees the text: nesting deeper than kMaxJsonDepth
// and an object key given twice. A leading UTF-8 byte order mark is skipped.
//
// With a sink, the elements of the top-level array under sink->key are handed to sink->element one
// at a time as each is parsed, instead of being kept (the returned document has an empty array
// there): a trace's events never exist as one document. An exception from element() ends the parse
// and propagates.
struct JsonArraySink {
  std::string key;
  std::function<void(nlohmann::json&&)> element;
};
std::optional<nlohmann::json> parseJsonText(const std::string& text, std::string* error,
                                            const JsonArraySink* sink = nullptr);

// A JSON value for an error message: compact, at most kMaxJsonQuote bytes ("..." after),
// invalid UTF-8 replaced. Never recursive beyond kMaxJsonDepth (parseJsonText's limit).
std::string shownJson(const nlohmann::json& v);

// Every JSON text we write: invalid UTF-8 in strings (file names, program arguments, annotations
// from other machines) becomes U+FFFD instead of an exception, so a report is always written.
template <class Json>
std::string dumpJson(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// nlohmann's exception text without its "[json.exception...]" prefix, printable.
std::string jsonErrorWhat(const std::string& what);

// "line L, column C" of a 1-based byte offset as nlohmann's parse_error::byte reports it.
std::string lineAndColumnOf(std::string_view text, size_t byte);

// Writes text to `path` atomically (temp file "<path>.tmp.<pid>" + rename). On failure the temp file
// is removed, `path` is left as it was, and *error says "<path>: <why>".
bool writeFileAtomic(const std::string& path, const std::string& text, std::string* error);

} // namespace traces
