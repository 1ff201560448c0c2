// Engine events from a recorder raw log (libspanscope-record.so, via `spanscope-cli record`).
//
// Records come in global sequence order (RawLogReader). Block addresses map to dense ids through
// IdMap. realloc and reallocarray are two records already (release of the old block, the new
// block) and become a Free and an Alloc; glibc's realloc(p, 0) is a release alone. Failed
// allocations are counted and dropped. A free of an address that is not live (a block allocated
// before the recorder started) is an orphan: counted and dropped. An allocation at an address that
// is still live means a free was missed (a signal handler interrupting a hook): the old object is
// freed first and the case is counted. Kernel thread ids become thread numbers 0, 1, 2, ... in
// order of first appearance; times are CLOCK_MONOTONIC ns from the first record, clamped so they
// never go backwards (two threads may read the clock in the other order than they took their
// sequence numbers). Every allocation is noscan (C heap memory; the trace's frees decide liveness).
// Alignment is not modelled: aligned blocks are allocations of their requested size.
#pragma once

#include "traces/event_stream.h"
#include "traces/id_map.h"
#include "traces/recorder/raw_log.h"

#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace traces {

// "malloc", "free", "realloc (release)", ... for an enum spanscope_raw_op value.
const char* rawOpName(uint8_t op);

class RecordedStream final : public EventStream {
 public:
  // Throws TraceError on a bad log (see RawLogReader).
  RecordedStream(const std::string& rawLogPath, TraceMeta meta);

  size_t read(sim::Event* out, size_t max) override;
  const TraceMeta& meta() const override { return meta_; }
  std::string describeObject(uint64_t denseId) const override; // "0x55d0c0a012a0"
  ImportSummary summary() const override;
  uint64_t bytesRead() const override { return log_.recordsRead() * sizeof(spanscope_raw_record); }
  uint64_t bytesTotal() const override { return log_.fileSize(); }

  // Complete once read() has returned 0.
  struct Details {
    // Calls per function, indexed by enum spanscope_raw_op (realloc and reallocarray under their
    // allocation op, failed calls included; free(NULL) is not recorded).
    std::array<uint64_t, SPANSCOPE_OP_LAST + 1> calls{};
    uint64_t addressReused = 0; // allocations at a still-live address (the old object was ended)
    uint64_t aligned = 0;       // blocks from the aligned family (alignment not modelled)
    bool exitSeen = false;      // the process ran its exit handlers (its buffers were flushed)
    std::vector<uint32_t> kernelTids; // thread number -> kernel thread id
  };
  const Details& details() const { return details_; }
  // 0, or the errno of the recorder's first failed write (the recording is incomplete).
  uint64_t writeError() const { return log_.writeError(); }
  // Blocks live at the end: (address, requested size), by address.
  std::vector<std::pair<uint64_t, uint64_t>> liveBlocks() const;

 private:
  void convert(const spanscope_raw_record& r);
  void alloc(const spanscope_raw_record& r, uint32_t thread, uint64_t time);
  void release(const spanscope_raw_record& r, uint32_t thread, uint64_t time);
  uint32_t threadOf(uint32_t tid);
  uint64_t timeOf(uint64_t ns);

  RawLogReader log_;
  TraceMeta meta_;
  IdMap ids_;
  std::vector<uint64_t> addressOf_; // dense id -> address
  std::unordered_map<uint32_t, uint32_t> threads_;
  SummaryCounter counter_{"spanscope recorder"};
  Details details_;
  std::vector<sim::Event> pending_; // converted, not yet handed out (at most two)
  size_t pendingPos_ = 0;
  bool started_ = false;
  uint64_t firstNs_ = 0, lastTime_ = 0;
};

} // namespace traces
