// Importer for Go 1.19's GODEBUG=allocfreetrace=1 output (stderr of the traced program):
// tracealloc/tracefree records with goroutine stacks, and tracegc() blocks. Streaming and
// pull-based: memory stays bounded by the live set plus one GC's sweep window.
// Format and pitfalls: shared reference trace-formats.md §4; policies: the .cpp's header comment.
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traces {

// Allocations held back behind one GC event while its sweep is still being reported (see the
// .cpp); past this many, the GC event goes out and the rest of that sweep's frees come late.
inline constexpr size_t kGoSweepWindow = size_t{1} << 18;

// True if `head` holds an allocfreetrace record line ("tracealloc(0x", "tracefree(0x" or
// "tracegc()" at a line start). The replacement of Go 1.23+, GODEBUG=traceallocfree=1, writes
// an execution trace: go_exectrace.h.
bool sniffGoAllocFreeTrace(std::string_view head);

// Opens the stream. Throws TraceError on bad input, naming the file and line.
std::unique_ptr<EventStream> openGoAllocFreeTrace(std::unique_ptr<ByteSource> src);

// The import's figures right after the sweep of the last GC seen, i.e. what a program sees when
// it calls runtime.ReadMemStats right after runtime.GC(). Sizes are the slot sizes the runtime
// printed (size class or whole pages), the unit of MemStats' byte counters.
struct GoGcCheckpoint {
  uint64_t gcs = 0;            // tracegc records up to here (MemStats.NumGC)
  uint64_t allocs = 0;         // tracealloc records before that GC
  uint64_t frees = 0;          // tracefree records of traced objects up to the end of its sweep
  uint64_t orphanFrees = 0;    // tracefree records of objects allocated before the trace began
  uint64_t liveObjects = 0;
  uint64_t liveSlotBytes = 0;
  uint64_t totalSlotBytes = 0; // slot bytes of every traced allocation up to here
  uint64_t events = 0;         // events produced up to and including that GC event
  bool exact = true;           // false if part of its sweep came after the reorder window closed
};

// runtime.MemStats as the traced program printed them: a line "MEMSTATS {json}" (the sample
// workload's format) or a JSON object of Go field names to unsigned integers.
using GoMemStats = std::map<std::string, uint64_t>;

// Reads MemStats from `text`; on failure returns nullopt and says why in *error, naming `name`.
std::optional<GoMemStats> parseGoMemStats(std::string_view text, const std::string& name, std::string* error);

// What can honestly be compared between the program's MemStats (read right after the last
// runtime.GC()) and the trace up to that GC. Equal: NumGC. Producer ≥ trace, with the gap
// explained: Mallocs and Frees (tiny allocations packed into an existing block and objects
// allocated before GODEBUG was read are never traced), HeapObjects, HeapAlloc, TotalAlloc.
std::vector<ImportSummary::Comparison> compareGoMemStats(const GoMemStats& theirs, const GoGcCheckpoint& ours);

class GoAllocFreeTraceStream : public EventStream {
 public:
  explicit GoAllocFreeTraceStream(std::unique_ptr<ByteSource> src);
  ~GoAllocFreeTraceStream() override;

  size_t read(sim::Event* out, size_t max) override;
  const TraceMeta& meta() const override;
  // The source address ("0xc000012345") of the object that last had this id when it was handed out.
  std::string describeObject(uint64_t denseId) const override;
  ImportSummary summary() const override;
  uint64_t bytesRead() const override;
  uint64_t bytesTotal() const override;

  // Figures after the last GC's sweep so far (final once read() has returned 0); nullopt
  // before the first GC.
  std::optional<GoGcCheckpoint> lastGcCheckpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace traces
