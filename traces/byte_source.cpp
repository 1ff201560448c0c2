// ByteSource and LineReader: see byte_source.h.
#include "traces/byte_source.h"

#include "traces/event_stream.h"

#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace traces {

const char* compressionName(Compression c) {
  switch (c) {
    case Compression::None: return "plain";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
  }
  return "?";
}

struct ByteSource::Codec {
  ZSTD_DCtx* zstd = nullptr;
  z_stream z{};
  bool zInit = false;
  size_t lastZstdRet = 0; // 0 = at a frame boundary
  ~Codec() {
    if (zstd) ZSTD_freeDCtx(zstd);
    if (zInit) inflateEnd(&z);
  }
};

ByteSource::ByteSource(const std::string& path) : path_(path), in_(1 << 17) {
  if (path == "-") {
    f_ = stdin;
  } else {
    f_ = std::fopen(path.c_str(), "rb");
    if (!f_) throw TraceError(path + ": cannot open: " + std::strerror(errno));
    ownsFile_ = true;
    struct stat st;
    if (fstat(fileno(f_), &st) == 0 && S_ISREG(st.st_mode)) fileSize_ = static_cast<uint64_t>(st.st_size);
    if (fstat(fileno(f_), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::fclose(f_);
      f_ = nullptr;
      throw TraceError(path + ": cannot open: is a directory");
    }
  }
  // Sniff the container from the first raw bytes.
  while (inLen_ < 4 && !inEof_) {
    const size_t got = readRaw(in_.data() + inLen_, 4 - inLen_);
    if (got == 0) break;
    inLen_ += got;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(in_.data());
  codec_ = std::make_unique<Codec>();
  if (inLen_ >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD) {
    comp_ = Compression::Zstd;
    codec_->zstd = ZSTD_createDCtx();
    if (!codec_->zstd) fail("out of memory (zstd)");
  } else if (inLen_ >= 2 && b[0] == 0x1F && b[1] == 0x8B) {
    comp_ = Compression::Gzip;
    if (inflateInit2(&codec_->z, 15 + 32) != Z_OK) fail("cannot start gzip decoder");
    codec_->zInit = true;
  }
}

ByteSource::~ByteSource() {
  if (ownsFile_ && f_) std::fclose(f_);
}

void ByteSource::fail(const std::string& what) const {
  throw TraceError(path_ + ": byte " + std::to_string(rawRead_) + ": " + what);
}

size_t ByteSource::readRaw(void* buf, size_t n) {
  if (inEof_ || !f_) return 0;
  const size_t got = std::fread(buf, 1, n, f_);
  if (got < n) {
    if (std::ferror(f_)) fail(std::string("read error: ") + std::strerror(errno));
    inEof_ = true;
  }
  rawRead_ += got;
  return got;
}

size_t ByteSource::readDecompressed(void* buf, size_t n) {
  if (comp_ == Compression::None) {
    size_t done = 0;
    if (inPos_ < inLen_) { // the sniffed bytes
      done = std::min(n, inLen_ - inPos_);
      std::memcpy(buf, in_.data() + inPos_, done);
      inPos_ += done;
    }
    if (done < n) done += readRaw(static_cast<char*>(buf) + done, n - done);
    return done;
  }
  size_t done = 0;
  while (done < n && !streamEnd_) {
    if (inPos_ == inLen_) {
      inPos_ = 0;
      inLen_ = readRaw(in_.data(), in_.size());
      if (inLen_ == 0) {
        const bool midFrame = comp_ == Compression::Zstd ? codec_->lastZstdRet != 0 : codec_->zInit && codec_->z.total_in != 0;
        if (midFrame) fail(std::string("truncated ") + compressionName(comp_) + " stream");
        streamEnd_ = true;
        break;
      }
    }
    if (comp_ == Compression::Zstd) {
      ZSTD_inBuffer ib{in_.data(), inLen_, inPos_};
      ZSTD_outBuffer ob{static_cast<char*>(buf) + done, n - done, 0};
      const size_t r = ZSTD_decompressStream(codec_->zstd, &ob, &ib);
      if (ZSTD_isError(r)) fail(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(r));
      codec_->lastZstdRet = r;
      inPos_ = ib.pos;
      done += ob.pos;
    } else {
      z_stream& z = codec_->z;
      z.next_in = reinterpret_cast<Bytef*>(in_.data() + inPos_);
      z.avail_in = static_cast<uInt>(inLen_ - inPos_);
      z.next_out = reinterpret_cast<Bytef*>(static_cast<char*>(buf) + done);
      z.avail_out = static_cast<uInt>(std::min<size_t>(n - done, 1u << 30));
      const uInt outBefore = z.avail_out;
      const int r = inflate(&z, Z_NO_FLUSH);
      inPos_ = inLen_ - z.avail_in;
      done += outBefore - z.avail_out;
      if (r == Z_STREAM_END) {
        inflateReset(&z); // a following gzip member continues the stream
        z.total_in = 0;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        fail(std::string("corrupt gzip stream: ") + (z.msg ? z.msg : "inflate error"));
      }
    }
  }
  return done;
}

std::string_view ByteSource::head() {
  if (!headFilled_) {
    headFilled_ = true;
    head_.resize(4096);
    size_t got = 0;
    while (got < head_.size()) {
      const size_t r = readDecompressed(head_.data() + got, head_.size() - got);
      if (r == 0) break;
      got += r;
    }
    head_.resize(got);
  }
  return std::string_view(head_).substr(headPos_);
}

bool ByteSource::seekTo(uint64_t offset) {
  if (comp_ != Compression::None || !ownsFile_ || fileSize_ == 0 || offset > fileSize_) return false;
  if (fseeko(f_, static_cast<off_t>(offset), SEEK_SET) != 0) return false;
  headFilled_ = true; // nothing sniffed or buffered is replayed after a seek
  headPos_ = head_.size();
  inPos_ = inLen_;
  inEof_ = false;
  out_ = rawRead_ = offset;
  return true;
}

size_t ByteSource::read(void* buf, size_t n) {
  size_t done = 0;
  if (headPos_ < head_.size()) {
    done = std::min(n, head_.size() - headPos_);
    std::memcpy(buf, head_.data() + headPos_, done);
    headPos_ += done;
  }
  if (done < n) done += readDecompressed(static_cast<char*>(buf) + done, n - done);
  out_ += done;
  return done;
}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= maxLine_ + 1) {
      throw TraceError(src_.path() + ": line " + std::to_string(lineNo_ + 1) + ": line longer than " +
                       std::to_string(maxLine_) + " bytes (not a text trace?)");
    }
    buf_.resize(std::min(buf_.size() * 2, maxLine_ + 1));
  }
  const size_t got = src_.read(buf_.data() + end_, buf_.size() - end_);
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const void* nl = std::memchr(buf_.data() + begin_, '\n', end_ - begin_);
    if (nl) {
      const size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      size_t len = pos - begin_;
      if (len > maxLine_) {
        throw TraceError(src_.path() + ": line " + std::to_string(lineNo_ + 1) + ": line longer than " +
                         std::to_string(maxLine_) + " bytes (not a text trace?)");
      }
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buf_.data() + begin_, len);
      begin_ = pos + 1;
      ++lineNo_;
      return true;
    }
    if (!fill()) {
      if (begin_ == end_) return false;
      size_t len = end_ - begin_;
      if (buf_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buf_.data() + begin_, len);
      begin_ = end_;
      ++lineNo_;
      return true;
    }
  }
}

std::string LineReader::where() const { return src_.path() + ": line " + std::to_string(lineNo_) + ": "; }

} // namespace traces
