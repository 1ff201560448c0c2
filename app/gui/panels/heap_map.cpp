// Heap map panel: every mapped 8 KiB page of the heap as one cell, arenas → 4 MiB chunks → pages,
// coloured by state (released, free, a P's page cache, in use by a span of some size class, cached
// in an mcache, large object, goroutine stack); spans not yet swept this GC cycle are faded and
// hatched; while a GC marks, pages holding objects allocated during the mark (allocated black)
// carry a black square. Go: mheap.go (arenas, spans), mpagealloc.go (chunks, scavenged bits), mcache.go (cached
// spans), mgcsweep.go (sweepgen), stack.go (stack spans), mgcmark.go (gcmarknewobject). HeapView queries:
// spanAt, span, isSwept, isStackSpan, pages().inUse, pageReleased, ps(), pacer(), allocatedBlack.
//
// Fast with a 1 GiB heap (131072 pages): page colours are computed into a buffer only when the
// engine position, the zoom level or the visible rows change, never per frame, and the buffer is
// drawn as one texture (texture.h: the platform layer uploads it; the UI tests keep it in memory).
// When cells are under a pixel, a texel covers k x k pages and takes the colour most of them have
// (level of detail). Hover and click are resolved by arithmetic on one InvisibleButton, never one
// ImGui item per page.
#include "app/gui/panels/heap_map.h"

#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_widgets.h"
#include "app/gui/texture.h"

#include <imgui.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

