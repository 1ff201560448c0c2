// Span inspector: every field of the selected mspan, its slots as a grid (allocBits, gcmarkBits,
// freeindex, the allocCache window, objects allocated black during a mark), and the objects it holds.
// Reads: HeapView::span, spansInSet placement (MSpan::home), objectAddr/objectSize.
// Go concept: mheap.go type mspan; mbitmap.go nextFreeIndex/refillAllocCache; malloc.go nextFreeFast;
// mgcmark.go gcmarknewobject.
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace gui {

// [SECTION] Model

SweepState SweepStateOf(uint32_t spanSweepgen, uint32_t heapSweepgen) {
  const uint32_t sg = heapSweepgen;
  if (spanSweepgen == sg - 2) return SweepState::NeedsSweep;
  if (spanSweepgen == sg - 1) return SweepState::BeingSwept;
  if (spanSweepgen == sg) return SweepState::Swept;
  if (spanSweepgen == sg + 1) return SweepState::CachedStale;
  if (spanSweepgen == sg + 3) return SweepState::Cached;
  return SweepState::Unknown;
}

const char* SweepStateName(SweepState s) {
  switch (s) {
    case SweepState::NeedsSweep: return "unswept (sg-2)";
    case SweepState::BeingSwept: return "being swept (sg-1)";
    case SweepState::Swept: return "swept (sg)";
    case SweepState::CachedStale: return "cached, stale (sg+1)";
    case SweepState::Cached: return "cached (sg+3)";
    case SweepState::Unknown: break;
  }
  return "unexpected";
}

const char* SweepStateMeaning(SweepState s) {
  switch (s) {
    case SweepState::NeedsSweep:
      return "The span was allocated or last swept before the latest GC cycle, so it has not been swept "
             "since: slots of objects that died are still counted as allocated until a sweep turns the "
             "mark bits into the new allocBits.";
    case SweepState::BeingSwept:
      return "A sweeper owns the span right now (it moved sweepgen from sg-2 to sg-1 to claim it).";
    case SweepState::Swept:
      return "Swept in the current cycle and not held by any mcache: its allocBits are up to date and "
             "its free slots can be handed out.";
    case SweepState::CachedStale:
      return "Cached in an mcache since before the latest GC cycle began. It will be swept when the mcache "
             "gives it back (refill or releaseAll).";
    case SweepState::Cached:
      return "Swept, then taken by an mcache during this cycle (refill sets sweepgen to sg+3). The P "
             "allocates from it without any lock.";
    case SweepState::Unknown: break;
  }
  return "A sweepgen that none of Go's states explains.";
}

SlotState SlotStateOf(const sim::HeapView& v, sim::SpanId sid, uint32_t slot) {
  const sim::MSpan& s = v.span(sid);
  SlotState st;
  st.addr = s.slotAddr(slot);
  st.allocated = s.isAllocated(slot);
  st.allocBit = sim::MSpan::testBit(s.allocBits(), slot);
  st.marked = sim::MSpan::testBit(s.gcmarkBits(), slot);
  st.reachable = sim::MSpan::testBit(s.liveBits(), slot);
  st.allocBlack = v.allocatedBlack(sid, slot);
  return st;
}

static void DescribeHome(const sim::HeapView& v, const sim::MSpan& s, SpanInspectorModel& m) {
  const uint32_t sweptIdx = sim::MCentral::sweptIndex(v.sweepgen());
  const bool swept = s.homeIndex == sweptIdx;
  char buf[64];
  switch (s.home) {
    case sim::SpanHome::MCache:
      std::snprintf(buf, sizeof buf, "mcache P%u", static_cast<unsigned>(s.homeIndex));
      m.home = buf;
      m.homeHelp =
          "Cached by this P: it allocates from the span without taking any lock. While cached, "
          "the span is in none of mcentral's sets.";
      return;
    case sim::SpanHome::PartialSet:
      m.home = swept ? "partial swept" : "partial unswept";
      m.homeHelp = swept ? "mcentral's partial swept set: queued in its mcentral with free slots, already swept this "
                           "cycle: the next mcache "
                           "that needs this span class takes it first."
                         : "mcentral's partial unswept set: queued with free slots but not swept since the last GC: an "
                           "mcache that takes it sweeps it first.";
      return;
    case sim::SpanHome::FullSet:
      m.home = swept ? "full swept" : "full unswept";
      m.homeHelp = swept ? "mcentral's full swept set: queued in its mcentral with no free slot, swept this cycle. "
                           "Large objects' spans "
                           "also live in mcentral's full sets (span class 0/1)."
                         : "mcentral's full unswept set: queued with no free slot as of its last sweep, which was "
                           "before the latest GC: a "
                           "sweep may free some of its slots.";
      return;
    case sim::SpanHome::None: break;
  }
  m.home = "none";
  m.homeHelp = "In no mcache and no mcentral set (a sweeper holds it).";
}

static std::vector<SpanObject> ObjectsIn(const sim::HeapView& v, const sim::MSpan& s, const traces::Trace* trace) {
  std::vector<SpanObject> out;
  const uint64_t end = s.base() + uint64_t{s.nelems} * s.elemsize;
  for (uint64_t id = 0, n = v.objectIdLimit(); id < n; ++id) {
    const uint64_t a = v.objectAddr(id);
    if (a < s.base() || a >= end) continue;
    out.push_back({id, trace ? trace->originalId(id) : id, a, v.objectSize(id), s.objIndex(a)});
  }
  std::sort(out.begin(), out.end(),
            [](const SpanObject& a, const SpanObject& b) { return a.addr != b.addr ? a.addr < b.addr : a.id < b.id; });
  return out;
}

SpanInspectorModel BuildSpanInspector(const sim::HeapView& v, sim::SpanId id, const traces::Trace* trace) {
  SpanInspectorModel m;
  m.id = id;
  if (id == sim::kNoSpan) {
    m.problem = "No span selected - click one in the heap map, or follow the current event.";
    return m;
  }
  if (id >= v.spanCount() || v.span(id).state == sim::SpanState::Dead) {
    m.problem = "Span #" + std::to_string(id) +
                " is not in use at this event: its pages are back in mheap, or it is not allocated yet.";
    return m;
  }
  const sim::MSpan& s = v.span(id);
  m.valid = true;
  m.state = s.state;
  m.spanclass = s.spanclass;
  m.sizeclass = sim::spanClassSize(s.spanclass);
  m.noscan = sim::spanClassNoscan(s.spanclass);
  m.large = m.sizeclass == 0;
  m.tinyBlocks = s.tinyRefs != nullptr;
  m.needzero = s.needzero;
  m.elemsize = s.elemsize;
  m.base = s.base();
  m.limit = s.limit;
  m.bytes = s.bytes();
  m.npages = s.npages;
  m.nelems = s.nelems;
  m.allocCount = s.allocCount;
  m.freeindex = s.freeindex;
  m.sweepgen = s.sweepgen;
  m.heapSweepgen = v.sweepgen();
  m.sweep = SweepStateOf(s.sweepgen, v.sweepgen());
  DescribeHome(v, s, m);
  m.allocCache = s.allocCache;
  m.cacheFirst = s.freeindex;
  m.cacheEnd = s.freeindex >= s.nelems ? s.freeindex : std::min(s.nelems, (s.freeindex / 64 + 1) * 64);
  const uint32_t covered = m.cacheEnd - m.cacheFirst;
  m.cacheFree = static_cast<uint32_t>(
      std::popcount(covered >= 64 ? s.allocCache : s.allocCache & ((uint64_t{1} << covered) - 1)));
  m.allocBitsSet = sim::MSpan::popcount(s.allocBits(), s.words);
  m.markedSlots = sim::MSpan::popcount(s.gcmarkBits(), s.words);
  m.reachableSlots = sim::MSpan::popcount(s.liveBits(), s.words);
  m.marking = v.pacer().marking;
  for (uint32_t i = s.freeindexAtMarkStart; m.marking && i < s.freeindex; ++i) m.allocBlackSlots += v.allocatedBlack(id, i);
  m.liveBytes = s.liveBytes;
  m.roundingWaste = uint64_t{m.reachableSlots} * s.elemsize - s.liveBytes;
  m.deadBytes = uint64_t{s.allocCount - m.reachableSlots} * s.elemsize;
  m.tailWaste = s.bytes() - uint64_t{s.nelems} * s.elemsize;
  m.spanMetaBytes = v.world().spanReserve(s.spanclass, s.bytes());
  m.freeSlotBytes = uint64_t{s.nelems - s.allocCount} * s.elemsize;
  m.objects = ObjectsIn(v, s, trace);
  return m;
}

// [SECTION] Drawing

namespace {

enum class GridView { State, AllocBits, GcmarkBits };

// The model is rebuilt only when the state or the span changes: listing a span's objects walks
// every object id.
struct InspectorCache {
  ui::ModelKey key;
  SpanInspectorModel model;
};
InspectorCache g_inspector;

const SpanInspectorModel& CurrentModel(const PanelContext& ctx) {
  if (g_inspector.key.changed(ctx.session, ctx.selection.span))
    g_inspector.model = BuildSpanInspector(ctx.view, ctx.selection.span, &ctx.session.trace());
  return g_inspector.model;
}

std::string SpanStateName(sim::SpanState s) {
  switch (s) {
    case sim::SpanState::InUse: return "mSpanInUse";
    case sim::SpanState::Manual: return "mSpanManual";
    case sim::SpanState::Dead: break;
  }
  return "mSpanDead";
}

void Prop(const char* name, const std::string& value, const std::string& tip) {
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", name);
  ui::ItemTooltip(tip);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(value.c_str());
  ui::ItemTooltip(tip);
}

void DrawFields(const SpanInspectorModel& m) {
  const ImGuiTableFlags flags = ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV;
  // Two name/value pairs per row when there is room, one otherwise.
  const int columns = ImGui::GetContentRegionAvail().x >= ImGui::GetFontSize() * 26 ? 4 : 2;
  if (!ImGui::BeginTable("fields", columns, flags)) return;
  float nameW = 0;
  for (const char* n : {"spanclass", "startAddr", "allocCount", "sweepgen", "sweep state", "allocCache", "needzero"})
    nameW = std::max(nameW, ImGui::CalcTextSize(n).x);
  for (int c = 0; c < columns; ++c)
    ImGui::TableSetupColumn(c % 2 ? "value" : "field",
                            c % 2 ? ImGuiTableColumnFlags_WidthStretch : ImGuiTableColumnFlags_WidthFixed,
                            c % 2 ? 1.0f : nameW);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u (%s)", static_cast<unsigned>(m.spanclass), m.noscan ? "noscan" : "scan");
  Prop("spanclass", buf,
       "spanClass = sizeclass<<1 | noscan. Objects with pointers (scan) and without (noscan) of the same "
       "size class never share a span, so every size class has two span classes.\nThis one: " +
           std::to_string(m.spanclass) + " = " + std::to_string(m.sizeclass) + "<<1 | " + (m.noscan ? "1" : "0"));
  Prop("elemsize", FormatBytesExact(m.elemsize),
       m.large ? "A large object (over 32 KiB) gets a span of its own: elemsize is the whole span."
               : "Every slot in this span is this big; a request is rounded up to its size class's size.");
  Prop("startAddr", FormatAddr(m.base), "base(): the address of the span's first byte (always page-aligned).");
  Prop("npages", std::to_string(m.npages) + " (" + FormatBytes(m.bytes) + ")",
       "Runtime pages (8 KiB each) the span covers, taken from mheap's page allocator.");
  Prop("limit", FormatAddr(m.limit),
       "End of the usable data: base + nelems*elemsize for small objects, base + the requested size for a "
       "large one. Bytes between limit and the span's end are tail waste.");
  Prop("nelems", FormatCount(m.nelems), "Number of slots: the span's bytes divided by elemsize, rounded down.");
  std::snprintf(buf, sizeof buf, "%u / %u", m.allocCount, m.nelems);
  Prop("allocCount", buf,
       "Slots allocated right now, counting objects that became unreachable but whose span has not been "
       "swept since (the sweep is what frees them).");
  Prop("freeindex", std::to_string(m.freeindex),
       "Slot index where the search for a free slot starts. Every slot below it is allocated (or was "
       "skipped as taken) until the next sweep resets freeindex to 0: slots are handed out in increasing "
       "order, and a freed slot is reused only after a sweep.");
  std::snprintf(buf, sizeof buf, "%u (mheap %u)", m.sweepgen, m.heapSweepgen);
  Prop("sweepgen", buf,
       std::string("The span's sweep generation read against mheap.sweepgen (sg), which grows by 2 at every "
                   "GC cycle.\nNow: ") +
           SweepStateName(m.sweep) + ". " + SweepStateMeaning(m.sweep));
  Prop("sweep state", SweepStateName(m.sweep), SweepStateMeaning(m.sweep));
  Prop("state", SpanStateName(m.state),
       "mSpanInUse: a heap span holding objects. mSpanManual: a span managed by hand (goroutine stacks). "
       "Free pages have no span; a span struct that is not in use is mSpanDead.");
  Prop("needzero", m.needzero ? "yes" : "no",
       "Whether slots must be zeroed before they are handed out: memory that was used before (or freed "
       "objects' slots) holds old data; fresh memory from the OS is already zero.");
  Prop("held by", m.home, m.homeHelp);
  if (m.cacheEnd == m.cacheFirst)
    std::snprintf(buf, sizeof buf, "covers no slot");
  else
    std::snprintf(buf, sizeof buf, "%u of %u free", m.cacheFree, m.cacheEnd - m.cacheFirst);
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(m.allocCache));
  Prop("allocCache", buf,
       std::string("allocCache = ") + hex +
           "\n64 bits of allocBits, inverted (1 = free), starting at freeindex: bit 0 is slot freeindex. "
           "nextFreeFast finds the next free slot with one count-trailing-zeros on it, then shifts it. The "
           "slots it covers are outlined in the grid.");
  ImGui::EndTable();
}

constexpr const char* kAllocBlackTip =
    "Allocated while the GC marks, so marked at once by the allocation itself (Go: mallocgc calls gcmarknewobject "
    "while gcphase != _GCoff), not by the reachability snapshot or the scan: allocated black. This cycle's sweep keeps "
    "it even if the program drops it before the mark ends. In the state view a black square inside the slot; in the "
    "gcmarkBits view a black slot. At mark termination it becomes an ordinary marked object.";

// The legend of the grid's view; "allocated black" only while a mark runs (and not for allocBits,
// which know nothing of the mark).
void DrawLegend(GridView view, const SpanInspectorModel& m) {
  struct Item {
    ImU32 colour;
    const char* label;
    const char* tip;
    ImU32 rim = 0;
  };
  std::vector<Item> items;
  switch (view) {
    case GridView::State:
      items = {{ui::color::kLive, "reachable", "Allocated, and the object in it is still reachable."},
               {ui::color::kDead, "unreachable",
                "Allocated, but the program dropped the object: the slot stays taken until the GC marks the span "
                "and sweeps it."},
               {ui::color::kFree, "free", "Not allocated: the allocator can hand this slot out."}};
      break;
    case GridView::AllocBits:
      items = {{ui::color::kInUse, "allocBits 1", "Allocated as of the span's last sweep."},
               {ui::color::kFree, "allocBits 0", "Free as of the last sweep (or handed out since: below freeindex)."}};
      break;
    case GridView::GcmarkBits:
      items = {{ui::color::kInUse, "marked",
                "gcmarkBits 1, set by the mark: the object was reachable when the cycle began (the snapshot; an "
                "object the program drops during the mark stays marked: the deletion barrier)."},
               {ui::color::kFree, "unmarked", "gcmarkBits 0: the sweep at the end of this cycle frees the slot."}};
      break;
  }
  char black[48];
  std::snprintf(black, sizeof black, "allocated black (%u)", m.allocBlackSlots);
  if (m.marking && view != GridView::AllocBits) items.push_back({ui::color::kAllocBlack, black, kAllocBlackTip, ui::color::kAllocBlackRim});
  items.push_back({ui::color::kMarker, "freeindex", "The white bar: the slot where the next search for a free slot starts."});
  items.push_back({ui::color::kAllocCache, "allocCache",
                   "Outlined: the slots the 64-bit allocCache covers (from freeindex to the end of its 64-slot word of "
                   "allocBits)."});
  ui::Flow flow;
  for (const Item& it : items) {
    flow.next(ui::LegendItemWidth(it.label));
    ui::LegendItem(it.colour, it.label, it.tip, it.rim);
  }
}

void SlotTooltip(const sim::HeapView& v, const SpanInspectorModel& m, uint32_t slot) {
  const SlotState st = SlotStateOf(v, m.id, slot);
  ImGui::BeginTooltip();
  ImGui::Text("slot %u at %s", slot, FormatAddr(st.addr).c_str());
  ImGui::Text("allocated: %s", st.allocated ? "yes" : "no");
  if (st.allocated && !st.allocBit)
    ImGui::TextDisabled("  (allocBits says free: handed out since the last sweep, below freeindex)");
  ImGui::Text("allocBits: %d   gcmarkBits: %d", st.allocBit ? 1 : 0, st.marked ? 1 : 0);
  ImGui::Text("reachable: %s", st.reachable ? "yes" : "no");
  if (st.allocBlack) ImGui::TextUnformatted("allocated black (during mark, gcmarknewobject)");
  const auto first = std::lower_bound(m.objects.begin(), m.objects.end(), st.addr,
                                      [](const SpanObject& o, uint64_t a) { return o.addr < a; });
  int shown = 0;
  for (auto it = first; it != m.objects.end() && it->slot == slot && shown < 16; ++it, ++shown)
    ImGui::Text("object id %llu: %s requested at %s", static_cast<unsigned long long>(it->traceId),
                FormatBytes(it->size).c_str(), FormatAddr(it->addr).c_str());
  if (slot >= m.cacheFirst && slot < m.cacheEnd)
    ImGui::TextDisabled("allocCache bit %u = %d (1 = free)", slot - m.cacheFirst,
                        static_cast<int>((m.allocCache >> (slot - m.cacheFirst)) & 1));
  ImGui::EndTooltip();
}

ImU32 SlotColour(const sim::MSpan& s, uint32_t i, GridView view, bool allocBlack) {
  switch (view) {
    case GridView::AllocBits: return sim::MSpan::testBit(s.allocBits(), i) ? ui::color::kInUse : ui::color::kFree;
    case GridView::GcmarkBits:
      if (allocBlack) return ui::color::kAllocBlack;
      return sim::MSpan::testBit(s.gcmarkBits(), i) ? ui::color::kInUse : ui::color::kFree;
    case GridView::State: break;
  }
  if (!s.isAllocated(i)) return ui::color::kFree;
  return sim::MSpan::testBit(s.liveBits(), i) ? ui::color::kLive : ui::color::kDead;
}

// One cell per slot, drawn as rectangles on one canvas item: a span has up to 1024 slots.
void DrawSlotGrid(const sim::HeapView& v, const SpanInspectorModel& m, Selection& sel, float scale) {
  const sim::MSpan& s = v.span(m.id);
  ImGui::TextUnformatted("Slots");
  ImGui::SameLine();
  const ImGuiID viewKey = ImGui::GetID("grid_view"); // UI state in the window's ImGui storage
  int view = ImGui::GetStateStorage()->GetInt(viewKey, 0);
  ImGui::RadioButton("state", &view, 0);
  ui::ItemTooltip("Colour each slot by what it holds: reachable, unreachable (awaiting the GC) or free.");
  ImGui::SameLine();
  ImGui::RadioButton("allocBits", &view, 1);
  ui::ItemTooltip(
      "Show allocBits: 1 = allocated as of the span's last sweep. Slots taken since are below "
      "freeindex, not in allocBits.");
  ImGui::SameLine();
  ImGui::RadioButton("gcmarkBits", &view, 2);
  ui::ItemTooltip(
      "Show gcmarkBits: set by the GC's mark phase for reachable objects, and during a mark for every object "
      "allocated (allocated black, drawn black); the sweep turns them into the new allocBits and clears them, so "
      "between cycles they are all 0.");
  ImGui::GetStateStorage()->SetInt(viewKey, view);
  const auto gridView = static_cast<GridView>(view);
  DrawLegend(gridView, m);

  const float avail = ImGui::GetContentRegionAvail().x;
  // Rows of 64 slots (one allocBits word) when they fit, else 32/16/8; fewer columns for spans of a
  // handful of big slots.
  uint32_t cols = 64;
  while (cols > 8 && (static_cast<float>(cols) * 6.0f * scale > avail || cols / 2 >= m.nelems)) cols /= 2;
  // Spans of big objects have few slots: let their cells grow so they stay easy to point at.
  const float maxCell = (m.nelems <= 16 ? 32.0f : 14.0f) * scale;
  const float cell = std::clamp(std::floor(avail / static_cast<float>(cols)), 3.0f * scale, maxCell);
  const uint32_t rows = (m.nelems + cols - 1) / cols;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(cell * static_cast<float>(std::min(cols, m.nelems)), cell * static_cast<float>(rows));
  ImGui::InvisibleButton("##slots", ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float gap = cell >= 6.0f ? 1.0f : 0.0f;
  auto cellMin = [&](uint32_t i) {
    return ImVec2(origin.x + cell * static_cast<float>(i % cols), origin.y + cell * static_cast<float>(i / cols));
  };
  const float rim = std::max(1.0f, std::floor(cell / 14.0f));
  for (uint32_t i = 0; i < m.nelems; ++i) {
    const ImVec2 a = cellMin(i), b(a.x + cell - gap, a.y + cell - gap);
    const bool black = m.allocBlackSlots > 0 && v.allocatedBlack(m.id, i);
    dl->AddRectFilled(a, b, SlotColour(s, i, gridView, black));
    if (!black || gridView == GridView::AllocBits) continue;
    if (gridView == GridView::GcmarkBits) {
      if (cell >= 6.0f) dl->AddRect(a, b, ui::color::kAllocBlackRim, 0.0f, 0, rim);
      continue;
    }
    // State view: the slot keeps its reachable/unreachable colour around a black square.
    const float in = std::max(1.0f, std::floor(cell * 0.22f));
    dl->AddRectFilled(ImVec2(a.x + in, a.y + in), ImVec2(b.x - in, b.y - in), ui::color::kAllocBlack);
  }
  // The allocCache window: one outline per grid row it crosses.
  for (uint32_t i = m.cacheFirst; i < m.cacheEnd;) {
    const uint32_t rowEnd = std::min(m.cacheEnd, (i / cols + 1) * cols);
    const ImVec2 a = cellMin(i), b = cellMin(rowEnd - 1);
    dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + cell, b.y + cell), ui::color::kAllocCache, 0.0f, 0, 1.5f);
    i = rowEnd;
  }
  if (m.freeindex < m.nelems) {
    const ImVec2 a = cellMin(m.freeindex);
    dl->AddRectFilled(ImVec2(a.x - 1, a.y - 1), ImVec2(a.x + 2, a.y + cell), ui::color::kMarker);
  }
  if (sel.address >= m.base && sel.address < m.base + uint64_t{m.nelems} * m.elemsize) {
    const ImVec2 a = cellMin(s.objIndex(sel.address));
    dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(a.x + cell, a.y + cell), ui::color::kSelected, 0.0f, 0, 2.0f);
  }
  if (hovered) {
    const ImVec2 mp = ImGui::GetIO().MousePos;
    const auto cx = static_cast<uint32_t>((mp.x - origin.x) / cell),
               cy = static_cast<uint32_t>((mp.y - origin.y) / cell);
    const uint32_t slot = cy * cols + cx;
    if (cx < cols && slot < m.nelems) {
      SlotTooltip(v, m, slot);
      if (clicked) sel.address = s.slotAddr(slot);
    }
  }
}

