// ltrace importer: see ltrace.h. Line grammar: trace-formats.md §3.1–3.2 (ltrace output.c).
#include "traces/ltrace.h"

#include "traces/id_map.h"
#include "traces/line_trace_stream.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace traces {

namespace {

constexpr uint64_t kMaxSize = uint64_t{1} << 48;   // x86-64 user space is 47 bits
constexpr uint64_t kMaxUserAddress = uint64_t{1} << 56; // 5-level paging still keeps user space below
constexpr uint64_t kPidMaxLimit = 4194304;         // Linux PID_MAX_LIMIT: no TID is larger
constexpr size_t kMaxOpenCalls = size_t{1} << 16;  // unfinished calls waiting, all threads together
constexpr uint64_t kSecond = 1000000000, kDay = 86400 * kSecond;

// An impossible value inside a line; the stream adds the file and line to the message.
struct BadLine : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Fn : uint8_t { Malloc, Calloc, Realloc, ReallocArray, Free, PosixMemalign, AlignedAlloc, Memalign, Valloc, Pvalloc, Other };

Fn fnByName(std::string_view n) {
  static const std::pair<std::string_view, Fn> kFns[] = {
      {"malloc", Fn::Malloc},         {"calloc", Fn::Calloc},
      {"realloc", Fn::Realloc},       {"reallocarray", Fn::ReallocArray},
      {"free", Fn::Free},             {"posix_memalign", Fn::PosixMemalign},
      {"aligned_alloc", Fn::AlignedAlloc}, {"memalign", Fn::Memalign},
      {"valloc", Fn::Valloc},         {"pvalloc", Fn::Pvalloc},
  };
  for (const auto& [name, fn] : kFns)
    if (n == name) return fn;
  return Fn::Other;
}

// How many leading arguments a function's meaning needs. ltrace prints junk extra arguments for
// functions without a prototype in ltrace.conf (posix_memalign(0x7ffc.., 64, 100, 0x55a0..)).
size_t argsNeeded(Fn fn) {
  switch (fn) {
    case Fn::Malloc: case Fn::Valloc: case Fn::Pvalloc: case Fn::Free: return 1;
    case Fn::Calloc: case Fn::Realloc: case Fn::AlignedAlloc: case Fn::Memalign: return 2;
    case Fn::ReallocArray: case Fn::PosixMemalign: return 3;
    case Fn::Other: return 0;
  }
  return 0;
}

// A block malloc could have returned: not in page 0, 8-byte aligned, a user-space address. ltrace's
// misattributed PLT slots show values such as realloc(0x7f54c25d22d9, 4) = 0x3 (§3.3).
bool plausiblePointer(uint64_t p) { return p >= 4096 && p % 8 == 0 && p < kMaxUserAddress; }

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

size_t countDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

uint64_t toNumber(std::string_view digits, int base) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec == std::errc::result_out_of_range)
    throw BadLine("number " + std::string(base == 16 ? "0x" : "") + excerpt(digits) + " does not fit in 64 bits");
  return v;
}

// An argument or return value: decimal, 0x-hex, or a null pointer spelled "nil"/"NULL"/"(nil)".
std::optional<uint64_t> parseValue(std::string_view tok) {
  if (tok == "nil" || tok == "NULL" || tok == "(nil)") return 0;
  if (tok.size() > 2 && tok[0] == '0' && tok[1] == 'x') {
    const std::string_view hex = tok.substr(2);
    for (char c : hex)
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    return toNumber(hex, 16);
  }
  if (tok.empty() || countDigits(tok) != tok.size()) return std::nullopt;
  return toNumber(tok, 10);
}

// The first `n` comma-separated arguments as numbers; false if there are fewer or one is not a number.
bool parseArgs(std::string_view args, size_t n, std::array<uint64_t, 3>& out) {
  for (size_t i = 0; i < n; ++i) {
    const size_t comma = args.find(',');
    const std::optional<uint64_t> v = parseValue(trim(args.substr(0, comma)));
    if (!v) return false;
    out[i] = *v;
    if (comma == std::string_view::npos) return i + 1 == n;
    args.remove_prefix(comma + 1);
  }
  return true;
}

