// glibc mtrace importer: see mtrace.h. Line grammar: trace-formats.md §2.2.
#include "traces/mtrace.h"

#include "traces/id_map.h"
#include "traces/line_trace_stream.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace traces {

namespace {

// x86-64 user space is 47 bits; a block larger than this was never returned by malloc.
constexpr uint64_t kMaxSize = uint64_t{1} << 48;

// Pops the last space-separated token off `rest`. Records are read from the end because the
// caller's path may itself contain spaces or ':' (trace-formats.md §2.2).
std::string_view popToken(std::string_view& rest) {
  const size_t sp = rest.rfind(' ');
  if (sp == std::string_view::npos) return std::exchange(rest, std::string_view());
  const std::string_view tok = rest.substr(sp + 1);
  rest = rest.substr(0, sp);
  return tok;
}

bool isOp(std::string_view tok, std::string_view ops) {
  return tok.size() == 1 && ops.find(tok[0]) != std::string_view::npos;
}

bool isHex(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x') return false;
  for (char c : s.substr(2))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "@ <where>[0x<caller>]": glibc 2.36 puts the caller's offset in its module there, older glibc the
// absolute address (and "(sym+0x1a)" instead of "(sym+1a)"); both end in a bracketed %p.
bool isCallerPrefix(std::string_view p) {
  if (p.size() < 4 || p.substr(0, 2) != "@ " || p.back() != ']') return false;
  const size_t open = p.rfind('[');
  if (open == std::string_view::npos || open < 2) return false;
  const std::string_view inner = p.substr(open + 1, p.size() - open - 2);
  return inner == "(nil)" || isHex(inner);
}

class MtraceStream final : public LineTraceStream {
 public:
  explicit MtraceStream(std::unique_ptr<ByteSource> src) : LineTraceStream(std::move(src), "glibc mtrace") {
    meta_.source = "glibc mtrace log " + src_->path();
  }
  std::string describeObject(uint64_t denseId) const override;
  ImportSummary summary() const override;

 private:
  struct Record {
    char op = 0;
    std::optional<uint64_t> ptr; // nullopt = "(nil)"
    uint64_t size = 0;
  };
  bool parseNext() override;
  bool parseRecord(std::string_view line, Record& r);
  uint64_t number(std::string_view tok, const char* what) const;
  void apply(const Record& r);
  void alloc(uint64_t addr, uint64_t size);
  void free(uint64_t addr);
  void push(const sim::Event& ev);
  [[noreturn]] void fail(const std::string& what) const { throw TraceError(lines_.where() + what); }

  IdMap ids_;
  std::vector<uint64_t> addrOf_; // dense id -> address (for messages); as long as the peak live count
  // Bytes of the lines read so far, each counted with a '\n'. Once the reader has handed out the
  // whole input, this exceeds ByteSource::offset() only if the last line had no '\n'.
  uint64_t consumed_ = 0;
  bool started_ = false, ended_ = false; // saw "= Start" / "= End"
  bool reallocOpen_ = false; // a '<' line waits for its '>'
  std::optional<uint64_t> reallocOld_;
  uint64_t reallocLine_ = 0;
  // The perl script keeps the first block when an address is allocated twice; we end it and keep
  // the second. Addresses where its size differs from ours, so its total can be given too.
  std::unordered_map<uint64_t, uint64_t> perlSize_;
  uint64_t reallocs_ = 0, duplicates_ = 0, failedReallocs_ = 0, cutLine_ = 0;
};

bool MtraceStream::parseNext() {
  std::string_view line;
  if (!lines_.next(line)) return false;
  consumed_ += line.size() + 1;
  const bool marker = line == "= Start" || line == "= End";
  if (!started_) {
    if (line != "= Start") fail("not a glibc mtrace log (the first line is not '= Start')");
    started_ = true;
    return true;
  }
  // A last line without '\n': glibc writes through a 512-byte stdio buffer, so this is a log cut
  // off mid-buffer (the program died) and the rest of the line, perhaps a digit of a size, is lost.
  if (consumed_ > src_->offset() && !marker) {
    cutLine_ = lines_.lineNumber();
    ++counter_.summary().unknownLines;
    return true;
  }
  const bool record = line.substr(0, 2) == "@ " || (line.size() > 1 && line[1] == ' ' && isOp(line.substr(0, 1), "+-<>!"));
  // glibc writes a '<' and its '>' under one lock, so nothing can come between them.
  if (reallocOpen_ && !record) fail("'<' on line " + std::to_string(reallocLine_) + " is not followed by its '>' line");
  if (line == "= Start") fail("a second '= Start' (two logs concatenated?)");
  if (line == "= End") {
    if (ended_) fail("a second '= End'");
    ended_ = true;
    return true;
  }
  if (!record) {
    ++counter_.summary().unknownLines; // e.g. program output when MALLOC_TRACE shares its file
    return true;
  }
  if (ended_) fail("a record after '= End' (two logs concatenated?)");
  Record r;
  if (!parseRecord(line, r)) fail("not an mtrace record (expected '[@ where[0x..]] OP ptr [size]')");
  apply(r);
  return true;
}

bool MtraceStream::parseRecord(std::string_view line, Record& r) {
  std::string_view rest = line;
  const std::string_view last = popToken(rest);
  const std::string_view prev = popToken(rest);
  std::string_view ptrTok, sizeTok;
  if (isOp(prev, "-<")) {
    r.op = prev[0];
    ptrTok = last;
  } else {
    const std::string_view op = popToken(rest);
    if (!isOp(op, "+>!")) return false;
    r.op = op[0];
    ptrTok = prev;
    sizeTok = last;
  }
  if (!rest.empty() && !isCallerPrefix(rest)) return false;
  if (ptrTok != "(nil)") r.ptr = number(ptrTok, "pointer");
  if (!sizeTok.empty()) r.size = sizeTok == "0" ? 0 : number(sizeTok, "size"); // %#lx prints zero as "0"
  return true;
}

uint64_t MtraceStream::number(std::string_view tok, const char* what) const {
  if (!isHex(tok)) fail(std::string("bad ") + what + " '" + excerpt(tok) + "' (expected 0x followed by hex digits)");
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(tok.data() + 2, tok.data() + tok.size(), v, 16);
  if (ec == std::errc::result_out_of_range) fail(std::string(what) + " " + excerpt(tok) + " does not fit in 64 bits");
  return v;
}

void MtraceStream::apply(const Record& r) {
  if (reallocOpen_ && r.op != '>') fail("'<' on line " + std::to_string(reallocLine_) + " is not followed by its '>' line");
  if (r.ptr && r.size > kMaxSize && (r.op == '+' || r.op == '>'))
    fail("size " + std::to_string(r.size) + " is larger than 2^48 bytes, yet the allocation succeeded");
  ImportSummary& s = counter_.summary();
  switch (r.op) {
    case '+':
      if (r.ptr) alloc(*r.ptr, r.size);
      else ++s.failedAllocs; // "+ (nil) 0x4000000000000000": malloc(1<<62) failed
      break;
    case '-':
      if (r.ptr) free(*r.ptr);
      else ++s.orphanFrees; // glibc does not log free(NULL); count it like the perl script does
      break;
    case '<':
      reallocOpen_ = true;
      reallocOld_ = r.ptr;
      reallocLine_ = lines_.lineNumber();
      break;
    case '>':
      if (!reallocOpen_) fail("'>' without the '<' line glibc writes before it");
      reallocOpen_ = false;
      ++reallocs_;
      if (!r.ptr) { // failed: the old block stays valid
        ++s.failedAllocs, ++failedReallocs_;
        break;
      }
      if (reallocOld_) free(*reallocOld_);
      alloc(*r.ptr, r.size);
      break;
    case '!': // realloc failed; the old block stays valid
      ++s.failedAllocs, ++failedReallocs_;
      break;
  }
}

void MtraceStream::alloc(uint64_t addr, uint64_t size) {
  std::optional<uint64_t> perl;
  if (const IdMap::Live* live = ids_.find(addr)) {
    // A second allocation at a live address: its free was not logged. End the old object.
    ++duplicates_;
    const auto it = perlSize_.find(addr);
    perl = it != perlSize_.end() ? it->second : live->size;
    free(addr);
  }
  const uint64_t id = *ids_.alloc(addr, size);
  if (perl && *perl != size) perlSize_[addr] = *perl;
  if (id >= addrOf_.size()) addrOf_.resize(id + 1);
  addrOf_[id] = addr;
  push(sim::allocEvent(id, size));
  counter_.alloc(size, 0);
}

void MtraceStream::free(uint64_t addr) {
  const std::optional<IdMap::Live> live = ids_.free(addr);
  if (!live) {
    ++counter_.summary().orphanFrees; // allocated before mtrace() ran, or never
    return;
  }
  if (!perlSize_.empty()) perlSize_.erase(addr);
  push(sim::freeEvent(live->id));
  counter_.free(live->size, 0);
}

void MtraceStream::push(const sim::Event& ev) {
  pending_.push(ev);
  ++counter_.summary().events;
}

std::string MtraceStream::describeObject(uint64_t denseId) const {
  if (denseId >= addrOf_.size()) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addrOf_[denseId]));
  return buf;
}

