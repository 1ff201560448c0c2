// openTrace: see open_trace.h. Formats register in traceFormats() below, one line each.
#include "traces/open_trace.h"

#include "traces/binary_trace.h"
#include "traces/go_allocfreetrace.h"
#include "traces/go_exectrace.h"
#include "traces/heaptrack.h"
#include "traces/json_trace.h"
#include "traces/ltrace.h"
#include "traces/mtrace.h"

namespace traces {

namespace {

bool sniffJson(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3); // a UTF-8 byte order mark
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) ++i;
  return i < head.size() && head[i] == '{' && head.find("\"format\"") != std::string_view::npos &&
         head.find(kTraceFormat) != std::string_view::npos;
}

std::unique_ptr<EventStream> openJson(std::unique_ptr<ByteSource> src) {
  // JSON traces are small (lessons); the whole text is parsed, so its size is bounded: by the file
  // itself when plain, and by a ratio to the bytes read when compressed, so a small compressed
  // "bomb" cannot make us hold gigabytes (kMaxJsonTraceRatio; README "Limits and guarantees").
  std::string text;
  char buf[1 << 16];
  while (size_t n = src->read(buf, sizeof buf)) {
    text.append(buf, n);
    if (text.size() > kMaxJsonTraceBytes)
      throw TraceError(src->path() + ": byte " + std::to_string(text.size()) + ": JSON trace larger than " +
                       std::to_string(kMaxJsonTraceBytes >> 20) + " MiB; use the binary format");
    if (src->compression() != Compression::None && text.size() > kJsonTraceRatioFloor &&
        text.size() > kMaxJsonTraceRatio * src->compressedRead())
      throw TraceError(src->path() + ": byte " + std::to_string(src->compressedRead()) + ": decompresses to more than " +
                       std::to_string(kMaxJsonTraceRatio) + " times its compressed size (" +
                       std::to_string(text.size()) + " bytes from " + std::to_string(src->compressedRead()) +
                       "); refused as a decompression bomb");
  }
  std::string err;
  std::optional<Trace> t = parseJsonTrace(text, src->path(), &err);
  if (!t) throw TraceError(err);
  return std::make_unique<VectorStream>(std::move(*t));
}

} // namespace

const std::vector<TraceFormat>& traceFormats() {
  static const std::vector<TraceFormat> formats = {
      {"binary", "spanscope binary trace (compact, streaming; docs/binary-trace-format.md)", sniffBinaryTrace, openBinaryTrace},
      {"json", "spanscope JSON trace (lessons, small traces)", sniffJson, openJson},
      {"mtrace", "glibc mtrace() log (MALLOC_TRACE)", sniffMtrace, openMtrace},
      {"ltrace", "ltrace output of the malloc family (-f, -t/-tt/-ttt)", sniffLtrace, openLtrace},
      {"heaptrack", "heaptrack recording, interpreted or --raw (zstd, gzip or plain)", sniffHeaptrack, openHeaptrack},
      {"go-exectrace", "Go 1.22+ execution trace (runtime/trace) with GODEBUG=traceallocfree=1 alloc/free events", sniffGoExecTrace, openGoExecTrace},
      {"go-allocfreetrace", "Go 1.19 GODEBUG=allocfreetrace=1 output (the program's stderr)", sniffGoAllocFreeTrace, openGoAllocFreeTrace},
  };
  return formats;
}

std::unique_ptr<EventStream> openTrace(const std::string& path) {
  auto src = std::make_unique<ByteSource>(path);
  const std::string_view head = src->head();
  if (head.empty()) throw TraceError(path + ": empty file (no trace in it)");
  for (const TraceFormat& f : traceFormats()) {
    if (f.sniff(head)) return f.open(std::move(src));
  }
  std::string tried;
  for (const TraceFormat& f : traceFormats()) tried += (tried.empty() ? "" : ", ") + std::string(f.name);
  throw TraceError(path + ": byte 0: not a trace format spanscope knows (tried " + tried + ")");
}

} // namespace traces
