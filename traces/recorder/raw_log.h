// Reading the recorder's raw log (raw_record.h) back in global order. The file holds each
// thread's records in ascending runs (one run per buffer flush, interleaved with other threads'
// flushes); RawLogReader finds the runs in one pass and merges them by sequence number with a
// heap, so memory grows with the number of runs, never with the number of records.
#pragma once

#include "traces/recorder/raw_record.h"

#include <cstdint>
#include <queue>
#include <string>
#include <utility>
#include <vector>

namespace traces {

class RawLogReader {
 public:
  // Opens and indexes `path`. Throws TraceError("<path>: byte N: <what>") on a bad header or a
  // record with an unknown operation.
  explicit RawLogReader(const std::string& path);
  ~RawLogReader();
  RawLogReader(const RawLogReader&) = delete;
  RawLogReader& operator=(const RawLogReader&) = delete;

  // The next record in sequence order; false at the end. Throws TraceError if a sequence number
  // appears twice (a process wrote the same buffer twice).
  bool next(spanscope_raw_record& out);

  const spanscope_raw_header& header() const { return header_; }
  const std::string& path() const { return path_; }
  uint64_t records() const { return records_; }
  uint64_t recordsRead() const { return read_; }
  uint64_t fileSize() const { return fileSize_; }
  // The file ends inside a record (the program was killed while writing); that part is ignored.
  bool truncated() const { return truncated_; }
  // 0, or the errno of the recorder's first failed write: the log stops there (incomplete).
  uint64_t writeError() const { return header_.write_error; }
  size_t runs() const { return runs_.size(); }

 private:
  struct Run {
    uint64_t next, end; // record indices still to read: [next, end)
    std::vector<spanscope_raw_record> buf;
    size_t pos = 0;
  };
  [[noreturn]] void fail(uint64_t byte, const std::string& what) const;
  void readRecords(uint64_t first, size_t n, spanscope_raw_record* out) const;
  void indexRuns();
  bool refill(Run& r);

  std::string path_;
  int fd_ = -1;
  spanscope_raw_header header_{};
  uint64_t fileSize_ = 0, records_ = 0, read_ = 0;
  bool truncated_ = false;
  std::vector<Run> runs_;
  using HeapItem = std::pair<uint64_t, size_t>; // (seq of the run's current record, run)
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  bool anyOut_ = false;
  uint64_t lastSeq_ = 0;
};

} // namespace traces
