// Importer for Go execution traces recorded with the alloc/free experiment (Go 1.23+:
// GODEBUG=traceallocfree=1 plus runtime/trace.Start or `go test -trace`), the replacement of the
// allocfreetrace text Go 1.23 removed. Heap objects' allocations and frees become engine
// events, with GC cycles as GC events (forced if runtime.GC started them, else background) and
// the P as the thread. Streaming: memory holds one generation of the trace plus the live heap
// (spans and objects).
// Container: go_exectrace_reader.h; policies: the .cpp's header comment; README "Go execution
// traces".
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace traces {

// True if `head` starts with "go 1.NN trace\0\0\0".
bool sniffGoExecTrace(std::string_view head);

// Opens the stream; reads the first generation. Throws TraceError naming the file and byte.
std::unique_ptr<EventStream> openGoExecTrace(std::unique_ptr<ByteSource> src);

// What the import saw beside the summary's counts (final once read() has returned 0).
struct GoExecCounts {
  uint64_t snapshotObjects = 0; // HeapObject: alive at trace start, replayed first
  uint64_t packedTiny = 0;      // tiny allocations into a live 16-byte block: not replayed
  uint64_t headerObjects = 0;   // reported at slot + 8 (a malloc header)
  uint64_t gcCycles = 0;        // GCBegin and GCActive events
  uint64_t forcedGcs = 0;       // GC events of cycles whose GCBegin stack has runtime.GC
  uint64_t backgroundGcs = 0;   // the other GC events (sim::kBackgroundGC)
};

class GoExecTraceStream : public EventStream {
 public:
  explicit GoExecTraceStream(std::unique_ptr<ByteSource> src);
  ~GoExecTraceStream() override;

  size_t read(sim::Event* out, size_t max) override;
  const TraceMeta& meta() const override;
  // The address the runtime reported for the object that last had this id ("0xc000012345"): the
  // pointer mallocgc returned (slot + 8 for an object with a malloc header).
  std::string describeObject(uint64_t denseId) const override;
  ImportSummary summary() const override;
  uint64_t bytesRead() const override;
  uint64_t bytesTotal() const override;

  // The slot the object that last had this id occupies in the runtime's heap, minus the heap's
  // lowest in-use page at trace start (AllocFree info's minPageHeapAddr); for comparing with a
  // replay's addresses. ~0 if unknown.
  uint64_t slotOffset(uint64_t denseId) const;
  GoExecCounts counts() const;
  // The runtime's minPageHeapAddr (0 until the info batch was read).
  uint64_t heapBase() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace traces
