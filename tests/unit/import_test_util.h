// Helpers for importer tests: read a stream event by event, following each object by the address
// the importer names it by (describeObject), so the live set can be compared with a producer's
// own leak report; and check that bad input fails with one line naming the file.
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace import_test {

using Opener = std::unique_ptr<traces::EventStream> (*)(std::unique_ptr<traces::ByteSource>);

struct Imported {
  std::vector<sim::Event> events;
  std::vector<uint64_t> addr;         // per event: the address of the object it allocates or frees
  std::map<uint64_t, uint64_t> live;  // address -> size, at the end
  traces::ImportSummary summary;
};

// Reads one event per read() call, so describeObject() still names the object just allocated
// (ids are reused after a free).
inline Imported importAll(traces::EventStream& s) {
  Imported r;
  std::unordered_map<uint64_t, uint64_t> addrOfId;
  sim::Event ev;
  while (s.read(&ev, 1) == 1) {
    uint64_t a = 0;
    if (ev.kind == sim::EventKind::Alloc) {
      const std::string name = s.describeObject(ev.id);
      EXPECT_EQ(name.rfind("0x", 0), 0u) << "object " << ev.id << " named '" << name << "'";
      a = std::stoull(name, nullptr, 16);
      EXPECT_FALSE(r.live.count(a)) << "alloc of live address " << name;
      r.live[a] = ev.size;
      addrOfId[ev.id] = a;
    } else if (ev.kind == sim::EventKind::Free) {
      EXPECT_TRUE(addrOfId.count(ev.id)) << "free of id " << ev.id << " that is not live";
      a = addrOfId[ev.id];
      r.live.erase(a);
      addrOfId.erase(ev.id);
    }
    r.events.push_back(ev);
    r.addr.push_back(a);
  }
  EXPECT_EQ(s.read(&ev, 1), 0u) << "a finished stream stays finished";
  r.summary = s.summary();
  return r;
}

inline Imported importFile(const std::string& path, Opener open) {
  auto s = open(std::make_unique<traces::ByteSource>(path));
  return importAll(*s);
}

// The TraceError message of importing `path`; checks it is one line starting with the path.
inline std::string importError(const std::string& path, Opener open) {
  try {
    importFile(path, open);
  } catch (const traces::TraceError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "error must be one line: " << msg;
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "error must start with the path: " << msg;
    return msg;
  }
  ADD_FAILURE() << path << " imported although it is broken";
  return {};
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline bool hasNote(const traces::ImportSummary& s, const std::string& part) {
  for (const std::string& n : s.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

} // namespace import_test
