// Ps and mcaches: for every P, the span cached for each span class and how full it is, the tiny
// block, the page cache (64 pages as 64 cells), the mspan struct cache, and the counts the mcache
// holds until it is flushed into the global statistics.
// Reads: HeapView::ps (P: mcache, pcache, mspancache), HeapView::span. Go concept: runtime2.go
// type p (mcache, pcache, mspancache), mcache.go type mcache, mpagecache.go pageCache.
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

namespace gui {

// [SECTION] Model

std::vector<PModel> BuildPs(const sim::HeapView& v) {
  std::vector<PModel> out;
  const auto& ps = v.ps();
  for (uint32_t i = 0; i < ps.size(); ++i) {
    const sim::P& p = ps[i];
    PModel m;
    m.p = i;
    for (size_t spc = 0; spc < p.mcache.alloc.size(); ++spc) {
      const sim::SpanId sid = p.mcache.alloc[spc];
      if (sid == sim::kNoSpan) continue;
      const sim::MSpan& s = v.span(sid);
      CachedSpan c;
      c.spanClass = static_cast<sim::SpanClass>(spc);
      c.span = sid;
      c.base = s.base();
      c.elemsize = s.elemsize;
      c.allocCount = s.allocCount;
      c.nelems = s.nelems;
      c.freeindex = s.freeindex;
      c.pending = s.allocCount - s.allocCountBeforeCache;
      m.pendingAllocs += c.pending;
      m.pendingBytes += uint64_t{c.pending} * s.elemsize;
      m.cached.push_back(c);
    }
    m.tiny = p.mcache.tiny;
    m.tinyoffset = p.mcache.tinyoffset;
    m.tinyAllocs = p.mcache.tinyAllocs;
    m.scanAlloc = p.mcache.scanAlloc;
    m.flushGen = p.mcache.flushGen;
    m.pcacheBits = p.pcache.cache;
    m.pcacheScav = p.pcache.scav;
    m.pcacheBase = v.heapBase() + (p.pcache.base << sim::kPageShift);
    m.pcacheFree = static_cast<uint32_t>(std::popcount(p.pcache.cache));
    m.mspancache = p.mspancache;
    out.push_back(std::move(m));
  }
  return out;
}

// [SECTION] Drawing

namespace {

void DrawCachedSpans(const PModel& m, const sim::SizeClassTable& t, Selection& sel) {
  ImGui::Text("cached spans: %zu", m.cached.size());
  ui::HelpMarker(
      "mcache.alloc[spanClass]: the span this P allocates from for each span class, without any "
      "lock. Only span classes with a span cached are shown. The bar is allocCount / nelems; a full "
      "span is swapped for another one from mcentral (refill). Click one to inspect it.");
  if (m.cached.empty()) return;
  const float cellW = ImGui::GetFontSize() * 13;
  const int cols = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / cellW));
  if (!ImGui::BeginTable("cached", cols, ImGuiTableFlags_SizingStretchSame)) return;
  for (const CachedSpan& c : m.cached) {
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(c.spanClass));
    const uint32_t cls = sim::spanClassSize(c.spanClass);
    char label[48];
    if (cls == 0)
      std::snprintf(label, sizeof label, "large %s", sim::spanClassNoscan(c.spanClass) ? "noscan" : "scan");
    else
      std::snprintf(label, sizeof label, "%u %s %s", cls, sim::spanClassNoscan(c.spanClass) ? "noscan" : "scan",
                    FormatBytes(t.cls(cls).size).c_str());
    const float labelW = ImGui::GetFontSize() * 7.5f;
    if (ImGui::Selectable(label, sel.span == c.span, 0, ImVec2(labelW, 0))) sel.span = c.span;
    ui::ItemTooltip(SpanClassLabel(t, c.spanClass) + ": span #" + std::to_string(c.span) + " at " + FormatAddr(c.base) +
                    ". noscan: objects without pointers; scan: with. Click to inspect it.");
    ImGui::SameLine();
    ui::FillBar(c.nelems ? static_cast<float>(c.allocCount) / static_cast<float>(c.nelems) : 0.0f,
                ImVec2(std::max(8.0f, ImGui::GetContentRegionAvail().x), ImGui::GetTextLineHeight()), ui::color::kLive);
    char tip[200];
    std::snprintf(tip, sizeof tip,
                  "allocCount %u / nelems %u (freeindex %u). %u allocations since the span was cached are not "
                  "yet in the global counters.",
                  c.allocCount, c.nelems, c.freeindex, c.pending);
    ui::ItemTooltip(tip);
    ImGui::PopID();
  }
  ImGui::EndTable();
}

// The objects packed into the tiny block at `block`, oldest first: the allocations since the block
// was started (its TinyNewBlock event), found by walking back from the current event (at most
// kTinyLookBack events: a block is filled within a few allocations of its P).
struct TinyObject {
  uint64_t id = 0; // the file's id
  uint32_t offset = 0, size = 0;
};
// The last listing, kept by the panel: rebuilt only when the position or the block changes (the
// walk reads events and their paths).
struct TinyCache {
  ui::ModelKey key;
  std::vector<TinyObject> objects;
};

