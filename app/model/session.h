// Session: one loaded trace, the engine positioned at an event (a sim::Replay with checkpoints for
// instant seeking), and the per-event history the panels show. No ImGui here: the UI tests and the app share it.
// The GUI reads a Session only through const accessors; it changes it only through Commands that
// the app applies between frames (ARCHITECTURE.md §2).
#pragma once

#include "app/model/checkpoint_codec.h"
#include "sim/malloc.h"
#include "sim/replay.h"
#include "traces/binary_trace.h"
#include "traces/trace.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace model {

// One point of the stats-over-time series.
struct StatsSample {
  uint64_t event = 0; // number of events applied when sampled (0 = before the first event)
  sim::MemStats mem;  // as runtime.ReadMemStats would report (without its flush)
  // The waste ledger walks every span, so it is taken at fewer samples than MemStats (at the first
  // and the last, and at most every eventCount/512 events, and, at a heap of more than 4,096 spans,
  // every as many events as there are spans): hasLedger says whether this one has it.
  bool hasLedger = false;
  sim::WasteLedger ledger; // zero unless hasLedger
};

// What the engine did with one event (Session::info recomputes it on demand).
struct EventInfo {
  uint64_t pathMask = 0; // bit i set = sim::PathStep(i) happened (StepRecord::has)
  uint32_t sizeClass = 0;
  uint64_t addr = 0;     // address allocated or freed (0 for other kinds)
};

// Shared with a loading thread: how far the first pass is, and a request to stop it.
struct LoadProgress {
  std::atomic<uint64_t> eventsDone{0};
  std::atomic<bool> cancel{false};
};

// Memory: a Session never keeps per-event data. A binary trace file is read in place through its
// block index (traces::BinaryTraceFile); other traces are in memory as read. What the panels show
// per event (EventInfo) is recomputed on demand by a scratch engine from the nearest checkpoint
// and cached by window; the stats series, GC points and annotations are per sample, not per event.
class Session {
 public:
  // Pre-runs the whole trace once (records stats samples, GC and annotation points and
  // checkpoints). Throws traces::TraceError on bad input or when the engine rejects an event
  // (naming the file and the event). Returns nullptr if progress->cancel was set.
  static std::unique_ptr<Session> open(traces::Trace trace, std::string path, sim::Config cfg,
                                       LoadProgress* progress = nullptr);
  // The same for a binary trace file read in place (its first pass also builds the block index).
  static std::unique_ptr<Session> open(std::unique_ptr<traces::BinaryTraceFile> file, std::string path,
                                       sim::Config cfg, LoadProgress* progress = nullptr);

  // The trace's meta, annotations and original ids; its events are empty for a file read in
  // place (use event()).
  const traces::Trace& trace() const;
  const std::string& path() const;
  // True when the events are read from a binary file in place (trace() then holds no events).
  bool readsInPlace() const { return file_ != nullptr; }
  uint64_t eventCount() const;
  sim::Event event(uint64_t i) const; // i < eventCount()
  // What the engine did with event i (i < eventCount()).
  EventInfo info(uint64_t i) const;
  // Runs a copy of the engine over events [from, to) (from the checkpoint or the copy the last
  // seek kept at or before `from`, or the current position if that is closer), calling visit(i, event, info) for each until it
  // returns true. Returns the index it stopped at, or `to`. The session itself does not move.
  uint64_t scan(uint64_t from, uint64_t to,
                const std::function<bool(uint64_t, const sim::Event&, const EventInfo&)>& visit) const;
  // A reader of the same events for another engine (compare view, searches), independent of the
  // session's own position.
  std::unique_ptr<sim::EventSource> newSource() const;

  // Number of events applied: the engine state is "after event position()-1".
  uint64_t position() const;
  const sim::World& world() const;
  // The record of the last applied event (position()-1); nullptr at position 0.
  const sim::StepRecord* lastRecord() const;

  // Sampled over the whole trace, ascending event: MemStats at about 2048 positions and at every GC
  // cycle, the waste ledger at about 512 of them (StatsSample::hasLedger).
  const std::vector<StatsSample>& stats() const;
  const std::vector<uint64_t>& gcEvents() const;  // indices of events that ran a GC cycle
  // The concurrent marks (Go: gcphase == _GCmark) as position ranges [from, to): the state after
  // `from` events is the first one marking, after `to` the first one not (eventCount() if the trace
  // ends inside the mark). Cycles that start and terminate within one event have none.
  struct MarkWindow {
    uint64_t from = 0, to = 0;
  };
  const std::vector<MarkWindow>& markWindows() const { return markWindows_; }
  const std::vector<uint64_t>& annotationEvents() const { return annotateEvents_; } // Annotate events, ascending
  // Annotation text in force at the current position (the last Annotate event at or before
  // position()-1), or nullptr.
  const std::string* currentLesson() const;
  // The id the trace file gives the object the engine knows by `denseId` (importers, whose files
  // name objects by address, keep the dense id).
  uint64_t objectId(uint64_t denseId) const { return trace_.originalId(denseId); }
  // An event in words, its object named by the file's id: "alloc id 9: 48 B → class 5 (48 B, ...)".
  std::string describe(const sim::StepRecord& r) const;

  // Moves the engine to `position` (0..eventCount()) using the nearest checkpoint at or before it.
  void seek(uint64_t position);
  void step(int64_t n); // forwards (n > 0) or backwards (n < 0), clamped to the trace

  const sim::Checkpoints& checkpoints() const { return *replay_.checkpoints(); }
  // Where the packed checkpoints are: bytes in the spill file (the rest count in checkpoints().bytes()).
  uint64_t spilledCheckpointBytes() const { return codec_.fileBytes(); }

 private:
  class History;
  struct InfoWindow {
    uint64_t first = 0;
    std::vector<EventInfo> infos;
  };
  Session(traces::Trace trace, std::unique_ptr<traces::BinaryTraceFile> file, std::string path, sim::Config cfg);
  static std::unique_ptr<Session> finishOpen(std::unique_ptr<Session> s, LoadProgress* progress);
  bool firstPass(LoadProgress* progress);
  sim::EventSource& source() const;

  traces::Trace trace_;
  std::unique_ptr<traces::BinaryTraceFile> file_; // the events, when read in place
  std::string path_;
  mutable sim::MemorySource memory_; // trace_.events
  SpillingCheckpointCodec codec_; // before replay_: its checkpoints use it
  sim::Replay replay_;
  mutable std::unique_ptr<sim::EventSource> scratchSource_; // scan()'s reader
  // scan()'s engine between scans: a kept World is copied (or unpacked) into its storage, not into
  // fresh memory (at a 1 GiB heap a fresh copy page-faults 26 MB: ~10 ms of an event-log window).
  mutable std::optional<sim::World> scanWorld_;
  mutable std::list<InfoWindow> infoWindows_;               // most recently used first
  std::vector<StatsSample> stats_;
  std::vector<uint64_t> gcEvents_;
  std::vector<MarkWindow> markWindows_;
  std::vector<uint64_t> annotateEvents_; // indices of Annotate events, ascending
};

} // namespace model
