// Go execution trace container: see go_exectrace_reader.h. Each rule below names the Go code it
// follows (internal/trace, Go 1.26).
#include "traces/go_exectrace_reader.h"

#include "traces/event_stream.h"

#include <algorithm>
#include <cstring>

namespace traces {

namespace {

constexpr uint64_t kMaxBatchSize = 64 << 10; // Go: tracev2.MaxBatchSize
constexpr uint8_t kMaxEvent = 127;           // Go: tracev2.MaxEvent
constexpr uint8_t kNumEvents = 53;           // Go: tracev2.NumEvents (1.26)
constexpr uint8_t kMaxExperimentalEvent = 137;
constexpr uint64_t kMaxFramesPerStack = 128;         // Go: tracev2.MaxFramesPerStack
constexpr uint64_t kMaxEventTrailerDataSize = 1 << 10; // Go: tracev2.MaxEventTrailerDataSize (a string's bytes)
constexpr uint8_t kStack = 3, kString = 5;           // Go: tracev2.EvStack, EvString

// Arguments of each timed event, the timestamp delta included (Go: tracev2.specs[].Args); 0 for
// the events that never appear in an event batch.
struct ArgTable {
  uint8_t n[256] = {};
  const char* name[256] = {};
  ArgTable() {
    auto set = [&](uint8_t t, const char* nm, uint8_t args) { name[t] = nm, n[t] = args; };
    set(1, "EventBatch", 0), set(2, "Stacks", 0), set(3, "Stack", 0), set(4, "Strings", 0), set(5, "String", 0);
    set(6, "CPUSamples", 0), set(7, "CPUSample", 0), set(8, "Frequency", 0);
    set(9, "ProcsChange", 3), set(10, "ProcStart", 3), set(11, "ProcStop", 1), set(12, "ProcSteal", 4);
    set(13, "ProcStatus", 3), set(14, "GoCreate", 4), set(15, "GoCreateSyscall", 2), set(16, "GoStart", 3);
    set(17, "GoDestroy", 1), set(18, "GoDestroySyscall", 1), set(19, "GoStop", 3), set(20, "GoBlock", 3);
    set(21, "GoUnblock", 4), set(22, "GoSyscallBegin", 3), set(23, "GoSyscallEnd", 1), set(24, "GoSyscallEndBlocked", 1);
    set(25, "GoStatus", 4), set(26, "STWBegin", 3), set(27, "STWEnd", 1), set(28, "GCActive", 2), set(29, "GCBegin", 3);
    set(30, "GCEnd", 2), set(31, "GCSweepActive", 2), set(32, "GCSweepBegin", 2), set(33, "GCSweepEnd", 3);
    set(34, "GCMarkAssistActive", 2), set(35, "GCMarkAssistBegin", 2), set(36, "GCMarkAssistEnd", 1);
    set(37, "HeapAlloc", 2), set(38, "HeapGoal", 2), set(39, "GoLabel", 2), set(40, "UserTaskBegin", 5);
    set(41, "UserTaskEnd", 3), set(42, "UserRegionBegin", 4), set(43, "UserRegionEnd", 4), set(44, "UserLog", 5);
    set(45, "GoSwitch", 3), set(46, "GoSwitchDestroy", 3), set(47, "GoCreateBlocked", 4), set(48, "GoStatusStack", 5);
    set(49, "ExperimentalBatch", 0), set(50, "Sync", 0), set(51, "ClockSnapshot", 4), set(52, "EndOfGeneration", 0);
    set(128, "Span", 4), set(129, "SpanAlloc", 4), set(130, "SpanFree", 2);
    set(131, "HeapObject", 3), set(132, "HeapObjectAlloc", 3), set(133, "HeapObjectFree", 2);
    set(134, "GoroutineStack", 3), set(135, "GoroutineStackAlloc", 3), set(136, "GoroutineStackFree", 2);
    n[51] = 0; // ClockSnapshot is timed but lives in the sync batch, never an event batch
  }
};
const ArgTable& argTable() {
  static const ArgTable t;
  return t;
}

// Go's binary.Uvarint: at most 10 bytes, the 10th at most 1. Returns bytes used, 0 if `p` ends
// first, -1 on overflow.
int uvarint(const uint8_t* p, size_t n, uint64_t* v) {
  uint64_t x = 0;
  unsigned s = 0;
  for (size_t i = 0; i < n && i < 10; ++i) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      if (i == 9 && b > 1) return -1;
      *v = x | uint64_t{b} << s;
      return static_cast<int>(i + 1);
    }
    x |= uint64_t{b & 0x7fu} << s;
    s += 7;
  }
  return n >= 10 ? -1 : 0;
}

} // namespace

