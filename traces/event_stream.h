// Event streams: every trace source (native JSON and binary, importers, generators) is read by
// pulling batches of engine events, so replay never needs the whole trace in memory.
// Design essay of the engine: sim/malloc.h; formats: ARCHITECTURE.md §4 and docs/trace-formats.md.
#pragma once

#include "sim/event.h"
#include "traces/trace.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace traces {

// Bad input found while reading a trace. what() is one line naming the file and the line or byte
// offset: "<file>: line 12: <what>" or "<file>: byte 4096: <what>".
struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A piece of input for an error message: at most `max` bytes ("..." after), bytes that are not
// printable ASCII as \xNN — errors never quote unbounded or binary input.
std::string excerpt(std::string_view s, size_t max = 60);

// What a source saw, printed at the end of an import ("validation summary").
struct ImportSummary {
  std::string format;          // "heaptrack (interpreted)", "glibc mtrace", ...
  uint64_t events = 0;         // events produced (all kinds)
  uint64_t allocs = 0, frees = 0, gcs = 0;
  uint64_t threads = 0;        // distinct thread ids seen
  uint64_t orphanFrees = 0;    // frees of a pointer/handle that was not live (dropped)
  uint64_t unknownLines = 0;   // records the parser did not understand (skipped and counted)
  uint64_t failedAllocs = 0;   // allocations that returned NULL in the producer (dropped)
  uint64_t liveObjects = 0, liveBytes = 0; // at the end of the trace (requested bytes)
  uint64_t peakLiveBytes = 0;
  // The producer's own figures beside ours, e.g. {"heaptrack: total memory leaked", "1234", "1234"}.
  struct Comparison {
    std::string what, theirs, ours;
    bool match = false;
  };
  std::vector<Comparison> comparisons;
  std::vector<std::string> notes; // policies applied ("realloc → free + alloc", ...)

  std::string toText() const; // multi-line, for the CLI and the GUI's load dialog
};

// Keeps ImportSummary's running counts; importers call it as they emit events.
class SummaryCounter {
 public:
  explicit SummaryCounter(std::string format) { s_.format = std::move(format); }
  void alloc(uint64_t size, uint32_t thread) {
    ++s_.allocs, ++s_.liveObjects;
    s_.liveBytes += size;
    if (s_.liveBytes > s_.peakLiveBytes) s_.peakLiveBytes = s_.liveBytes;
    seeThread(thread);
  }
  void free(uint64_t size, uint32_t thread) {
    ++s_.frees, --s_.liveObjects;
    s_.liveBytes -= size;
    seeThread(thread);
  }
  void seeThread(uint32_t thread) {
    if (thread != lastThread_ && threads_.insert(thread).second) s_.threads = threads_.size();
    lastThread_ = thread;
  }
  ImportSummary& summary() { return s_; }
  const ImportSummary& summary() const { return s_; }

 private:
  ImportSummary s_;
  std::unordered_set<uint32_t> threads_;
  uint32_t lastThread_ = ~0u;
};

class EventStream {
 public:
  virtual ~EventStream() = default;
  // Pulls up to `max` events into `out`; returns how many; 0 means the trace has ended (and stays
  // 0). Ids are dense and reused after a free, so the engine's tables follow the live set.
  // Throws TraceError on bad input.
  virtual size_t read(sim::Event* out, size_t max) = 0;
  // Title, description, source and suggested config, as far as the file says (may be empty).
  virtual const TraceMeta& meta() const = 0;
  // Lesson text of an Annotate event (native formats only); nullptr if unknown.
  virtual const std::string* annotation(uint64_t /*id*/) const { return nullptr; }
  // The object as the source names it ("0x55d0c0a012a0", "id 7"), for messages; "" if unknown.
  virtual std::string describeObject(uint64_t /*denseId*/) const { return {}; }
  // Dense id -> the id the file itself used, when the file names objects by id (native JSON);
  // nullptr when it does not (importers name objects by address: describeObject).
  virtual const std::vector<uint64_t>* originalIds() const { return nullptr; }
  // Counts so far; complete once read() has returned 0.
  virtual ImportSummary summary() const = 0;
  // How many events the whole trace holds, when the source knows before reading them all (native
  // formats); nullopt otherwise (importers, pipes).
  virtual std::optional<uint64_t> eventCount() const { return std::nullopt; }
  // Progress: input bytes consumed and the input's size (0 when unknown, e.g. a pipe).
  virtual uint64_t bytesRead() const { return 0; }
  virtual uint64_t bytesTotal() const { return 0; }
};

// A stream over a trace already in memory (JSON traces, tests).
class VectorStream : public EventStream {
 public:
  explicit VectorStream(Trace t, std::string format = "spanscope JSON");
  size_t read(sim::Event* out, size_t max) override;
  const TraceMeta& meta() const override { return t_.meta; }
  const std::string* annotation(uint64_t id) const override {
    return id < t_.annotations.size() ? &t_.annotations[id] : nullptr;
  }
  std::string describeObject(uint64_t denseId) const override { return "id " + std::to_string(t_.originalId(denseId)); }
  const std::vector<uint64_t>* originalIds() const override { return &t_.originalIds; }
  ImportSummary summary() const override;
  std::optional<uint64_t> eventCount() const override { return t_.events.size(); }

 private:
  Trace t_;
  size_t pos_ = 0;
  SummaryCounter counter_;
  std::vector<uint64_t> sizeOf_; // dense id -> size, for live bytes
};

// Reads a whole stream into memory (small traces, the GUI). Annotations and the file's own object
// ids (originalIds) are copied; ids stay as the stream gave them.
Trace readAll(EventStream& s);

} // namespace traces
