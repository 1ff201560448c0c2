// Input bytes for every trace reader: a file or standard input ("-"), plain, gzip or zstd,
// recognised by magic bytes (never by extension). LineReader splits it into lines for the text
// formats, with a bound on line length so garbage cannot make us allocate without limit.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace traces {

enum class Compression : uint8_t { None, Gzip, Zstd };
const char* compressionName(Compression c);

class ByteSource {
 public:
  // Opens `path` ("-" = stdin). Throws TraceError("<path>: cannot open: <why>").
  explicit ByteSource(const std::string& path);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to n decompressed bytes; returns 0 at the end. Throws TraceError naming the
  // compressed byte offset on a corrupt or truncated stream.
  size_t read(void* buf, size_t n);
  // The first decompressed bytes (up to 4 KiB), without consuming them; for content sniffing.
  std::string_view head();
  // Continues reading at decompressed byte `offset`; only an uncompressed regular file can
  // (returns false otherwise, or if the seek fails). For random access to a binary trace's blocks.
  bool seekTo(uint64_t offset);

  const std::string& path() const { return path_; }
  Compression compression() const { return comp_; }
  uint64_t offset() const { return out_; }            // decompressed bytes handed out so far
  uint64_t compressedRead() const { return rawRead_; } // file bytes consumed (progress)
  uint64_t fileSize() const { return fileSize_; }      // 0 if unknown (pipe)

 private:
  size_t readRaw(void* buf, size_t n);
  size_t readDecompressed(void* buf, size_t n);
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  std::FILE* f_ = nullptr;
  bool ownsFile_ = false;
  Compression comp_ = Compression::None;
  uint64_t fileSize_ = 0, rawRead_ = 0, out_ = 0;
  std::vector<char> in_;      // compressed input buffer
  size_t inPos_ = 0, inLen_ = 0;
  bool inEof_ = false, streamEnd_ = false;
  std::string head_;          // sniffed prefix, replayed before further reads
  size_t headPos_ = 0;
  bool headFilled_ = false;
  struct Codec;
  std::unique_ptr<Codec> codec_;
};

class LineReader {
 public:
  explicit LineReader(ByteSource& src, size_t maxLine = 1 << 20) : src_(src), maxLine_(maxLine), buf_(1 << 16) {}
  // The next line without its '\n' (and without a trailing '\r'); false at the end. A last line
  // without '\n' is returned too. Throws TraceError("<path>: line N: line longer than ...").
  bool next(std::string_view& line);
  uint64_t lineNumber() const { return lineNo_; } // of the line last returned, 1-based
  // "<path>: line N: " for messages.
  std::string where() const;

 private:
  bool fill();
  ByteSource& src_;
  size_t maxLine_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t lineNo_ = 0;
};

} // namespace traces
