// BinaryStream: the streaming reader of the binary trace format (EventStream over a ByteSource).
// Every length is checked against a bound before anything is allocated, every record against its
// CRC-32, and the footer's counts against what was decoded. Layout: docs/binary-trace-format.md.
#include "traces/binary_format.h"
#include "traces/binary_trace.h"
#include "traces/json_trace.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace traces {

using namespace binfmt;

namespace {

uint32_t crcOf(uint32_t crc, const unsigned char* p, size_t n) {
  return static_cast<uint32_t>(crc32(crc, p, static_cast<uInt>(n)));
}

// The fuzzing build (CMake SPANSCOPE_FUZZ defines SPANSCOPE_FUZZ_SKIP_CRC) accepts any stored CRC:
// a mutated input almost never carries a valid one, so the fuzzer would otherwise never get past
// the checksums to the decoder and the engine. Never defined in a build that reads users' files.
bool crcMatches(uint32_t computed, uint32_t stored) {
#ifdef SPANSCOPE_FUZZ_SKIP_CRC
  (void)computed, (void)stored;
  return true;
#else
  return computed == stored;
#endif
}

std::string hexByte(unsigned char b) {
  static const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// What a compact tag says (binary_format.h); `special` marks thread switches, generic records and
// reserved tags.
struct Compact {
  uint8_t kind = 0, noscan = 1, len = 1, tw = 0, iw = 0, sw = 0, special = 1;
};

constexpr std::array<Compact, 256> makeCompactTable() {
  std::array<Compact, 256> t{};
  for (unsigned tag = 0; tag < kCompactEnd; ++tag) {
    Compact c;
    c.special = 0;
    if (tag < kFreeBase) {
      c.noscan = (tag >> 6) & 1, c.tw = (tag >> 4) & 3, c.iw = (tag >> 2) & 3, c.sw = tag & 3;
    } else if (tag < kGcBase) {
      c.kind = 1, c.tw = (tag >> 2) & 3, c.iw = tag & 3;
    } else {
      c.kind = tag < kReadMemStatsBase ? 2 : 3, c.tw = tag & 3;
    }
    c.len = static_cast<uint8_t>(1 + c.tw + c.iw + c.sw);
    t[tag] = c;
  }
  return t;
}
constexpr std::array<Compact, 256> kCompact = makeCompactTable();

// The footer as stored: counts plus the thread table, parsed from bytes whose CRC matched.
struct Footer {
  Counts counts;
  std::vector<uint32_t> threads;
};

Counts parseFooterCounts(const unsigned char* p) {
  Counts c;
  uint64_t* fields[kFooterFields] = {&c.events, &c.allocs, &c.frees, &c.gcs, &c.readMemStats, &c.annotations,
                                     &c.blocks, &c.threads, &c.idBound, &c.minTime, &c.maxTime};
  for (size_t i = 0; i < kFooterFields; ++i) *fields[i] = getU64(p + 8 * i);
  return c;
}

class BinaryStream final : public EventStream {
 public:
  explicit BinaryStream(std::unique_ptr<ByteSource> src) : src_(std::move(src)) {
    readHeader();
    readFooterUpFront();
  }
  ~BinaryStream() override {
    if (dctx_) ZSTD_freeDCtx(dctx_);
  }

  size_t read(sim::Event* out, size_t max) override {
    size_t n = 0;
    while (n < max) {
      if (left_ == 0 && !nextBlock()) break;
      const size_t k = static_cast<size_t>(std::min<uint64_t>(max - n, left_));
      decode(out + n, k);
      n += k;
      left_ -= k;
      if (left_ == 0 && p_ != end_)
        blockFail("block length mismatch: its " + std::to_string(blockEvents_) + " events end at byte " +
                  std::to_string(p_ - raw_.data()) + " of its " + std::to_string(end_ - raw_.data()) + " bytes");
    }
    return n;
  }

  const TraceMeta& meta() const override { return meta_; }
  const std::vector<std::string>& annotations() const { return annotations_; }
  const std::vector<uint32_t>& threads() const { return threads_; }
  const std::string& path() const { return src_->path(); }
  bool ended() const { return ended_; }

  // Random access (BinaryTraceFile): record every block's entry while reading in order...
  void recordBlocks(std::vector<BinaryTraceFile::Block>* index) { index_ = index; }
  // ... then read from block `b` of a complete index on (up to the footer, not checked again).
  void jumpTo(size_t b, const BinaryTraceFile::Block& blk, const std::vector<uint32_t>& allThreads) {
    if (!src_->seekTo(blk.offset)) failAt(blk.offset, "cannot seek to block " + std::to_string(b));
    random_ = true;
    ended_ = false;
    threads_.assign(allThreads.begin(), allThreads.begin() + blk.threadsBefore);
    threadSet_.clear();
    threadSet_.insert(threads_.begin(), threads_.end());
    annotationNext_ = blk.annotationsBefore;
    seen_ = Counts{};
    seen_.events = blk.firstEvent;
    seen_.blocks = b;
    left_ = 0;
  }

  const std::string* annotation(uint64_t id) const override {
    return id < annotations_.size() ? &annotations_[id] : nullptr;
  }
  ImportSummary summary() const override {
    ImportSummary s;
    s.format = std::string("spanscope binary v1") + (headerFlags_ & kHeaderZstd ? " (zstd blocks)" : "");
    s.events = seen_.events;
    s.allocs = seen_.allocs;
    s.frees = seen_.frees;
    s.gcs = seen_.gcs;
    s.threads = threads_.size();
    s.liveObjects = seen_.allocs >= seen_.frees ? seen_.allocs - seen_.frees : 0;
    s.notes.push_back("live and peak bytes are not tracked while reading a binary trace (spanscope-cli info computes them)");
    return s;
  }
  std::optional<uint64_t> eventCount() const override {
    if (upFront_) return upFront_->counts.events;
    if (ended_) return seen_.events;
    return std::nullopt;
  }
  uint64_t bytesRead() const override { return src_->compressedRead(); }
  uint64_t bytesTotal() const override { return src_->fileSize(); }

 private:
  [[noreturn]] void failAt(uint64_t offset, const std::string& what) const {
    throw TraceError(src_->path() + ": byte " + std::to_string(offset) + ": " + what);
  }
  [[noreturn]] void blockFail(const std::string& what) const {
    failAt(blockStart_, "block " + std::to_string(seen_.blocks - 1) + ": " + what);
  }

  // Reads exactly n bytes or fails naming what was cut off.
  void readExact(void* buf, size_t n, const char* what) {
    size_t got = 0;
    while (got < n) {
      const size_t r = src_->read(static_cast<char*>(buf) + got, n - got);
      if (r == 0) {
        failAt(src_->offset(), std::string("truncated: the file ends inside ") + what + " (" + std::to_string(n - got) +
                                   " of " + std::to_string(n) + " bytes missing)");
      }
      got += r;
    }
  }

  void readHeader() {
    unsigned char h[kHeaderFixed];
    readExact(h, sizeof h, "the file header");
    if (std::memcmp(h, kMagic, sizeof kMagic) != 0) failAt(0, "not a spanscope binary trace (bad magic bytes)");
    const uint16_t version = getU16(h + 8);
    if (version != kVersion)
      failAt(8, "unsupported binary trace version " + std::to_string(version) + " (this build reads version " +
                    kSupportedVersions + ")");
    headerFlags_ = getU16(h + 10);
    if (headerFlags_ & ~kHeaderZstd) failAt(10, "unknown header flags " + std::to_string(headerFlags_) + " (corrupt file?)");
    const uint32_t metaLen = getU32(h + 12);
    if (metaLen > kMaxMetaBytes)
      failAt(12, "meta length " + std::to_string(metaLen) + " is absurd (at most " + std::to_string(kMaxMetaBytes) + ")");
    std::vector<unsigned char> rest(metaLen + 4);
    readExact(rest.data(), rest.size(), "the trace meta");
    const uint32_t crc = crcOf(crcOf(0, h, sizeof h), rest.data(), metaLen);
    if (!crcMatches(crc, getU32(rest.data() + metaLen))) failAt(kHeaderFixed + metaLen, "header checksum mismatch (corrupt file)");
    const std::string metaText(reinterpret_cast<const char*>(rest.data()), metaLen);
    std::string err;
    std::optional<Trace> t = parseJsonTrace(metaText, src_->path() + ": byte " + std::to_string(kHeaderFixed) + ": meta", &err);
    if (!t) throw TraceError(err);
    if (!t->events.empty()) failAt(kHeaderFixed, "meta: the meta document must have no events");
    meta_ = std::move(t->meta);
    headerEnd_ = kHeaderFixed + metaLen + 4;
  }

  // On a plain regular file, the trailer at the end locates the footer, so eventCount() is known
  // before the events are read (and a truncated file fails here, before any event).
  void readFooterUpFront() {
    if (src_->compression() != Compression::None || src_->fileSize() == 0 || src_->path() == "-") return;
    const uint64_t size = src_->fileSize();
    std::FILE* f = std::fopen(src_->path().c_str(), "rb");
    if (!f) return; // the streaming pass still validates everything
    struct Closer {
      std::FILE* f;
      ~Closer() { std::fclose(f); }
    } closer{f};
    auto readAt = [&](uint64_t off, unsigned char* buf, size_t n) {
      return fseeko(f, static_cast<off_t>(off), SEEK_SET) == 0 && std::fread(buf, 1, n, f) == n;
    };
    const uint64_t minFooter = kFooterFixed + 4;
    if (size < headerEnd_ + minFooter + kTrailerBytes)
      failAt(size, "truncated: the file ends before a footer and trailer (an unfinished trace?)");
    unsigned char tr[kTrailerBytes];
    const uint64_t trailerAt = size - kTrailerBytes;
    if (!readAt(trailerAt, tr, sizeof tr)) failAt(trailerAt, "cannot read the trailer");
    if (std::memcmp(tr + 8, kTrailerMagic, sizeof kTrailerMagic) != 0)
      failAt(trailerAt, "no trailer at the end of the file (truncated or unfinished trace)");
    const uint64_t footerAt = getU64(tr);
    if (footerAt < headerEnd_ || footerAt > trailerAt - minFooter)
      failAt(trailerAt, "trailer points to byte " + std::to_string(footerAt) + ", outside the file's records");
    const uint64_t footerLen = trailerAt - footerAt;
    if (footerLen > kMaxBlockBytes) failAt(footerAt, "footer of " + std::to_string(footerLen) + " bytes is absurd");
    std::vector<unsigned char> ft(footerLen);
    if (!readAt(footerAt, ft.data(), ft.size())) failAt(footerAt, "cannot read the footer");
    upFront_ = parseFooter(ft.data(), ft.size(), footerAt);
  }

  Footer parseFooter(const unsigned char* p, size_t n, uint64_t at) const {
    if (p[0] != kFooterTag) failAt(at, "expected the footer (tag 'F'), found " + hexByte(p[0]));
    Footer f;
    f.counts = parseFooterCounts(p + 1);
    if (f.counts.threads != (n - kFooterFixed - 4) / 4 || (n - kFooterFixed - 4) % 4 != 0)
      failAt(at, "footer lists " + std::to_string(f.counts.threads) + " threads but has room for " +
                     std::to_string((n - kFooterFixed - 4) / 4));
    if (!crcMatches(crcOf(0, p, n - 4), getU32(p + n - 4))) failAt(at, "footer checksum mismatch (corrupt file)");
    for (uint64_t i = 0; i < f.counts.threads; ++i) f.threads.push_back(getU32(p + kFooterFixed + 4 * i));
    return f;
  }

  // Loads the next block; false (after checking footer and trailer) at the end.
  bool nextBlock() {
    if (ended_) return false;
    blockStart_ = src_->offset();
    unsigned char tag;
    if (src_->read(&tag, 1) == 0)
      failAt(blockStart_, "truncated: the file ends without a footer (an unfinished trace?)");
    if (tag == kFooterTag) {
      if (random_) ended_ = true; // the first pass checked the footer
      else readFooter();
      return false;
    }
    if (tag != kBlockTag) failAt(blockStart_, "expected a block ('B') or the footer ('F'), found " + hexByte(tag));
    unsigned char h[kBlockHeader];
    h[0] = tag;
    readExact(h + 1, kBlockHeader - 1, "a block header");
    if (index_) index_->push_back({blockStart_, seen_.events, annotations_.size(), static_cast<uint32_t>(threads_.size())});
    ++seen_.blocks;
    const uint8_t flags = h[1];
    const uint32_t count = getU32(h + 2), rawLen = getU32(h + 6), storedLen = getU32(h + 10);
    if (flags & ~kBlockZstd) blockFail("unknown block flags " + hexByte(flags) + " (corrupt file?)");
    if (rawLen == 0 || rawLen > kMaxBlockBytes)
      blockFail("raw length " + std::to_string(rawLen) + " is absurd (1.." + std::to_string(kMaxBlockBytes) + ")");
    if (storedLen == 0 || storedLen > kMaxBlockBytes)
      blockFail("stored length " + std::to_string(storedLen) + " is absurd (1.." + std::to_string(kMaxBlockBytes) + ")");
    if (!(flags & kBlockZstd) && storedLen != rawLen)
      blockFail("uncompressed block with stored length " + std::to_string(storedLen) + " != raw length " + std::to_string(rawLen));
    if (count == 0 || count > rawLen)
      blockFail("event count " + std::to_string(count) + " does not fit its " + std::to_string(rawLen) + " bytes");
    raw_.resize(rawLen + kPadding);
    // The CRC covers the stored bytes, so corruption is caught before zstd sees them.
    unsigned char* stored = raw_.data();
    if (flags & kBlockZstd) {
      stored_.resize(storedLen);
      stored = stored_.data();
    }
    readExact(stored, storedLen, "a block's payload");
    if (!crcMatches(crcOf(crcOf(0, h, kBlockHeader - 4), stored, storedLen), getU32(h + 14)))
      blockFail("block checksum mismatch (corrupt file)");
    if (flags & kBlockZstd) {
      if (!dctx_ && !(dctx_ = ZSTD_createDCtx())) blockFail("out of memory (zstd)");
      const size_t r = ZSTD_decompressDCtx(dctx_, raw_.data(), rawLen, stored_.data(), storedLen);
      if (ZSTD_isError(r)) blockFail(std::string("corrupt zstd payload: ") + ZSTD_getErrorName(r));
      if (r != rawLen) blockFail("zstd payload holds " + std::to_string(r) + " bytes, the header says " + std::to_string(rawLen));
    }
    std::memset(raw_.data() + rawLen, 0, kPadding);
    if (raw_[0] != kThreadSwitch) blockFail("the block does not start with a thread switch");
    p_ = raw_.data();
    end_ = raw_.data() + rawLen;
    left_ = blockEvents_ = count;
    prevId_ = prevTime_ = 0;
    return true;
  }

  // The hot loop: k events of the current block into out. Compact records (nearly all) are
  // decoded without branches on their content; state lives in locals.
  void decode(sim::Event* out, size_t k) {
    const unsigned char* p = p_;
    uint64_t prevId = prevId_, prevTime = prevTime_;
    uint32_t thread = thread_;
    uint64_t nKind[16] = {};
    uint64_t idBound = seen_.idBound, minTime = seen_.minTime, maxTime = seen_.maxTime;
    for (size_t i = 0; i < k;) {
      const uint8_t tag = *p;
      const Compact& c = kCompact[tag];
      sim::Event ev;
      if (c.special) [[unlikely]] {
        bool bad = false;
        ++p;
        if (tag == kThreadSwitch) {
          thread = switchThread(p, bad, i);
          if (bad || p > end_) eventFail(i, bad ? "varint longer than 64 bits" : "thread switch runs past the end of its block");
          continue;
        }
        if (tag != kGeneric) eventFail(i, "unknown record tag " + hexByte(tag));
        ev = generic(p, prevId, prevTime, bad, i);
        if (bad) eventFail(i, "varint longer than 64 bits");
      } else {
        const uint64_t tv = getNarrow(p + 1, c.tw);
        const uint64_t iv = getNarrow(p + 1 + c.tw, c.iw);
        const uint64_t sv = getNarrow(p + 1 + c.tw + c.iw, c.sw);
        p += c.len;
        prevTime += unzigzag(tv); // tv is 0 without a time
        prevId += unzigzag(iv);   // iv is 0 for GC and ReadMemStats
        ev = sim::Event{static_cast<sim::EventKind>(c.kind), c.noscan != 0, 0, c.kind <= 1 ? prevId : 0, sv,
                        c.tw ? prevTime : sim::kNoTime};
      }
      if (p > end_) eventFail(i, "event runs past the end of its block");
      ev.thread = thread;
      out[i] = ev;
      ++nKind[static_cast<uint8_t>(ev.kind)];
      const bool obj = ev.kind <= sim::EventKind::Free;
      idBound = std::max(idBound, obj ? ev.id + 1 : 0);
      minTime = std::min(minTime, ev.time);
      maxTime = std::max(maxTime, ev.time != sim::kNoTime ? ev.time : 0);
      ++i;
    }
    p_ = p;
    prevId_ = prevId;
    prevTime_ = prevTime;
    thread_ = thread;
    seen_.events += k;
    seen_.allocs += nKind[0];
    seen_.frees += nKind[1];
    seen_.gcs += nKind[2];
    seen_.readMemStats += nKind[3];
    seen_.annotations += nKind[4];
    seen_.idBound = idBound;
    seen_.minTime = minTime;
    seen_.maxTime = maxTime;
  }

  // A generic record after its tag: flags byte, then LEB128 fields.
  sim::Event generic(const unsigned char*& p, uint64_t& prevId, uint64_t& prevTime, bool& bad, size_t i) {
    const uint8_t flags = *p++;
    const uint8_t kind = static_cast<uint8_t>((flags & kKindMask) | ((flags & kKindHigh) ? 8 : 0));
    if (kind >= sim::kEventKindCount) eventFail(i, "unknown event kind " + std::to_string(kind));
    sim::Event ev{static_cast<sim::EventKind>(kind), (flags & kNoscan) != 0, 0, 0, 0, sim::kNoTime};
    if (flags & kHasTime) ev.time = prevTime += unzigzag(getVarint(p, bad));
    if (flags & kHasId) {
      if (ev.kind == sim::EventKind::Annotate) eventFail(i, "an annotation carries an id (its id is its position)");
      ev.id = prevId += unzigzag(getVarint(p, bad));
    }
    if (flags & kHasSize) ev.size = getVarint(p, bad);
    if (ev.kind == sim::EventKind::Annotate) {
      ev.id = random_ ? annotationNext_++ : annotations_.size();
      readText(p, bad, i);
    }
    return ev;
  }

  uint32_t switchThread(const unsigned char*& p, bool& bad, size_t i) {
    const uint64_t idx = getVarint(p, bad);
    if (idx < threads_.size()) return threads_[idx];
    return newThread(idx, getVarint(p, bad), i);
  }

  uint32_t newThread(uint64_t idx, uint64_t tid, size_t i) {
    if (idx != threads_.size())
      eventFail(i, "thread index " + std::to_string(idx) + " beyond the " + std::to_string(threads_.size()) + " threads so far");
    if (tid > 0xFFFFFFFFull) eventFail(i, "thread id " + std::to_string(tid) + " does not fit 32 bits");
    const auto t = static_cast<uint32_t>(tid);
    if (!threadSet_.insert(t).second) eventFail(i, "thread " + std::to_string(t) + " introduced twice");
    threads_.push_back(t);
    return t;
  }

  void readText(const unsigned char*& p, bool& bad, size_t i) {
    const uint64_t len = getVarint(p, bad);
    if (bad || p > end_ || len > static_cast<uint64_t>(end_ - p))
      eventFail(i, "annotation text of " + std::to_string(len) + " bytes runs past the end of its block");
    if (random_) { // kept by the first pass
      p += len;
      return;
    }
    if ((annotationBytes_ += len) > kMaxAnnotationTotal)
      eventFail(i, "annotations beyond " + std::to_string(kMaxAnnotationTotal >> 20) + " MiB in all (the limit for one trace)");
    annotations_.emplace_back(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len;
  }

  [[noreturn]] void eventFail(size_t i, const std::string& what) const {
    const uint64_t index = blockEvents_ - left_ + i;
    blockFail("event " + std::to_string(index) + " of " + std::to_string(blockEvents_) + ": " + what);
  }

  void readFooter() {
    const uint64_t at = blockStart_;
    std::vector<unsigned char> ft(kFooterFixed);
    ft[0] = kFooterTag;
    readExact(ft.data() + 1, kFooterFixed - 1, "the footer");
    const Counts stated = parseFooterCounts(ft.data() + 1);
    if (stated.threads != threads_.size())
      failAt(at, "footer says " + std::to_string(stated.threads) + " threads, the blocks introduced " +
                     std::to_string(threads_.size()));
    ft.resize(kFooterFixed + 4 * threads_.size() + 4);
    readExact(ft.data() + kFooterFixed, ft.size() - kFooterFixed, "the footer");
    const Footer f = parseFooter(ft.data(), ft.size(), at);
    seen_.threads = threads_.size();
    if (!(f.counts == seen_)) failAt(at, "footer counts do not match the blocks: " + countsDiff(f.counts, seen_));
    if (f.threads != threads_) failAt(at, "footer's thread table does not match the threads in the blocks");
    unsigned char tr[kTrailerBytes];
    readExact(tr, sizeof tr, "the trailer");
    if (std::memcmp(tr + 8, kTrailerMagic, sizeof kTrailerMagic) != 0) failAt(src_->offset() - kTrailerBytes, "bad trailer magic");
    if (getU64(tr) != at)
      failAt(src_->offset() - kTrailerBytes, "trailer points to byte " + std::to_string(getU64(tr)) +
                                                 ", the footer is at byte " + std::to_string(at));
    unsigned char extra;
    if (src_->read(&extra, 1) != 0) failAt(src_->offset() - 1, "bytes after the trailer");
    if (upFront_ && !(upFront_->counts == f.counts)) failAt(at, "the file changed while it was read");
    ended_ = true;
  }

  static std::string countsDiff(const Counts& stated, const Counts& got) {
    std::string s;
    auto cmp = [&](const char* name, uint64_t a, uint64_t b) {
      if (a != b) s += std::string(s.empty() ? "" : ", ") + name + " " + std::to_string(a) + " vs " + std::to_string(b) + " read";
    };
    cmp("events", stated.events, got.events);
    cmp("allocs", stated.allocs, got.allocs);
    cmp("frees", stated.frees, got.frees);
    cmp("gcs", stated.gcs, got.gcs);
    cmp("readmemstats", stated.readMemStats, got.readMemStats);
    cmp("annotations", stated.annotations, got.annotations);
    cmp("blocks", stated.blocks, got.blocks);
    cmp("id bound", stated.idBound, got.idBound);
    cmp("min time", stated.minTime, got.minTime);
    cmp("max time", stated.maxTime, got.maxTime);
    return s;
  }

  std::unique_ptr<ByteSource> src_;
  TraceMeta meta_;
  uint16_t headerFlags_ = 0;
  uint64_t headerEnd_ = 0;
  std::optional<Footer> upFront_;
  bool ended_ = false;

  std::vector<std::string> annotations_;
  uint64_t annotationBytes_ = 0;
  std::vector<BinaryTraceFile::Block>* index_ = nullptr;
  bool random_ = false;
  uint64_t annotationNext_ = 0; // random access: the id of the next annotation
  std::vector<uint32_t> threads_;
  std::unordered_set<uint32_t> threadSet_;
  Counts seen_;

  // The current block.
  std::vector<unsigned char> raw_, stored_;
  ZSTD_DCtx* dctx_ = nullptr;
  const unsigned char* p_ = nullptr;
  const unsigned char* end_ = nullptr;
  uint64_t left_ = 0, blockEvents_ = 0, blockStart_ = 0;
  uint64_t prevId_ = 0, prevTime_ = 0;
  uint32_t thread_ = 0;
};

} // namespace

struct BinaryTraceFile::Reader {
  explicit Reader(const std::string& path) : stream(std::make_unique<ByteSource>(path)) {}
  BinaryStream stream;
};

BinaryTraceFile::BinaryTraceFile(const std::string& path) : seq_(std::make_unique<Reader>(path)) {
  if (!isRandomAccessBinary(path)) throw TraceError(path + ": not a binary trace in a plain file (no random access)");
  seq_->stream.recordBlocks(&blocks_);
}

BinaryTraceFile::~BinaryTraceFile() = default;

const TraceMeta& BinaryTraceFile::meta() const { return seq_->stream.meta(); }
const std::vector<std::string>& BinaryTraceFile::annotations() const { return seq_->stream.annotations(); }
uint64_t BinaryTraceFile::eventCount() const { return seq_->stream.eventCount().value_or(0); }

const sim::Event* BinaryTraceFile::events(uint64_t first, size_t* n) {
  *n = 0;
  if (first >= bufFirst_ && first - bufFirst_ < buf_.size()) {
    *n = static_cast<size_t>(buf_.size() - (first - bufFirst_));
    return buf_.data() + (first - bufFirst_);
  }
  if (!indexed_) {
    // The first pass, in order; the index grows block by block as the stream reads them.
    if (first != bufFirst_ + buf_.size())
      throw TraceError(seq_->stream.path() + ": binary trace read out of order during its first pass");
    bufFirst_ = first;
    buf_.resize(size_t{1} << 16);
    buf_.resize(seq_->stream.read(buf_.data(), buf_.size()));
    indexed_ = seq_->stream.ended(); // read() reached the footer and checked it
    if (indexed_) threads_ = seq_->stream.threads();
    if (buf_.empty()) return nullptr;
    *n = buf_.size();
    return buf_.data();
  }
  if (first >= eventCount()) return nullptr;
  // Random access: the block holding `first`, decoded whole.
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), first,
                             [](uint64_t i, const Block& b) { return i < b.firstEvent; });
  const size_t b = static_cast<size_t>(it - blocks_.begin()) - 1;
  const uint64_t end = b + 1 < blocks_.size() ? blocks_[b + 1].firstEvent : eventCount();
  if (!random_) random_ = std::make_unique<Reader>(seq_->stream.path());
  random_->stream.jumpTo(b, blocks_[b], threads_);
  buf_.resize(static_cast<size_t>(end - blocks_[b].firstEvent));
  if (random_->stream.read(buf_.data(), buf_.size()) != buf_.size())
    throw TraceError(seq_->stream.path() + ": block " + std::to_string(b) + " holds fewer events than on the first read");
  bufFirst_ = blocks_[b].firstEvent;
  *n = static_cast<size_t>(end - first);
  return buf_.data() + (first - bufFirst_);
}