// a * b, or nullopt if it overflows 64 bits.
std::optional<uint64_t> product(uint64_t a, uint64_t b) {
  uint64_t p;
  if (__builtin_mul_overflow(a, b, &p)) return std::nullopt;
  return p;
}

// One line of ltrace output, split into its parts (views into the line).
struct Line {
  enum class Kind : uint8_t { Unknown, Call, Unfinished, Resumed, ThreadEnd, Signal };
  enum class Clock : uint8_t { None, TimeOfDay, Epoch };
  Kind kind = Kind::Unknown;
  uint32_t tid = 0; // 0 = no pid prefix (ltrace without -f)
  Clock clock = Clock::None;
  uint64_t clockNs = 0;
  std::string_view name, args, ret, text;
};

// "[pid 17040] " (-f, stderr) or "17035 " (-f -o): the thread's TID.
void parsePid(std::string_view& s, Line& l) {
  std::string_view t = s;
  const bool bracket = consume(t, "[pid ");
  const size_t n = countDigits(t);
  if (n == 0 || !consume(t = t.substr(n), bracket ? "] " : " ")) return;
  const uint64_t tid = toNumber(s.substr(bracket ? 5 : 0, n), 10);
  if (tid == 0 || tid > kPidMaxLimit) throw BadLine("thread id " + std::to_string(tid) + " is not a Linux TID (1.." + std::to_string(kPidMaxLimit) + ")");
  l.tid = static_cast<uint32_t>(tid);
  s = t;
}

// "HH:MM:SS " (-t), "HH:MM:SS.uuuuuu " (-tt) or "epoch.uuuuuu " (-ttt).
void parseClock(std::string_view& s, Line& l) {
  const size_t n = countDigits(s);
  if (n == 0 || n == s.size()) return;
  auto micros = [](std::string_view t) { // ".uuuuuu" at the start of t, or nullopt
    if (t.size() < 7 || t[0] != '.' || countDigits(t.substr(1, 6)) != 6) return std::optional<uint64_t>();
    return std::optional<uint64_t>(toNumber(t.substr(1, 6), 10));
  };
  if (s[n] == ':') {
    if (n != 2 || s.size() < 9 || s[5] != ':' || countDigits(s.substr(3, 2)) != 2 || countDigits(s.substr(6, 2)) != 2) return;
    const uint64_t h = toNumber(s.substr(0, 2), 10), m = toNumber(s.substr(3, 2), 10), sec = toNumber(s.substr(6, 2), 10);
    std::string_view rest = s.substr(8);
    const std::optional<uint64_t> us = micros(rest);
    if (us) rest.remove_prefix(7);
    if (!consume(rest, " ")) return;
    if (h > 23 || m > 59 || sec > 60) throw BadLine("time of day " + std::string(s.substr(0, 8)) + " is impossible");
    l.clock = Line::Clock::TimeOfDay;
    l.clockNs = ((h * 60 + m) * 60 + sec) * kSecond + us.value_or(0) * 1000;
    s = rest;
  } else if (s[n] == '.') {
    std::string_view rest = s.substr(n);
    const std::optional<uint64_t> us = micros(rest);
    if (!us || !consume(rest = rest.substr(7), " ")) return;
    const uint64_t sec = toNumber(s.substr(0, n), 10);
    if (sec >= ~uint64_t{0} / kSecond - 1) throw BadLine("time stamp " + std::string(s.substr(0, n)) + " s is out of range");
    l.clock = Line::Clock::Epoch;
    l.clockNs = sec * kSecond + *us * 1000;
    s = rest;
  }
}

