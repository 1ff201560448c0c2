// Opening any supported trace: the format is chosen by sniffing the (decompressed) content,
// never by the file name. One importer per file in traces/; each registers here.
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace traces {

struct TraceFormat {
  const char* name;        // "json", "binary", "heaptrack", "mtrace", "ltrace", "go-allocfreetrace"
  const char* description; // one line for --help and the GUI's file dialog
  // True if `head` (the first decompressed bytes of the input) looks like this format.
  bool (*sniff)(std::string_view head);
  // Opens the stream on a source whose head matched. Throws TraceError.
  std::unique_ptr<EventStream> (*open)(std::unique_ptr<ByteSource> src);
};

// Every format, in sniffing order (most specific first).
const std::vector<TraceFormat>& traceFormats();

// Opens `path` ("-" = stdin) as whichever format its content matches. Throws TraceError naming
// the file when it cannot be opened or matches no format (listing what was tried).
std::unique_ptr<EventStream> openTrace(const std::string& path);

} // namespace traces
