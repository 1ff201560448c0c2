// heaptrack importer: see heaptrack.h.
#include "traces/heaptrack.h"

#include "traces/id_map.h"
#include "traces/line_trace_stream.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace traces {

namespace {

constexpr uint64_t kNone = ~uint64_t{0};
constexpr uint64_t kMaxSize = uint64_t{1} << 48;     // a larger request is corrupt input
constexpr uint64_t kMaxMs = ~uint64_t{0} / 1'000'000; // a larger `c` stamp overflows ns
constexpr uint64_t kNewestFormat = 3;
constexpr uint64_t kFormat1Quirk = 0x010200; // heaptrack 1.0 wrote `v 10200` alone, meaning format 1

constexpr std::array<int8_t, 256> makeHexTable() {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<int8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<int8_t>(10 + c);
  return t;
}
constexpr std::array<int8_t, 256> kHex = makeHexTable();

bool isHex(char c) { return kHex[static_cast<unsigned char>(c)] >= 0; }

std::string hexText(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Every tag heaptrack writes into either kind of file (raw: x m; interpreted: s i a).
constexpr std::string_view kKnownTags = "vXxISAmsitac+-R#";
// Tags that may come before the first call-stack or allocation record.
constexpr std::string_view kHeaderTags = "vXxISA#";

enum class Mode : uint8_t { Unknown, Interpreted, Raw };

// The fields of one record, "<tag> f1 f2 ...", separated by single spaces.
struct Fields {
  const char* p;
  const char* end;
  bool empty() const { return p == end; }
};

// Dense engine ids for interpreted files, reused after a free (most recent first, as IdMap).
class DenseIds {
 public:
  uint64_t take() {
    if (free_.empty()) return next_++;
    const uint64_t id = free_.back();
    free_.pop_back();
    return id;
  }
  void give(uint64_t id) { free_.push_back(id); }

 private:
  std::vector<uint64_t> free_;
  uint64_t next_ = 0;
};

class HeaptrackStream final : public LineTraceStream {
 public:
  explicit HeaptrackStream(std::unique_ptr<ByteSource> src);
  std::string describeObject(uint64_t denseId) const override;
  ImportSummary summary() const override;

 private:
  struct Info { // one `a` record
    uint64_t size;
    uint64_t lastLive; // dense id of its most recently allocated live object, or kNone
  };
  struct Slot { // per live object of an interpreted file
    uint64_t prevLive; // the info's previous live object (the LIFO chain), or kNone
    uint64_t info;
  };

  void record(std::string_view line);
  void version(Fields f);
  void command(Fields f);
  void allocInfo(Fields f);
  void traceNode(Fields f);
  void timeStamp(Fields f);
  void allocRecord(Fields f);
  void freeRecord(Fields f);
  void interpretedAlloc(Fields f);
  void interpretedFree(Fields f);
  void rawAlloc(Fields f);
  void rawFree(Fields f);
  void trailer(std::string_view line);
  void setMode(Mode m);
  uint64_t hex(Fields& f, const char* form);
  void noMore(const Fields& f, const char* form);
  void checkSize(uint64_t size);
  void checkTrace(uint64_t trace);
  void emitAlloc(uint64_t id, uint64_t size);
  void emitFree(uint64_t id, uint64_t size);
  [[noreturn]] void fail(const std::string& what) const;
  [[noreturn]] void badRecord(const char* form, const std::string& why) const;

  bool parseNext() override;
  std::string_view line_; // the record being parsed, for messages
  Mode mode_ = Mode::Unknown;
  bool sawVersion_ = false, sawCommand_ = false, attached_ = false;
  // heaptrack writes the command line raw: an argument with newlines (python3 -c "...") goes on
  // over the next lines, up to the first well-formed record.
  bool commandOpen_ = false;
  uint64_t commandLines_ = 0;
  uint64_t format_ = 0, producer_ = 0;
  uint64_t time_ = 0; // ns, from the last `c`
  uint64_t strings_ = 0, ips_ = 0, traces_ = 0;
  std::optional<uint64_t> trailerStrings_, trailerIps_; // "# strings: N" from heaptrack_interpret
  uint64_t implicitFrees_ = 0, backwardTimes_ = 0;
  // Interpreted files.
  std::vector<Info> infos_;
  std::vector<Slot> slots_; // by dense id
  DenseIds ids_;
  // Raw files.
  IdMap ptrs_;
  std::vector<uint64_t> addrOf_; // by dense id
};

HeaptrackStream::HeaptrackStream(std::unique_ptr<ByteSource> src) : LineTraceStream(std::move(src), "heaptrack") {
  // The header records, so meta() is complete before the first read(); the first body record's
  // events (if any) wait in pending_.
  std::string_view line;
  bool body = false;
  while (!body && lines_.next(line)) {
    record(line);
    body = !commandOpen_ && !line.empty() && kHeaderTags.find(line[0]) == std::string_view::npos;
  }
  if (!sawVersion_) throw TraceError(src_->path() + ": line 1: no heaptrack header 'v <version> <file format>'");
  char ver[48];
  std::snprintf(ver, sizeof ver, "%llu.%llu.%llu", static_cast<unsigned long long>(producer_ >> 16),
                static_cast<unsigned long long>((producer_ >> 8) & 0xff), static_cast<unsigned long long>(producer_ & 0xff));
  meta_.source = std::string("heaptrack ") + ver + ", file format " + std::to_string(format_) +
                 (mode_ == Mode::Raw ? ", raw" : mode_ == Mode::Interpreted ? ", interpreted" : "") + " (" +
                 compressionName(src_->compression()) + ")";
}

bool HeaptrackStream::parseNext() {
  std::string_view line;
  if (!lines_.next(line)) return false;
  record(line);
  return true;
}

void HeaptrackStream::record(std::string_view line) {
  line_ = line;
  if (commandOpen_) {
    if (line.size() < 2 || line[1] != ' ' || kKnownTags.find(line[0]) == std::string_view::npos) {
      ++commandLines_;
      return;
    }
    commandOpen_ = false;
  }
  if (line.empty()) return; // heaptrack reads empty lines as comments
  const char tag = line[0];
  if (tag == '#') return trailer(line);
  if (!sawVersion_ && tag != 'v') fail("expected the header 'v <heaptrack version> <file format>' first");
  if (kKnownTags.find(tag) == std::string_view::npos) {
    ++counter_.summary().unknownLines;
    return;
  }
  if (line.size() > 1 && line[1] != ' ') badRecord("<tag> <fields>", "no space after the record tag");
  Fields f{line.data() + std::min<size_t>(2, line.size()), line.data() + line.size()};
  switch (tag) {
    case '+': return allocRecord(f);
    case '-': return freeRecord(f);
    case 'a': return allocInfo(f);
    case 't': return traceNode(f);
    case 'c': return timeStamp(f);
    case 'i': ++ips_; return setMode(Mode::Interpreted);
    case 's': ++strings_; return setMode(Mode::Interpreted);
    case 'x':
    case 'm': return setMode(Mode::Raw);
    case 'v': return version(f);
    case 'X': return command(f);
    case 'A': attached_ = true; return;
    default: return; // I (page size), R (RSS), S (suppression): nothing to replay
  }
}

void HeaptrackStream::version(Fields f) {
  constexpr const char* form = "v <heaptrack version> <file format>";
  if (sawVersion_) fail("a second header line 'v ...'");
  producer_ = hex(f, form);
  format_ = f.empty() ? (producer_ == kFormat1Quirk ? 1 : 0) : hex(f, form);
  noMore(f, form);
  if (format_ == 0) {
    fail("file format 0 (heaptrack before 2017, no allocation infos) is not supported; record again with a newer "
         "heaptrack");
  }
  if (format_ > kNewestFormat) {
    fail("file format " + hexText(format_) + " (written by heaptrack version " + hexText(producer_) +
         ") is newer than this importer reads (1 to " + std::to_string(kNewestFormat) + ")");
  }
  sawVersion_ = true;
}

void HeaptrackStream::command(Fields f) {
  if (sawCommand_) fail("a second command line 'X ...' (heaptrack writes one)");
  sawCommand_ = commandOpen_ = true;
  const std::string_view cmd(f.p, static_cast<size_t>(f.end - f.p));
  const std::string_view argv0 = cmd.substr(0, cmd.find(' '));
  meta_.name = std::string(argv0.substr(argv0.rfind('/') + 1));
  meta_.description = "heaptrack recording of: " + std::string(cmd.substr(0, 300));
}

void HeaptrackStream::allocInfo(Fields f) {
  constexpr const char* form = "a <size> <trace index>";
  setMode(Mode::Interpreted);
  const uint64_t size = hex(f, form);
  const uint64_t trace = hex(f, form);
  noMore(f, form);
  checkSize(size);
  checkTrace(trace);
  infos_.push_back({size, kNone});
}

void HeaptrackStream::traceNode(Fields f) {
  constexpr const char* form = "t <instruction pointer or its index> <parent trace index>";
  const uint64_t ip = hex(f, form);
  const uint64_t parent = hex(f, form);
  noMore(f, form);
  if (parent > traces_) {
    fail("parent trace index " + hexText(parent) + " out of range (" + std::to_string(traces_) + " 't' records so far)");
  }
  if (mode_ == Mode::Interpreted && ip > ips_) {
    fail("instruction pointer index " + hexText(ip) + " out of range (" + std::to_string(ips_) + " 'i' records so far)");
  }
  ++traces_;
}

void HeaptrackStream::timeStamp(Fields f) {
  constexpr const char* form = "c <milliseconds>";
  const uint64_t ms = hex(f, form);
  noMore(f, form);
  if (ms > kMaxMs) fail("time stamp " + hexText(ms) + " ms is too large");
  const uint64_t ns = ms * 1'000'000;
  if (ns < time_) {
    ++backwardTimes_; // heaptrack's clock is monotonic; keep the later time
  } else {
    time_ = ns;
  }
}

void HeaptrackStream::allocRecord(Fields f) {
  // `+ <info index>` (interpreted) or `+ <size> <trace> <pointer>` (raw).
  const bool threeFields = std::find(f.p, f.end, ' ') != f.end;
  if (mode_ == Mode::Unknown) setMode(threeFields ? Mode::Raw : Mode::Interpreted);
  if (mode_ == Mode::Raw) return rawAlloc(f);
  interpretedAlloc(f);
}

void HeaptrackStream::freeRecord(Fields f) {
  if (mode_ == Mode::Unknown) fail("a free before any allocation or module record: cannot tell a raw file from an interpreted one");
  if (mode_ == Mode::Raw) return rawFree(f);
  interpretedFree(f);
}

void HeaptrackStream::interpretedAlloc(Fields f) {
  constexpr const char* form = "+ <allocation info index>";
  const uint64_t k = hex(f, form);
  noMore(f, form);
  if (k >= infos_.size()) {
    fail("allocation info index " + hexText(k) + " out of range (" + std::to_string(infos_.size()) + " 'a' records so far)");
  }
  Info& info = infos_[k];
  const uint64_t id = ids_.take();
  if (id >= slots_.size()) slots_.resize(id + 1);
  slots_[id] = {info.lastLive, k};
  info.lastLive = id;
  emitAlloc(id, info.size);
}

void HeaptrackStream::interpretedFree(Fields f) {
  constexpr const char* form = "- <allocation info index> [1]";
  const uint64_t k = hex(f, form);
  if (!f.empty() && hex(f, form) != 1) badRecord(form, "the optional second field (temporary) must be 1");
  noMore(f, form);
  if (k >= infos_.size()) {
    fail("allocation info index " + hexText(k) + " out of range (" + std::to_string(infos_.size()) + " 'a' records so far)");
  }
  Info& info = infos_[k];
  if (info.lastLive == kNone) {
    ++counter_.summary().orphanFrees;
    return;
  }
  const uint64_t id = info.lastLive; // LIFO: the most recent live object of this info dies
  info.lastLive = slots_[id].prevLive;
  ids_.give(id);
  emitFree(id, info.size);
}

void HeaptrackStream::rawAlloc(Fields f) {
  constexpr const char* form = "+ <size> <trace index> <pointer>";
  const uint64_t size = hex(f, form);
  const uint64_t trace = hex(f, form);
  const uint64_t ptr = hex(f, form);
  noMore(f, form);
  checkSize(size);
  checkTrace(trace);
  std::optional<uint64_t> id = ptrs_.alloc(ptr, size);
  if (!id) { // still live: its free was not recorded, and the address is in use again
    const IdMap::Live old = *ptrs_.free(ptr);
    ++implicitFrees_;
    emitFree(old.id, old.size);
    id = ptrs_.alloc(ptr, size);
  }
  if (*id >= addrOf_.size()) addrOf_.resize(*id + 1);
  addrOf_[*id] = ptr;
  emitAlloc(*id, size);
}

void HeaptrackStream::rawFree(Fields f) {
  constexpr const char* form = "- <pointer>";
  const uint64_t ptr = hex(f, form);
  noMore(f, form);
  const std::optional<IdMap::Live> l = ptrs_.free(ptr);
  if (!l) {
    ++counter_.summary().orphanFrees;
    return;
  }
  emitFree(l->id, l->size);
}

// heaptrack_interpret ends its output with "# strings: N" and "# ips: N" (decimal).
void HeaptrackStream::trailer(std::string_view line) {
  auto number = [&](std::string_view prefix, std::optional<uint64_t>& out) {
    if (line.substr(0, prefix.size()) != prefix || line.size() == prefix.size() || line.size() > prefix.size() + 19) return;
    uint64_t v = 0;
    for (char c : line.substr(prefix.size())) {
      if (c < '0' || c > '9') return;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
  };
  number("# strings: ", trailerStrings_);
  number("# ips: ", trailerIps_);
}

void HeaptrackStream::setMode(Mode m) {
  if (mode_ == m) return;
  if (mode_ != Mode::Unknown) {
    fail(m == Mode::Raw ? "a raw-file record in an interpreted file" : "an interpreted-file record in a raw file");
  }
  mode_ = m;
}

uint64_t HeaptrackStream::hex(Fields& f, const char* form) {
  const char* p = f.p;
  uint64_t v = 0;
  while (p < f.end && *p != ' ') {
    const int d = kHex[static_cast<unsigned char>(*p)];
    if (d < 0) badRecord(form, "not a hex number");
    if (v >> 60) badRecord(form, "a number does not fit in 64 bits");
    v = v << 4 | static_cast<uint64_t>(d);
    ++p;
  }
  if (p == f.p) badRecord(form, "a field is missing");
  f.p = p == f.end ? p : p + 1;
  return v;
}

void HeaptrackStream::noMore(const Fields& f, const char* form) {
  if (!f.empty()) badRecord(form, "unexpected extra fields");
}

void HeaptrackStream::checkSize(uint64_t size) {
  if (size > kMaxSize) fail("allocation size " + hexText(size) + " is larger than 2^48 bytes");
}

void HeaptrackStream::checkTrace(uint64_t trace) {
  if (trace > traces_) {
    fail("trace index " + hexText(trace) + " out of range (" + std::to_string(traces_) + " 't' records so far)");
  }
}

void HeaptrackStream::emitAlloc(uint64_t id, uint64_t size) {
  counter_.alloc(size, 0);
  ++counter_.summary().events;
  pending_.push(sim::Event{sim::EventKind::Alloc, true, 0, id, size, time_});
}

void HeaptrackStream::emitFree(uint64_t id, uint64_t size) {
  counter_.free(size, 0);
  ++counter_.summary().events;
  pending_.push(sim::Event{sim::EventKind::Free, true, 0, id, 0, time_});
}

void HeaptrackStream::fail(const std::string& what) const { throw TraceError(lines_.where() + what); }

void HeaptrackStream::badRecord(const char* form, const std::string& why) const {
  std::string shown;
  for (char c : line_.substr(0, 60)) shown += (c >= ' ' && c < 0x7f) ? c : '?';
  if (line_.size() > 60) shown += "...";
  fail("bad record '" + shown + "' (expected '" + form + "'): " + why);
}

std::string HeaptrackStream::describeObject(uint64_t denseId) const {
  if (mode_ == Mode::Raw) return denseId < addrOf_.size() ? "0x" + hexText(addrOf_[denseId]) : std::string();
  if (denseId >= slots_.size()) return {};
  const uint64_t k = slots_[denseId].info;
  return "an object of allocation info " + hexText(k) + " (" + std::to_string(infos_[k].size) + " B)";
}

ImportSummary HeaptrackStream::summary() const {
  ImportSummary s = counter_.summary();
  s.format = mode_ == Mode::Raw ? "heaptrack (raw)" : mode_ == Mode::Interpreted ? "heaptrack (interpreted)" : "heaptrack";
  if (mode_ == Mode::Interpreted) {
    s.notes.push_back("interpreted file (no addresses): a free of allocation info k ends the most recently allocated "
                      "live object of info k (LIFO); import the --raw file for address-accurate replay");
  }
  if (implicitFrees_) {
    s.notes.push_back(std::to_string(implicitFrees_) + " allocations returned an address that was still live (its free "
                      "was not recorded): the old object was freed first");
  }
  if (commandLines_ > 0)
    s.notes.push_back("the command line goes on over " + std::to_string(commandLines_) +
                      " more lines (an argument with newlines, as heaptrack writes it)");
  s.notes.push_back("realloc is a free followed by an allocation, as heaptrack writes it");
  s.notes.push_back("heaptrack records no thread ids: every event is on thread 0");
  s.notes.push_back("every allocation is noscan (C heap memory; the trace's frees decide liveness)");
  s.notes.push_back("event times: the last 'c' stamp before the event (ms, 0 before the first)");
  if (backwardTimes_) {
    s.notes.push_back(std::to_string(backwardTimes_) + " time stamps went backwards; events kept the later time");
  }
  if (attached_) {
    s.notes.push_back("attached at runtime (heaptrack -p): objects allocated before the attach are not in the trace");
  }
  if (pending_.ended() && mode_ == Mode::Interpreted) {
    // heaptrack_interpret counts what it wrote; a file cut short lacks these lines.
    if (trailerStrings_) {
      s.comparisons.push_back({"heaptrack_interpret: strings written ('# strings')", std::to_string(*trailerStrings_),
                               std::to_string(strings_), *trailerStrings_ == strings_});
    }
    if (trailerIps_) {
      s.comparisons.push_back({"heaptrack_interpret: instruction pointers written ('# ips')", std::to_string(*trailerIps_),
                               std::to_string(ips_), *trailerIps_ == ips_});
    }
    if (!trailerStrings_ || !trailerIps_) {
      s.notes.push_back("no '# strings: N' / '# ips: N' trailer: heaptrack_interpret did not finish this file (cut short?)");
    }
  }
  return s;
}

} // namespace

bool sniffHeaptrack(std::string_view head) {
  // "v <hex>[ <hex>]" then, if the head holds more, a line starting with a heaptrack tag.
  if (head.substr(0, 2) != "v ") return false;
  size_t i = 2;
  auto hexRun = [&] {
    const size_t start = i;
    while (i < head.size() && isHex(head[i])) ++i;
    return i > start;
  };
  if (!hexRun()) return false;
  if (i < head.size() && head[i] == ' ') {
    ++i;
    if (!hexRun()) return false;
  }
  if (i < head.size() && head[i] == '\r') ++i;
  if (i == head.size()) return true;
  if (head[i++] != '\n') return false;
  if (i == head.size()) return true;
  return kKnownTags.find(head[i]) != std::string_view::npos &&
         (i + 1 == head.size() || head[i + 1] == ' ' || head[i + 1] == '\n' || head[i + 1] == '\r');
}

std::unique_ptr<EventStream> openHeaptrack(std::unique_ptr<ByteSource> src) {
  return std::make_unique<HeaptrackStream>(std::move(src));
}

} // namespace traces
