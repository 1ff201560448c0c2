// CompareSession: k engines, one per size-class table or Go release, on the loaded trace with one shared cursor
// (each a sim::Replay with checkpoints). No ImGui, so the tests drive it directly; the app's
// Compare view (app/gui/compare_view.h) chooses the tables and draws it.
#pragma once

#include "app/model/session.h"
#include "sim/comparison.h"
#include "sim/replay.h"
#include "sim/sizeclass_optimize.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace model {

struct CompareTable {
  std::string name;
  sim::SizeClassTable table;
};

// One engine of a comparison by its whole config: how the Go-release compare runs the trace
// under each release (report::configForProfile).
struct CompareConfig {
  std::string name;
  sim::Config config;
};

// One class of a table seen through a trace's request histogram: the requests it serves (sizes
// lo..hi) and their rounding waste (slot size minus request, summed).
struct ClassBucket {
  uint32_t lo = 0, hi = 0; // request sizes served: (previous class size, this class size]
  uint64_t requests = 0, requestedBytes = 0, roundingBytes = 0;
};
std::vector<ClassBucket> classBuckets(const sim::SizeClassTable& t, const sim::SizeHistogram& h);

// Small requests (1..maxSmall bytes) of a trace's allocations, by size, read from `events` from
// its start (counting requests above 32 KiB in *largeRequests if given).
sim::SizeHistogram requestHistogram(sim::EventSource& events, uint64_t* largeRequests = nullptr, uint32_t maxSmall = 32768);
// The sizes a release looks its class up for: under malloc headers (Go 1.22+) a pointerful
// request above 512 B counts as size + 8, and only requests up to 32760 B are small.
sim::SizeHistogram lookupHistogram(sim::EventSource& events, const sim::GoProfile& profile);
inline sim::SizeHistogram requestHistogram(const traces::Trace& t) {
  sim::MemorySource events(t.events);
  return requestHistogram(events);
}

class CompareSession {
 public:
  // Runs every table over the whole trace once (HeapInuse series, checkpoints), then rewinds to
  // event 0. Each engine runs the session's config with its own table (report::configForTable).
  // The trace is read from `session`, not copied: the session must outlive this.
  CompareSession(const Session& session, std::vector<CompareTable> tables, size_t seriesPoints = 2048);
  // The same with one engine per config (any difference, e.g. the Go release), each named.
  CompareSession(const Session& session, std::vector<CompareConfig> configs, size_t seriesPoints = 2048);

  const Session& session() const { return session_; }
  size_t size() const { return engines_.size(); }
  const std::string& name(size_t k) const { return engines_[k]->name; }
  const sim::World& world(size_t k) const { return engines_[k]->replay.world(); }
  uint64_t eventCount() const { return session_.eventCount(); }
  uint64_t position() const { return pos_; }

  // Moves every engine to `position` (clamped), from the nearest checkpoint at or before it.
  void seek(uint64_t position);

  // What sim::Comparison reports after position() events (same figures, same names), with the
  // HeapInuse series cut at the cursor (points every seriesEvery() events, as below).
  std::vector<sim::ComparisonFigures> figures() const;
  // HeapInuse over the whole trace: point i is after event i*seriesEvery() (0-based), i.e. at
  // position i*seriesEvery()+1, as sim::Comparison samples it.
  const std::vector<uint64_t>& series(size_t k) const { return engines_[k]->series; }
  uint64_t seriesEvery() const { return every_; }
  const sim::SizeHistogram& histogram() const { return histogram_; }
  // The sizes engine k looks its classes up for (lookupHistogram; the requests themselves unless
  // its release has malloc headers).
  const sim::SizeHistogram& lookupHistogram(size_t k) const {
    return engines_[k]->lookup.count.empty() ? histogram_ : engines_[k]->lookup;
  }
  uint64_t largeRequests() const { return largeRequests_; } // allocations above 32 KiB

 private:
  // Running figures of one engine, as sim::Comparison accumulates them, and why it stopped.
  struct Tally : sim::ComparisonTally {
    std::string error;
  };
  // One table's engine: a Replay over the session's trace with checkpoints. As its observer it
  // counts the tally (keeping a copy at every checkpoint, so a seek restores it with the World)
  // and, in the first pass, the HeapInuse series.
  struct Engine final : sim::ReplayObserver {
    Engine(std::string n, sim::World w, std::unique_ptr<sim::EventSource> events, uint64_t count, uint64_t seriesEvery,
           size_t budget);
    void onStep(const sim::World& w, const sim::Event& ev, const sim::StepRecord& r) override;
    void onCheckpoint(uint64_t position) override { tallies.emplace_back(position, tally); }
    void onRestore(uint64_t position) override;
    void seek(uint64_t target); // notes why the engine stopped, if it did
    std::string name;
    std::unique_ptr<sim::EventSource> source;
    sim::Replay replay;
    Tally tally;
    std::vector<std::pair<uint64_t, Tally>> tallies; // at every checkpoint, ascending position
    std::vector<uint64_t> series;
    sim::SizeHistogram lookup; // empty: the same as the requests
    uint64_t seriesEvery;
    bool firstPass = true;
  };

  const Session& session_;
  std::vector<std::unique_ptr<Engine>> engines_;
  uint64_t pos_ = 0;
  uint64_t every_ = 1;
  sim::SizeHistogram histogram_;
  uint64_t largeRequests_ = 0;
};

} // namespace model
