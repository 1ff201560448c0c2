// Designing a size-class table for a trace: the exact optimum of expected rounding + tail waste
// for a request-size histogram and a class budget. Design essay: sim/malloc.h.
// Go: none (mksizeclasses.go designs for all programs at once, by rules; this designs for one).
//
// Cost model (the same for evaluating any table and for optimising): a request of r bytes served
// by a class of size c whose span holds n objects with t bytes of tail costs (c - r) + t/n bytes —
// its rounding waste plus its share of the span's tail. Fragmentation (free slots, free pages) is
// not in the model: it depends on the allocation order, which the replay measures instead.
#pragma once

#include "sim/sizeclasses.h"
#include "sim/sizeclass_library.h"

#include <cstdint>
#include <vector>

namespace sim {

// count[s] = number of small requests of exactly s bytes (index 0 unused); sizes above the table's
// maxSmall are large objects and cost nothing here.
struct SizeHistogram {
  std::vector<uint64_t> count;
  void add(uint64_t size, uint64_t n = 1);
  uint64_t total() const;
};

struct TableWaste {
  double rounding = 0; // bytes summed over requests
  double tail = 0;     // bytes (each request's share of its span's tail)
  uint64_t requests = 0;
  uint64_t requestedBytes = 0;
  double total() const { return rounding + tail; }
};

// Expected waste of `t` on `h` (requests above t.maxSmall() are ignored).
TableWaste expectedWaste(const SizeClassTable& t, const SizeHistogram& h);

struct OptimizeOptions {
  uint32_t classes = 67;      // class budget N (excluding class 0)
  uint32_t maxSmall = 32768;  // the largest class is exactly this (same small/large cut as Go)
  uint32_t step = 8;          // candidate sizes are multiples of this (Go's sizes all are of 8)
  uint32_t tailWasteDiv = 8;  // span rule for each candidate: Go's (smallest span, tail <= span/8)
  // A table to beat: its (size, pages) pairs join the candidates, so the result is never worse
  // than it under the cost model (e.g. Go gives 3072 B three pages, not the rule's two).
  const SizeClassTable* baseline = nullptr;
  bool keepTiny16 = true;     // keep a 16-byte class so the tiny allocator can run
};

struct OptimizeResult {
  SizeClassTable table;
  TableWaste waste;
};

// The span a candidate size gets: Go's rule, or the baseline's span for that size if it has a
// class of exactly that size and that span leaves less tail per object.
uint32_t candidatePages(uint32_t size, const OptimizeOptions& opt);

// Dynamic programming over candidate sizes: best[k][j] = least cost covering every request up to
// candidate j with k classes, the k-th being j. Exact for the cost model above. O(N * M^2) with
// M = maxSmall/step candidates (4096 for Go's settings): about a second.
OptimizeResult optimizeTable(const SizeHistogram& h, const OptimizeOptions& opt);

} // namespace sim
