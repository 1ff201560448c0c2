// The native binary trace format: compact, streaming, for millions to billions of events.
// The byte layout is specified in docs/binary-trace-format.md (header, thread table, varint/delta
// encoded event blocks, optional zstd per block, footer with counts).
#pragma once

#include "sim/replay.h"
#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// Random access to a binary trace file, for the app: any event is reached by decoding the one
// block that holds it. Blocks are self-contained (ids and times restart their deltas at every
// block, every block starts with a thread switch), so the index is what the first, validating
// pass learns about each block: its byte offset, its first event, and how many threads and
// annotations came before it. Memory: the index (32 bytes per block, ~1 per 60,000 events), the
// annotations, and one decoded block.
class BinaryTraceFile final : public sim::EventSource {
 public:
  struct Block {
    uint64_t offset = 0;            // of the block record ('B')
    uint64_t firstEvent = 0;
    uint64_t annotationsBefore = 0;
    uint32_t threadsBefore = 0;
  };

  // Opens `path` (an uncompressed binary trace file; `isRandomAccessBinary` tells) and reads its
  // header. The first pass over the events (events() from index 0 on, in order) validates every
  // block as the streaming reader does and builds the index; from then on any index may be asked
  // for. Throws TraceError on bad input.
  explicit BinaryTraceFile(const std::string& path);
  ~BinaryTraceFile() override;

  const sim::Event* events(uint64_t first, size_t* n) override;
  bool seekable() const override { return indexed_; }

  const TraceMeta& meta() const;
  // The annotation texts seen so far (all of them once the first pass is done).
  const std::vector<std::string>& annotations() const;
  uint64_t eventCount() const; // from the footer, known up front
  const std::vector<Block>& blocks() const { return blocks_; }
  bool indexed() const { return indexed_; } // the first pass reached the footer
  // Finishes the first pass (reads what is left, checks the footer), if it has not ended.
  void completeIndex();
  // Another reader of the same file sharing the complete index (its own position and buffer).
  std::unique_ptr<BinaryTraceFile> reader() const;

 private:
  struct Reader;
  std::unique_ptr<Reader> seq_, random_; // the first pass; the block decoder after it
  std::vector<Block> blocks_;
  std::vector<uint32_t> threads_;        // the whole thread table, once indexed
  std::vector<sim::Event> buf_;          // the events handed out last
  uint64_t bufFirst_ = 0;
  bool indexed_ = false;
};

// Whether `path` can be opened as a BinaryTraceFile: a binary trace in a plain regular file
// (not compressed as a whole, not a pipe).
bool isRandomAccessBinary(const std::string& path);

// Format registration (open_trace.cpp).
bool sniffBinaryTrace(std::string_view head);
std::unique_ptr<EventStream> openBinaryTrace(std::unique_ptr<ByteSource> src);

} // namespace traces