std::vector<TinyObject> TinyObjects(const model::Session& s, uint64_t block) {
  constexpr uint64_t kTinyLookBack = 4096;
  std::vector<TinyObject> out;
  const uint64_t pos = s.position();
  for (uint64_t i = pos; i > 0 && pos - i < kTinyLookBack;) {
    --i;
    const sim::Event ev = s.event(i);
    if (ev.kind != sim::EventKind::Alloc) continue;
    const model::EventInfo info = s.info(i);
    if (info.addr < block || info.addr >= block + sim::kTinySize) continue;
    const bool tinyStep = (info.pathMask >> static_cast<unsigned>(sim::PathStep::TinyHit) & 1) ||
                          (info.pathMask >> static_cast<unsigned>(sim::PathStep::TinyNewBlock) & 1);
    if (!tinyStep) break; // the slot held something else before it became this block
    out.push_back({s.objectId(ev.id), static_cast<uint32_t>(info.addr - block), static_cast<uint32_t>(ev.size)});
    if (info.pathMask >> static_cast<unsigned>(sim::PathStep::TinyNewBlock) & 1) break; // the block's first object
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// A categorical palette for objects side by side (tiny objects in one block): neighbours differ.
ImU32 ObjectColour(size_t i) {
  static constexpr ImU32 kPalette[] = {IM_COL32(86, 180, 96, 255), IM_COL32(90, 150, 230, 255), IM_COL32(230, 160, 60, 255),
                                       IM_COL32(200, 100, 200, 255), IM_COL32(80, 200, 200, 255), IM_COL32(230, 100, 100, 255)};
  return kPalette[i % std::size(kPalette)];
}

void DrawTiny(const PModel& m, const model::Session& s, TinyCache& cache) {
  ImGui::TextUnformatted("tiny block:");
  ImGui::SameLine();
  if (m.tiny == 0) {
    ImGui::TextDisabled("none");
    ui::ItemTooltip(
        "No current tiny block: the next noscan allocation under 16 B takes a new 16 B block from "
        "span class 5 (class 2, noscan).");
    return;
  }
  ImGui::TextUnformatted(FormatAddr(m.tiny).c_str());
  ui::ItemTooltip("mcache.tiny: the 16-byte block the tiny allocator packs small noscan objects into.");
  const float h = ImGui::GetTextLineHeight();
  const float cell = h * 0.75f;
  char offset[32];
  std::snprintf(offset, sizeof offset, "tinyoffset %u / 16", m.tinyoffset);
  ui::Flow flow;
  flow.next(0); // continues after the address
  flow.next(cell * static_cast<float>(sim::kTinySize) + ImGui::CalcTextSize(offset).x + 8);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Each packed object in its own colour; bytes no object covers (alignment padding) stay dark.
  if (cache.key.changed(s, m.tiny)) cache.objects = TinyObjects(s, m.tiny);
  const std::vector<TinyObject>& objs = cache.objects;
  for (uint32_t b = 0; b < sim::kTinySize; ++b) {
    ImU32 col = b < m.tinyoffset ? ui::color::kDim : ui::color::kFree;
    for (size_t k = 0; k < objs.size(); ++k)
      if (b >= objs[k].offset && b < objs[k].offset + std::max<uint32_t>(1, objs[k].size)) col = ObjectColour(k);
    const ImVec2 a(p.x + cell * static_cast<float>(b), p.y + h * 0.15f);
    dl->AddRectFilled(a, ImVec2(a.x + cell - 1, a.y + h * 0.7f), col);
  }
  ImGui::Dummy(ImVec2(cell * static_cast<float>(sim::kTinySize), h));
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted("One cell per byte of the block, each packed object in its own colour:");
    for (size_t k = 0; k < objs.size(); ++k)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ObjectColour(k)), "id %llu: offset %u, %u B",
                         static_cast<unsigned long long>(objs[k].id), objs[k].offset, objs[k].size);
    if (objs.empty()) ImGui::TextDisabled("(its objects were allocated too long ago to list)");
    ImGui::TextDisabled("Grey: below tinyoffset, padding or objects not listed.");
    ImGui::EndTooltip();
  }
  ImGui::SameLine();
  ImGui::TextUnformatted(offset);
  ui::ItemTooltip(
      "mcache.tinyoffset: bytes of the block already used. The next tiny object goes here, aligned "
      "to 8, 4 or 2 bytes by its size, if it still fits.");
  // The objects with their offsets, in the same colours.
  ui::Flow objects;
  for (size_t k = 0; k < objs.size(); ++k) {
    char label[64];
    std::snprintf(label, sizeof label, "id %llu @%u (%u B)", static_cast<unsigned long long>(objs[k].id), objs[k].offset, objs[k].size);
    objects.nextText(label);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ObjectColour(k)), "%s", label);
  }
}