void DrawObjects(const SpanInspectorModel& m, Selection& sel) {
  ImGui::Text("Reachable objects: %s", FormatCount(m.objects.size()).c_str());
  ui::HelpMarker(
      "The objects of the trace that live in this span and are still reachable, by address. "
      "Click one to highlight its address in the other panels.");
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_SizingStretchProp;
  const float h = std::max(ImGui::GetContentRegionAvail().y, ImGui::GetTextLineHeightWithSpacing() * 4);
  if (!ImGui::BeginTable("objects", 4, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("object id");
  ImGui::TableSetupColumn("address");
  ImGui::TableSetupColumn("requested");
  ImGui::TableSetupColumn("slot");
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(m.objects.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const SpanObject& o = m.objects[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      char label[32];
      std::snprintf(label, sizeof label, "%llu", static_cast<unsigned long long>(o.traceId));
      if (ImGui::Selectable(label, sel.address == o.addr, ImGuiSelectableFlags_SpanAllColumns)) sel.address = o.addr;
      ui::RowTooltip(
          "The object's id as the trace file gives it (the id the lesson text uses). Click to "
          "highlight its address.");
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatAddr(o.addr).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatBytes(o.size).c_str());
      ui::ItemTooltip("Bytes the program asked for; the slot is elemsize bytes, the rest is rounding waste.");
      ImGui::TableNextColumn();
      ImGui::Text("%u", o.slot);
    }
  }
  ImGui::EndTable();
}

void DrawWaste(const SpanInspectorModel& m) {
  const std::pair<std::string, const char*> parts[] = {
      {"live " + FormatBytes(m.liveBytes), "Bytes requested by the reachable objects in this span."},
      {"rounding " + FormatBytes(m.roundingWaste),
       "Slot bytes of reachable objects beyond what they requested (requests are rounded up to the size class)."},
      {"unreachable " + FormatBytes(m.deadBytes),
       "Slots still allocated to objects the program dropped, until the GC sweeps this span."},
      {"free " + FormatBytes(m.freeSlotBytes), "Free slots (nelems - allocCount) times elemsize."},
      {m.spanMetaBytes ? "tail " + FormatBytes(m.tailWaste) + " (" + FormatBytes(m.spanMetaBytes) + " heap/mark bits)"
                       : "tail " + FormatBytes(m.tailWaste),
       m.spanMetaBytes ? "Bytes at the end of the span after the last slot: npages*8192 - nelems*elemsize. Go 1.26 keeps "
                         "metadata there (mheap.go initSpan's reserve): the heap bits of a scan span of objects up to 512 B "
                         "(span bytes / 64) and Green Tea's 128 B of inline mark bits (objects of 16..512 B); the rest is "
                         "too small for another slot."
                       : "Bytes at the end of the span too small for another slot: npages*8192 - nelems*elemsize."},
  };
  ui::Flow flow(ImGui::GetFontSize());
  for (const auto& [text, tip] : parts) {
    flow.nextText(text.c_str());
    ui::TextTip(text, tip);
  }
}

} // namespace

