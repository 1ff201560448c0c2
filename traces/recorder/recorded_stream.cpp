// Recorder raw log -> engine events: see recorded_stream.h.
#include "traces/recorder/recorded_stream.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace traces {

namespace {

constexpr uint64_t kMaxSize = uint64_t{1} << 48; // a larger successful allocation is a corrupt log

bool isAllocation(uint8_t op) {
  switch (op) {
    case SPANSCOPE_OP_MALLOC: case SPANSCOPE_OP_CALLOC: case SPANSCOPE_OP_REALLOC: case SPANSCOPE_OP_REALLOCARRAY:
    case SPANSCOPE_OP_POSIX_MEMALIGN: case SPANSCOPE_OP_ALIGNED_ALLOC: case SPANSCOPE_OP_MEMALIGN:
    case SPANSCOPE_OP_VALLOC: case SPANSCOPE_OP_PVALLOC:
      return true;
    default:
      return false;
  }
}

bool isAligned(uint8_t op) { return op >= SPANSCOPE_OP_POSIX_MEMALIGN && op <= SPANSCOPE_OP_PVALLOC; }

std::string hexAddress(uint64_t a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
  return buf;
}

} // namespace

const char* rawOpName(uint8_t op) {
  switch (op) {
    case SPANSCOPE_OP_MALLOC: return "malloc";
    case SPANSCOPE_OP_CALLOC: return "calloc";
    case SPANSCOPE_OP_REALLOC: return "realloc";
    case SPANSCOPE_OP_REALLOC_FREE: return "realloc (release)";
    case SPANSCOPE_OP_REALLOCARRAY: return "reallocarray";
    case SPANSCOPE_OP_REALLOCARRAY_FREE: return "reallocarray (release)";
    case SPANSCOPE_OP_FREE: return "free";
    case SPANSCOPE_OP_POSIX_MEMALIGN: return "posix_memalign";
    case SPANSCOPE_OP_ALIGNED_ALLOC: return "aligned_alloc";
    case SPANSCOPE_OP_MEMALIGN: return "memalign";
    case SPANSCOPE_OP_VALLOC: return "valloc";
    case SPANSCOPE_OP_PVALLOC: return "pvalloc";
    case SPANSCOPE_OP_EXIT: return "exit";
    default: return "?";
  }
}

// A C program's malloc and free calls: frees are explicit, so the trace suggests liveness
// immediate (ARCHITECTURE.md §3) unless the caller's meta says otherwise.
RecordedStream::RecordedStream(const std::string& rawLogPath, TraceMeta meta) : log_(rawLogPath), meta_(std::move(meta)) {
  if (!meta_.config.liveness) meta_.config.liveness = sim::Liveness::Immediate;
}

size_t RecordedStream::read(sim::Event* out, size_t max) {
  size_t n = 0;
  spanscope_raw_record r;
  while (n < max) {
    if (pendingPos_ < pending_.size()) {
      out[n++] = pending_[pendingPos_++];
      continue;
    }
    pending_.clear();
    pendingPos_ = 0;
    if (!log_.next(r)) break;
    convert(r);
  }
  return n;
}

void RecordedStream::convert(const spanscope_raw_record& r) {
  if (r.op == SPANSCOPE_OP_EXIT) {
    details_.exitSeen = true;
    return;
  }
  const bool releaseHalf = r.op == SPANSCOPE_OP_REALLOC_FREE || r.op == SPANSCOPE_OP_REALLOCARRAY_FREE;
  if (!releaseHalf) ++details_.calls[r.op];
  else if (r.size == 0) ++details_.calls[r.op - 1]; // realloc(p, 0): the whole call is this release
  const uint32_t thread = threadOf(r.tid);
  const uint64_t time = timeOf(r.time_ns);
  if (isAllocation(r.op)) alloc(r, thread, time);
  else release(r, thread, time);
}

