// Recorder raw-log reader: see raw_log.h.
#include "traces/recorder/raw_log.h"

#include "traces/event_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace traces {

namespace {

constexpr uint64_t kHeaderBytes = sizeof(spanscope_raw_header);
constexpr uint64_t kRecordBytes = sizeof(spanscope_raw_record);
constexpr size_t kRunBuffer = 32;    // records buffered per run while merging (1.5 KiB)
constexpr size_t kIndexChunk = 4096; // records per read while indexing

static_assert(kHeaderBytes == 64 && kRecordBytes == 48, "the raw log layout is fixed");

} // namespace

RawLogReader::RawLogReader(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw TraceError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(0, std::string("cannot stat: ") + std::strerror(errno));
  fileSize_ = static_cast<uint64_t>(st.st_size);
  if (fileSize_ < kHeaderBytes) fail(0, "too short for a raw log header (" + std::to_string(fileSize_) + " bytes)");
  if (::pread(fd_, &header_, kHeaderBytes, 0) != static_cast<ssize_t>(kHeaderBytes)) fail(0, "cannot read the header");
  if (std::memcmp(header_.magic, SPANSCOPE_RAW_MAGIC, sizeof header_.magic) != 0)
    fail(0, "not a spanscope recorder log (bad magic)");
  if (header_.version != SPANSCOPE_RAW_VERSION)
    fail(8, "raw log version " + std::to_string(header_.version) + ", this build reads version " +
                std::to_string(SPANSCOPE_RAW_VERSION));
  if (header_.record_size != kRecordBytes)
    fail(12, "record size " + std::to_string(header_.record_size) + ", expected " + std::to_string(kRecordBytes));
  records_ = (fileSize_ - kHeaderBytes) / kRecordBytes;
  truncated_ = (fileSize_ - kHeaderBytes) % kRecordBytes != 0;
  indexRuns();
}

RawLogReader::~RawLogReader() {
  if (fd_ >= 0) ::close(fd_);
}

void RawLogReader::fail(uint64_t byte, const std::string& what) const {
  throw TraceError(path_ + ": byte " + std::to_string(byte) + ": " + what);
}

void RawLogReader::readRecords(uint64_t first, size_t n, spanscope_raw_record* out) const {
  const uint64_t offset = kHeaderBytes + first * kRecordBytes;
  const size_t bytes = n * kRecordBytes;
  size_t done = 0;
  while (done < bytes) {
    const ssize_t got = ::pread(fd_, reinterpret_cast<char*>(out) + done, bytes - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail(offset + done, got < 0 ? std::string("read error: ") + std::strerror(errno) : "file shrank while reading");
    done += static_cast<size_t>(got);
  }
}

// One sequential pass: checks every record and splits the file into maximal ascending runs.
void RawLogReader::indexRuns() {
  std::vector<spanscope_raw_record> chunk(kIndexChunk);
  uint64_t runStart = 0, prevSeq = 0;
  for (uint64_t i = 0; i < records_; i += kIndexChunk) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kIndexChunk, records_ - i));
    readRecords(i, n, chunk.data());
    for (size_t k = 0; k < n; ++k) {
      const spanscope_raw_record& r = chunk[k];
      const uint64_t index = i + k;
      if (r.op < SPANSCOPE_OP_MALLOC || r.op > SPANSCOPE_OP_LAST)
        fail(kHeaderBytes + index * kRecordBytes, "unknown operation " + std::to_string(r.op));
      if (index > runStart && r.seq <= prevSeq) {
        runs_.push_back(Run{runStart, index, {}, 0});
        runStart = index;
      }
      prevSeq = r.seq;
    }
  }
  if (records_ > runStart) runs_.push_back(Run{runStart, records_, {}, 0});
  for (size_t i = 0; i < runs_.size(); ++i) {
    refill(runs_[i]);
    heap_.emplace(runs_[i].buf[0].seq, i);
  }
}

bool RawLogReader::refill(Run& r) {
  if (r.next == r.end) {
    std::vector<spanscope_raw_record>().swap(r.buf); // a finished run keeps no memory
    return false;
  }
  const size_t n = static_cast<size_t>(std::min<uint64_t>(kRunBuffer, r.end - r.next));
  r.buf.resize(n);
  readRecords(r.next, n, r.buf.data());
  r.next += n;
  r.pos = 0;
  return true;
}

bool RawLogReader::next(spanscope_raw_record& out) {
  if (heap_.empty()) return false;
  const size_t i = heap_.top().second;
  heap_.pop();
  Run& r = runs_[i];
  out = r.buf[r.pos++];
  if (anyOut_ && out.seq == lastSeq_)
    fail(kHeaderBytes + (r.next - r.buf.size() + r.pos - 1) * kRecordBytes,
         "sequence number " + std::to_string(out.seq) + " appears twice (a buffer was written twice)");
  anyOut_ = true;
  lastSeq_ = out.seq;
  ++read_;
  if (r.pos < r.buf.size() || refill(r)) heap_.emplace(r.buf[r.pos].seq, i);
  return true;
}

} // namespace traces
