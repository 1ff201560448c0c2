// Test helpers for replays: a fixed random trace that exercises every path, and a World's
// observable state as text, so that "same World" is checked field by field and a difference prints
// readably. Shared by the checkpoint and replay tests.
#pragma once

#include "sim/checkpoint.h"
#include "sim/heapview.h"
#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace spanscope_test {

using namespace sim;

// A random but fixed mix: many classes, large objects, frees, GCs, several threads.
inline std::vector<Event> mixedTrace(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> evs;
  std::vector<uint64_t> live;
  uint64_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng() % 100;
    if (r < 55 || live.empty()) {
      uint64_t size = rng() % 100 < 3 ? 32768 + rng() % 100000 : 1 + rng() % 2048;
      evs.push_back(allocEvent(next, size, rng() % 2 == 0, static_cast<uint32_t>(rng() % 3)));
      live.push_back(next++);
    } else if (r < 99) {
      const size_t k = rng() % live.size();
      evs.push_back(freeEvent(live[k]));
      live[k] = live.back();
      live.pop_back();
    } else {
      evs.push_back(gcEvent());
    }
  }
  return evs;
}

// Everything a user can see of a World, as text, so a difference prints readably.
inline std::string fingerprint(const World& w) {
  std::ostringstream o;
  const MemStats m = w.memStats();
  o << "events " << w.eventsApplied() << " heapAlloc " << m.HeapAlloc << " inuse " << m.HeapInuse << " sys " << m.HeapSys
    << " released " << m.HeapReleased << " mallocs " << m.Mallocs << " frees " << m.Frees << " numgc " << m.NumGC << "\n";
  const WasteLedger l = w.ledger();
  o << "ledger " << l.liveBytes << " " << l.roundingWaste << " " << l.deadBytes << " " << l.tailWaste << " " << l.freeSlots
    << " " << l.cachedFreeSlots << " " << l.freePages << " " << l.releasedPages << "\n";
  const HeapView v = w.view();
  for (SpanId s = 0; s < v.spanCount(); ++s) {
    const MSpan& sp = v.span(s);
    o << "span " << s << " " << sp.startAddr << " " << sp.npages << " " << sp.freeindex << " " << sp.allocCount << " "
      << sp.allocCache << " " << sp.sweepgen;
    for (uint32_t k = 0; k < 3 * sp.words; ++k) o << " " << sp.bits[k];
    if (sp.tinyRefs != nullptr)
      for (uint32_t k = 0; k < sp.nelems; ++k) o << (k == 0 ? " refs " : ",") << int{sp.tinyRefs[k]};
    o << "\n";
  }
  for (uint64_t id = 0; id < v.objectIdLimit(); ++id) o << v.objectAddr(id) << ",";
  o << "\nlast " << w.last().index << " " << w.last().path << " " << w.last().addr << "\n";
  return o.str();
}

// Offers w (at its start) to cps, then steps it through the first n events, offering it after
// each, as sim::Replay does.
inline void offerEachStep(Checkpoints& cps, World& w, const std::vector<Event>& evs, size_t n) {
  cps.offer(w, 0);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(w.step(evs[i])) << "event " << i;
    cps.offer(w, i + 1);
  }
}

} // namespace spanscope_test