void RecordedStream::alloc(const spanscope_raw_record& r, uint32_t thread, uint64_t time) {
  ImportSummary& s = counter_.summary();
  if (r.ptr == 0) {
    ++s.failedAllocs;
    return;
  }
  if (r.size > kMaxSize)
    throw TraceError(log_.path() + ": record " + std::to_string(r.seq) + ": allocation size " + std::to_string(r.size) +
                     " is larger than 2^48 bytes");
  if (isAligned(r.op)) ++details_.aligned;
  std::optional<uint64_t> id = ids_.alloc(r.ptr, r.size);
  if (!id) { // the block's free was not recorded: end the old object here
    ++details_.addressReused;
    const IdMap::Live old = *ids_.free(r.ptr);
    pending_.push_back(sim::freeEvent(old.id, thread));
    pending_.back().time = time;
    counter_.free(old.size, thread);
    ++s.events;
    id = ids_.alloc(r.ptr, r.size);
  }
  if (*id >= addressOf_.size()) addressOf_.resize(*id + 1);
  addressOf_[*id] = r.ptr;
  sim::Event ev = sim::allocEvent(*id, r.size, /*noscan=*/true, thread);
  ev.time = time;
  pending_.push_back(ev);
  counter_.alloc(r.size, thread);
  ++s.events;
}

void RecordedStream::release(const spanscope_raw_record& r, uint32_t thread, uint64_t time) {
  ImportSummary& s = counter_.summary();
  const std::optional<IdMap::Live> live = ids_.free(r.ptr);
  if (!live) {
    ++s.orphanFrees;
    return;
  }
  sim::Event ev = sim::freeEvent(live->id, thread);
  ev.time = time;
  pending_.push_back(ev);
  counter_.free(live->size, thread);
  ++s.events;
}

uint32_t RecordedStream::threadOf(uint32_t tid) {
  auto [it, fresh] = threads_.try_emplace(tid, static_cast<uint32_t>(threads_.size()));
  if (fresh) details_.kernelTids.push_back(tid);
  return it->second;
}

uint64_t RecordedStream::timeOf(uint64_t ns) {
  if (!started_) {
    started_ = true;
    firstNs_ = ns;
  }
  const uint64_t t = ns > firstNs_ ? ns - firstNs_ : 0;
  lastTime_ = std::max(lastTime_, t);
  return lastTime_;
}

std::string RecordedStream::describeObject(uint64_t denseId) const {
  return denseId < addressOf_.size() ? hexAddress(addressOf_[denseId]) : std::string();
}

std::vector<std::pair<uint64_t, uint64_t>> RecordedStream::liveBlocks() const {
  std::vector<std::pair<uint64_t, uint64_t>> live;
  for (uint64_t id = 0; id < addressOf_.size(); ++id) {
    const IdMap::Live* l = ids_.find(addressOf_[id]);
    if (l && l->id == id) live.emplace_back(addressOf_[id], l->size);
  }
  std::sort(live.begin(), live.end());
  return live;
}

ImportSummary RecordedStream::summary() const {
  ImportSummary s = counter_.summary();
  s.notes.push_back("realloc and reallocarray → free of the old block + allocation of the new one (glibc: realloc(p, 0) "
                    "frees p)");
  s.notes.push_back("every allocation is noscan (C heap memory; the trace's frees decide liveness)");
  s.notes.push_back("threads are kernel thread ids numbered in order of first appearance; times are CLOCK_MONOTONIC ns "
                    "from the first record");
  if (details_.aligned)
    s.notes.push_back(std::to_string(details_.aligned) +
                      " blocks from posix_memalign/aligned_alloc/memalign/valloc/pvalloc: alignment is not modelled, "
                      "each is an allocation of its requested size");
  if (details_.addressReused)
    s.notes.push_back(std::to_string(details_.addressReused) +
                      " allocations at an address that was still live (its free was not recorded): the old object "
                      "was freed first");
  if (s.orphanFrees)
    s.notes.push_back("orphan frees: blocks whose allocation the recorder did not see (made before it started, or by "
                      "a signal handler that interrupted a hook)");
  if (log_.writeError())
    s.notes.push_back("INCOMPLETE: the recorder could not write its log (" + std::string(std::strerror(static_cast<int>(log_.writeError()))) +
                      ") and stopped recording; everything after that is missing");
  else if (!details_.exitSeen)
    s.notes.push_back("the program ended without the recorder's exit flush (killed by a signal, or replaced by exec): "
                      "records still buffered in its threads are missing");
  if (log_.truncated()) s.notes.push_back("the log ends inside a record (the program was killed while writing it, or the recorder's write failed)");
  return s;
}

} // namespace traces