// `rest` = "args) = ret" (padding spaces before '='; -T appends " <secs>").
bool splitReturn(std::string_view rest, Line& l) {
  for (size_t eq = rest.rfind('='); eq != std::string_view::npos; eq = eq ? rest.rfind('=', eq - 1) : std::string_view::npos) {
    if (eq + 1 < rest.size() && rest[eq + 1] != ' ') continue;
    size_t k = eq;
    while (k > 0 && rest[k - 1] == ' ') --k;
    if (k == eq || k == 0 || rest[k - 1] != ')') continue;
    l.args = rest.substr(0, k - 1);
    std::string_view ret = trim(rest.substr(eq + 1));
    const size_t t = ret.rfind(" <");
    if (t != std::string_view::npos && ret.back() == '>') {
      const std::string_view secs = ret.substr(t + 2, ret.size() - t - 3);
      if (!secs.empty() && secs.find_first_not_of("0123456789.") == std::string_view::npos) ret = trim(ret.substr(0, t));
    }
    l.ret = ret;
    return true;
  }
  return false;
}

bool isIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

void parseBody(std::string_view s, Line& l) {
  if (consume(s, "<... ")) { // "<... malloc resumed> )     = 0x7f9bc4000b70"
    const size_t r = s.find(" resumed>");
    if (r == std::string_view::npos || !isIdentifier(s.substr(0, r)) || !splitReturn(s.substr(r + 9), l)) return;
    l.name = s.substr(0, r);
    l.kind = Line::Kind::Resumed;
    return;
  }
  if (s.size() > 8 && s.substr(0, 4) == "+++ " && s.substr(s.size() - 4) == " +++") {
    l.text = s.substr(4, s.size() - 8); // "exited (status 0)", "killed by SIGSEGV"
    l.kind = l.text.substr(0, 7) == "exited " || l.text.substr(0, 10) == "killed by " ? Line::Kind::ThreadEnd : Line::Kind::Signal;
    return;
  }
  if (s.size() > 8 && s.substr(0, 4) == "--- " && s.substr(s.size() - 4) == " ---") {
    l.text = s.substr(4, s.size() - 8); // "SIGSEGV (Segmentation fault)"
    l.kind = Line::Kind::Signal;
    return;
  }
  // "[caller->]name[@lib](args...": PLT mode names the caller, -x mode the library.
  const size_t paren = s.find('(');
  if (paren == std::string_view::npos) return;
  std::string_view head = s.substr(0, paren);
  if (const size_t arrow = head.rfind("->"); arrow != std::string_view::npos) {
    if (arrow == 0 || head.substr(0, arrow).find(' ') != std::string_view::npos) return;
    head.remove_prefix(arrow + 2);
  }
  if (const size_t at = head.find('@'); at != std::string_view::npos) {
    if (at + 1 == head.size() || head.find(' ') != std::string_view::npos) return;
    head = head.substr(0, at);
  }
  if (!isIdentifier(head)) return;
  l.name = head;
  std::string_view rest = s.substr(paren + 1);
  for (std::string_view open : {std::string_view(" <unfinished ...>"), std::string_view(" <no return ...>")}) {
    if (rest.size() >= open.size() && rest.substr(rest.size() - open.size()) == open) {
      l.args = rest.substr(0, rest.size() - open.size());
      l.kind = Line::Kind::Unfinished;
      return;
    }
  }
  if (splitReturn(rest, l)) l.kind = Line::Kind::Call;
}

// Throws BadLine on impossible values; an unrecognised line stays Kind::Unknown.
Line parseLine(std::string_view s) {
  Line l;
  parsePid(s, l);
  parseClock(s, l);
  if (s.substr(0, 3) == "[0x") { // -i: "[0x4005d6] "
    const size_t close = s.find("] ");
    if (close != std::string_view::npos) s.remove_prefix(close + 2);
  }
  parseBody(s, l);
  return l;
}

