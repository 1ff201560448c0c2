// StreamSource: a traces::EventStream as the sim::EventSource a sim::Replay reads (sim/replay.h).
// Forward only, one batch in memory, so a replay of a stream never holds the trace. In-memory
// traces need no adapter: sim::MemorySource reads Trace::events directly.
#pragma once

#include "sim/replay.h"
#include "traces/event_stream.h"

#include <vector>

namespace traces {

class StreamSource final : public sim::EventSource {
 public:
  // Reads no event at or past index `limit` (a replay --until N reads N events, no more).
  explicit StreamSource(EventStream& stream, uint64_t limit = ~uint64_t{0}, size_t batch = 4096)
      : stream_(stream), buf_(batch), limit_(limit) {}
  // Throws TraceError on bad input (from the stream), or if asked for an event before the batch
  // in memory (a stream cannot go back).
  const sim::Event* events(uint64_t first, size_t* n) override;
  // True once the stream has ended (read() returned 0 before the limit).
  bool ended() const { return ended_; }

 private:
  EventStream& stream_;
  std::vector<sim::Event> buf_;
  uint64_t bufFirst_ = 0; // index of buf_[0]
  size_t bufSize_ = 0;
  uint64_t limit_;
  bool ended_ = false;
};

} // namespace traces