namespace gui {

// ---------------------------------------------------------------------------------------------
// Model

const char* PageStateName(PageState s) {
  switch (s) {
    case PageState::Released: return "released (scavenged)";
    case PageState::Free: return "free (retained)";
    case PageState::PageCache: return "P's page cache";
    case PageState::InUse: return "in use (by size class)";
    case PageState::Cached: return "span in an mcache";
    case PageState::Large: return "large object";
    case PageState::Stack: return "goroutine stack";
    case PageState::Count: break;
  }
  return "?";
}

const char* PageStateMeaning(PageState s) {
  switch (s) {
    case PageState::Released:
      return "Free page returned to the OS (or never used since mheap.grow mapped it): counted in HeapReleased, costs no RAM.";
    case PageState::Free: return "Free page still backed by memory: counted in HeapIdle but not HeapReleased.";
    case PageState::PageCache:
      return "Free page reserved by a P's 64-page cache (pageCache): small spans come from it without the heap lock.";
    case PageState::InUse:
      return "Page of an in-use span of a size class that sits in its mcentral (partial or full set). Hue = size class: red small … blue large.";
    case PageState::Cached:
      return "Page of a span cached in a P's mcache (mcache.alloc[spanClass]): that P allocates from it with no lock. Drawn lighter, outlined in white.";
    case PageState::Large: return "Page of a large object (> 32 KiB), which has a span of its own (span class 0 or 1).";
    case PageState::Stack:
      return "Page of a stack span (mSpanManual): goroutine stacks come from the P's stack cache, the stack pool "
             "(small stacks, cut from 32 KiB spans) or a span of their own (large stacks). Counted in StackInuse, not HeapInuse.";
    case PageState::Count: break;
  }
  return "";
}

PageInfo ClassifyPage(const sim::HeapView& v, uint64_t page) {
  PageInfo info;
  const sim::SpanId s = v.spanAt(v.heapBase() + page * sim::kPageSize);
  if (s != sim::kNoSpan && s < v.spanCount() && v.span(s).state == sim::SpanState::Manual) {
    info.span = s;
    info.state = PageState::Stack;
    return info;
  }
  if (s != sim::kNoSpan && s < v.spanCount() && v.span(s).state == sim::SpanState::InUse) {
    const sim::MSpan& sp = v.span(s);
    info.span = s;
    info.spanclass = sp.spanclass;
    info.unswept = !v.isSwept(s);
    if (sim::spanClassSize(sp.spanclass) == 0) info.state = PageState::Large;
    else info.state = sp.home == sim::SpanHome::MCache ? PageState::Cached : PageState::InUse;
    return info;
  }
  if (v.pages().inUse(page)) info.state = PageState::PageCache;
  else info.state = v.pageReleased(page) ? PageState::Released : PageState::Free;
  return info;
}

AllocBlackOnPage AllocBlackOn(const sim::HeapView& v, uint64_t page) {
  AllocBlackOnPage out;
  if (!v.pacer().marking) return out;
  const uint64_t addr = v.heapBase() + page * sim::kPageSize;
  const sim::SpanId sid = v.spanAt(addr);
  if (sid == sim::kNoSpan || sid >= v.spanCount() || v.span(sid).state != sim::SpanState::InUse) return out;
  const sim::MSpan& s = v.span(sid);
  if (s.elemsize == 0) return out;
  // The slots overlapping the page's bytes [p0, p1) of the span; only those the mark's
  // allocations handed out can be black (HeapView::allocatedBlack), so most spans cost nothing.
  const uint64_t p0 = addr - s.base(), p1 = p0 + sim::kPageSize;
  const auto first = static_cast<uint32_t>(std::max<uint64_t>(p0 / s.elemsize, s.freeindexAtMarkStart));
  const auto end = static_cast<uint32_t>(std::min<uint64_t>({(p1 + s.elemsize - 1) / s.elemsize, s.nelems, s.freeindex}));
  for (uint32_t i = first; i < end; ++i) {
    if (!s.allocatedSinceMarkStart(i)) continue; // marking and in use: checked above (HeapView::allocatedBlack)
    const uint64_t a = uint64_t{i} * s.elemsize, b = a + s.elemsize;
    out.slots++;
    out.bytes += std::min(b, p1) - std::max(a, p0);
  }
  return out;
}

std::string AllocBlackLine(const sim::HeapView& v, uint64_t page) {
  const AllocBlackOnPage black = AllocBlackOn(v, page);
  if (black.slots == 0) return {};
  const char* why = "allocated black (during mark, gcmarknewobject)";
  const sim::MSpan& s = v.span(v.spanAt(v.heapBase() + page * sim::kPageSize));
  if (sim::spanClassSize(s.spanclass) == 0) return std::string("Its object was ") + why;
  return std::to_string(black.slots) + (black.slots == 1 ? " slot" : " slots") + " on this page " + why;
}

// A categorical palette: successive classes step the hue by the golden ratio and alternate
// saturation and brightness, so small classes side by side (2, 5, 9) never share a colour.
ImU32 SizeClassColour(uint32_t sizeclass, uint32_t numClasses) {
  (void)numClasses; // the palette is by class number, the same for every table
  const float hue = std::fmod(0.02f + 0.618034f * static_cast<float>(sizeclass), 1.0f);
  const float sat = sizeclass % 2 ? 0.62f : 0.45f, val = (sizeclass / 2) % 2 ? 0.78f : 0.92f;
  float r, g, b;
  ImGui::ColorConvertHSVtoRGB(hue, sat, val, r, g, b);
  return IM_COL32(static_cast<int>(r * 255), static_cast<int>(g * 255), static_cast<int>(b * 255), 255);
}

namespace {

constexpr ImU32 kLargeColour = IM_COL32(236, 84, 196, 255);
constexpr ImU32 kBackground = IM_COL32(12, 12, 14, 255);
constexpr int kMaxHatchLines = 4000;

ImU32 Lighten(ImU32 c, float f) {
  auto ch = [&](int shift) {
    const float v = static_cast<float>((c >> shift) & 0xff);
    return static_cast<ImU32>(v + (255.0f - v) * f) << shift;
  };
  return ch(IM_COL32_R_SHIFT) | ch(IM_COL32_G_SHIFT) | ch(IM_COL32_B_SHIFT) | (c & IM_COL32_A_MASK);
}

ImU32 Dim(ImU32 c) {
  auto ch = [&](int shift) { return static_cast<ImU32>(static_cast<float>((c >> shift) & 0xff) * 0.3f) << shift; };
  return ch(IM_COL32_R_SHIFT) | ch(IM_COL32_G_SHIFT) | ch(IM_COL32_B_SHIFT) | (c & IM_COL32_A_MASK);
}

ImU32 SweptColour(const PageInfo& p, uint32_t numClasses) {
  switch (p.state) {
    // The free-page colours are the mheap panel's, so "released" means one colour everywhere.
    case PageState::Released: return ui::color::kReleased;
    case PageState::Free: return ui::LedgerColour(LedgerKind::FreePages);
    case PageState::PageCache: return ui::color::kPCache;
    case PageState::InUse: return SizeClassColour(sim::spanClassSize(p.spanclass), numClasses);
    case PageState::Cached: return Lighten(SizeClassColour(sim::spanClassSize(p.spanclass), numClasses), 0.45f);
    case PageState::Large: return kLargeColour;
    case PageState::Stack: return ui::color::kStack;
    case PageState::Count: break;
  }
  return kBackground;
}

} // namespace

ImU32 UnsweptColour(ImU32 c) {
  // Half way to a dark grey: the hue (size class) stays readable, the brightness goes.
  const ImU32 g = ui::color::kUnsweptGrey;
  auto ch = [&](int shift) {
    const float a = static_cast<float>((c >> shift) & 0xff), b = static_cast<float>((g >> shift) & 0xff);
    return static_cast<ImU32>(a + (b - a) * 0.5f) << shift;
  };
  return ch(IM_COL32_R_SHIFT) | ch(IM_COL32_G_SHIFT) | ch(IM_COL32_B_SHIFT) | (c & IM_COL32_A_MASK);
}

ImU32 PageColour(const PageInfo& p, uint32_t numClasses) {
  const ImU32 c = SweptColour(p, numClasses);
  return p.unswept ? UnsweptColour(c) : c;
}

ImU32 PageStateColour(PageState s) {
  PageInfo p;
  p.state = s;
  p.spanclass = sim::makeSpanClass(20, true);
  return PageColour(p, 68);
}

GridFit FitGrid(uint64_t pages, float w, float h, float maxCell, float minCell) {
  GridFit best;
  best.cell = 0;
  if (pages == 0 || w <= 0 || h <= 0) return GridFit{};
  for (uint32_t cols = 8; cols <= 4096; cols *= 2) {
    const uint64_t rows = (pages + cols - 1) / cols;
    const float cell = std::min({w / static_cast<float>(cols), h / static_cast<float>(rows), maxCell});
    if (cell > best.cell) best = GridFit{cols, cell};
    if (cols >= pages) break;
  }
  // Too small to read: the widest rows whose cells are at least minCell; the map scrolls down.
  if (best.cell < minCell) {
    uint32_t cols = 8;
    while (cols * 2 <= 4096 && w / static_cast<float>(cols * 2) >= minCell) cols *= 2;
    best = GridFit{cols, std::min(w / static_cast<float>(cols), maxCell)};
  }
  return best;
}

uint64_t HeapMapGeometry::pageAt(ImVec2 p) const {
  if (cell <= 0 || cols == 0 || p.x < canvasMin.x || p.y < canvasMin.y || p.x >= canvasMax.x || p.y >= canvasMax.y)
    return sim::kNoPage;
  const double cx = std::floor((p.x - origin.x) / cell), cy = std::floor((p.y - origin.y) / cell);
  if (cx < 0 || cy < 0 || cx >= cols) return sim::kNoPage;
  const uint64_t page = static_cast<uint64_t>(cy) * cols + static_cast<uint64_t>(cx);
  return page < pages ? page : sim::kNoPage;
}

// ---------------------------------------------------------------------------------------------
// Drawing

namespace {

// UI state of the heap map window (HeapMapPanel::State).
struct MapState {
  float zoom = 1;            // 1 = the whole mapped heap fits
  double panX = 0, panY = 0; // top-left visible cell, in cells
  bool dragged = false;
  // Follow mode: the span and engine position last scrolled into view (the user may scroll away
  // until the followed event changes).
  sim::SpanId followedSpan = sim::kNoSpan;
  uint64_t followedPosition = ~uint64_t{0};
  HeapMapGeometry geom;
  // The colour buffer and what it was built for.
  struct Key {
    const void* world = nullptr;
    const void* session = nullptr;
    uint64_t position = ~uint64_t{0}, pages = 0, r0 = 0, r1 = 0;
    uint32_t cols = 0, k = 0;
    int32_t filter = -2;
    bool operator==(const Key&) const = default;
  } key;
  std::vector<ImU32> texels;
  // While a mark runs: the allocated-black bytes of each page of rows [r0, r1) that has any,
  // rebuilt with the texels (the overlay reads it every frame, the engine only when it moved).
  std::unordered_map<uint64_t, uint64_t> blackBytes;
  uint32_t tw = 0, th = 0;
  ImTextureID texture = nullptr;
  bool uploaded = false;
};

// Page colours by state and span class, computed once per rebuild: the hue conversion would
// otherwise run for every page of a 1 GiB heap at every step while playing.
struct ColourTable {
  ColourTable(uint32_t numClasses, int32_t filter) {
    const uint32_t spanClasses = numClasses * 2;
    for (int unswept = 0; unswept < 2; ++unswept)
      for (PageState s : {PageState::InUse, PageState::Cached, PageState::Large}) {
        auto& t = byClass[unswept][static_cast<size_t>(s)];
        t.resize(spanClasses);
        for (uint32_t spc = 0; spc < spanClasses; ++spc) {
          PageInfo p;
          p.state = s;
          p.spanclass = static_cast<sim::SpanClass>(spc);
          p.unswept = unswept != 0;
          t[spc] = filter >= 0 && spc != static_cast<uint32_t>(filter) ? Dim(PageColour(p, numClasses)) : PageColour(p, numClasses);
        }
      }
    for (PageState s : {PageState::Released, PageState::Free, PageState::PageCache, PageState::Stack}) {
      PageInfo p;
      p.state = s;
      plain[static_cast<size_t>(s)] = filter >= 0 ? Dim(PageColour(p, numClasses)) : PageColour(p, numClasses);
    }
  }
  ImU32 operator()(const PageInfo& p) const {
    const auto& t = byClass[p.unswept ? 1 : 0][static_cast<size_t>(p.state)];
    return t.empty() ? plain[static_cast<size_t>(p.state)] : p.spanclass < t.size() ? t[p.spanclass] : kBackground;
  }
  std::vector<ImU32> byClass[2][static_cast<size_t>(PageState::Count)]; // [unswept][state]
  ImU32 plain[static_cast<size_t>(PageState::Count)] = {};
};

// Colour of the texel covering a k x k block of cells (rows r0.., columns c0..): the colour most
// of its pages have (ties: the first page's). k = 1 when cells are at least a pixel wide.
ImU32 TexelColour(const sim::HeapView& v, const MapState::Key& key, const ColourTable& colours, uint64_t r0, uint64_t c0) {
  if (key.k == 1) return r0 * key.cols + c0 < key.pages ? colours(ClassifyPage(v, r0 * key.cols + c0)) : 0;
  ImU32 found[64];
  uint32_t counts[64], distinct = 0;
  for (uint64_t r = r0; r < r0 + key.k; ++r)
    for (uint64_t c = c0; c < std::min<uint64_t>(c0 + key.k, key.cols); ++c) {
      const uint64_t page = r * key.cols + c;
      if (page >= key.pages) break;
      const ImU32 col = colours(ClassifyPage(v, page));
      uint32_t i = 0;
      while (i < distinct && found[i] != col) ++i;
      if (i == distinct) {
        if (distinct == 64) continue; // more than 64 colours in one texel: count the first 64
        found[distinct] = col, counts[distinct++] = 0;
      }
      ++counts[i];
    }
  uint32_t best = 0;
  for (uint32_t i = 1; i < distinct; ++i)
    if (counts[i] > counts[best]) best = i;
  return distinct ? found[best] : 0; // 0: past the last page, transparent
}

void BuildTexels(MapState& st, const sim::HeapView& v, uint32_t numClasses) {
  const MapState::Key& key = st.key;
  const ColourTable colours(numClasses, key.filter);
  st.tw = (key.cols + key.k - 1) / key.k;
  st.th = static_cast<uint32_t>((key.r1 - key.r0 + key.k - 1) / key.k);
  st.texels.assign(static_cast<size_t>(st.tw) * st.th, 0);
  for (uint32_t ty = 0; ty < st.th; ++ty)
    for (uint32_t tx = 0; tx < st.tw; ++tx)
      st.texels[static_cast<size_t>(ty) * st.tw + tx] = TexelColour(v, key, colours, key.r0 + uint64_t{ty} * key.k, uint64_t{tx} * key.k);
  st.uploaded = false;
}

// Outline of pages [first, first+n): one rectangle per row the range covers (visible rows only).
void OutlinePages(ImDrawList* dl, const HeapMapGeometry& g, uint64_t first, uint64_t n, ImU32 col, float thickness) {
  if (n == 0 || g.cols == 0) return;
  const uint64_t last = first + n - 1;
  const double visTop = (g.canvasMin.y - g.origin.y) / g.cell, visBottom = (g.canvasMax.y - g.origin.y) / g.cell;
  const uint64_t rFirst = std::max<uint64_t>(first / g.cols, static_cast<uint64_t>(std::max(0.0, visTop)));
  const uint64_t rLast = std::min<uint64_t>(last / g.cols, static_cast<uint64_t>(std::max(0.0, visBottom)));
  for (uint64_t r = rFirst; r <= rLast; ++r) {
    const uint64_t a = std::max(first, r * g.cols), b = std::min(last, r * g.cols + g.cols - 1);
    const ImVec2 p0(g.origin.x + static_cast<float>(a % g.cols) * g.cell, g.origin.y + static_cast<float>(r) * g.cell);
    const ImVec2 p1(g.origin.x + static_cast<float>(b % g.cols + 1) * g.cell, p0.y + g.cell);
    dl->AddRect(p0, p1, col, 0, 0, thickness);
  }
}

// Starts a new legend line unless an entry of this width still fits on the current one (every
// entry on its own line in a tooltip, `vertical`).
void LegendSpacing(const char* label, bool first, bool vertical = false) {
  if (first || vertical) return;
  const float need = ImGui::GetTextLineHeight() * 1.6f + ImGui::CalcTextSize(label).x + 14;
  ImGui::SameLine(0, 14);
  if (ImGui::GetCursorPosX() + need > ImGui::GetWindowContentRegionMax().x) ImGui::NewLine();
}

constexpr const char* kUnsweptLabel = "unswept (this cycle)";
constexpr const char* kUnsweptMeaning =
    "A span not yet swept since the last GC's mark termination (its sweepgen is mheap.sweepgen - 2): its "
    "unreachable objects still count as allocated. Drawn faded (and hatched when zoomed in) in its class's hue. "
    "With lazy sweeping an allocation, the page reclaimer, proportional sweep or the background sweeper sweeps it.";

constexpr const char* kAllocBlackMeaning =
    "A GC mark is in progress, and every object allocated during it is marked at once (Go: mallocgc calls "
    "gcmarknewobject while gcphase != _GCoff): it is allocated black, so this cycle's sweep keeps it even if the "
    "program drops it before the mark ends. A black square on a page, rimmed in white, covers the share of the "
    "page those objects take. At mark termination they become ordinary marked objects and the square goes.";

void AllocBlackLegendItem() {
  ui::LegendItem(ui::color::kAllocBlack, kAllocBlackLabel, kAllocBlackMeaning, ui::color::kAllocBlackRim);
}

void DrawLegend(uint32_t numClasses, bool marking, bool vertical = false) {
  const PageState order[] = {PageState::Released, PageState::Free, PageState::PageCache};
  bool first = true;
  for (PageState s : order) {
    LegendSpacing(PageStateName(s), first, vertical);
    ui::LegendItem(PageStateColour(s), PageStateName(s), PageStateMeaning(s));
    first = false;
  }
  // In use: the class ramp as a gradient swatch.
  const char* inUse = "in use: class 1 … 67";
  LegendSpacing(inUse, false, vertical);
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int steps = 8;
  for (int i = 0; i < steps; ++i) {
    const uint32_t c = 1 + static_cast<uint32_t>(i) * (numClasses - 2) / (steps - 1);
    dl->AddRectFilled(ImVec2(p.x + static_cast<float>(i) * h * 0.3f, p.y + h * 0.2f),
                      ImVec2(p.x + static_cast<float>(i + 1) * h * 0.3f, p.y + h * 0.8f), SizeClassColour(c, numClasses));
  }
  ImGui::Dummy(ImVec2(h * 0.3f * steps, h));
  ui::ItemTooltip(PageStateMeaning(PageState::InUse));
  ImGui::SameLine(0, 2);
  ImGui::TextUnformatted(inUse);
  ui::ItemTooltip(PageStateMeaning(PageState::InUse));
  LegendSpacing("in an mcache", false, vertical);
  ui::LegendItem(PageStateColour(PageState::Cached), "in an mcache", PageStateMeaning(PageState::Cached));
  LegendSpacing("large object", false, vertical);
  ui::LegendItem(PageStateColour(PageState::Large), "large object", PageStateMeaning(PageState::Large));
  LegendSpacing(PageStateName(PageState::Stack), false, vertical);
  ui::LegendItem(PageStateColour(PageState::Stack), PageStateName(PageState::Stack), PageStateMeaning(PageState::Stack));
  LegendSpacing(kUnsweptLabel, false, vertical);
  ui::LegendItem(UnsweptColour(PageStateColour(PageState::InUse)), kUnsweptLabel, kUnsweptMeaning);
  if (marking) {
    LegendSpacing(kAllocBlackLabel, false, vertical);
    AllocBlackLegendItem();
  }
  LegendSpacing("selected span", false, vertical);
  ui::LegendItem(ui::color::kSelected, "selected span", "The span open in the span inspector (click a page to choose it).");
  LegendSpacing("◥ scan", false, vertical);
  ImGui::TextUnformatted("◥ scan");
  ui::ItemTooltip("A dark corner on a page: its span holds objects with pointers (scan), which the GC must scan. "
                  "Pages without it hold noscan objects. The same size class has a scan and a noscan span class.");
}

} // namespace

std::string SweepStateLine(const sim::HeapView& v, sim::SpanId s) {
  const uint32_t sg = v.span(s).sweepgen, heapSg = v.sweepgen();
  const std::string gens = "sweepgen " + std::to_string(sg) + ", mheap.sweepgen " + std::to_string(heapSg);
  if (!v.isSwept(s)) return "Span " + std::to_string(s) + ": unswept — " + gens;
  return "Span " + std::to_string(s) + ": swept this cycle — " + gens;
}

namespace {

void DrawTooltip(const sim::HeapView& v, uint64_t page) {
  const PageInfo info = ClassifyPage(v, page);
  const uint64_t addr = v.heapBase() + page * sim::kPageSize;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  ImGui::Text("Page %s at %s", FormatCount(page).c_str(), FormatAddr(addr).c_str());
  ImGui::TextDisabled("chunk %s (4 MiB), arena %s (64 MiB)", FormatCount(page / sim::kPallocChunkPages).c_str(),
                      FormatAddr(addr & ~(sim::kHeapArenaBytes - 1)).c_str());
  ImGui::Separator();
  ImGui::Text("State: %s", PageStateName(info.state));
  ImGui::TextDisabled("%s", PageStateMeaning(info.state));
  if (info.state == PageState::Stack) {
    const sim::MSpan& s = v.span(info.span);
    ImGui::Separator();
    ImGui::Text("Span %u: stack span %s … %s (%u page%s)", info.span, FormatAddr(s.base()).c_str(),
                FormatAddr(s.base() + s.bytes()).c_str(), s.npages, s.npages == 1 ? "" : "s");
  } else if (info.span != sim::kNoSpan) {
    const sim::MSpan& s = v.span(info.span);
    const uint32_t sc = sim::spanClassSize(s.spanclass);
    ImGui::Separator();
    ImGui::Text("Span %u: %s … %s (%u page%s)", info.span, FormatAddr(s.base()).c_str(), FormatAddr(s.base() + s.bytes()).c_str(),
                s.npages, s.npages == 1 ? "" : "s");
    if (sc != 0) ImGui::Text("Span class %u: size class %u (%s objects), %s", s.spanclass, sc, FormatBytes(s.elemsize).c_str(),
                             sim::spanClassNoscan(s.spanclass) ? "noscan" : "scan");
    else ImGui::Text("Large object span (class 0, %s)", sim::spanClassNoscan(s.spanclass) ? "noscan" : "scan");
    ImGui::Text("Slots: %u of %u allocated (allocCount), freeindex %u", s.allocCount, s.nelems, s.freeindex);
    ImGui::TextUnformatted(SweepStateLine(v, info.span).c_str());
    if (const std::string black = AllocBlackLine(v, page); !black.empty()) ImGui::TextUnformatted(black.c_str());
    if (s.home == sim::SpanHome::MCache) ImGui::Text("Cached in P%u's mcache", s.homeIndex);
    else if (s.home == sim::SpanHome::PartialSet) ImGui::TextUnformatted("In its mcentral's partial set (has free slots)");
    else if (s.home == sim::SpanHome::FullSet) ImGui::TextUnformatted("In its mcentral's full set");
    ImGui::TextDisabled("Click to open it in the span inspector");
  }
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

} // namespace

namespace {

// Legend, the summary line and the view controls above the map.
void DrawHeader(PanelContext& ctx, MapState& st) {
  const sim::HeapView& v = ctx.view;
  const uint64_t pages = v.mappedPages();
  // A short panel (presentation mode on a projector) keeps its height for the pages: the legend
  // folds into a Legend button that shows it on hover; allocate-black, which only a running mark
  // shows, stays in view.
  const bool compact = ImGui::GetContentRegionAvail().y < ImGui::GetTextLineHeightWithSpacing() * 16;
  if (!compact) DrawLegend(v.table().numClasses(), v.pacer().marking);
  const uint64_t chunks = pages / sim::kPallocChunkPages;
  ImGui::Text("%s mapped: %s arena%s, %s chunk%s, %s pages", FormatBytes(pages * sim::kPageSize).c_str(),
              FormatCount(v.arenas().size()).c_str(), v.arenas().size() == 1 ? "" : "s", FormatCount(chunks).c_str(),
              chunks == 1 ? "" : "s", FormatCount(pages).c_str());
  ui::ItemTooltip("The heap grows in 4 MiB chunks (512 pages of 8 KiB) inside 64 MiB arenas reserved from 0xc000000000 upward. "
                  "Each cell is one page; each row starts at the address on its left.");
  if (v.sweepInProgress()) {
    ImGui::SameLine(0, 12);
    ImGui::TextDisabled("· %s spans unswept", FormatCount(v.unsweptSpans()).c_str());
    ui::ItemTooltip("A lazy sweep is in progress: mheap.sweepgen is " + std::to_string(v.sweepgen()) +
                    "; spans drawn faded still have sweepgen " + std::to_string(v.sweepgen() - 2) +
                    ". Transport → Sweep end (S) steps to where the last one is swept.");
  }
  ImGui::SameLine(0, 16);
  if (ImGui::SmallButton("Fit")) st.zoom = 1, st.panX = st.panY = 0;
  ui::ItemTooltip("Zoom out so that the whole mapped heap fits (mouse wheel zooms, drag pans).");
  ImGui::SameLine();
  ImGui::TextDisabled("zoom %.0f%%", st.zoom * 100);
  ui::ItemTooltip("100% = the whole mapped heap fits. Last frame: " + std::to_string(st.geom.cols) + " pages per row, " +
                  std::to_string(st.geom.cell).substr(0, 4) + " pixels per page (below one pixel, a cell shows the state most of its pages are in).");
  if (compact) {
    ImGui::SameLine(0, 16);
    ImGui::SmallButton("Legend");
    if (ImGui::IsItemHovered() || ImGui::IsItemActive()) {
      ImGui::BeginTooltip();
      DrawLegend(v.table().numClasses(), v.pacer().marking, /*vertical=*/true);
      ImGui::EndTooltip();
    }
    if (v.pacer().marking) {
      LegendSpacing(kAllocBlackLabel, false);
      AllocBlackLegendItem();
    }
  }
  // The class buttons go on this line if they fit, else on the next (a narrow panel, presentation mode).
  auto sameLineIfFits = [](const char* label) {
    const float w = ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2 + 16;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + w <= right) ImGui::SameLine(0, 16);
  };
  if (ctx.selection.spanClassFilter >= 0) {
    sameLineIfFits("Show all classes");
    if (ImGui::SmallButton("Show all classes")) ctx.selection.spanClassFilter = -1;
    ui::ItemTooltip("Only span class " + std::to_string(ctx.selection.spanClassFilter) + " is highlighted; click to show all.");
  } else if (ctx.selection.span != sim::kNoSpan && ctx.selection.span < v.spanCount() &&
             v.span(ctx.selection.span).state == sim::SpanState::InUse) {
    sameLineIfFits("Highlight this span class");
    if (ImGui::SmallButton("Highlight this span class"))
      ctx.selection.spanClassFilter = static_cast<int32_t>(v.span(ctx.selection.span).spanclass);
    ui::ItemTooltip("Dim every page that is not in a span of the selected span's class.");
  }
}

// One frame of the map once the canvas is placed: where it is and which rows are visible.
struct MapFrame {
  const sim::HeapView& v;
  const HeapMapGeometry& g;
  uint64_t pages = 0, rows = 0;
  double firstRow = 0, lastRow = 0; // visible rows
  float mapW = 0, mapH = 0;
};

// The pages (the colour texture, rebuilt only when what it shows changed), page grid and chunk lines.
void DrawPages(ImDrawList* dl, const MapFrame& f, MapState& st, const PanelContext& ctx) {
  const HeapMapGeometry& g = f.g;
  const float cell = g.cell;
  MapState::Key key;
  key.world = &f.v.world();
  key.session = &ctx.session;
  key.position = ctx.session.position();
  key.pages = f.pages;
  key.cols = g.cols;
  key.k = cell >= 1 ? 1 : std::min<uint32_t>(g.cols, std::bit_ceil(static_cast<uint32_t>(std::ceil(1.0f / cell))));
  key.r0 = static_cast<uint64_t>(std::floor(st.panY)) / key.k * key.k;
  key.r1 = std::min<uint64_t>(f.rows, static_cast<uint64_t>(std::ceil(st.panY + f.mapH / cell)) + 1);
  key.filter = ctx.selection.spanClassFilter;
  if (!(key == st.key)) {
    st.key = key;
    BuildTexels(st, f.v, f.v.table().numClasses());
    st.blackBytes.clear();
    if (f.v.pacer().marking)
      for (uint64_t page = key.r0 * key.cols, end = std::min(f.pages, key.r1 * key.cols); page < end; ++page)
        if (const uint64_t b = AllocBlackOn(f.v, page).bytes) st.blackBytes[page] = b;
  }
  if (TextureUploader* up = textureUploader(); up && st.tw > 0 && st.th > 0) {
    if (!st.uploaded) st.texture = up->upload(st.texture, st.texels.data(), static_cast<int>(st.tw), static_cast<int>(st.th)), st.uploaded = true;
    const ImVec2 p0(g.origin.x, g.origin.y + static_cast<float>(key.r0) * cell);
    const ImVec2 p1(g.origin.x + static_cast<float>(st.tw * key.k) * cell, g.origin.y + static_cast<float>(key.r0 + uint64_t{st.th} * key.k) * cell);
    dl->AddImage(st.texture, p0, p1);
  } else if (!up) {
    dl->AddText(ImVec2(g.canvasMin.x + 8, g.canvasMin.y + 8), IM_COL32(220, 120, 120, 255), "No texture support: the heap map cannot be drawn.");
  }
  // Page grid lines when cells are big enough to tell pages apart; chunk boundaries always.
  if (cell >= 6) {
    for (double r = f.firstRow; r <= f.lastRow; ++r) {
      const float y = g.origin.y + static_cast<float>(r) * cell;
      dl->AddLine(ImVec2(g.canvasMin.x, y), ImVec2(g.origin.x + static_cast<float>(g.cols) * cell, y), kBackground);
    }
    for (double c = std::floor(st.panX); c <= std::min<double>(g.cols, st.panX + f.mapW / cell + 1); ++c) {
      const float x = g.origin.x + static_cast<float>(c) * cell;
      dl->AddLine(ImVec2(x, g.canvasMin.y), ImVec2(x, g.origin.y + static_cast<float>(f.rows) * cell), kBackground);
    }
  }
  const uint64_t rowsPerChunk = std::max<uint64_t>(1, sim::kPallocChunkPages / g.cols);
  if (static_cast<float>(rowsPerChunk) * cell >= 6) {
    for (uint64_t r = static_cast<uint64_t>(f.firstRow) / rowsPerChunk * rowsPerChunk; static_cast<double>(r) <= f.lastRow; r += rowsPerChunk) {
      const float y = g.origin.y + static_cast<float>(r) * cell;
      dl->AddLine(ImVec2(g.canvasMin.x, y), ImVec2(g.origin.x + static_cast<float>(g.cols) * cell, y), IM_COL32(150, 150, 160, 90));
    }
  }
}

// Over the pages: cached spans, unswept hatching, size-class labels, the selected and hovered span.
void DrawOverlays(ImDrawList* dl, const MapFrame& f, const MapState& st, const Selection& sel, uint64_t hoverPage) {
  const sim::HeapView& v = f.v;
  auto blackBytes = [&](uint64_t page) {
    const auto it = st.blackBytes.find(page);
    return it == st.blackBytes.end() ? uint64_t{0} : it->second;
  };
  const HeapMapGeometry& g = f.g;
  const float cell = g.cell;
  // Spans cached in an mcache: a white outline (they are also drawn lighter).
  if (cell >= 3) {
    for (const sim::P& p : v.ps())
      for (sim::SpanId s : p.mcache.alloc)
        if (s != sim::kNoSpan && s < v.spanCount() && v.span(s).state == sim::SpanState::InUse)
          OutlinePages(dl, g, (v.span(s).base() - v.heapBase()) / sim::kPageSize, v.span(s).npages, IM_COL32(255, 255, 255, 200), 1);
  }
  // Unswept spans: one diagonal per page when cells are big enough to see it (the faded colour
  // alone says it when zoomed out). Bounded so the window's draw list stays far below 64K vertices.
  if (cell >= 5 && v.sweepInProgress()) {
    int lines = 0;
    for (double r = f.firstRow; r < f.lastRow && lines < kMaxHatchLines; ++r)
      for (uint32_t c = 0; c < g.cols && lines < kMaxHatchLines; ++c) {
        const uint64_t page = static_cast<uint64_t>(r) * g.cols + c;
        if (page >= f.pages) break;
        if (!ClassifyPage(v, page).unswept) continue;
        const float x0 = g.origin.x + static_cast<float>(c) * cell, y0 = g.origin.y + static_cast<float>(r) * cell;
        dl->AddLine(ImVec2(x0, y0 + cell), ImVec2(x0 + cell, y0), IM_COL32(10, 10, 14, 130), 1.0f);
        ++lines;
      }
  }
  // Spans of objects with pointers (scan) get a dark corner on each page, so scan and noscan spans
  // of one size class (same colour) tell apart.
  if (cell >= 8) {
    for (double r = f.firstRow; r < f.lastRow; ++r)
      for (uint32_t c = 0; c < g.cols; ++c) {
        const uint64_t page = static_cast<uint64_t>(r) * g.cols + c;
        if (page >= f.pages) break;
        const PageInfo info = ClassifyPage(v, page);
        if ((info.state != PageState::InUse && info.state != PageState::Cached) || sim::spanClassNoscan(info.spanclass)) continue;
        const float x1 = g.origin.x + static_cast<float>(c + 1) * cell, y0 = g.origin.y + static_cast<float>(r) * cell;
        dl->AddTriangleFilled(ImVec2(x1 - cell * 0.45f, y0), ImVec2(x1, y0), ImVec2(x1, y0 + cell * 0.45f), IM_COL32(20, 20, 24, 230));
      }
  }
  // Objects allocated black by the mark in progress: a black square rimmed in white, its height the
  // share of the page they cover (a whole large object: the full square).
  if (cell >= 4) {
    const float inset = std::max(1.0f, std::floor(cell * 0.16f)), side = cell - 2 * inset;
    const float rim = std::max(1.0f, std::floor(cell / 24.0f));
    for (const auto& [page, bytes] : st.blackBytes) {
      const uint64_t r = page / g.cols, c = page % g.cols;
      if (static_cast<double>(r) < f.firstRow || static_cast<double>(r) >= f.lastRow) continue;
      const float h = std::max(2.0f, side * static_cast<float>(bytes) / static_cast<float>(sim::kPageSize));
      const float x0 = g.origin.x + static_cast<float>(c) * cell + inset, y1 = g.origin.y + static_cast<float>(r + 1) * cell - inset;
      dl->AddRectFilled(ImVec2(x0, y1 - h), ImVec2(x0 + side, y1), ui::color::kAllocBlack);
      dl->AddRect(ImVec2(x0, y1 - h), ImVec2(x0 + side, y1), ui::color::kAllocBlackRim, 0, 0, rim);
    }
  }
  // Size class numbers on each span's first page ("L" for large, "S" for a stack) when cells have room for them.
  const float labelSize = std::min(ImGui::GetFontSize(), cell * 0.7f);
  if (cell >= 12) {
    for (double r = f.firstRow; r < f.lastRow; ++r)
      for (uint32_t c = 0; c < g.cols; ++c) {
        const uint64_t page = static_cast<uint64_t>(r) * g.cols + c;
        if (page >= f.pages) break;
        const PageInfo info = ClassifyPage(v, page);
        if (info.span == sim::kNoSpan || v.span(info.span).base() != v.heapBase() + page * sim::kPageSize) continue;
        const uint32_t sc = sim::spanClassSize(info.spanclass);
        const std::string label = info.state == PageState::Stack ? "S" : sc ? std::to_string(sc) : "L";
        const ImVec2 ts = ImGui::GetFont()->CalcTextSizeA(labelSize, FLT_MAX, 0, label.c_str());
        const ImVec2 at(g.origin.x + static_cast<float>(c) * cell + (cell - ts.x) * 0.5f,
                        g.origin.y + static_cast<float>(r) * cell + (cell - ts.y) * 0.5f);
        // Light on a black square that reaches the cell's middle (half the page allocated black).
        const bool onBlack = blackBytes(page) * 2 >= sim::kPageSize;
        dl->AddText(ImGui::GetFont(), labelSize, at, onBlack ? IM_COL32(236, 236, 240, 255) : IM_COL32(10, 10, 12, 255), label.c_str());
      }
  }
  // Selected span, then the span under the mouse.
  if (sel.span != sim::kNoSpan && sel.span < v.spanCount() && v.span(sel.span).state == sim::SpanState::InUse) {
    const sim::MSpan& s = v.span(sel.span);
    OutlinePages(dl, g, (s.base() - v.heapBase()) / sim::kPageSize, s.npages, ui::color::kSelected, 2);
    // Follow mode: the span the current event touched pulses for a moment (three beats, fading).
    const double since = ImGui::GetTime() - sel.pulseAt;
    if (sel.follow && sel.pulseAt >= 0 && since < 1.5) {
      const float beat = 0.5f + 0.5f * std::cos(static_cast<float>(since) * 12.566f);
      const auto alpha = static_cast<int>(220.0f * beat * (1.0f - static_cast<float>(since) / 1.5f));
      OutlinePages(dl, g, (s.base() - v.heapBase()) / sim::kPageSize, s.npages, IM_COL32(255, 240, 160, alpha), 2 + 3 * beat);
    }
  }
  if (hoverPage != sim::kNoPage) {
    const PageInfo info = ClassifyPage(v, hoverPage);
    if (info.span != sim::kNoSpan)
      OutlinePages(dl, g, (v.span(info.span).base() - v.heapBase()) / sim::kPageSize, v.span(info.span).npages, IM_COL32(255, 255, 255, 255), 1.5f);
    else OutlinePages(dl, g, hoverPage, 1, IM_COL32(255, 255, 255, 255), 1.5f);
  }
}

// Row addresses left of the map (x from x0 to the map), spaced so labels never overlap; arena
// starts in brighter text.
void DrawGutter(ImDrawList* dl, const MapFrame& f, float x0) {
  const HeapMapGeometry& g = f.g;
  const float lineH = ImGui::GetTextLineHeight();
  uint64_t labelEvery = 1;
  while (static_cast<float>(labelEvery) * g.cell < lineH * 1.3f) labelEvery *= 2;
  dl->PushClipRect(ImVec2(x0, g.canvasMin.y - 2), ImVec2(g.canvasMin.x, g.canvasMax.y + 2), true);
  for (uint64_t r = static_cast<uint64_t>(f.firstRow) / labelEvery * labelEvery; static_cast<double>(r) < f.lastRow; r += labelEvery) {
    const uint64_t addr = f.v.heapBase() + r * g.cols * sim::kPageSize;
    const bool arenaStart = addr % sim::kHeapArenaBytes == 0;
    const float y = g.origin.y + static_cast<float>(r) * g.cell + std::max(0.0f, (g.cell - lineH) * 0.5f);
    dl->AddText(ImVec2(x0 + 4, y), arenaStart ? IM_COL32(230, 230, 240, 255) : IM_COL32(130, 130, 145, 255),
                FormatAddr(addr).c_str());
  }
  dl->PopClipRect();
}

} // namespace

struct HeapMapPanel::State : MapState {};

HeapMapPanel::HeapMapPanel() : state_(std::make_unique<State>()) {}
HeapMapPanel::~HeapMapPanel() = default;
const HeapMapGeometry& HeapMapPanel::geometry() const { return state_->geom; }
std::unique_ptr<Panel> MakeHeapMapPanel() { return std::make_unique<HeapMapPanel>(); }

// The header, then the canvas: address gutter on the left, the pages on the right with their
// overlays. The mouse wheel zooms around the pointer, dragging pans, a click selects a span.
void HeapMapPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kHeapMapTitle, open)) {
    ImGui::End();
    return;
  }
  MapState& st = *state_;
  const sim::HeapView& v = ctx.view;
  const uint64_t pages = v.mappedPages();
  DrawHeader(ctx, st);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 canvas0 = ImGui::GetCursorScreenPos();
  const ImVec2 canvasSize(std::max(avail.x, 50.0f), std::max(avail.y, 50.0f));
  ImGui::InvisibleButton("##heapmap", canvasSize, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemDeactivated() && hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left);
  if (ImGui::IsItemActivated()) st.dragged = false;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 canvas1(canvas0.x + canvasSize.x, canvas0.y + canvasSize.y);
  dl->AddRectFilled(canvas0, canvas1, kBackground);
  if (pages == 0) {
    dl->AddText(ImVec2(canvas0.x + 8, canvas0.y + 8), IM_COL32(160, 160, 170, 255), "No heap mapped yet: the first allocation grows it.");
    st.geom = HeapMapGeometry{};
    ImGui::End();
    return;
  }
  const float gutter = ImGui::CalcTextSize("0xc000000000").x + 10;
  const ImVec2 map0(canvas0.x + gutter, canvas0.y + 2);
  const float mapW = canvas1.x - map0.x - 2, mapH = canvas1.y - map0.y - 2;
  const GridFit fit = FitGrid(pages, mapW, mapH, 48.0f * ctx.uiScale, ctx.uiScale > 1 ? 14.0f * ctx.uiScale : 0.0f);
  const uint64_t rows = (pages + fit.cols - 1) / fit.cols;

  // Zoom around the mouse with the wheel; pan by dragging.
  const ImGuiIO& io = ImGui::GetIO();
  float cell = fit.cell * st.zoom;
  if (hovered && io.MouseWheel != 0) {
    const float newZoom = std::clamp(st.zoom * std::pow(1.25f, io.MouseWheel), 1.0f, std::max(1.0f, 64.0f / fit.cell));
    const double mx = (io.MousePos.x - map0.x) / cell + st.panX, my = (io.MousePos.y - map0.y) / cell + st.panY;
    st.zoom = newZoom;
    cell = fit.cell * st.zoom;
    st.panX = mx - (io.MousePos.x - map0.x) / cell;
    st.panY = my - (io.MousePos.y - map0.y) / cell;
  }
  if (ImGui::IsItemActive() && (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3) || ImGui::IsMouseDragging(ImGuiMouseButton_Right, 3))) {
    st.dragged = true;
    st.panX -= io.MouseDelta.x / cell;
    st.panY -= io.MouseDelta.y / cell;
  }
  // Follow mode: a followed span out of view (presentation mode's large cells, a zoomed-in map) is
  // scrolled into the middle of the map once per event; a span already in view does not move it.
  const Selection& sel = ctx.selection;
  if (sel.follow && sel.span != sim::kNoSpan && sel.span < v.spanCount() && v.span(sel.span).state == sim::SpanState::InUse &&
      (sel.span != st.followedSpan || ctx.session.position() != st.followedPosition)) {
    st.followedSpan = sel.span;
    st.followedPosition = ctx.session.position();
    const uint64_t first = (v.span(sel.span).base() - v.heapBase()) / sim::kPageSize, last = first + v.span(sel.span).npages - 1;
    const double r0 = static_cast<double>(first / fit.cols), r1 = static_cast<double>(last / fit.cols) + 1;
    const double visRows = mapH / cell, visCols = mapW / cell;
    if (r0 < st.panY || r1 > st.panY + visRows) st.panY = r0 - std::max(0.0, (visRows - (r1 - r0)) / 2);
    const double c0 = static_cast<double>(r0 == r1 - 1 ? first % fit.cols : 0), c1 = r0 == r1 - 1 ? static_cast<double>(last % fit.cols) + 1 : fit.cols;
    if (c0 < st.panX || c1 > st.panX + visCols) st.panX = c0 - std::max(0.0, (visCols - (c1 - c0)) / 2);
  }
  st.panX = std::clamp(st.panX, 0.0, std::max(0.0, static_cast<double>(fit.cols) - mapW / cell));
  st.panY = std::clamp(st.panY, 0.0, std::max(0.0, static_cast<double>(rows) - mapH / cell));

  HeapMapGeometry& g = st.geom;
  g.cell = cell;
  g.cols = fit.cols;
  g.pages = pages;
  g.canvasMin = map0;
  g.canvasMax = ImVec2(map0.x + mapW, map0.y + mapH);
  g.origin = ImVec2(map0.x - static_cast<float>(st.panX) * cell, map0.y - static_cast<float>(st.panY) * cell);
  const MapFrame f{v, g, pages, rows, std::floor(st.panY), std::min<double>(static_cast<double>(rows), st.panY + mapH / cell + 1), mapW, mapH};
  const uint64_t hoverPage = hovered ? g.pageAt(io.MousePos) : sim::kNoPage;

  dl->PushClipRect(g.canvasMin, g.canvasMax, true);
  DrawPages(dl, f, st, ctx);
  DrawOverlays(dl, f, st, ctx.selection, hoverPage);
  dl->PopClipRect();
  DrawGutter(dl, f, canvas0.x);

  if (hoverPage != sim::kNoPage && !ImGui::IsItemActive()) DrawTooltip(v, hoverPage);
  if (clicked && !st.dragged && hoverPage != sim::kNoPage) {
    const PageInfo info = ClassifyPage(v, hoverPage);
    ctx.selection.span = info.state == PageState::Stack ? sim::kNoSpan : info.span; // the inspector shows heap spans
    ctx.selection.follow = false; // the user chose a span: stop following the events
  }
  ImGui::End();
}

} // namespace gui
