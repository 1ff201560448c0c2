// JSON files in and out, shared by every JSON reader in traces/ (traces, configs, size-class
// tables): whole-file reads, parsing with line/column errors, atomic writes.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace traces {

// Reads a whole file. On failure *error = "<path>: cannot open: <why>" or "<path>: read error".
std::optional<std::string> readWholeFile(const std::string& path, std::string* error);

// Parses JSON text. On a syntax error *error = "line L, column C: <what>" (the caller puts the
// file name in front); bytes that are not printable ASCII are shown as \xNN.
std::optional<nlohmann::json> parseJsonText(const std::string& text, std::string* error);

// nlohmann's exception text without its "[json.exception...]" prefix, printable.
std::string jsonErrorWhat(const std::string& what);

// "line L, column C" of a 1-based byte offset as nlohmann's parse_error::byte reports it.
std::string lineAndColumnOf(const std::string& text, size_t byte);

// Writes text to `path` atomically (temp file "<path>.tmp.<pid>" + rename). On failure the temp file
// is removed, `path` is left as it was, and *error says "<path>: <why>".
bool writeFileAtomic(const std::string& path, const std::string& text, std::string* error);

} // namespace traces
