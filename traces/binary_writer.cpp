// BinaryTraceWriter: encodes events into blocks (varint/delta, optional zstd) and writes the
// footer and trailer at finish(). Layout: docs/binary-trace-format.md; API: binary_trace.h.
#include "traces/binary_format.h"
#include "traces/binary_trace.h"
#include "traces/json_trace.h"
#include "traces/output_file.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace traces {

using namespace binfmt;

struct BinaryTraceWriter::Impl {
  std::string path, tmp; // tmp empty when writing to stdout
  std::FILE* f = nullptr;
  BinaryWriterOptions opt;
  ZSTD_CCtx* cctx = nullptr;
  uint64_t fileOffset = 0;
  bool finished = false;

  std::vector<unsigned char> raw; // the current block's encoded events
  size_t used = 0;
  uint32_t blockEvents = 0;
  std::vector<unsigned char> stored;
  // Delta state; reset at every block so each block decodes on its own.
  uint64_t prevId = 0, prevTime = 0;
  uint32_t prevThread = 0;
  bool threadKnown = false;

  std::unordered_map<uint32_t, uint64_t> threadIndex;
  std::vector<uint32_t> threads;
  Counts counts;

  ~Impl() {
    if (cctx) ZSTD_freeCCtx(cctx);
    if (f && f != stdout) std::fclose(f);
    if (!finished && !tmp.empty()) std::remove(tmp.c_str());
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw TraceError(path + ": " + why);
  }

  void put(const void* data, size_t n) {
    if (n && std::fwrite(data, 1, n, f) != n) fail(std::string("write error: ") + std::strerror(errno));
    fileOffset += n;
  }

  // Room for one more event of up to `extra` bytes of text.
  unsigned char* reserve(size_t extra) {
    const size_t need = used + kMaxEventBytes + extra;
    if (raw.size() < need) raw.resize(std::max(need, raw.size() * 2));
    return raw.data() + used;
  }