// A traced call of the malloc family between its call line and its return.
struct OpenCall {
  std::string name; // to match "<... name resumed>"
  Fn fn = Fn::Other;
  bool skip = false;  // nothing to do at the return (a free, another function, a dropped call)
  bool huge = false;  // the size exceeds 2^48 or overflowed: no real call can succeed
  uint64_t size = 0;
  uint64_t oldPtr = 0, oldSize = 0; // realloc: the block freed at the call
  bool oldFreed = false;
};

class LtraceStream final : public LineTraceStream {
 public:
  explicit LtraceStream(std::unique_ptr<ByteSource> src) : LineTraceStream(std::move(src), "ltrace") {
    meta_.source = "ltrace output " + src_->path();
  }
  std::string describeObject(uint64_t denseId) const override;
  ImportSummary summary() const override;

 private:
  static constexpr uint32_t kUnnumbered = ~0u;
  struct Thread {
    uint32_t number = kUnnumbered;
    std::vector<OpenCall> open; // innermost last
  };

  bool parseNext() override;
  bool nextLine();
  void handle(const Line& l);
  uint64_t eventTime(const Line& l);
  OpenCall call(const Line& l, std::optional<uint64_t> knownResult);
  void complete(const OpenCall& c, std::string_view ret);
  void endThread(const Line& l);
  void alloc(uint64_t addr, uint64_t size);
  void free(uint64_t addr);
  void restore(const OpenCall& c);
  uint32_t threadNumber();
  void push(sim::Event ev);
  [[noreturn]] void fail(const std::string& what) const { throw TraceError(lines_.where() + what); }

  IdMap ids_;
  std::vector<uint64_t> addrOf_; // dense id -> address (for messages); as long as the peak live count
  // Bytes of the lines read so far, each counted with a '\n'. Once the reader has handed out the
  // whole input, this exceeds ByteSource::offset() only if the last line had no '\n'.
  uint64_t consumed_ = 0;

  // The line being handled.
  uint32_t tid_ = 0;
  uint64_t time_ = sim::kNoTime;

  std::unordered_map<uint32_t, Thread> threads_; // by TID; removed when the thread exits
  uint32_t nextNumber_ = 0;
  std::vector<uint32_t> firstTids_; // TIDs of threads 0..7, for the summary
  size_t openCalls_ = 0;

  bool timed_ = false, haveT0_ = false, haveTod_ = false;
  uint64_t t0_ = 0, lastTod_ = 0, dayOffset_ = 0;

  uint64_t recognized_ = 0, implausible_ = 0, hiddenBlocks_ = 0, freeNull_ = 0, otherCalls_ = 0;
  uint64_t orphanResumed_ = 0, neverReturned_ = 0, restored_ = 0, noResult_ = 0, duplicates_ = 0;
  uint64_t killed_ = 0, killedLine_ = 0, cutLine_ = 0;
  std::string killedBy_;
};

// A line, or at the end of the input the checks and counts that need all of it.
bool LtraceStream::parseNext() {
  if (nextLine()) return true;
  if (recognized_ == 0)
    throw TraceError(src_->path() + ": line " + std::to_string(lines_.lineNumber()) +
                     ": no line of the file looks like ltrace output");
  for (const auto& [tid, t] : threads_) neverReturned_ += t.open.size();
  return false;
}

bool LtraceStream::nextLine() {
  std::string_view text;
  if (!lines_.next(text)) return false;
  consumed_ += text.size() + 1;
  // A last line without '\n' was cut off (ltrace died or the file was truncated): a return value
  // such as "= 0x55ca1d9c" may have lost digits. Whole "+++ ... +++" / "--- ... ---" lines are safe.
  const bool cut = consumed_ > src_->offset();
  Line l;
  try {
    l = parseLine(text);
  } catch (const BadLine& e) {
    if (!cut) fail(e.what());
  }
  if (cut && l.kind != Line::Kind::ThreadEnd && l.kind != Line::Kind::Signal) {
    cutLine_ = lines_.lineNumber();
    ++counter_.summary().unknownLines;
    return true;
  }
  if (l.kind == Line::Kind::Unknown) { // diagnostics such as "unexpected breakpoint at 0x..."
    ++counter_.summary().unknownLines;
    return true;
  }
  ++recognized_;
  tid_ = l.tid;
  time_ = eventTime(l);
  try {
    handle(l);
  } catch (const BadLine& e) {
    fail(e.what());
  }
  return true;
}

