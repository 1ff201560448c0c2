// The native binary trace format: compact, streaming, for millions to billions of events.
// The byte layout is specified in docs/binary-trace-format.md (header, thread table, varint/delta
// encoded event blocks, optional zstd per block, footer with counts).
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace traces {

struct BinaryWriterOptions {
  bool zstd = true; // compress each event block with zstd
  int zstdLevel = 3;
  // A block is closed once its encoded events reach this many bytes (1 .. 32 MiB). Bigger blocks
  // compress a little better; 256 KiB keeps a block in the reader's L2 cache.
  size_t blockBytes = 256 << 10;
};

// Writes a binary trace. To a file: to "<path>.tmp.<pid>" first, renamed to `path` by finish()
// (so a crash or an error never leaves a half-written trace under the real name). To "-": standard
// output, for pipes (`spanscope-cli gen ... -o - | spanscope-cli replay -`).
// Memory stays bounded (one block buffer) whatever the number of events.
class BinaryTraceWriter {
 public:
  BinaryTraceWriter(const std::string& path, const TraceMeta& meta, BinaryWriterOptions opt = {});
  ~BinaryTraceWriter(); // without finish(): the temp file is removed
  BinaryTraceWriter(const BinaryTraceWriter&) = delete;
  BinaryTraceWriter& operator=(const BinaryTraceWriter&) = delete;

  // Appends an event. Alloc/Free/GC/ReadMemStats are written as given (ids as the caller's
  // stream numbers them). An Annotate event must come through annotate() instead.
  void write(const sim::Event& ev);
  // Appends an Annotate event carrying `text` (its id is assigned in order: 0, 1, 2, ...).
  void annotate(const std::string& text, uint32_t thread = 0, uint64_t time = sim::kNoTime);
  // Copies a whole stream (annotations included, through src.annotation()).
  void writeAll(EventStream& src);
  // Flushes the last block, writes the footer, renames the temp file. Throws TraceError on I/O
  // failure (disk full, ...), naming the file.
  void finish();
  uint64_t eventsWritten() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Format registration (open_trace.cpp).
bool sniffBinaryTrace(std::string_view head);
std::unique_ptr<EventStream> openBinaryTrace(std::unique_ptr<ByteSource> src);

} // namespace traces
