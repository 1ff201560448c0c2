// Allocate-black in the views, on the bundled scenario assets/scenarios/gc_mark_window.json: the
// heap map's model (AllocBlackOn, the tooltip line) and the span inspector's (allocBlackSlots,
// SlotStateOf) report the objects allocated during the mark window, and nothing once mark
// termination has run. The scenario's own test (tests/unit/gc_mark_window_scenario_test.cpp)
// checks the engine side: the cycle starts at object 5, objects 6 and 7 are allocated black
// (Go: mallocgc -> gcmarknewobject while gcphase != _GCoff), object 8's assist ends the mark
// before object 8 is allocated.
#include "ui_harness.h"
#include "app/gui/panels/heap_map.h"
#include "app/gui/panels/panel_models.h"
#include "sim/heapview.h"

#include <gtest/gtest.h>

namespace {

const std::string kScenario = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/gc_mark_window.json";
constexpr uint64_t kObject = 65536; // objects 6, 7, 8: 64 KiB each, large (a span of 8 pages)

// The position just after the allocation of the file's object `fileId`, and the engine's id.
struct AfterAlloc {
  uint64_t position = 0, id = 0;
};
AfterAlloc afterAlloc(const model::Session& s, uint64_t fileId) {
  const traces::Trace& t = s.trace();
  for (uint64_t k = 0; k < t.events.size(); ++k)
    if (t.events[k].kind == sim::EventKind::Alloc && t.originalId(t.events[k].id) == fileId) return {k + 1, t.events[k].id};
  ADD_FAILURE() << "no allocation of object " << fileId;
  return {};
}

uint64_t pageOf(const sim::HeapView& v, uint64_t addr) { return (addr - v.heapBase()) / sim::kPageSize; }

// Sum of AllocBlackOn over every mapped page.
gui::AllocBlackOnPage wholeHeap(const sim::HeapView& v) {
  gui::AllocBlackOnPage sum;
  for (uint64_t p = 0; p < v.mappedPages(); ++p) {
    const gui::AllocBlackOnPage b = gui::AllocBlackOn(v, p);
    sum.slots += b.slots;
    sum.bytes += b.bytes;
  }
  return sum;
}

TEST(AllocBlackViews, TheMarkWindowShowsObjectsSixAndSevenBlackAndNothingAfterIt) {
  auto s = uitest::openFile(kScenario);
  ASSERT_NE(s, nullptr);
  const AfterAlloc a5 = afterAlloc(*s, 5), a6 = afterAlloc(*s, 6), a7 = afterAlloc(*s, 7), a8 = afterAlloc(*s, 8);

  s->seek(a6.position);
  {
    const sim::HeapView v = s->world().view();
    ASSERT_TRUE(v.pacer().marking);
    const uint64_t addr6 = v.objectAddr(a6.id), addr5 = v.objectAddr(a5.id);
    const sim::SpanId span6 = v.spanAt(addr6), span5 = v.spanAt(addr5);
    ASSERT_EQ(v.span(span6).npages, kObject / sim::kPageSize);
    // Object 6 covers its span's 8 pages; each page shows its one slot, all 8 KiB of it black.
    for (uint64_t p = pageOf(v, addr6); p < pageOf(v, addr6) + 8; ++p) {
      const gui::AllocBlackOnPage b = gui::AllocBlackOn(v, p);
      EXPECT_EQ(b.slots, 1u) << p;
      EXPECT_EQ(b.bytes, sim::kPageSize) << p;
      EXPECT_EQ(gui::AllocBlackLine(v, p), "Its object was allocated black (during mark, gcmarknewobject)");
    }
    // Object 5 started the cycle after it was allocated: in the snapshot, marked, not black.
    EXPECT_EQ(gui::AllocBlackOn(v, pageOf(v, addr5)).slots, 0u);
    EXPECT_EQ(gui::AllocBlackLine(v, pageOf(v, addr5)), "");
    const gui::AllocBlackOnPage all = wholeHeap(v);
    EXPECT_EQ(all.slots, 8u) << "object 6 only, one slot seen from each of its pages";
    EXPECT_EQ(all.bytes, kObject);

    const gui::SpanInspectorModel m6 = gui::BuildSpanInspector(v, span6), m5 = gui::BuildSpanInspector(v, span5);
    EXPECT_TRUE(m6.marking);
    EXPECT_EQ(m6.allocBlackSlots, 1u);
    EXPECT_EQ(m6.markedSlots, 1u) << "allocate-black sets the mark bit (gcmarknewobject)";
    EXPECT_EQ(m5.allocBlackSlots, 0u);
    EXPECT_EQ(m5.markedSlots, 1u) << "reachable at the snapshot";
    const gui::SlotState st6 = gui::SlotStateOf(v, span6, 0), st5 = gui::SlotStateOf(v, span5, 0);
    EXPECT_TRUE(st6.marked && st6.allocBlack);
    EXPECT_TRUE(st5.marked && !st5.allocBlack);
  }

  s->seek(a7.position);
  {
    const sim::HeapView v = s->world().view();
    ASSERT_TRUE(v.pacer().marking);
    EXPECT_EQ(wholeHeap(v).bytes, 2 * kObject) << "objects 6 and 7";
    EXPECT_EQ(gui::BuildSpanInspector(v, v.spanAt(v.objectAddr(a7.id))).allocBlackSlots, 1u);
  }

  // Object 8's assist finished the mark before object 8 was allocated: mark termination ran, no
  // object is black any more (6 and 7 are plain marked objects, kept by this cycle's sweep).
  s->seek(a8.position);
  {
    const sim::HeapView v = s->world().view();
    ASSERT_FALSE(v.pacer().marking);
    const gui::AllocBlackOnPage all = wholeHeap(v);
    EXPECT_EQ(all.slots, 0u);
    EXPECT_EQ(all.bytes, 0u);
    for (const AfterAlloc& a : {a6, a7, a8}) {
      const uint64_t addr = v.objectAddr(a.id);
      ASSERT_NE(addr, 0u);
      const sim::SpanId span = v.spanAt(addr);
      EXPECT_EQ(v.span(span).state, sim::SpanState::InUse);
      const gui::SpanInspectorModel m = gui::BuildSpanInspector(v, span);
      EXPECT_FALSE(m.marking);
      EXPECT_EQ(m.allocBlackSlots, 0u);
      EXPECT_FALSE(gui::SlotStateOf(v, span, 0).allocBlack);
      EXPECT_EQ(gui::AllocBlackLine(v, pageOf(v, addr)), "");
    }
  }
}

// On a 1280x720 projector (presentation mode) the heap map's cells are too big for the scenario's
// 1,024 pages to fit: follow mode scrolls the followed span, object 6's, into view, so its black
// pages are on screen; the frames (hovering one of them: the tooltip's allocate-black line) draw
// without ImGui errors.
TEST(AllocBlackViews, PresentationModeScrollsTheFollowedBlackSpanIntoView) {
  uitest::Harness h(1280, 720);
  uitest::loadPresentationFonts();
  gui::App app;
  app.setSession(uitest::openFile(kScenario));
  app.setPresentation(true);
  ASSERT_TRUE(app.selection().follow) << "a scenario with lessons follows the events";
  const AfterAlloc a6 = afterAlloc(*app.session(), 6);
  app.seek(a6.position);
  for (int i = 0; i < 3; ++i) uitest::checkedFrame(app);
  const sim::HeapView v = app.session()->world().view();
  ASSERT_TRUE(v.pacer().marking);
  const gui::HeapMapGeometry g = app.heapMapGeometry();
  const uint64_t rows = (g.pages + g.cols - 1) / g.cols;
  ASSERT_GT(static_cast<float>(rows) * g.cell, g.canvasMax.y - g.canvasMin.y) << "the whole heap does not fit: the map scrolls";
  const uint64_t first = pageOf(v, v.objectAddr(a6.id));
  for (uint64_t p : {first, first + 7}) EXPECT_EQ(g.pageAt(g.pageCentre(p)), p) << "page " << p << " of object 6 on screen";
  EXPECT_EQ(app.selection().span, v.spanAt(v.objectAddr(a6.id)));
  ImGui::GetIO().MousePos = g.pageCentre(first);
  for (int i = 0; i < 2; ++i) uitest::checkedFrame(app);
}

} // namespace