void LtraceStream::handle(const Line& l) {
  switch (l.kind) {
    case Line::Kind::Call: {
      OpenCall c = call(l, parseValue(l.ret));
      complete(c, l.ret);
      break;
    }
    case Line::Kind::Unfinished: {
      if (openCalls_ >= kMaxOpenCalls)
        fail("more than " + std::to_string(kMaxOpenCalls) + " calls are waiting for their return (not ltrace output?)");
      OpenCall c = call(l, std::nullopt);
      threads_[tid_].open.push_back(std::move(c));
      ++openCalls_;
      break;
    }
    case Line::Kind::Resumed: {
      // The thread's innermost open call of that name (nesting: one traced function may call another).
      const auto t = threads_.find(tid_);
      if (t != threads_.end()) {
        std::vector<OpenCall>& open = t->second.open;
        for (size_t i = open.size(); i-- > 0;) {
          if (open[i].name != l.name) continue;
          OpenCall c = std::move(open[i]);
          open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
          --openCalls_;
          complete(c, l.ret);
          return;
        }
      }
      ++orphanResumed_;
      break;
    }
    case Line::Kind::ThreadEnd:
      endThread(l);
      break;
    case Line::Kind::Signal:
    case Line::Kind::Unknown:
      break;
  }
}

uint64_t LtraceStream::eventTime(const Line& l) {
  if (l.clock == Line::Clock::None) return sim::kNoTime;
  uint64_t abs = l.clockNs;
  if (l.clock == Line::Clock::TimeOfDay) {
    // -t/-tt print the wall clock without a date: a jump back by more than half a day is midnight.
    if (haveTod_ && abs + kDay / 2 < lastTod_) dayOffset_ += kDay;
    haveTod_ = true;
    lastTod_ = abs;
    abs += dayOffset_;
  }
  if (!haveT0_) {
    haveT0_ = timed_ = true;
    t0_ = abs;
  }
  return abs >= t0_ ? abs - t0_ : 0;
}

// What happens when the call is made: frees take effect here, allocations wait for the return.
// `knownResult`: the return value when the call and its return are on one line.
OpenCall LtraceStream::call(const Line& l, std::optional<uint64_t> knownResult) {
  OpenCall c;
  c.name = l.name;
  c.fn = fnByName(l.name);
  if (c.fn == Fn::Other) {
    ++otherCalls_;
    c.skip = true;
    return c;
  }
  std::array<uint64_t, 3> a{};
  if (!parseArgs(l.args, argsNeeded(c.fn), a)) { // arguments we cannot read: the line is not understood
    ++counter_.summary().unknownLines;
    c.skip = true;
    return c;
  }
  auto setSize = [&c](std::optional<uint64_t> n) {
    c.size = n.value_or(0);
    c.huge = !n || *n > kMaxSize;
  };
  switch (c.fn) {
    case Fn::Malloc: case Fn::Valloc: case Fn::Pvalloc: setSize(a[0]); break;
    case Fn::Calloc: setSize(product(a[0], a[1])); break;
    case Fn::AlignedAlloc: case Fn::Memalign: setSize(a[1]); break;
    case Fn::PosixMemalign: setSize(a[2]); break;
    case Fn::Free:
      c.skip = true;
      if (a[0] == 0) ++freeNull_;
      else if (!plausiblePointer(a[0])) ++implausible_;
      else free(a[0]);
      break;
    case Fn::Realloc: case Fn::ReallocArray:
      setSize(c.fn == Fn::Realloc ? std::optional<uint64_t>(a[1]) : product(a[1], a[2]));
      c.oldPtr = a[0];
      // A misattributed call (realloc(...) = 0x6) must not free a real block or count an orphan.
      if ((c.oldPtr != 0 && !plausiblePointer(c.oldPtr)) || (knownResult && *knownResult != 0 && !plausiblePointer(*knownResult))) {
        ++implausible_;
        c.skip = true;
      } else if (c.oldPtr != 0 && !c.huge) { // a huge realloc cannot succeed: the old block stays
        if (const IdMap::Live* live = ids_.find(c.oldPtr)) {
          c.oldSize = live->size;
          c.oldFreed = true;
        }
        free(c.oldPtr);
      }
      break;
    case Fn::Other: break;
  }
  return c;
}

