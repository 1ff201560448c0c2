// Comparison: one trace through several engines at once (one per size-class table, or any other
// config difference), with the figures an allocator designer compares. Design essay: sim/malloc.h.
// Go: none — a simulator facility. The caller reads the trace once and hands every event to
// step(), so comparing k tables costs k replays (one sim::Replay each) but one read of the trace.
#pragma once

#include "sim/replay.h"
#include "sim/world.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sim {

struct ComparisonFigures {
  std::string name;              // the table's name (or the config's label)
  uint64_t events = 0;           // events this engine ran
  std::string error;             // set if this engine stopped (simulated OOM, ...); figures so far
  uint64_t peakHeapInuse = 0, peakHeapSys = 0;
  double meanHeapInuse = 0, meanHeapSys = 0; // averaged over events
  WasteLedger atEnd;             // every byte of HeapSys at the end, by category
  uint64_t spansCreated = 0;     // mheap.allocSpan calls (small and large)
  uint64_t refills = 0;          // mcache.refill calls
  uint64_t centralGrows = 0;     // mcentral.grow calls
  uint64_t heapGrows = 0;        // mheap.grow calls (memory taken from the OS)
  uint64_t largeAllocs = 0;
  uint32_t numGC = 0;            // GC cycles completed (MemStats.NumGC)
  uint32_t numClasses = 0;       // of the table, excluding class 0
  // HeapInuse over the trace, one point every Comparison::sampleEvery() events, for plots.
  std::vector<uint64_t> heapInuseSeries;
};

// What a comparison accumulates for one engine, event by event (the app's Compare view keeps one
// per checkpoint, so it can seek).
struct ComparisonTally {
  uint64_t events = 0, spansCreated = 0, refills = 0, centralGrows = 0, heapGrows = 0, largeAllocs = 0;
  uint64_t peakHeapInuse = 0, peakHeapSys = 0;
  double sumHeapInuse = 0, sumHeapSys = 0;
  void count(const World& w); // the event w has just run
  void fill(ComparisonFigures& f) const; // counts, peaks and means (over events) into f
};

class Comparison {
 public:
  // One engine per config; `names` label them (same length). HeapInuse is sampled every
  // sampleEvery() events, starting at 1 and doubling (every other point dropped) whenever the
  // series would exceed maxPoints, so any trace length gives between maxPoints/2 and maxPoints.
  Comparison(std::vector<Config> cfgs, std::vector<std::string> names, size_t maxPoints = 2048);
  ~Comparison();
  // Feeds one event to every engine still running. Returns false if an engine rejected it as bad
  // input (*error says which and why); the trace is then wrong for all of them.
  bool step(const Event& ev, std::string* error) { return stepBatch(&ev, 1, error, nullptr); }
  // The same for n events, engine by engine (each engine's state stays in cache for the whole
  // batch: several times faster than interleaving engines event by event); engines share
  // nothing, so a large batch runs them on up to hardware_concurrency() threads, with the same
  // results as one thread. On bad input returns false with *badIndex = the offending event's
  // index in the batch; every engine has then run exactly the events before it (the checks that
  // reject an event do not depend on the table, so every engine stops at the same one).
  bool stepBatch(const Event* evs, size_t n, std::string* error, size_t* badIndex);
  // Figures as of now (the waste ledger is walked here, once per engine).
  std::vector<ComparisonFigures> figures() const;
  size_t size() const { return engines_.size(); }
  const World& world(size_t k) const;
  uint64_t sampleEvery() const { return sampleEvery_; }

 private:
  struct Engine; // one config's Replay over the batch, with its tally and series (comparison.cpp)
  // Runs the batch on engine w; returns n, or the index of the first bad event (*why says why).
  size_t stepEngine(Engine& e, size_t n, std::string* why);
  void thinSeries();
  size_t maxSeriesSize() const;
  std::vector<std::unique_ptr<Engine>> engines_;
  MemorySource batch_{nullptr, 0}; // the events of the current stepBatch, at their trace indices
  size_t maxPoints_;
  uint64_t sampleEvery_ = 1;
  uint64_t events_ = 0; // events fed so far (the index of the next one in the trace)
};

} // namespace sim
