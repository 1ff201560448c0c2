// EventStream helpers: see event_stream.h.
#include "traces/event_stream.h"

#include <algorithm>

namespace traces {

std::string ImportSummary::toText() const {
  std::string s = "format:         " + format + "\n";
  s += "events:         " + std::to_string(events) + " (" + std::to_string(allocs) + " allocs, " +
       std::to_string(frees) + " frees, " + std::to_string(gcs) + " gc)\n";
  s += "threads:        " + std::to_string(threads) + "\n";
  s += "orphan frees:   " + std::to_string(orphanFrees) + " (free of a pointer that was not live; dropped)\n";
  s += "unknown lines:  " + std::to_string(unknownLines) + " (skipped)\n";
  if (failedAllocs) s += "failed allocs:  " + std::to_string(failedAllocs) + " (returned NULL; dropped)\n";
  s += "live at end:    " + std::to_string(liveObjects) + " objects, " + std::to_string(liveBytes) + " B requested\n";
  s += "peak live:      " + std::to_string(peakLiveBytes) + " B requested\n";
  for (const Comparison& c : comparisons) {
    s += (c.match ? "  \u2713 " : "  \u2717 ") + c.what + ": producer says " + c.theirs + ", we say " + c.ours + "\n";
  }
  for (const std::string& n : notes) s += "note: " + n + "\n";
  return s;
}

VectorStream::VectorStream(Trace t, std::string format) : t_(std::move(t)), counter_(std::move(format)) {}

size_t VectorStream::read(sim::Event* out, size_t max) {
  const size_t n = std::min(max, t_.events.size() - pos_);
  for (size_t i = 0; i < n; ++i) {
    const sim::Event& ev = t_.events[pos_ + i];
    out[i] = ev;
    ImportSummary& s = counter_.summary();
    ++s.events;
    if (ev.kind == sim::EventKind::Alloc) {
      if (sizeOf_.size() <= ev.id) sizeOf_.resize(ev.id + 1, 0);
      sizeOf_[ev.id] = ev.size;
      counter_.alloc(ev.size, ev.thread);
    } else if (ev.kind == sim::EventKind::Free) {
      counter_.free(ev.id < sizeOf_.size() ? sizeOf_[ev.id] : 0, ev.thread);
    } else if (ev.kind == sim::EventKind::GC) {
      ++s.gcs;
    }
  }
  pos_ += n;
  return n;
}

ImportSummary VectorStream::summary() const { return counter_.summary(); }

Trace readAll(EventStream& s) {
  Trace t;
  t.meta = s.meta();
  if (const std::optional<uint64_t> n = s.eventCount(); n && *n <= (uint64_t{1} << 32)) t.events.reserve(*n); // no doubling
  sim::Event buf[4096];
  while (size_t n = s.read(buf, 4096)) {
    for (size_t i = 0; i < n; ++i) {
      sim::Event ev = buf[i];
      if (ev.kind == sim::EventKind::Annotate) {
        const std::string* text = s.annotation(ev.id);
        ev.id = t.annotations.size();
        t.annotations.push_back(text ? *text : std::string());
      }
      t.events.push_back(ev);
    }
  }
  if (const std::vector<uint64_t>* ids = s.originalIds()) t.originalIds = *ids;
  return t;
}

std::string excerpt(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

} // namespace traces