ImportSummary MtraceStream::summary() const {
  ImportSummary s = counter_.summary();
  s.notes.push_back("no thread ids or time stamps in mtrace logs: every event is on thread 0, untimed");
  s.notes.push_back("C allocations: every object is noscan");
  s.notes.push_back("realloc ('<' + '>' line pair) = free of the old block + alloc of the new one: " +
                    std::to_string(reallocs_));
  if (failedReallocs_)
    s.notes.push_back("failed reallocs ('!' lines): " + std::to_string(failedReallocs_) + " (the old block stays live)");
  if (duplicates_)
    s.notes.push_back(std::to_string(duplicates_) +
                      " allocations at an address that was still live (its free was not logged): the old object was ended first");
  if (cutLine_)
    s.notes.push_back("line " + std::to_string(cutLine_) + " has no newline: the log was cut off there; the line was dropped");
  if (pending_.ended() && reallocOpen_)
    s.notes.push_back("the log ends inside a realloc ('<' on line " + std::to_string(reallocLine_) +
                      " has no '>'): the old block was kept");
  if (pending_.ended() && !ended_)
    s.notes.push_back("no '= End' line: the program did not call muntrace() (usual with a preloaded mtrace() helper) or the log was cut off");
  if (pending_.ended()) {
    // What glibc's `mtrace` script lists under "Memory not freed": the same live set, except that
    // it keeps the first block when an address is allocated twice.
    uint64_t perlBytes = s.liveBytes;
    for (const auto& [addr, size] : perlSize_) perlBytes = perlBytes - ids_.find(addr)->size + size;
    s.comparisons.push_back({"mtrace script, blocks under \"Memory not freed\"", std::to_string(s.liveObjects),
                             std::to_string(s.liveObjects), true});
    s.comparisons.push_back({"mtrace script, bytes under \"Memory not freed\"", std::to_string(perlBytes),
                             std::to_string(s.liveBytes), perlBytes == s.liveBytes});
  }
  return s;
}

} // namespace

bool sniffMtrace(std::string_view head) {
  return head.substr(0, 8) == "= Start\n" || head == "= Start" || head.substr(0, 9) == "= Start\r\n";
}

std::unique_ptr<EventStream> openMtrace(std::unique_ptr<ByteSource> src) {
  return std::make_unique<MtraceStream>(std::move(src));
}

} // namespace traces
