// The shared part of the importers that read text a line at a time (heaptrack, glibc mtrace,
// ltrace): the byte source and its line reader, meta and summary counter, and the read loop that
// hands out the events each line made before parsing the next.
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <array>
#include <memory>
#include <stdexcept>
#include <string>

namespace traces {

// The events one input line (or record) made, handed out before the next line is parsed: the
// read loop of the line-based importers (heaptrack, mtrace, ltrace).
class LineEvents {
 public:
  static constexpr size_t kMax = 4; // a line makes at most this many engine events
  void push(const sim::Event& e) {
    if (len_ == kMax) throw std::logic_error("LineEvents: more than kMax events from one line");
    ev_[len_++] = e;
  }
  bool ended() const { return ended_; } // nextLine() said the input is over
  // Fills out[0..max) with queued events, calling nextLine() (false = no more input) to parse
  // another line whenever the queue runs dry. Returns how many were written.
  template <class NextLine>
  size_t read(sim::Event* out, size_t max, NextLine&& nextLine) {
    size_t n = 0;
    while (n < max) {
      if (pos_ < len_) {
        out[n++] = ev_[pos_++];
        continue;
      }
      if (ended_) break;
      len_ = pos_ = 0;
      if (!nextLine()) ended_ = true;
    }
    return n;
  }

 private:
  std::array<sim::Event, kMax> ev_{};
  size_t len_ = 0, pos_ = 0;
  bool ended_ = false;
};

class LineTraceStream : public EventStream {
 public:
  size_t read(sim::Event* out, size_t max) final {
    return pending_.read(out, max, [this] { return parseNext(); });
  }
  const TraceMeta& meta() const final { return meta_; }
  uint64_t bytesRead() const final { return src_->compressedRead(); }
  uint64_t bytesTotal() const final { return src_->fileSize(); }

 protected:
  // `format` names the producer in the summary ("ltrace"). Every line format is a C allocator's
  // log (heaptrack, mtrace, ltrace) whose frees are explicit: they suggest liveness immediate
  // (ARCHITECTURE.md §3, Liveness), so a replay does not wait for GC cycles to reclaim them.
  LineTraceStream(std::unique_ptr<ByteSource> src, const char* format)
      : src_(std::move(src)), lines_(*src_), counter_(format) {
    meta_.config.liveness = sim::Liveness::Immediate;
  }
  // Parses input until at least one line was taken (its events, if any, go to pending_);
  // false at the end of the input.
  virtual bool parseNext() = 0;

  std::unique_ptr<ByteSource> src_;
  LineReader lines_;
  TraceMeta meta_;
  SummaryCounter counter_;
  LineEvents pending_;
};

} // namespace traces