std::string goEventName(uint8_t type) {
  const char* n = argTable().name[type];
  return n ? n : "Invalid(" + std::to_string(type) + ")";
}

bool isGoExecTraceHeader(std::string_view head) {
  // Go: version.ReadHeader, fmt "go 1.%d trace\x00\x00\x00".
  if (!head.starts_with("go 1.")) return false;
  size_t i = 5;
  while (i < head.size() && i < 8 && head[i] >= '0' && head[i] <= '9') ++i;
  return i > 5 && head.substr(i).starts_with(std::string_view(" trace\0\0\0", 9));
}

// Buffered bytes of the source with their offset, for the batch headers and payloads.
class GoExecTraceReader::Input {
 public:
  explicit Input(ByteSource& s) : src_(s), buf_(1 << 16) {}
  uint64_t offset() const { return offset_; }
  // -1 at the end.
  int byte() {
    if (pos_ == len_ && !fill()) return -1;
    ++offset_;
    return buf_[pos_++];
  }
  bool bytes(uint8_t* out, size_t n) {
    while (n) {
      if (pos_ == len_ && !fill()) return false;
      const size_t k = std::min(n, len_ - pos_);
      std::memcpy(out, buf_.data() + pos_, k);
      pos_ += k, offset_ += k, out += k, n -= k;
    }
    return true;
  }

 private:
  bool fill() {
    len_ = src_.read(buf_.data(), buf_.size());
    pos_ = 0;
    return len_ != 0;
  }
  ByteSource& src_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t offset_ = 0;
};

GoExecTraceReader::GoExecTraceReader(ByteSource& src) : src_(src), in_(std::make_unique<Input>(src)) {
  uint8_t h[16];
  if (!in_->bytes(h, 16) || !isGoExecTraceHeader(std::string_view(reinterpret_cast<char*>(h), 16)))
    fail(0, "not a Go execution trace (no \"go 1.NN trace\" header)");
  version_ = 0;
  for (size_t i = 5; h[i] >= '0' && h[i] <= '9'; ++i) version_ = version_ * 10 + (h[i] - '0');
  // Go: version.versions; 1.22 has no experiments, so it cannot carry alloc/free events, but its
  // container is read all the same.
  if (version_ != 22 && version_ != 23 && version_ != 25 && version_ != 26)
    fail(0, "unsupported execution trace version go 1." + std::to_string(version_) +
                " (spanscope reads the Go 1.22, 1.23, 1.25 and 1.26 formats)");
}

GoExecTraceReader::~GoExecTraceReader() = default;

void GoExecTraceReader::fail(uint64_t offset, const std::string& what) const {
  throw TraceError(src_.path() + ": byte " + std::to_string(offset) + ": " + what);
}