  void encode(const sim::Event& ev, const std::string* text) {
    unsigned char* p = reserve(text ? text->size() : 0);
    if (!threadKnown || ev.thread != prevThread) p = threadSwitch(p, ev.thread);
    const bool hasTime = ev.time != sim::kNoTime;
    const uint64_t dt = hasTime ? zigzag(ev.time - prevTime) : 0;
    const uint64_t di = zigzag(ev.id - prevId);
    const unsigned tw = hasTime ? std::max(1u, compactWidth(dt)) : 0; // width 0 means "no time"
    const unsigned iw = compactWidth(di), sw = compactWidth(ev.size);
    const bool fits = tw <= kMaxCompactWidth && iw <= kMaxCompactWidth && sw <= kMaxCompactWidth;
    int tag = -1;
    if (fits && !text) {
      switch (ev.kind) {
        case sim::EventKind::Alloc: tag = (ev.noscan ? 0x40 : 0) | tw << 4 | iw << 2 | sw; break;
        case sim::EventKind::Free:
          if (ev.noscan && ev.size == 0) tag = kFreeBase | tw << 2 | iw;
          break;
        case sim::EventKind::GC:
        case sim::EventKind::ReadMemStats:
          if (ev.noscan && ev.size == 0 && ev.id == 0) tag = (ev.kind == sim::EventKind::GC ? kGcBase : kReadMemStatsBase) | tw;
          break;
        case sim::EventKind::Annotate:
        case sim::EventKind::FreeOSMemory:
        case sim::EventKind::GoStart:
        case sim::EventKind::StackGrow:
        case sim::EventKind::GoExit: break; // generic records
      }
    }
    if (tag >= 0) {
      *p++ = static_cast<unsigned char>(tag);
      p = putNarrow(p, dt, tw);
      if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free) {
        p = putNarrow(p, di, iw);
        prevId = ev.id;
      }
      p = putNarrow(p, ev.size, sw);
    } else {
      p = generic(p, ev, text, dt, di);
    }
    if (hasTime) {
      prevTime = ev.time;
      counts.minTime = std::min(counts.minTime, ev.time);
      counts.maxTime = std::max(counts.maxTime, ev.time);
    }
    used = static_cast<size_t>(p - raw.data());
    ++blockEvents;
    count(ev);
    if (used >= opt.blockBytes) flushBlock();
  }

  static unsigned char* putNarrow(unsigned char* p, uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) *p++ = static_cast<unsigned char>(v >> (8 * i));
    return p;
  }

  unsigned char* threadSwitch(unsigned char* p, uint32_t thread) {
    *p++ = kThreadSwitch;
    auto [it, fresh] = threadIndex.try_emplace(thread, threads.size());
    p = putVarint(p, it->second);
    if (fresh) {
      threads.push_back(thread);
      p = putVarint(p, thread);
    }
    prevThread = thread;
    threadKnown = true;
    return p;
  }

  // The record for events no compact tag describes: wide deltas, annotations, odd field values.
  unsigned char* generic(unsigned char* p, const sim::Event& ev, const std::string* text, uint64_t dt, uint64_t di) {
    *p++ = kGeneric;
    unsigned char* const flagsAt = p++;
    const auto kind = static_cast<uint8_t>(ev.kind);
    uint8_t flags = static_cast<uint8_t>((kind & kKindMask) | (kind & 8 ? kKindHigh : 0) | (ev.noscan ? kNoscan : 0));
    if (ev.time != sim::kNoTime) {
      flags |= kHasTime;
      p = putVarint(p, dt);
    }
    if (ev.id != 0 && !text) { // an annotation's id is its position
      flags |= kHasId;
      p = putVarint(p, di);
      prevId = ev.id;
    }
    if (ev.size != 0) {
      flags |= kHasSize;
      p = putVarint(p, ev.size);
    }
    if (text) {
      p = putVarint(p, text->size());
      std::memcpy(p, text->data(), text->size());
      p += text->size();
    }
    *flagsAt = flags;
    return p;
  }

  void count(const sim::Event& ev) {
    ++counts.events;
    switch (ev.kind) {
      case sim::EventKind::Alloc: ++counts.allocs; break;
      case sim::EventKind::Free: ++counts.frees; break;
      case sim::EventKind::GC: ++counts.gcs; break;
      case sim::EventKind::ReadMemStats: ++counts.readMemStats; break;
      case sim::EventKind::Annotate: ++counts.annotations; break;
      case sim::EventKind::FreeOSMemory:
      case sim::EventKind::GoStart:
      case sim::EventKind::StackGrow:
      case sim::EventKind::GoExit: break; // counted in events only (the footer has no field for them)
    }
    if (ev.kind == sim::EventKind::Alloc || ev.kind == sim::EventKind::Free)
      counts.idBound = std::max(counts.idBound, ev.id + 1);
  }

  void flushBlock() {
    if (blockEvents == 0) return;
    const uint32_t rawLen = static_cast<uint32_t>(used);
    const unsigned char* payload = raw.data();
    uint32_t storedLen = rawLen;
    uint8_t flags = 0;
    if (opt.zstd) {
      stored.resize(ZSTD_compressBound(used));
      const size_t z = ZSTD_compressCCtx(cctx, stored.data(), stored.size(), raw.data(), used, opt.zstdLevel);
      if (ZSTD_isError(z)) fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(z));
      if (z < used) { // keep a block raw when zstd does not make it smaller
        payload = stored.data();
        storedLen = static_cast<uint32_t>(z);
        flags = kBlockZstd;
      }
    }
    std::string head;
    head += static_cast<char>(kBlockTag);
    head += static_cast<char>(flags);
    putU32(head, blockEvents);
    putU32(head, rawLen);
    putU32(head, storedLen);
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size()));
    crc = crc32(crc, payload, storedLen);
    putU32(head, static_cast<uint32_t>(crc));
    put(head.data(), head.size());
    put(payload, storedLen);
    ++counts.blocks;
    used = 0;
    blockEvents = 0;
    prevId = prevTime = 0;
    threadKnown = false;
  }

  void writeHeader(const TraceMeta& meta) {
    Trace withMeta;
    withMeta.meta = meta;
    const std::string metaText = traceToJson(withMeta);
    if (metaText.size() > kMaxMetaBytes) fail("trace meta larger than 16 MiB");
    std::string h(kMagic, sizeof kMagic);
    putU16(h, kVersion);
    putU16(h, opt.zstd ? kHeaderZstd : 0);
    putU32(h, static_cast<uint32_t>(metaText.size()));
    h += metaText;
    putU32(h, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(h.data()), static_cast<uInt>(h.size()))));
    put(h.data(), h.size());
  }

  void writeFooter() {
    counts.threads = threads.size();
    const uint64_t footerOffset = fileOffset;
    std::string ft;
    ft += static_cast<char>(kFooterTag);
    for (uint64_t v : {counts.events, counts.allocs, counts.frees, counts.gcs, counts.readMemStats, counts.annotations,
                       counts.blocks, counts.threads, counts.idBound, counts.minTime, counts.maxTime})
      putU64(ft, v);
    for (uint32_t t : threads) putU32(ft, t);
    putU32(ft, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(ft.data()), static_cast<uInt>(ft.size()))));
    putU64(ft, footerOffset);
    ft.append(kTrailerMagic, sizeof kTrailerMagic);
    put(ft.data(), ft.size());
  }
};

