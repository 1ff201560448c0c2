// Path panel: the allocator's levels as boxes and arrows — mcache(P) with its tiny block →
// mcentral(span class) → mheap (page cache, page allocator, arenas) → the OS, and the large-object
// path that skips mcentral — with the current event's path lit stop by stop: the Go functions of
// each stop, the locks taken (and any wait), and the slot the object landed in. When the user steps
// or plays slowly the stops light one after another.
// Reads: Session::lastRecord (sim::StepRecord: path bits, locks, span, slot). Go: malloc.go
// mallocgc, mcache.go refill, mcentral.go cacheSpan/grow, mheap.go allocSpan/grow, mpagecache.go.
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/locks_model.h"
#include "app/gui/panels/panel_widgets.h"
#include "app/gui/panels/path_model.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

namespace gui {

// [SECTION] Model

const char* pathBoxName(PathBox b) {
  switch (b) {
    case PathBox::Tiny: return "tiny block";
    case PathBox::MCache: return "mcache";
    case PathBox::MCentral: return "mcentral";
    case PathBox::PageCache: return "pageCache";
    case PathBox::PageAlloc: return "pageAlloc";
    case PathBox::Arenas: return "arenas";
    case PathBox::OS: return "OS";
    case PathBox::Span: return "span";
    case PathBox::Count: break;
  }
  return "";
}

namespace {

bool InHeap(PathBox b) { return b == PathBox::PageCache || b == PathBox::PageAlloc || b == PathBox::Arenas || b == PathBox::OS; }

std::string StepFunctions(sim::PathStep st) {
  sim::StepRecord one;
  one.kind = sim::EventKind::Free; // adds no outer function of its own
  one.add(st);
  std::string s;
  for (const char* f : sim::goFunctions(one)) s += (s.empty() ? "" : " → ") + std::string(f);
  return s;
}

} // namespace

PathModel BuildPath(const sim::StepRecord* r, uint64_t objectId) {
  PathModel m;
  if (r == nullptr) {
    m.note = "No event applied yet: step forward (Right) to follow the first allocation down the allocator.";
    return m;
  }
  using sim::PathStep;
  if (r->kind != sim::EventKind::Alloc && r->kind != sim::EventKind::Free) {
    m.note = r->kind == sim::EventKind::Annotate ? "A lesson step: no allocator work. Step on to the next event."
                                                  : "This event is not an allocation or a free: " + sim::describe(*r);
    return m;
  }
  m.valid = true;
  m.p = r->p;
  m.spanclass = r->spanclass;
  m.sizeclass = r->sizeclass;
  m.noscan = (r->spanclass & 1) != 0;
  m.large = r->has(PathStep::LargeAlloc);
  m.tiny = r->has(PathStep::TinyHit) || r->has(PathStep::TinyNewBlock);
  m.addr = r->addr;
  m.span = r->span;
  m.slot = r->slot;
  m.tinyOffset = r->tinyOffset;
  m.size = r->size;
  const bool alloc = r->kind == sim::EventKind::Alloc;
  m.headline = (alloc ? "alloc id " : "free id ") + std::to_string(objectId) + ": " + sim::describe(*r);

  const bool pageCache = r->has(PathStep::PageCacheHit) || r->has(PathStep::PageCacheRefill);
  auto add = [&](PathStep st, PathBox box, PathBox from, std::string what) {
    if (r->has(st)) m.stops.push_back({box, from, std::move(what), StepFunctions(st), {}});
  };
  add(PathStep::ZeroSize, PathBox::MCache, PathBox::Count, "size 0: every zero-size allocation returns &zerobase");
  add(PathStep::TinyHit, PathBox::Tiny, PathBox::Count,
      "tiny hit: packed at offset " + std::to_string(r->tinyOffset) + " of the P's current 16 B block (no slot, no lock)");
  add(PathStep::TinyNewBlock, PathBox::Tiny, PathBox::Count,
      "the current tiny block has no room: a new 16 B block from span class 5 (class 2, noscan)");
  add(PathStep::NextFreeFast, PathBox::MCache, m.tiny ? PathBox::Tiny : PathBox::Count,
      "mcache hit: the cached span's allocCache has a free slot (one count-trailing-zeros, no lock)");
  add(PathStep::NextFree, PathBox::MCache, m.tiny ? PathBox::Tiny : PathBox::Count,
      "allocCache empty: nextFreeIndex searches the cached span's allocBits");
  add(PathStep::Refill, PathBox::MCache, PathBox::Count,
      r->has(PathStep::UncacheSpan) || r->has(PathStep::NextFree) ? "the cached span is full: mcache.refill"
                                                                   : "no span cached for this span class: mcache.refill");
  add(PathStep::UncacheSpan, PathBox::MCentral, PathBox::MCache, "the full span goes back to mcentral");
  add(PathStep::ProportionalSweep, PathBox::MCentral, PathBox::MCache, "sweep debt first: the allocator sweeps spans before taking one");
  add(PathStep::CacheSpanPartialSwept, PathBox::MCentral, PathBox::MCache, "cacheSpan: a swept span with free slots (partial swept set)");
  add(PathStep::CacheSpanPartialUnswept, PathBox::MCentral, PathBox::MCache, "cacheSpan: swept a partial unswept span, then took it");
  add(PathStep::CacheSpanFullUnswept, PathBox::MCentral, PathBox::MCache, "cacheSpan: swept a full unswept span and found free slots");
  add(PathStep::CentralGrow, PathBox::MCentral, PathBox::MCache, "mcentral has no span with free slots: grow asks mheap for one");
  add(PathStep::LargeAlloc, PathBox::MCache, PathBox::Count,
      "large object (over 32 KiB): allocLarge asks mheap for a span of its own, skipping mcentral");
  add(PathStep::Reclaim, PathBox::PageAlloc, PathBox::Count, "the page reclaimer swept unmarked spans first");
  add(PathStep::AllocSpan, pageCache ? PathBox::PageCache : PathBox::PageAlloc, m.large ? PathBox::MCache : PathBox::MCentral,
      "mheap.allocSpan: " + std::to_string(r->newSpanPages) + (r->newSpanPages == 1 ? " page" : " pages"));
  add(PathStep::PageCacheRefill, PathBox::PageCache, PathBox::PageAlloc,
      "the P's page cache was empty: allocToCache takes a 64-page block (heap lock)");
  add(PathStep::PageCacheHit, PathBox::PageCache, PathBox::Count, "pages from the P's page cache (no heap lock)");
  add(PathStep::PageAllocFind, PathBox::PageAlloc, PathBox::Count, "pages by address-ordered first fit (heap lock)");
  add(PathStep::ArenaReserve, PathBox::Arenas, PathBox::PageAlloc, "no free pages: a new 64 MiB arena is reserved");
  add(PathStep::HeapGrow, PathBox::OS, PathBox::Arenas, "mheap.grow maps memory from the OS, 4 MiB at a time");
  add(PathStep::SysUsed, PathBox::OS, PathBox::PageAlloc, "released pages taken back from the OS (sysUsed)");
  add(PathStep::Free, PathBox::Span, PathBox::Count, "the object became unreachable");
  add(PathStep::FreeReclaim, PathBox::Span, PathBox::Count, "liveness immediate: its slot is free again now");

  // Where it landed (or what the free left behind).
  if (alloc && !r->has(PathStep::ZeroSize)) {
    std::string where;
    if (m.large) where = "the object gets its own span: " + std::to_string(r->newSpanPages) + " pages at " + FormatAddr(r->addr);
    else if (m.tiny) where = "lands at offset " + std::to_string(r->tinyOffset) + " of the tiny block at " + FormatAddr(r->addr - r->tinyOffset);
    else where = "lands in slot " + std::to_string(r->slot) + " of span #" + std::to_string(r->span) + " at " + FormatAddr(r->addr);
    // The mcache hands the slot out (the tiny block its bytes); a large object's span is the landing.
    const PathBox from = m.large ? PathBox::Count : m.tiny ? PathBox::Tiny : PathBox::MCache;
    m.stops.push_back({PathBox::Span, from, where, "", {}});
  } else if (!alloc && !r->has(PathStep::FreeReclaim)) {
    m.stops.push_back({PathBox::Span, PathBox::Count,
                       "liveness gc: the slot stays allocated until a GC cycle marks and sweeps span #" + std::to_string(r->span), "", {}});
  }

  // Each lock goes with the first stop in its part of the allocator.
  for (uint32_t i = 0; i < std::min(r->locksTaken, sim::StepRecord::kMaxLockTakes); ++i) {
    const sim::LockTake& k = r->locks[i];
    std::string text = sim::lockName(k.lock);
    text += k.wait ? ": waited " + sim::durationText(k.wait) + " for " + sim::executorName(k.holder) + ", held " + sim::durationText(k.hold)
                   : ": held " + sim::durationText(k.hold);
    auto it = std::find_if(m.stops.begin(), m.stops.end(), [&](const PathStop& s) {
      return IsCentralLock(k.lock) ? s.box == PathBox::MCentral : sim::lockKind(k.lock) == sim::LockKind::Heap ? InHeap(s.box) : true;
    });
    if (it == m.stops.end()) it = m.stops.begin();
    if (it != m.stops.end()) it->lock += (it->lock.empty() ? "" : "; ") + text;
  }
  return m;
}

size_t LitStops(size_t stops, double seconds, double perStop) {
  if (stops == 0) return 0;
  if (perStop <= 0) return stops;
  return std::min(stops, 1 + static_cast<size_t>(std::max(0.0, seconds) / perStop));
}

// [SECTION] Drawing

namespace {

constexpr ImU32 kBoxIdle = IM_COL32(52, 56, 66, 255);
constexpr ImU32 kBoxBorder = IM_COL32(110, 116, 130, 255);
constexpr ImU32 kLit = IM_COL32(255, 196, 70, 255);
constexpr ImU32 kLitFill = IM_COL32(120, 90, 30, 255);
constexpr ImU32 kText = IM_COL32(230, 232, 238, 255);
constexpr ImU32 kTextDim = IM_COL32(150, 154, 165, 255);

struct Layout {
  std::array<ImVec2, static_cast<size_t>(PathBox::Count)> min{}, max{};
  ImVec2 heapMin, heapMax; // the mheap group around page cache, page allocator and arenas
  ImVec2 centre(PathBox b) const {
    const size_t i = static_cast<size_t>(b);
    return ImVec2((min[i].x + max[i].x) * 0.5f, (min[i].y + max[i].y) * 0.5f);
  }
};

// Four columns (mcache, mcentral, mheap, OS); the tiny block above mcache, the span below it.
Layout LayOut(ImVec2 o, float w, float h, float fontSize) {
  Layout l;
  const float gap = w * 0.06f, col = (w - 3 * gap) / 4;
  auto put = [&](PathBox b, float x, float y, float bw, float bh) {
    const size_t i = static_cast<size_t>(b);
    l.min[i] = ImVec2(o.x + x, o.y + y);
    l.max[i] = ImVec2(o.x + x + bw, o.y + y + bh);
  };
  const float row = h / 4;
  put(PathBox::Tiny, 0, 0, col, row * 0.8f);
  put(PathBox::MCache, 0, row * 1.2f, col, row * 1.2f);
  put(PathBox::Span, 0, row * 2.9f, col, row * 1.0f);
  put(PathBox::MCentral, col + gap, row * 1.2f, col, row * 1.2f);
  const float hx = 2 * (col + gap);
  l.heapMin = ImVec2(o.x + hx, o.y);
  l.heapMax = ImVec2(o.x + hx + col, o.y + h);
  const float pad = std::max(row * 0.35f, fontSize * 1.3f), inner = (h - pad * 1.2f) / 3; // room for "mheap" above
  put(PathBox::PageCache, hx + 6, pad, col - 12, inner * 0.8f);
  put(PathBox::PageAlloc, hx + 6, pad + inner, col - 12, inner * 0.8f);
  put(PathBox::Arenas, hx + 6, pad + 2 * inner, col - 12, inner * 0.8f);
  put(PathBox::OS, 3 * (col + gap), row * 1.2f, col, row * 1.2f);
  return l;
}

void Arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick) {
  dl->AddLine(a, b, col, thick);
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
  const float ux = dx / len, uy = dy / len, s = 5.0f + 2.0f * thick;
  dl->AddTriangleFilled(b, ImVec2(b.x - ux * s - uy * s * 0.6f, b.y - uy * s + ux * s * 0.6f),
                        ImVec2(b.x - ux * s + uy * s * 0.6f, b.y - uy * s - ux * s * 0.6f), col);
}

// The point where the segment from the centre of [mn, mx] towards `to` leaves the box.
ImVec2 Edge(ImVec2 mn, ImVec2 mx, ImVec2 to) {
  const ImVec2 c((mn.x + mx.x) * 0.5f, (mn.y + mx.y) * 0.5f);
  const float dx = to.x - c.x, dy = to.y - c.y;
  const float hw = (mx.x - mn.x) * 0.5f, hh = (mx.y - mn.y) * 0.5f;
  const float t = std::min(dx != 0 ? hw / std::fabs(dx) : 1e9f, dy != 0 ? hh / std::fabs(dy) : 1e9f);
  return ImVec2(c.x + dx * std::min(t, 1.0f), c.y + dy * std::min(t, 1.0f));
}

// The title (and a dimmer second line) centred in the box, the font made smaller where the box is
// too narrow or too low for it, so a label is never cut.
void BoxLabel(ImDrawList* dl, ImVec2 mn, ImVec2 mx, const std::string& title, const std::string& sub, ImU32 col) {
  ImFont* font = ImGui::GetFont();
  const float base = ImGui::GetFontSize(), room = mx.x - mn.x - 6, lines = sub.empty() ? 1.1f : 2.2f;
  const float widest = std::max(ImGui::CalcTextSize(title.c_str()).x, ImGui::CalcTextSize(sub.c_str()).x);
  const float fs = std::max(8.0f, std::min({base, base * room / std::max(1.0f, widest), (mx.y - mn.y - 2) / lines}));
  const ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, title.c_str());
  const float cx = (mn.x + mx.x) * 0.5f;
  const float y = sub.empty() ? (mn.y + mx.y - ts.y) * 0.5f : (mn.y + mx.y) * 0.5f - ts.y;
  dl->PushClipRect(mn, mx, true);
  dl->AddText(font, fs, ImVec2(cx - ts.x * 0.5f, y), col, title.c_str());
  if (!sub.empty()) {
    const ImVec2 ss = font->CalcTextSizeA(fs, FLT_MAX, 0, sub.c_str());
    dl->AddText(font, fs, ImVec2(cx - ss.x * 0.5f, y + ts.y), kTextDim, sub.c_str());
  }
  dl->PopClipRect();
}

} // namespace

class PathPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  ui::ModelKey key_;
  PathModel model_;
  uint64_t shownPosition_ = ~uint64_t{0};
  double since_ = 0;     // ImGui time when the current event became current
  bool animate_ = false; // the position moved by one event: light the stops one by one
};

std::unique_ptr<Panel> MakePathPanel() { return std::make_unique<PathPanel>(); }

void PathPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kPathTitle, open)) {
    ImGui::End();
    return;
  }
  const model::Session& s = ctx.session;
  const sim::StepRecord* r = s.lastRecord();
  if (key_.changed(s, 0)) model_ = BuildPath(r, r ? s.objectId(r->id) : 0);
  const uint64_t pos = s.position();
  if (pos != shownPosition_) {
    animate_ = shownPosition_ != ~uint64_t{0} && pos == shownPosition_ + 1 && ctx.animateSeconds > 0;
    shownPosition_ = pos;
    since_ = ImGui::GetTime();
  }
  const PathModel& m = model_;
  const double perStop = animate_ && !m.stops.empty() ? ctx.animateSeconds / static_cast<double>(m.stops.size()) : 0;
  const size_t lit = m.valid ? LitStops(m.stops.size(), ImGui::GetTime() - since_, perStop) : 0;

  // The event itself is on the status line under the toolbar; here only what has no path.
  if (!m.valid) ImGui::TextWrapped("%s", m.note.c_str());

  // The diagram: every box always drawn; the boxes and arrows of lit stops highlighted.
  const float fs = ImGui::GetFontSize();
  const float w = std::max(200.0f, ImGui::GetContentRegionAvail().x);
  const float h = std::clamp(w * 0.36f, fs * 9.0f, fs * 16.0f);
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##diagram", ImVec2(w, h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Layout l = LayOut(o, w, h, fs);
  std::array<bool, static_cast<size_t>(PathBox::Count)> boxLit{};
  for (size_t i = 0; i < lit; ++i) boxLit[static_cast<size_t>(m.stops[i].box)] = true;
  const bool current = lit > 0;
  const ImU32 heapCol = current && (boxLit[static_cast<size_t>(PathBox::PageCache)] || boxLit[static_cast<size_t>(PathBox::PageAlloc)] ||
                                    boxLit[static_cast<size_t>(PathBox::Arenas)]) ? kLit : kBoxBorder;
  dl->AddRect(l.heapMin, l.heapMax, heapCol, 6.0f, 0, 1.5f);
  dl->AddText(ImVec2(l.heapMin.x + 6, l.heapMin.y + 2), kTextDim, "mheap");

  // The allocator's fixed arrows (dim), then the lit ones on top.
  auto link = [&](PathBox a, PathBox b, ImU32 col, float thick) {
    const size_t ia = static_cast<size_t>(a), ib = static_cast<size_t>(b);
    Arrow(dl, Edge(l.min[ia], l.max[ia], l.centre(b)), Edge(l.min[ib], l.max[ib], l.centre(a)), col, thick);
  };
  const ImU32 dim = IM_COL32(90, 95, 110, 255);
  link(PathBox::MCache, PathBox::MCentral, dim, 1.0f);
  link(PathBox::MCentral, PathBox::PageCache, dim, 1.0f);
  link(PathBox::MCentral, PathBox::PageAlloc, dim, 1.0f);
  link(PathBox::PageAlloc, PathBox::PageCache, dim, 1.0f);
  link(PathBox::PageAlloc, PathBox::Arenas, dim, 1.0f);
  link(PathBox::Arenas, PathBox::OS, dim, 1.0f);
  link(PathBox::Tiny, PathBox::MCache, dim, 1.0f);
  // The large-object path: under mcentral, straight from mcache to mheap.
  const ImVec2 la(l.max[1].x, l.max[1].y - 6), lb(l.heapMin.x, l.max[1].y + fs * 1.2f);
  const bool largeLit = current && m.large;
  dl->AddBezierCubic(la, ImVec2(la.x + 30, lb.y), ImVec2(lb.x - 40, lb.y), lb, largeLit ? kLit : dim, largeLit ? 3.0f : 1.0f);
  // The engine's cutoff (Go 1.22+: maxSmallSize - mallocHeaderSize, malloc.go mallocgc).
  const uint64_t smallMax = s.world().smallMax();
  const std::string largeLabel = "large > " + (smallMax % 1024 == 0 ? FormatBytes(smallMax) : FormatBytesExact(smallMax));
  // Centred under the curve, between the span box and mheap's: a label wider than the gap (Go
  // 1.26's cutoff, 32,760 B, at the presentation font) is drawn smaller rather than over a box.
  const float gapL = l.max[static_cast<size_t>(PathBox::Span)].x + fs * 0.3f, gapR = l.heapMin.x - fs * 0.3f;
  const float labelW = ImGui::CalcTextSize(largeLabel.c_str()).x;
  const float scale = labelW > gapR - gapL ? std::max(0.6f, (gapR - gapL) / labelW) : 1.0f;
  const float labelX = std::max(gapL, (la.x + lb.x) * 0.5f - labelW * scale * 0.5f);
  dl->AddText(ImGui::GetFont(), fs * scale, ImVec2(labelX, lb.y + 2), largeLit ? kLit : kTextDim, largeLabel.c_str());
  for (size_t i = 0; i < lit; ++i) {
    const PathStop& st = m.stops[i];
    if (st.from != PathBox::Count && st.from != st.box && !(m.large && st.from == PathBox::MCache && InHeap(st.box)))
      link(st.from, st.box, kLit, 3.0f);
  }

  for (size_t b = 0; b < static_cast<size_t>(PathBox::Count); ++b) {
    const auto box = static_cast<PathBox>(b);
    const bool on = boxLit[b];
    dl->AddRectFilled(l.min[b], l.max[b], on ? kLitFill : kBoxIdle, 5.0f);
    dl->AddRect(l.min[b], l.max[b], on ? kLit : kBoxBorder, 5.0f, 0, on ? 2.5f : 1.0f);
    std::string title = pathBoxName(box), sub;
    if (box == PathBox::MCache) title = "mcache (P" + std::to_string(m.p) + ")", sub = "no lock";
    if (box == PathBox::MCentral) sub = m.valid && !m.large && !m.tiny && m.spanclass ? "span class " + std::to_string(m.spanclass) : "per span class";
    if (box == PathBox::MCentral && m.valid && m.tiny) sub = "span class 5";
    if (box == PathBox::OS) sub = "mmap";
    if (box == PathBox::PageCache) sub = "per P";
    if (box == PathBox::PageAlloc) sub = "heap lock";
    if (box == PathBox::Arenas) sub = "64 MiB each";
    if (box == PathBox::Tiny && !(m.valid && m.tiny)) sub = "16 B, noscan"; // else its 16 bytes are drawn
    if (box == PathBox::Span && m.valid && m.large) sub = "own span";
    BoxLabel(dl, l.min[b], l.max[b], title, sub, on ? kText : IM_COL32(200, 204, 212, 255));
  }
  // The tiny block's 16 bytes, with the new object's bytes lit.
  if (m.valid && m.tiny) {
    const size_t t = static_cast<size_t>(PathBox::Tiny);
    const float cw = (l.max[t].x - l.min[t].x - 8) / 16, y0 = l.max[t].y - cw - 4;
    for (uint32_t i = 0; i < 16; ++i) {
      const ImVec2 a(l.min[t].x + 4 + cw * static_cast<float>(i), y0);
      const bool mine = lit == m.stops.size() && i >= m.tinyOffset && i < m.tinyOffset + m.size;
      dl->AddRectFilled(a, ImVec2(a.x + cw - 1, a.y + cw - 1), i < m.tinyOffset ? ui::color::kLive : mine ? kLit : ui::color::kFree);
    }
  }
  // The landing slot: a strip of slots around it in the span box, the object's one lit.
  if (m.valid && !m.large && !m.tiny && lit == m.stops.size() && m.span != sim::kNoSpan && m.span < ctx.view.spanCount()) {
    const sim::MSpan& sp = ctx.view.span(m.span);
    const size_t b = static_cast<size_t>(PathBox::Span);
    const uint32_t cols = 16, first = m.slot / cols * cols;
    const float cw = (l.max[b].x - l.min[b].x - 8) / static_cast<float>(cols), y0 = l.max[b].y - cw - 4;
    for (uint32_t i = 0; i < cols && first + i < sp.nelems; ++i) {
      const uint32_t slot = first + i;
      const ImVec2 a(l.min[b].x + 4 + cw * static_cast<float>(i), y0);
      const ImU32 col = slot == m.slot ? kLit : sp.isAllocated(slot) ? ui::color::kLive : ui::color::kFree;
      dl->AddRectFilled(a, ImVec2(a.x + cw - 1, a.y + cw - 1), col);
    }
  }

  // The stops, numbered, in call order: lit ones bright, the rest still to come.
  if (m.valid) {
    for (size_t i = 0; i < m.stops.size(); ++i) {
      const PathStop& st = m.stops[i];
      const bool on = i < lit;
      ImGui::PushStyleColor(ImGuiCol_Text, on ? ImGui::GetStyleColorVec4(ImGuiCol_Text) : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("%zu. %s: %s", i + 1, pathBoxName(st.box), st.what.c_str());
      ImGui::PopStyleColor();
      if (!st.functions.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, on ? ImVec4(0.55f, 0.75f, 1.0f, 1.0f) : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::Indent();
        ImGui::TextWrapped("%s", st.functions.c_str());
        ImGui::Unindent();
        ImGui::PopStyleColor();
      }
      if (!st.lock.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, on ? ImVec4(1.0f, 0.78f, 0.45f, 1.0f) : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::Indent();
        ImGui::TextWrapped("lock %s", st.lock.c_str());
        ImGui::Unindent();
        ImGui::PopStyleColor();
      }
    }
    if (!s.world().timing()) ImGui::TextDisabled("Locks and waits: turn the timing model on (Engine menu) to see them.");
  }
  ImGui::End();
}

} // namespace gui