// What happens at the return: allocations take effect, failed reallocs give the old block back.
void LtraceStream::complete(const OpenCall& c, std::string_view ret) {
  if (c.skip) return;
  const std::optional<uint64_t> r = parseValue(ret);
  if (!r) { // "<... free resumed> ) = " of a dying thread, or no value at all
    ++noResult_;
    return;
  }
  const bool isRealloc = c.fn == Fn::Realloc || c.fn == Fn::ReallocArray;
  if (c.fn == Fn::PosixMemalign) { // returns an error code; the block goes through the first argument
    if (*r == 0) ++hiddenBlocks_;
    else ++counter_.summary().failedAllocs;
    return;
  }
  if (*r == 0) {
    if (isRealloc && c.oldPtr != 0 && c.size == 0) return; // realloc(p, 0) frees p and returns NULL (glibc)
    ++counter_.summary().failedAllocs;
    if (c.oldFreed) restore(c); // a failed realloc leaves the old block valid
    return;
  }
  if (c.huge || !plausiblePointer(*r)) {
    ++implausible_;
    if (c.oldFreed) restore(c);
    return;
  }
  alloc(*r, c.size);
}

void LtraceStream::restore(const OpenCall& c) {
  ++restored_;
  alloc(c.oldPtr, c.oldSize);
}

void LtraceStream::endThread(const Line& l) {
  if (l.text.substr(0, 10) == "killed by ") {
    if (killed_++ == 0) {
      killedBy_ = std::string(l.text.substr(10));
      killedLine_ = lines_.lineNumber();
    }
  }
  // Its unfinished calls never return; a later thread may reuse the TID and gets a new number.
  const auto t = threads_.find(tid_);
  if (t == threads_.end()) return;
  neverReturned_ += t->second.open.size();
  openCalls_ -= t->second.open.size();
  threads_.erase(t);
}

void LtraceStream::alloc(uint64_t addr, uint64_t size) {
  if (ids_.find(addr)) { // its free was not traced (ltrace misses calls): end the old object first
    ++duplicates_;
    free(addr);
  }
  const uint64_t id = *ids_.alloc(addr, size);
  if (id >= addrOf_.size()) addrOf_.resize(id + 1);
  addrOf_[id] = addr;
  const uint32_t thread = threadNumber();
  push(sim::allocEvent(id, size, true, thread));
  counter_.alloc(size, thread);
}

void LtraceStream::free(uint64_t addr) {
  const std::optional<IdMap::Live> live = ids_.free(addr);
  if (!live) {
    ++counter_.summary().orphanFrees; // allocated where ltrace could not see it
    return;
  }
  const uint32_t thread = threadNumber();
  push(sim::freeEvent(live->id, thread));
  counter_.free(live->size, thread);
}

uint32_t LtraceStream::threadNumber() {
  Thread& t = threads_[tid_];
  if (t.number == kUnnumbered) {
    t.number = nextNumber_++;
    if (firstTids_.size() < 8) firstTids_.push_back(tid_);
  }
  return t.number;
}

void LtraceStream::push(sim::Event ev) {
  ev.time = time_;
  pending_.push(ev);
  ++counter_.summary().events;
}

std::string LtraceStream::describeObject(uint64_t denseId) const {
  if (denseId >= addrOf_.size()) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addrOf_[denseId]));
  return buf;
}