BinaryTraceWriter::BinaryTraceWriter(const std::string& path, const TraceMeta& meta, BinaryWriterOptions opt)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  w.path = path;
  w.opt = opt;
  if (w.opt.blockBytes == 0 || w.opt.blockBytes > kMaxBlockBytes / 2) // + one event stays below the reader's bound
    throw std::invalid_argument("BinaryWriterOptions::blockBytes must be 1.." + std::to_string(kMaxBlockBytes / 2));
  if (path == "-") {
    w.f = stdout;
  } else {
    if (std::string why; !checkOutputFile(path, &why)) throw TraceError(why);
    w.tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
    w.f = std::fopen(w.tmp.c_str(), "wb");
    if (!w.f) w.fail("cannot create " + w.tmp + ": " + std::strerror(errno));
  }
  if (w.opt.zstd) {
    w.cctx = ZSTD_createCCtx();
    if (!w.cctx) w.fail("out of memory (zstd)");
  }
  w.raw.resize(w.opt.blockBytes + kMaxEventBytes);
  w.writeHeader(meta);
}

BinaryTraceWriter::~BinaryTraceWriter() = default;

void BinaryTraceWriter::write(const sim::Event& ev) {
  if (ev.kind == sim::EventKind::Annotate)
    throw std::invalid_argument("BinaryTraceWriter::write: Annotate events go through annotate()");
  if (static_cast<uint8_t>(ev.kind) >= sim::kEventKindCount)
    throw std::invalid_argument("BinaryTraceWriter::write: unknown event kind");
  if (impl_->finished) throw std::logic_error("BinaryTraceWriter::write after finish()");
  impl_->encode(ev, nullptr);
}

void BinaryTraceWriter::annotate(const std::string& text, uint32_t thread, uint64_t time) {
  if (impl_->finished) throw std::logic_error("BinaryTraceWriter::annotate after finish()");
  if (text.size() > kMaxAnnotationBytes) impl_->fail("annotation text longer than 16 MiB");
  sim::Event ev{sim::EventKind::Annotate, true, thread, impl_->counts.annotations, 0, time};
  impl_->encode(ev, &text);
}

void BinaryTraceWriter::writeAll(EventStream& src) {
  std::vector<sim::Event> batch(4096);
  while (size_t n = src.read(batch.data(), batch.size())) {
    for (size_t i = 0; i < n; ++i) {
      const sim::Event& ev = batch[i];
      if (ev.kind == sim::EventKind::Annotate) {
        const std::string* text = src.annotation(ev.id);
        annotate(text ? *text : std::string(), ev.thread, ev.time);
      } else {
        write(ev);
      }
    }
  }
}

void BinaryTraceWriter::finish() {
  Impl& w = *impl_;
  if (w.finished) return;
  w.flushBlock();
  w.writeFooter();
  if (std::fflush(w.f) != 0) w.fail(std::string("write error: ") + std::strerror(errno));
  if (w.f != stdout) {
    const int rc = std::fclose(w.f);
    w.f = nullptr;
    if (rc != 0) w.fail(std::string("write error: ") + std::strerror(errno));
    if (std::rename(w.tmp.c_str(), w.path.c_str()) != 0) w.fail("cannot rename " + w.tmp + ": " + std::strerror(errno));
  }
  w.finished = true;
}

uint64_t BinaryTraceWriter::eventsWritten() const { return impl_->counts.events; }

} // namespace traces