const GoTraceType* GoExecTraceReader::type(uint64_t id) const {
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

bool GoExecTraceReader::stackHasFunction(uint64_t stack, std::string_view fn) const {
  auto it = stacks_.find(stack);
  if (it == stacks_.end()) return false;
  for (uint64_t f : it->second) {
    auto s = strings_.find(f);
    if (s != strings_.end() && s->second == fn) return true;
  }
  return false;
}

int64_t GoExecTraceReader::mul(uint64_t t) const {
  // Go: frequency.mul, Time(float64(t) * float64(f)). A value past int64 is hostile input.
  const double v = static_cast<double>(t) * freq_;
  if (!(v < 4.6e18)) fail(in_->offset(), "timestamp " + std::to_string(t) + " out of range");
  return static_cast<int64_t>(v);
}

// Go: readGeneration (1.26, ends at EndOfGeneration) and readGenerationWithSpill (< 1.26, ends
// at the first batch of the next generation).
bool GoExecTraceReader::loadGeneration() {
  batches_.clear();
  batchMs_.clear();
  types_.clear();
  strings_.clear();
  stacks_.clear();
  frontier_.clear();
  gen_ = 0, freq_ = 0, minTs_ = 0, genBytes_ = 0;
  bool any = false;
  if (spill_) {
    gen_ = spillGen_;
    minTs_ = spill_->time;
    processBatch(std::move(*spill_), spillExp_);
    spill_.reset();
    any = true;
  }
  const uint64_t genStart = in_->offset();
  for (;;) {
    const uint64_t at = in_->offset();
    const int t = in_->byte();
    if (t < 0) {
      eof_ = true;
      if (any && version_ >= 26) fail(at, "incomplete generation " + std::to_string(gen_) + ": the file ends before its EndOfGeneration (truncated?)");
      break;
    }
    if (t == goev::EndOfGeneration && version_ >= 26) {
      if (!any) fail(at, "EndOfGeneration without a generation");
      break;
    }
    if (t != goev::EventBatch && !(t == goev::ExperimentalBatch && version_ >= 23))
      fail(at, "expected a batch, found event type " + std::to_string(t) + " (" + goEventName(static_cast<uint8_t>(t)) + ")");
    uint8_t exp = 0;
    if (t == goev::ExperimentalBatch) {
      const int e = in_->byte();
      if (e < 0) fail(in_->offset(), "truncated batch header");
      exp = static_cast<uint8_t>(e);
    }
    uint64_t hdr[4]; // gen, m, time, size
    for (uint64_t& v : hdr) {
      uint8_t b[10];
      size_t n = 0;
      const uint64_t vAt = in_->offset();
      for (;;) {
        const int c = in_->byte();
        if (c < 0) fail(in_->offset(), "truncated batch header");
        b[n++] = static_cast<uint8_t>(c);
        if (c < 0x80 || n == 10) break;
      }
      if (uvarint(b, n, &v) <= 0) fail(vAt, "bad varint in a batch header");
    }
    const uint64_t gen = hdr[0];
    if (gen == 0) fail(at, "invalid generation number 0");
    if (hdr[3] > kMaxBatchSize)
      fail(at, "batch size " + std::to_string(hdr[3]) + " above the maximum " + std::to_string(kMaxBatchSize));
    Batch b;
    b.m = hdr[1], b.time = hdr[2], b.offset = in_->offset();
    b.data.resize(hdr[3]);
    if (!in_->bytes(b.data.data(), b.data.size()))
      fail(in_->offset(), "truncated batch: the file ends inside a batch of " + std::to_string(hdr[3]) + " bytes that starts at byte " + std::to_string(at));
    if (!any) {
      if (gen <= gen_ && generations_) fail(at, "generation " + std::to_string(gen) + " after generation " + std::to_string(gen_));
      gen_ = gen;
      any = true;
    } else if (gen != gen_) {
      if (version_ < 26 && gen == gen_ + 1) {
        spill_ = std::make_unique<Batch>(std::move(b));
        spillGen_ = gen, spillExp_ = exp;
        break;
      }
      fail(at, version_ >= 26 ? "batch of generation " + std::to_string(gen) + " inside generation " + std::to_string(gen_) +
                                    " (missing EndOfGeneration, or generations interleaved)"
                              : "generations out of order: " + std::to_string(gen) + " after " + std::to_string(gen_));
    }
    if (minTs_ == 0 || b.time < minTs_) minTs_ = b.time;
    processBatch(std::move(b), exp);
  }
  if (!any) return false;
  genBytes_ = in_->offset() - genStart;
  largestGen_ = std::max(largestGen_, genBytes_);
  if (freq_ == 0) fail(in_->offset(), "generation " + std::to_string(gen_) + " has no frequency event");
  ++generations_;
  // Go: Reader.installGen. The sync event Go emits here takes part in the time fix-up.
  int64_t syncTime = mul(minTs_);
  if (syncTime <= lastTime_ && generations_ > 1) syncTime = lastTime_ + 1;
  if (syncTime > INT64_MAX / 2) fail(in_->offset(), "timestamp out of range");
  lastTime_ = syncTime;
  for (uint64_t m : batchMs_) {
    Cursor c;
    c.m = m;
    c.batches = &batches_[m]; // stable: batches_ does not change while the generation is read
    if (!advance(c)) continue;
    frontier_.push_back(c);
    heapSiftUp(frontier_.size() - 1);
  }
  return true;
}

// Go: processBatch.
void GoExecTraceReader::processBatch(Batch&& b, uint8_t exp) {
  if (exp != 0) {
    if (exp == goev::AllocFreeExperiment) readAllocFreeBatch(b);
    return; // other experiments: not ours
  }
  if (b.data.empty()) return;
  const uint8_t first = b.data[0];
  if (first == goev::Strings) return readStrings(b);
  if (first == goev::Stacks) return readStacks(b);
  if (first == goev::CPUSamples) return; // not needed
  if ((version_ < 25 && first == goev::Frequency) || (version_ >= 25 && first == goev::Sync)) return readSync(b);
  if (first == goev::EndOfGeneration) fail(b.offset, "EndOfGeneration inside a batch");
  auto [it, isNew] = batches_.try_emplace(b.m);
  if (isNew) batchMs_.push_back(b.m);
  it->second.push_back(std::move(b));
}

// Go: setSyncBatch. Only the frequency is needed (timestamp units per second).
void GoExecTraceReader::readSync(const Batch& b) {
  const uint8_t* p = b.data.data();
  size_t n = b.data.size(), i = version_ >= 25 ? 1 : 0;
  while (i < n) {
    const uint8_t et = p[i++];
    const int args = et == goev::Frequency ? 1 : et == goev::ClockSnapshot && version_ >= 25 ? 4 : -1;
    if (args < 0) fail(b.offset + i - 1, "expected a frequency or clock snapshot event in the sync batch, found " + goEventName(et));
    for (int a = 0; a < args; ++a) {
      uint64_t v = 0;
      const int k = uvarint(p + i, n - i, &v);
      if (k <= 0) fail(b.offset + i, k == 0 ? "truncated sync batch" : "bad varint in the sync batch");
      i += static_cast<size_t>(k);
      if (et == goev::Frequency) {
        if (freq_ != 0) fail(b.offset + i, "more than one frequency event in generation " + std::to_string(gen_));
        if (v == 0) fail(b.offset + i, "frequency 0");
        freq_ = 1.0 / (static_cast<double>(v) / 1e9);
      }
    }
  }
}

// The varint at byte i of a batch's data, i moved past it; "truncated <what>" or "bad varint in
// <what>" at its byte otherwise.
uint64_t GoExecTraceReader::batchVarint(const Batch& b, size_t& i, const char* what) const {
  uint64_t v = 0;
  const int k = uvarint(b.data.data() + i, b.data.size() - i, &v);
  if (k <= 0) fail(b.offset + i, std::string(k == 0 ? "truncated " : "bad varint in ") + what);
  i += static_cast<size_t>(k);
  return v;
}

// runtime/traceallocfree.go: a first byte 1 = info [minPageHeapAddr, pageSize, minHeapAlign,
// fixedStack]; 0 = types [{id, address, size, ptrBytes, name length, name}...].
void GoExecTraceReader::readAllocFreeBatch(const Batch& b) {
  const uint8_t* p = b.data.data();
  const size_t n = b.data.size();
  if (n == 0) return;
  size_t i = 1;
  auto num = [&](const char* what) { return batchVarint(b, i, what); };
  if (p[0] == 1) {
    GoAllocFreeInfo f;
    f.minPageHeapAddr = num("the AllocFree info batch");
    f.pageSize = num("the AllocFree info batch");
    f.minHeapAlign = num("the AllocFree info batch");
    f.fixedStack = num("the AllocFree info batch");
    if (f.pageSize == 0 || f.minHeapAlign == 0 || f.fixedStack == 0)
      fail(b.offset, "AllocFree info batch with a zero page size, heap alignment or stack size");
    if (haveInfo_ && (f.minPageHeapAddr != info_.minPageHeapAddr || f.pageSize != info_.pageSize ||
                      f.minHeapAlign != info_.minHeapAlign || f.fixedStack != info_.fixedStack))
      fail(b.offset, "a second AllocFree info batch that disagrees with the first");
    info_ = f, haveInfo_ = true;
    return;
  }
  if (p[0] != 0) fail(b.offset, "AllocFree batch of unknown kind " + std::to_string(p[0]));
  while (i < n) {
    const uint64_t id = num("an AllocFree type");
    num("an AllocFree type"); // the type's address
    GoTraceType t;
    t.size = num("an AllocFree type");
    t.ptrBytes = num("an AllocFree type");
    const uint64_t len = num("an AllocFree type");
    if (len > n - i) fail(b.offset + i, "type name of " + std::to_string(len) + " bytes runs past its batch");
    t.name.assign(reinterpret_cast<const char*>(p + i), len);
    i += len;
    if (t.ptrBytes > t.size) fail(b.offset + i, "type " + excerpt(t.name) + " has more pointer bytes than bytes");
    types_[id] = std::move(t);
  }
}

// Go: generation.go addStrings. [EvStrings, {EvString, id, length, bytes}...]
void GoExecTraceReader::readStrings(const Batch& b) {
  const uint8_t* p = b.data.data();
  const size_t n = b.data.size();
  size_t i = 1;
  auto num = [&]() { return batchVarint(b, i, "strings batch"); };
  while (i < n) {
    const size_t at = i;
    if (p[i++] != kString) fail(b.offset + at, "expected a string event in the strings batch, found " + goEventName(p[at]));
    const uint64_t id = num();
    const uint64_t len = num();
    if (len > kMaxEventTrailerDataSize)
      fail(b.offset + at, "string of " + std::to_string(len) + " bytes, the maximum is " + std::to_string(kMaxEventTrailerDataSize));
    if (len > n - i) fail(b.offset + i, "string of " + std::to_string(len) + " bytes runs past its batch");
    if (!strings_.try_emplace(id, reinterpret_cast<const char*>(p + i), len).second)
      fail(b.offset + at, "two strings with id " + std::to_string(id) + " in generation " + std::to_string(gen_));
    i += len;
  }
}

// Go: generation.go addStacks; runtime/tracestack.go dump. [EvStacks, {EvStack, id, nframes,
// {pc, funcID, fileID, line}...}...]; only the function names' string ids are kept.
void GoExecTraceReader::readStacks(const Batch& b) {
  const uint8_t* p = b.data.data();
  const size_t n = b.data.size();
  size_t i = 1;
  auto num = [&]() { return batchVarint(b, i, "stacks batch"); };
  while (i < n) {
    const size_t at = i;
    if (p[i++] != kStack) fail(b.offset + at, "expected a stack event in the stacks batch, found " + goEventName(p[at]));
    const uint64_t id = num();
    const uint64_t frames = num();
    if (frames > kMaxFramesPerStack)
      fail(b.offset + at, "stack of " + std::to_string(frames) + " frames, the maximum is " + std::to_string(kMaxFramesPerStack));
    std::vector<uint64_t> funcs;
    funcs.reserve(frames);
    for (uint64_t f = 0; f < frames; ++f) {
      num(); // pc
      funcs.push_back(num());
      num(); // file
      num(); // line
    }
    if (!stacks_.try_emplace(id, std::move(funcs)).second)
      fail(b.offset + at, "two stacks with id " + std::to_string(id) + " in generation " + std::to_string(gen_));
  }
}

// Go: batchCursor.nextEvent and readTimedBaseEvent.
bool GoExecTraceReader::advance(Cursor& c) {
  std::vector<Batch>& bs = *c.batches;
  while (c.batch < bs.size() && c.pos == bs[c.batch].data.size()) ++c.batch, c.pos = 0, c.lastTs = 0;
  if (c.batch == bs.size()) return false;
  const Batch& b = bs[c.batch];
  if (c.lastTs == 0) c.lastTs = mul(b.time);
  const uint8_t* p = b.data.data();
  const size_t n = b.data.size();
  size_t i = c.pos;
  GoExecEvent& ev = c.ev;
  ev = GoExecEvent{};
  ev.offset = b.offset + i, ev.m = c.m, ev.gen = gen_;
  ev.type = p[i++];
  const uint8_t nargs = argTable().n[ev.type];
  if (nargs == 0)
    fail(ev.offset, (argTable().name[ev.type] ? "event without a timestamp in an event batch: " : "unknown event type: ") +
                        goEventName(ev.type));
  uint64_t v[5] = {};
  for (uint8_t a = 0; a < nargs; ++a) {
    const int k = uvarint(p + i, n - i, &v[a]);
    if (k <= 0) fail(b.offset + i, std::string(k == 0 ? "truncated " : "bad varint in ") + goEventName(ev.type) + " event");
    i += static_cast<size_t>(k);
  }
  for (uint8_t a = 1; a < nargs && a <= 4; ++a) ev.args[a - 1] = v[a];
  const int64_t dt = mul(v[0]);
  if (dt > INT64_MAX / 2 - c.lastTs) fail(ev.offset, "timestamp out of range");
  ev.time = c.lastTs = dt + c.lastTs;
  c.pos = i;
  return true;
}

// Go's heap of batch cursors (batchcursor.go heapSiftUp/heapSiftDown/min3), sifted the same way so
// that equal timestamps come out in the same order.
void GoExecTraceReader::heapSiftUp(size_t i) {
  while (i > 0 && frontier_[(i - 1) / 2].ev.time > frontier_[i].ev.time) {
    std::swap(frontier_[(i - 1) / 2], frontier_[i]);
    i = (i - 1) / 2;
  }
}

void GoExecTraceReader::heapSiftDown(size_t i) {
  for (;;) {
    size_t m = i;
    int64_t minT = i < frontier_.size() ? frontier_[i].ev.time : INT64_MAX;
    for (size_t j : {2 * i + 1, 2 * i + 2}) {
      if (j < frontier_.size() && frontier_[j].ev.time < minT) minT = frontier_[j].ev.time, m = j;
    }
    if (m == i) return;
    std::swap(frontier_[i], frontier_[m]);
    i = m;
  }
}

// Which P each thread holds (Go: ordering's mState.p, set by ProcStatus, ProcStart, ProcStop and
// ProcSteal).
void GoExecTraceReader::trackProcs(GoExecEvent& ev) {
  auto it = procOf_.find(ev.m);
  int64_t& p = it != procOf_.end() ? it->second : procOf_.emplace(ev.m, -1).first->second;
  switch (ev.type) {
    case goev::ProcStatus:
      // Go: advanceProcStatus; status 1 = running, 3 = in a syscall (the thread keeps the P).
      if (ev.args[1] == 1 || ev.args[1] == 3) p = static_cast<int64_t>(ev.args[0]);
      ev.p = p;
      return;
    case goev::ProcStart:
      p = static_cast<int64_t>(ev.args[0]);
      ev.p = p;
      return;
    case goev::ProcStop:
      ev.p = p;
      p = -1;
      return;
    case goev::ProcSteal: {
      ev.p = p;
      auto from = procOf_.find(ev.args[2]);
      if (from != procOf_.end() && from->second == static_cast<int64_t>(ev.args[0])) from->second = -1;
      return;
    }
    default:
      ev.p = p;
  }
}

// Go: Reader.ReadEvent, assuming the earliest event may always advance (see the importer's notes).
bool GoExecTraceReader::next(GoExecEvent& ev) {
  while (frontier_.empty()) {
    if (eof_ && !spill_) return false;
    if (!loadGeneration()) return false;
  }
  Cursor& c = frontier_[0];
  ev = c.ev;
  if (advance(c)) {
    heapSiftDown(0);
  } else {
    std::swap(frontier_[0], frontier_.back());
    frontier_.pop_back();
    heapSiftDown(0);
  }
  trackProcs(ev);
  // Go: ReadEvent's deferred fix-up, times strictly increase.
  if (ev.time <= lastTime_) ev.time = lastTime_ + 1; // no overflow: times stay below INT64_MAX / 2
  lastTime_ = ev.time;
  ++events_;
  return true;
}

} // namespace traces
