// The container of Go execution traces (runtime/trace, Go 1.22+ "v2" format): header, generations,
// batches, the timed events of every thread merged into the order Go's parser gives them, and
// the AllocFree experiment's info and types batches. Knows nothing of the engine; the importer
// (go_exectrace.h) turns its events into engine events.
//
// Format: $GOROOT/src/internal/trace/tracev2 (events.go, spec.go) and internal/trace (reader.go,
// generation.go, batch.go, batchcursor.go); shared reference go-allocator-1.26-delta.md §10.
// Streaming by generation, as Go's parser: one generation's event batches are held in memory
// (the runtime cuts a generation about once a second), never the whole file.
#pragma once

#include "traces/byte_source.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace traces {

// Event type numbers of tracev2 (Go 1.26's events.go); the ones the importer looks at.
namespace goev {
inline constexpr uint8_t EventBatch = 1, Stacks = 2, Strings = 4, CPUSamples = 6, Frequency = 8;
inline constexpr uint8_t ProcsChange = 9, ProcStart = 10, ProcStop = 11, ProcSteal = 12, ProcStatus = 13;
inline constexpr uint8_t GCActive = 28, GCBegin = 29, GCEnd = 30;
inline constexpr uint8_t ExperimentalBatch = 49, Sync = 50, ClockSnapshot = 51, EndOfGeneration = 52;
// The AllocFree experiment (experiment id 1), events after MaxEvent = 127.
inline constexpr uint8_t Span = 128, SpanAlloc = 129, SpanFree = 130;
inline constexpr uint8_t HeapObject = 131, HeapObjectAlloc = 132, HeapObjectFree = 133;
inline constexpr uint8_t GoroutineStack = 134, GoroutineStackAlloc = 135, GoroutineStackFree = 136;
inline constexpr uint8_t AllocFreeExperiment = 1;
} // namespace goev

// "AllocFree", "HeapObjectAlloc", ...; "Invalid(N)" for a number tracev2 does not define.
std::string goEventName(uint8_t type);

// True if `head` starts with an execution trace header "go 1.NN trace\0\0\0".
bool isGoExecTraceHeader(std::string_view head);

struct GoExecEvent {
  uint8_t type = 0;
  int64_t time = 0;    // ns, as Go's parser reports it (Event.Time)
  uint64_t m = 0;      // the thread whose batch held it
  int64_t p = -1;      // the P that thread held, -1 if none
  uint64_t args[4] = {}; // after the timestamp
  uint64_t offset = 0; // byte offset of the event in the (decompressed) file
  uint64_t gen = 0;
};

// The AllocFree experiment's info batch (runtime/traceallocfree.go traceSnapshotMemory).
struct GoAllocFreeInfo {
  uint64_t minPageHeapAddr = 0, pageSize = 0, minHeapAlign = 0, fixedStack = 0;
};

// One entry of an AllocFree types batch (runtime/tracetype.go dumpTypesRec).
struct GoTraceType {
  uint64_t size = 0, ptrBytes = 0;
  std::string name;
};

class GoExecTraceReader {
 public:
  // Reads the header. Throws TraceError for a file that is no execution trace or a version
  // other than Go 1.22 to 1.26.
  explicit GoExecTraceReader(ByteSource& src);
  ~GoExecTraceReader();

  int goMinor() const { return version_; } // 26 for "go 1.26 trace"
  // The next timed event of any kind, in Go's order; false at the end. Throws TraceError
  // ("<file>: byte N: ...") on bad input.
  bool next(GoExecEvent& ev);

  // The info batch, once one has been seen (it comes with the first generation).
  const GoAllocFreeInfo* allocFreeInfo() const { return haveInfo_ ? &info_ : nullptr; }
  // The type with this id in the generation of the event last returned; nullptr if unknown.
  const GoTraceType* type(uint64_t id) const;
  // True if stack `stack` of the generation of the event last returned has a frame of function
  // `fn` ("runtime.GC"); false for stack 0 (none) or a stack the generation does not define.
  bool stackHasFunction(uint64_t stack, std::string_view fn) const;
  uint64_t generations() const { return generations_; }
  // Events returned so far and raw bytes of the largest generation held.
  uint64_t events() const { return events_; }
  uint64_t largestGenerationBytes() const { return largestGen_; }
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const;

 private:
  struct Batch {
    uint64_t m = 0, time = 0, offset = 0; // offset of data[0] in the file
    std::vector<uint8_t> data;
  };
  struct Cursor {
    uint64_t m = 0;
    std::vector<Batch>* batches = nullptr; // batches_[m]
    size_t batch = 0, pos = 0; // into batches_[m]
    int64_t lastTs = 0;
    GoExecEvent ev;
  };
  class Input;

  bool loadGeneration();
  void processBatch(Batch&& b, uint8_t exp);
  void readSync(const Batch& b);
  uint64_t batchVarint(const Batch& b, size_t& i, const char* what) const;
  void readAllocFreeBatch(const Batch& b);
  void readStrings(const Batch& b);
  void readStacks(const Batch& b);
  bool advance(Cursor& c);
  void trackProcs(GoExecEvent& ev);
  int64_t mul(uint64_t t) const;
  void heapSiftUp(size_t i);
  void heapSiftDown(size_t i);

  ByteSource& src_;
  std::unique_ptr<Input> in_;
  int version_ = 0;
  // The generation being read.
  uint64_t gen_ = 0;
  double freq_ = 0;
  uint64_t minTs_ = 0;
  std::unordered_map<uint64_t, std::vector<Batch>> batches_;
  std::vector<uint64_t> batchMs_; // in order of first appearance, as Go's generation.batchMs
  std::unordered_map<uint64_t, GoTraceType> types_;
  // The generation's Strings and Stacks batches: string id -> string, stack id -> the string
  // ids of its frames' functions (innermost first). Bounded by the generation's size.
  std::unordered_map<uint64_t, std::string> strings_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> stacks_;
  std::vector<Cursor> frontier_; // a min-heap on ev.time, sifted exactly as Go's batchcursor.go
  // The next generation's first batch, read while looking for the end of this one (< Go 1.26).
  std::unique_ptr<Batch> spill_;
  uint64_t spillGen_ = 0;
  uint8_t spillExp_ = 0;
  bool eof_ = false;
  // Across generations.
  std::unordered_map<uint64_t, int64_t> procOf_; // thread -> P it holds
  int64_t lastTime_ = 0;
  GoAllocFreeInfo info_;
  bool haveInfo_ = false;
  uint64_t generations_ = 0, events_ = 0, largestGen_ = 0, genBytes_ = 0;
};

} // namespace traces