void DrawSpanInspectorPanel(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kSpanInspectorTitle, open)) {
    ImGui::End();
    return;
  }
  ImGui::Checkbox("Follow the current event", &ctx.selection.follow);
  ui::ItemTooltip("Show the span the current event allocated from or freed into, with its slot outlined; the heap "
                  "map pulses its pages. Clicking a page in the heap map turns following off.");
  const SpanInspectorModel& m = CurrentModel(ctx);
  if (!m.valid) {
    ImGui::TextDisabled("%s", m.problem.c_str());
    ImGui::End();
    return;
  }
  ui::Flow flow;
  const std::string id = "span #" + std::to_string(m.id), label = SpanClassLabel(ctx.view.table(), m.spanclass);
  const std::string range = FormatAddr(m.base) + " - " + FormatAddr(m.base + m.bytes);
  flow.nextText(id.c_str());
  ui::TextTip(id,
              "The identity of the mspan struct (spans are numbered as their structs are first used; a freed "
              "struct is reused for a later span).");
  flow.nextText(label.c_str());
  ui::TextTip(label, "The span's size class, and whether its objects contain pointers (scan) or not (noscan).");
  flow.nextText(range.c_str());
  ImGui::TextDisabled("%s", range.c_str());
  ui::ItemTooltip("The address range of the span's pages.");
  DrawFields(m);
  DrawWaste(m);
  ImGui::Separator();
  DrawSlotGrid(ctx.view, m, ctx.selection, ctx.uiScale);
  ImGui::Separator();
  DrawObjects(m, ctx.selection);
  ImGui::End();
}

} // namespace gui