std::unique_ptr<BinaryTraceFile> BinaryTraceFile::reader() const {
  if (!indexed_) throw TraceError(seq_->stream.path() + ": a second reader needs the complete block index");
  std::unique_ptr<BinaryTraceFile> r(new BinaryTraceFile(seq_->stream.path()));
  r->blocks_ = blocks_;
  r->threads_ = threads_;
  r->indexed_ = true;
  return r;
}

void BinaryTraceFile::completeIndex() {
  size_t n = 0;
  while (!indexed_) {
    events(bufFirst_ + buf_.size(), &n);
    if (n == 0 && !indexed_) throw TraceError(seq_->stream.path() + ": binary trace ended before its footer");
  }
}

bool isRandomAccessBinary(const std::string& path) {
  if (path == "-") return false;
  try {
    ByteSource src(path);
    return src.compression() == Compression::None && src.fileSize() != 0 && sniffBinaryTrace(src.head());
  } catch (const TraceError&) {
    return false;
  }
}

bool sniffBinaryTrace(std::string_view head) {
  return head.size() >= sizeof kMagic && std::memcmp(head.data(), kMagic, sizeof kMagic) == 0;
}

std::unique_ptr<EventStream> openBinaryTrace(std::unique_ptr<ByteSource> src) {
  return std::make_unique<BinaryStream>(std::move(src));
}

} // namespace traces