void DrawPageCache(const PModel& m) {
  ImGui::TextUnformatted("page cache:");
  ImGui::SameLine();
  if (m.pcacheBits == 0) {
    ImGui::TextDisabled("empty");
    ui::ItemTooltip(
        "p.pcache holds no free page. The next span under 16 pages refills it with the 64-page "
        "block holding the first free page (taking the heap lock once).");
    return;
  }
  ImGui::Text("%s, %u free pages", FormatAddr(m.pcacheBase).c_str(), m.pcacheFree);
  ui::ItemTooltip(
      "p.pcache: 64 pages (512 KiB) from the base address; this P takes pages for spans under 16 "
      "pages from here without the heap lock. Its free pages are still counted as free heap memory.");
  const float cell = std::clamp(std::floor(ImGui::GetContentRegionAvail().x / 64.0f), 3.0f, 10.0f);
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (uint32_t i = 0; i < 64; ++i) {
    const bool free = (m.pcacheBits >> i) & 1, scav = (m.pcacheScav >> i) & 1;
    const ImU32 col = !free ? ui::color::kInUse : scav ? ui::color::kReleased : ui::color::kPCache;
    const ImVec2 a(p.x + cell * static_cast<float>(i), p.y);
    dl->AddRectFilled(a, ImVec2(a.x + cell - (cell > 4 ? 1.0f : 0.0f), a.y + h), col);
  }
  ImGui::InvisibleButton("##pcache", ImVec2(cell * 64.0f, h));
  if (ImGui::IsItemHovered()) {
    const auto i = static_cast<uint32_t>((ImGui::GetIO().MousePos.x - p.x) / cell);
    if (i < 64) {
      const bool free = (m.pcacheBits >> i) & 1, scav = (m.pcacheScav >> i) & 1;
      ImGui::SetTooltip("page %u of the cache at %s: %s", i,
                        FormatAddr(m.pcacheBase + uint64_t{i} * sim::kPageSize).c_str(),
                        !free  ? "not in the cache (in use, or taken before the cache was filled)"
                        : scav ? "free, released to the OS (scavenged)"
                               : "free, owned by this P");
    }
  }
}

void DrawCounters(const PModel& m) {
  char buf[5][64];
  std::snprintf(buf[0], sizeof buf[0], "mspancache %u / %u", m.mspancache, sim::kMSpanCacheCap);
  std::snprintf(buf[1], sizeof buf[1], "pending %s allocs (%s)", FormatCount(m.pendingAllocs).c_str(),
                FormatBytes(m.pendingBytes).c_str());
  std::snprintf(buf[2], sizeof buf[2], "tinyAllocs %s", FormatCount(m.tinyAllocs).c_str());
  std::snprintf(buf[3], sizeof buf[3], "flushGen %u", m.flushGen);
  std::snprintf(buf[4], sizeof buf[4], "scanAlloc %s", FormatBytes(m.scanAlloc).c_str());
  const char* const tips[5] = {
      "p.mspancache: mspan structs this P keeps so it can set up a span without the heap lock. Refilled 64 at a "
      "time when empty, which is why MSpanInuse moves in steps of 64 x 144 B.",
      "Allocations from the cached spans since they were cached (allocCount - allocCountBeforeCache), not yet "
      "added to the global counters: they are flushed when the span leaves the mcache (refill, releaseAll). "
      "ReadMemStats adds them in.",
      "mcache.tinyAllocs: tiny objects packed into an existing tiny block since the last flush, counted in "
      "Mallocs (and Frees) when flushed.",
      "mcache.flushGen: mheap.sweepgen when this mcache was last flushed. Every GC cycle flushes every mcache "
      "(prepareForSweep -> releaseAll) and sets it to the new sweepgen.",
      "mcache.scanAlloc: bytes of pointerful (scan) memory allocated since the last flush, an input of the GC "
      "pacer.",
  };
  ui::Flow flow(ImGui::GetFontSize());
  for (int i = 0; i < 5; ++i) {
    flow.nextText(buf[i]);
    ui::TextTip(buf[i], tips[i]);
  }
}

} // namespace

class PsPanel final : public Panel {
 public:
  void Draw(PanelContext& ctx, bool* open) override;

 private:
  std::vector<TinyCache> tiny_; // one per P
};

std::unique_ptr<Panel> MakePsPanel() { return std::make_unique<PsPanel>(); }

void PsPanel::Draw(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kPsTitle, open)) {
    ImGui::End();
    return;
  }
  const std::vector<PModel> ps = BuildPs(ctx.view);
  if (tiny_.size() != ps.size()) tiny_.resize(ps.size());
  ImGui::Text("GOMAXPROCS = %zu", ps.size());
  ui::ItemTooltip(
      "Each P (processor) has its own mcache, page cache and mspan struct cache, so goroutines on "
      "different Ps allocate without sharing a lock.");
  for (const PModel& m : ps) {
    ImGui::PushID(static_cast<int>(m.p));
    char title[32];
    std::snprintf(title, sizeof title, "P%u", m.p);
    if (ImGui::CollapsingHeader(title, ps.size() <= 4 ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
      DrawCounters(m);
      DrawTiny(m, ctx.session, tiny_[m.p]);
      DrawPageCache(m);
      DrawCachedSpans(m, ctx.view.table(), ctx.selection);
    }
    ImGui::PopID();
  }
  ImGui::End();
}

} // namespace gui
