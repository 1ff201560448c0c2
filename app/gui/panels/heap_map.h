// The heap map's model: what state each 8 KiB page is in, its colour, the grid the map is laid
// out on, and where pages landed on screen in the last frame (the UI tests click through it).
// No drawing here; panels/heap_map.cpp draws.
#pragma once

#include "app/gui/panel.h"

#include "sim/heapview.h"

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <string>

namespace gui {

enum class PageState : uint8_t {
  Released,  // free and returned to (or never taken from) the OS: scavenged
  Free,      // free, committed (HeapFree)
  PageCache, // owned by a P's page cache, not yet in a span
  InUse,     // part of an in-use span of a size class, sitting in an mcentral set
  Cached,    // part of a span cached in some P's mcache (allocations come from it without locks)
  Large,     // part of a large object's span (class 0)
  Stack,     // part of a stack span (Go: mSpanManual; counted in StackInuse, not HeapInuse)
  Count
};
const char* PageStateName(PageState s);
const char* PageStateMeaning(PageState s); // one sentence for tooltips and the legend

struct PageInfo {
  PageState state = PageState::Released;
  sim::SpanId span = sim::kNoSpan; // for InUse, Cached, Large, Stack
  sim::SpanClass spanclass = 0;
  // InUse, Cached, Large: the span has not been swept since the last mark termination (its
  // sweepgen is mheap.sweepgen - 2). Drawn faded towards grey: its slot counts are last cycle's.
  bool unswept = false;
};
// The state of page `page` (an index from the heap base; must be < mappedPages()).
PageInfo ClassifyPage(const sim::HeapView& v, uint64_t page);

// Objects allocated black by the GC mark in progress (Go: mallocgc -> gcmarknewobject while
// gcphase != _GCoff) on one page: the slots of such objects that overlap the page and the bytes of
// the page they cover. All zero when no mark runs (after mark termination they are plain marked
// objects) and on pages of no in-use heap span.
struct AllocBlackOnPage {
  uint32_t slots = 0;
  uint64_t bytes = 0;
};
AllocBlackOnPage AllocBlackOn(const sim::HeapView& v, uint64_t page);
inline constexpr const char* kAllocBlackLabel = "allocated black (this mark)"; // the legend entry
// The page tooltip's line about them: "Its object was allocated black (during mark,
// gcmarknewobject)" (large span) or "3 slots on this page allocated black (...)"; empty if none.
std::string AllocBlackLine(const sim::HeapView& v, uint64_t page);

// The colours of the fixed legend. Size classes get a hue ramp from red (small) to blue (large).
ImU32 SizeClassColour(uint32_t sizeclass, uint32_t numClasses);
ImU32 PageColour(const PageInfo& p, uint32_t numClasses);
ImU32 PageStateColour(PageState s); // the legend swatch (InUse: a mid-ramp colour)
ImU32 UnsweptColour(ImU32 swept);   // an unswept span's colour, from its swept one
// "Span 12: unswept — sweepgen 4, mheap.sweepgen 6" (or "swept this cycle — ...") for tooltips.
std::string SweepStateLine(const sim::HeapView& v, sim::SpanId s);

// Pages per row (a power of two, so rows start at round addresses) and the largest cell size
// (pixels per page, capped at 48) that fits `pages` pages into w x h pixels.
struct GridFit {
  uint32_t cols = 8;
  float cell = 1;
};
// maxCell: the largest cell (48 px; more in presentation mode); minCell: the smallest (0 = fit
// every page; presentation mode keeps cells readable and lets the map scroll instead).
GridFit FitGrid(uint64_t pages, float w, float h, float maxCell = 48.0f, float minCell = 0.0f);

// Where the map was drawn in the last frame.
struct HeapMapGeometry {
  ImVec2 origin{0, 0};                    // screen position of page 0's top-left corner
  ImVec2 canvasMin{0, 0}, canvasMax{0, 0}; // the visible area
  float cell = 0;                         // pixels per page
  uint32_t cols = 0;                      // pages per row
  uint64_t pages = 0;                     // mapped pages
  ImVec2 pageCentre(uint64_t page) const {
    return ImVec2(origin.x + (static_cast<float>(page % cols) + 0.5f) * cell,
                  origin.y + (static_cast<float>(page / cols) + 0.5f) * cell);
  }
  // The page under a screen point, or sim::kNoPage outside the map.
  uint64_t pageAt(ImVec2 p) const;
};

// The heap map window and its state: zoom, pan, the page texture and what it was built for.
class HeapMapPanel final : public Panel {
 public:
  HeapMapPanel();
  ~HeapMapPanel() override;
  void Draw(PanelContext& ctx, bool* open) override;
  // Where the map was drawn in the last frame (tests, --heapmap-geometry).
  const HeapMapGeometry& geometry() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace gui