ImportSummary LtraceStream::summary() const {
  ImportSummary s = counter_.summary();
  auto note = [&s](uint64_t n, const std::string& what) {
    if (n) s.notes.push_back(std::to_string(n) + " " + what);
  };
  s.notes.push_back("ltrace sees PLT calls only; partial coverage (allocations inside libc or through .plt.got "
                    "are missing, so frees of such blocks count as orphan frees)");
  s.notes.push_back("an allocation takes effect when its call returns, a free when it is made; realloc = free of "
                    "the old block at the call + alloc of the new one at the return; C allocations are noscan");
  if (!firstTids_.empty()) {
    std::string t = "threads are numbered in the order of their first event:";
    for (size_t i = 0; i < firstTids_.size(); ++i)
      t += (i ? ", " : " ") + std::to_string(i) + " = " + (firstTids_[i] ? "TID " + std::to_string(firstTids_[i]) : "no pid prefix");
    if (nextNumber_ > firstTids_.size()) t += ", ...";
    s.notes.push_back(t);
  }
  s.notes.push_back(timed_ ? "times: nanoseconds since the first time stamp (ltrace's clock includes its ptrace overhead)"
                           : "no time stamps (ltrace ran without -t/-tt/-ttt): events are untimed");
  note(implausible_, "calls dropped because a pointer or size cannot be real (ltrace's misattributed PLT slots, "
                     "e.g. realloc(...) = 0x6)");
  note(hiddenBlocks_, "posix_memalign calls succeeded, but ltrace cannot show their block (dropped; its free is an orphan)");
  note(freeNull_, "free(NULL) calls (no-ops)");
  note(otherCalls_, "calls of functions outside the malloc family (ignored)");
  note(orphanResumed_, "'<... resumed>' lines without an unfinished call on their thread (skipped)");
  note(neverReturned_, "calls never returned (their thread exited or the output ended first)");
  note(restored_, "reallocs failed or were dropped after their call freed the old block: the old block was restored");
  note(noResult_, "allocation calls without a readable return value (dropped)");
  note(duplicates_, "allocations at an address that was still live (its free was not traced): the old object was ended first");
  if (killed_)
    s.notes.push_back("the traced program was killed by " + killedBy_ + " (line " + std::to_string(killedLine_) +
                      "; " + std::to_string(killed_) + " 'killed' lines)");
  if (cutLine_)
    s.notes.push_back("line " + std::to_string(cutLine_) + " has no newline: the output was cut off there; the line was dropped");
  return s;
}

} // namespace

bool sniffLtrace(std::string_view head) {
  // Whole lines only: the head may end inside one.
  if (const size_t nl = head.rfind('\n'); nl != std::string_view::npos) head = head.substr(0, nl + 1);
  size_t lines = 0, recognized = 0, allocCalls = 0;
  while (!head.empty()) {
    const size_t nl = head.find('\n');
    std::string_view text = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    ++lines;
    try {
      const Line l = parseLine(text);
      if (l.kind == Line::Kind::Unknown) continue;
      ++recognized;
      const bool isCall = l.kind == Line::Kind::Call || l.kind == Line::Kind::Unfinished || l.kind == Line::Kind::Resumed;
      if (isCall && fnByName(l.name) != Fn::Other) ++allocCalls;
    } catch (const BadLine&) {
      // An ltrace line with an impossible thread id or time is still ltrace: open it, so the
      // reader names the line and what is wrong instead of "not a trace format".
      ++recognized;
      for (const char* fn : {"malloc(", "free(", "calloc(", "realloc("})
        if (text.find(fn) != std::string_view::npos) {
          ++allocCalls;
          break;
        }
    }
  }
  return allocCalls > 0 && recognized * 2 >= lines;
}

std::unique_ptr<EventStream> openLtrace(std::unique_ptr<ByteSource> src) {
  return std::make_unique<LtraceStream>(std::move(src));
}

} // namespace traces
