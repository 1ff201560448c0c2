// StreamSource: see replay_source.h.
#include "traces/replay_source.h"

#include <algorithm>
#include <string>

namespace traces {

const sim::Event* StreamSource::events(uint64_t first, size_t* n) {
  *n = 0;
  if (first < bufFirst_) throw TraceError("event #" + std::to_string(first) + " was asked for again, but a stream cannot go back");
  while (first >= bufFirst_ + bufSize_) {
    if (ended_ || bufFirst_ + bufSize_ >= limit_) return nullptr;
    bufFirst_ += bufSize_;
    bufSize_ = stream_.read(buf_.data(), static_cast<size_t>(std::min<uint64_t>(buf_.size(), limit_ - bufFirst_)));
    if (bufSize_ == 0) ended_ = true;
  }
  *n = static_cast<size_t>(bufFirst_ + bufSize_ - first);
  return buf_.data() + (first - bufFirst_);
}

} // namespace traces
