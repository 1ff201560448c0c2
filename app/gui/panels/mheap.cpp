// mheap: the arenas, the 4 MiB chunks of the page allocator with their in-use / free / scavenged
// pages, the free page runs, and HeapSys broken down by the waste ledger (every byte once).
// Reads: HeapView::arenas, pages (PageAlloc bitmaps), ps (page caches), World::memStats/ledger.
// Go concept: mheap.go (arenas, grow), mpagealloc.go (chunks, searchAddr, first fit),
// mgcscavenge.go (scavenged pages), mstats.go (HeapSys, HeapInuse, HeapIdle, HeapReleased).
#include "app/gui/format.h"
#include "app/gui/panel.h"
#include "app/gui/panels/panel_models.h"
#include "app/gui/panels/panel_widgets.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace gui {

// [SECTION] Model

std::vector<LedgerEntry> LedgerEntries(const sim::WasteLedger& l) {
  return {
      {LedgerKind::Live, "live", "Bytes the program requested for objects that are still reachable.", l.liveBytes},
      {LedgerKind::Rounding, "rounding waste",
       "For reachable objects, slot bytes beyond the request: every request is rounded up to its size class "
       "(a tiny block counts its unused rest).",
       l.roundingWaste},
      {LedgerKind::Dead, "unreachable, not swept",
       "Slots of objects the program dropped; they stay allocated until the GC marks and sweeps their span.",
       l.deadBytes},
      {LedgerKind::Tail, "span tail waste",
       "At the end of each span, bytes too few for one more slot (span bytes - nelems x elemsize).", l.tailWaste},
      {LedgerKind::FreeSlots, "free slots (mcentral)", "Free slots in in-use spans that are queued in an mcentral.",
       l.freeSlots},
      {LedgerKind::CachedFreeSlots, "free slots (mcaches)",
       "Free slots in the spans cached by the Ps' mcaches: only that P can use them until the span goes back.",
       l.cachedFreeSlots},
      {LedgerKind::FreePages, "free pages",
       "Free pages still backed by memory (HeapIdle - HeapReleased), including those a P holds in its page "
       "cache.",
       l.freePages},
      {LedgerKind::Released, "released pages",
       "Free pages returned to the OS, or mapped but never touched (HeapReleased): address space without "
       "physical memory.",
       l.releasedPages},
  };
}

// Marks the pages P page caches own: the page bitmap shows them in use, but they are free memory.
static std::vector<uint64_t> PageCacheBits(const sim::HeapView& v, bool scavengedOnly) {
  std::vector<uint64_t> bits((v.mappedPages() + 63) / 64, 0);
  for (const sim::P& p : v.ps()) {
    const uint64_t set = scavengedOnly ? p.pcache.scav : p.pcache.cache;
    if (set == 0) continue;
    const uint64_t word = p.pcache.base / 64; // the cache is one 64-page-aligned block
    if (word < bits.size()) bits[word] |= set;
  }
  return bits;
}

MHeapModel BuildMHeap(const sim::HeapView& v) {
  MHeapModel m;
  const sim::PageAlloc& pa = v.pages();
  const uint64_t base = v.heapBase();
  m.mappedPages = v.mappedPages();
  const uint64_t mappedEnd = base + m.mappedPages * sim::kPageSize;
  for (uint64_t a : v.arenas()) {
    const uint64_t end = a + sim::kHeapArenaBytes;
    const uint64_t lo = std::max(a, base), hi = std::min(end, mappedEnd);
    m.arenas.push_back({a, sim::kHeapArenaBytes, hi > lo ? hi - lo : 0});
  }
  const std::vector<uint64_t> pcache = PageCacheBits(v, false), pcacheScav = PageCacheBits(v, true);
  auto inPCache = [&](const std::vector<uint64_t>& b, uint64_t pg) { return (b[pg >> 6] >> (pg & 63)) & 1; };
  FreeRun run;
  for (uint32_t c = 0; c < pa.chunks(); ++c) {
    ChunkRow row;
    const uint64_t first = uint64_t{c} * sim::kPallocChunkPages;
    row.base = base + first * sim::kPageSize;
    for (uint64_t pg = first; pg < first + sim::kPallocChunkPages; ++pg) {
      const bool used = pa.inUse(pg);
      if (used && inPCache(pcache, pg)) {
        row.pcache++;
        if (inPCache(pcacheScav, pg)) {
          row.scavenged++;
          row.pcacheScavenged++;
        }
      } else if (used) {
        row.inUse++;
      } else {
        row.free++;
        if (pa.scavenged(pg)) row.scavenged++;
      }
      // Free runs: maximal ranges of pages free in the page allocator (page-cache pages are taken).
      if (!used) {
        if (run.pages == 0) run.addr = base + pg * sim::kPageSize;
        run.pages++;
        if (pa.scavenged(pg)) run.scavenged++;
      } else if (run.pages > 0) {
        m.freeRuns.push_back(run);
        run = FreeRun{};
      }
    }
    m.inUsePages += row.inUse;
    m.pcachePages += row.pcache;
    m.freePages += row.free;
    m.scavengedPages += row.scavenged;
    m.chunks.push_back(row);
  }
  if (run.pages > 0) m.freeRuns.push_back(run);
  m.searchAddr = base + pa.searchAddr() * sim::kPageSize;
  m.mem = v.world().memStats();
  m.ledger = LedgerEntries(v.world().ledger());
  for (const LedgerEntry& e : m.ledger) m.ledgerTotal += e.bytes;
  return m;
}

// [SECTION] Drawing

namespace {

// The model is rebuilt only when the state changes: it walks every mapped page.
struct MHeapCache {
  ui::ModelKey key;
  MHeapModel model;
  std::vector<FreeRun> sortedRuns; // model.freeRuns in the order shown; empty = to be sorted
  bool sortedLongestFirst = false;
};
MHeapCache g_mheap;

const MHeapModel& CurrentModel(const PanelContext& ctx) {
  if (g_mheap.key.changed(ctx.session, 0)) {
    g_mheap.model = BuildMHeap(ctx.view);
    g_mheap.sortedRuns.clear();
  }
  return g_mheap.model;
}

void DrawCheck(bool ok) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (ok) {
    const ImVec2 pts[3] = {ImVec2(p.x + h * 0.15f, p.y + h * 0.55f), ImVec2(p.x + h * 0.4f, p.y + h * 0.8f),
                           ImVec2(p.x + h * 0.9f, p.y + h * 0.2f)};
    dl->AddPolyline(pts, 3, IM_COL32(90, 210, 100, 255), 0, 2.5f);
  } else {
    dl->AddLine(ImVec2(p.x + h * 0.2f, p.y + h * 0.2f), ImVec2(p.x + h * 0.8f, p.y + h * 0.8f),
                IM_COL32(230, 70, 60, 255), 2.5f);
    dl->AddLine(ImVec2(p.x + h * 0.8f, p.y + h * 0.2f), ImVec2(p.x + h * 0.2f, p.y + h * 0.8f),
                IM_COL32(230, 70, 60, 255), 2.5f);
  }
  ImGui::Dummy(ImVec2(h, h));
}

// One bar, HeapSys wide, one segment per ledger category.
void DrawLedgerBar(const MHeapModel& m) {
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetFrameHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), ui::color::kTail);
  ImGui::InvisibleButton("##ledgerbar", ImVec2(std::max(w, 1.0f), h));
  const bool hovered = ImGui::IsItemHovered();
  const double total = static_cast<double>(std::max<uint64_t>(m.ledgerTotal, 1));
  double acc = 0;
  for (const LedgerEntry& e : m.ledger) {
    const float x0 = p.x + static_cast<float>(acc / total) * w;
    acc += static_cast<double>(e.bytes);
    const float x1 = p.x + static_cast<float>(acc / total) * w;
    if (e.bytes > 0)
      dl->AddRectFilled(ImVec2(x0, p.y), ImVec2(std::max(x1, x0 + 1.0f), p.y + h), ui::LedgerColour(e.kind));
    const float mx = ImGui::GetIO().MousePos.x;
    if (hovered && mx >= x0 && mx < x1)
      ImGui::SetTooltip("%s: %s (%s of HeapSys)\n%s", e.name, FormatBytesExact(e.bytes).c_str(),
                        FormatPercent(e.bytes, m.mem.HeapSys).c_str(), e.help);
  }
  // Where HeapInuse ends and HeapIdle begins.
  const float xi = p.x + static_cast<float>(static_cast<double>(m.mem.HeapInuse) / total) * w;
  dl->AddLine(ImVec2(xi, p.y - 2), ImVec2(xi, p.y + h + 2), ui::color::kMarker, 2.0f);
}

void MemRow(const char* name, uint64_t bytes, const char* help, int indent = 0) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  if (indent) ImGui::Indent(static_cast<float>(indent) * ImGui::GetFontSize());
  ImGui::TextUnformatted(name);
  ui::ItemTooltip(help);
  if (indent) ImGui::Unindent(static_cast<float>(indent) * ImGui::GetFontSize());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(FormatBytes(bytes).c_str());
  ui::ItemTooltip(FormatBytesExact(bytes) + "\n" + help);
}

void DrawHeapSys(const MHeapModel& m) {
  const sim::MemStats& ms = m.mem;
  if (ImGui::BeginTable("heapsys", 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    MemRow("HeapSys", ms.HeapSys,
           "Heap memory obtained from the OS: HeapInuse + HeapIdle. Grows in whole 4 MiB chunks (mheap.grow).");
    MemRow("HeapInuse", ms.HeapInuse, "Bytes in in-use spans (whole spans, free slots included).", 1);
    MemRow("HeapIdle", ms.HeapIdle, "Bytes in free pages: HeapSys - HeapInuse = free + released.", 1);
    MemRow("free (HeapIdle - HeapReleased)", ms.HeapIdle - ms.HeapReleased,
           "Free pages still backed by physical memory, ready for new spans.", 2);
    MemRow("HeapReleased", ms.HeapReleased,
           "Free pages returned to the OS or never touched since mapping (fresh heap memory counts as released "
           "until a span uses it).",
           2);
    MemRow("HeapAlloc", ms.HeapAlloc,
           "Bytes of allocated slots (whole slots; a tiny block counts 16 B), including unreachable objects not yet "
           "swept.");
    MemRow("StackInuse", ms.StackInuse,
           "Goroutine stacks: pages of manual spans the stack allocator took from the heap (stack pools of 2-16 KiB "
           "stacks in 32 KiB spans, and large stacks). Not part of HeapSys; a freed stack span goes back to it.");
    MemRow("StackSys", ms.StackSys, "StackInuse plus OS thread stacks (not modelled, so equal to StackInuse).");
    MemRow("MSpanInuse", ms.MSpanInuse,
           "Outside the heap: mspan structs in use, 144 B each, including those parked in the Ps' mspan caches.");
    MemRow("MSpanSys", ms.MSpanSys, "Outside the heap: memory reserved for mspan structs, in 16,272-byte chunks.");
    MemRow("MCacheSys", ms.MCacheSys,
           "Outside the heap: memory for mcache structs (1,200 B each, one per P), in 15,600-byte chunks.");
    MemRow("Sys", ms.Sys,
           "All memory the modelled runtime took from the OS: HeapSys + StackSys + MSpanSys + MCacheSys (GC "
           "metadata is not modelled).");
    ImGui::EndTable();
  }
}

void DrawLedger(const MHeapModel& m) {
  ImGui::TextUnformatted("Waste ledger");
  ui::HelpMarker(
      "Every byte of HeapSys in exactly one category, computed by walking every span and page bitmap "
      "(not from the counters), so a total equal to HeapSys checks the counters. The white mark in "
      "the bar is where HeapInuse ends and HeapIdle begins.");
  DrawLedgerBar(m);
  const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV;
  if (!ImGui::BeginTable("ledger", 3, flags)) return;
  ImGui::TableSetupColumn("category");
  ImGui::TableSetupColumn("bytes");
  ImGui::TableSetupColumn("of HeapSys");
  ImGui::TableHeadersRow();
  for (const LedgerEntry& e : m.ledger) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ui::LegendItem(ui::LedgerColour(e.kind), e.name, e.help);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatBytes(e.bytes).c_str());
    ui::ItemTooltip(FormatBytesExact(e.bytes) + "\n" + e.help);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatPercent(e.bytes, m.mem.HeapSys).c_str());
    ui::ItemTooltip("Share of HeapSys.");
  }
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  DrawCheck(m.ledgerBalances());
  ImGui::SameLine();
  ImGui::TextUnformatted(m.ledgerBalances() ? "total = HeapSys" : "total != HeapSys");
  const std::string why = m.ledgerBalances() ? "The categories add up to HeapSys exactly."
                                             : "The categories add up to " + FormatBytesExact(m.ledgerTotal) +
                                                   " but HeapSys is " + FormatBytesExact(m.mem.HeapSys) +
                                                   ": the engine's counters disagree with its spans.";
  ui::ItemTooltip(why);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(FormatBytes(m.ledgerTotal).c_str());
  ui::ItemTooltip(FormatBytesExact(m.ledgerTotal) + "\n" + why);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(FormatPercent(m.ledgerTotal, m.mem.HeapSys).c_str());
  ui::ItemTooltip(why);
  ImGui::EndTable();
}

void DrawChunkBar(const ChunkRow& c) {
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float per = w / static_cast<float>(sim::kPallocChunkPages);
  float x = p.x;
  // In use, page cache, free (backed), released: proportions of the chunk's 512 pages.
  const uint32_t pcacheScav = c.pcacheScavenged, freeScav = c.scavenged - c.pcacheScavenged;
  const std::pair<uint32_t, ImU32> parts[] = {{c.inUse, ui::color::kInUse},
                                              {c.pcache - pcacheScav, ui::color::kPCache},
                                              {pcacheScav, ui::color::kReleased},
                                              {c.free - freeScav, ui::LedgerColour(LedgerKind::FreePages)},
                                              {freeScav, ui::color::kReleased}};
  for (const auto& [n, col] : parts) {
    const float x1 = x + per * static_cast<float>(n);
    if (n > 0) dl->AddRectFilled(ImVec2(x, p.y), ImVec2(x1, p.y + h), col);
    x = x1;
  }
  ImGui::Dummy(ImVec2(w, h));
}

void DrawArenasAndChunks(const MHeapModel& m) {
  ImGui::Text("%zu arena(s), %s mapped in %zu chunk(s); searchAddr %s", m.arenas.size(),
              FormatBytes(m.mappedPages * sim::kPageSize).c_str(), m.chunks.size(), FormatAddr(m.searchAddr).c_str());
  ui::ItemTooltip(
      "Arenas are 64 MiB reservations of address space (heapArena); the heap is mapped inside them in "
      "4 MiB chunks as it grows. searchAddr: every page below it is in use, so the first-fit search "
      "for free pages starts there.");
  for (const ArenaRow& a : m.arenas) {
    ImGui::BulletText("arena %s: %s, %s mapped", FormatAddr(a.base).c_str(), FormatBytes(a.size).c_str(),
                      FormatBytes(a.mapped).c_str());
    ui::ItemTooltip(
        "A 64 MiB arena reserved at its base address; the mapped part belongs to the heap (HeapSys), "
        "the rest is only reserved address space.");
  }
  const struct {
    ImU32 colour;
    const char *label, *tip;
  } legend[] = {
      {ui::color::kInUse, "in use", "Pages of in-use spans."},
      {ui::color::kPCache, "page cache",
       "Free pages held by a P's page cache (taken out of the page allocator, but not yet in a span)."},
      {ui::LedgerColour(LedgerKind::FreePages), "free", "Free pages backed by memory."},
      {ui::color::kReleased, "released", "Free pages released to the OS (scavenged)."},
  };
  ui::Flow flow;
  for (const auto& l : legend) {
    flow.next(ui::LegendItemWidth(l.label));
    ui::LegendItem(l.colour, l.label, l.tip);
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_SizingStretchProp;
  const float rowH = ImGui::GetTextLineHeightWithSpacing();
  const float h = rowH * static_cast<float>(std::min<size_t>(m.chunks.size(), 8) + 1) + 4;
  if (!ImGui::BeginTable("chunks", 6, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("chunk", 0, 1.2f);
  ImGui::TableSetupColumn("in use", 0, 0.6f);
  ImGui::TableSetupColumn("page cache", 0, 0.7f);
  ImGui::TableSetupColumn("free", 0, 0.6f);
  ImGui::TableSetupColumn("released", 0, 0.6f);
  ImGui::TableSetupColumn("512 pages", 0, 2.0f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(m.chunks.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ChunkRow& c = m.chunks[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatAddr(c.base).c_str());
      ui::ItemTooltip("A 4 MiB chunk of the page allocator (512 pages of 8 KiB, one in-use and one scavenged bitmap).");
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.inUse);
      ui::ItemTooltip("Pages of in-use spans in this chunk.");
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.pcache);
      ui::ItemTooltip("Free pages of this chunk held in a P's page cache.");
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.free);
      ui::ItemTooltip("Free pages of this chunk the page allocator can hand out (released ones included).");
      ImGui::TableNextColumn();
      ImGui::Text("%u", c.scavenged);
      ui::ItemTooltip("Free pages of this chunk released to the OS (scavenged bit set), including page-cache ones.");
      ImGui::TableNextColumn();
      DrawChunkBar(c);
      ui::ItemTooltip(
          "The chunk's 512 pages by state, in the order in use, page cache, free, released (not by "
          "address).");
    }
  }
  ImGui::EndTable();
}

void DrawFreeRuns(const MHeapModel& m) {
  MHeapCache& st = g_mheap;
  ImGui::Text("%s free runs, %s free pages (%s released)", FormatCount(m.freeRuns.size()).c_str(),
              FormatCount(m.freePages).c_str(), FormatCount(m.scavengedPages).c_str());
  ui::ItemTooltip(
      "Free page runs: maximal ranges of free pages in the page allocator. A span of n pages needs a "
      "run of n pages; the allocator takes the lowest address that fits (first fit). Released counts "
      "all scavenged free pages, page caches included.");
  ImGui::SameLine(0, 20);
  const ImGuiID orderKey = ImGui::GetID("run_order"); // UI state in the window's ImGui storage
  int order = ImGui::GetStateStorage()->GetInt(orderKey, 1);
  ImGui::RadioButton("by address", &order, 0);
  ui::ItemTooltip("List runs in address order, as first fit scans them.");
  ImGui::SameLine();
  ImGui::RadioButton("longest first", &order, 1);
  ui::ItemTooltip("List the longest runs first: the largest span that fits without growing the heap.");
  ImGui::GetStateStorage()->SetInt(orderKey, order);
  if ((order == 1) != st.sortedLongestFirst) st.sortedRuns.clear();
  if (st.sortedRuns.empty() && !m.freeRuns.empty()) {
    st.sortedLongestFirst = order == 1;
    st.sortedRuns = m.freeRuns;
    if (st.sortedLongestFirst)
      std::stable_sort(st.sortedRuns.begin(), st.sortedRuns.end(),
                       [](const FreeRun& a, const FreeRun& b) { return a.pages > b.pages; });
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_SizingStretchProp;
  const float h = std::max(ImGui::GetContentRegionAvail().y, ImGui::GetTextLineHeightWithSpacing() * 5);
  if (!ImGui::BeginTable("freeruns", 3, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("address");
  ImGui::TableSetupColumn("pages");
  ImGui::TableSetupColumn("released pages");
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(st.sortedRuns.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const FreeRun& r = st.sortedRuns[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatAddr(r.addr).c_str());
      ui::ItemTooltip("First page of the run.");
      ImGui::TableNextColumn();
      ImGui::Text("%s (%s)", FormatCount(r.pages).c_str(), FormatBytes(r.pages * sim::kPageSize).c_str());
      ui::ItemTooltip("Length of the run in 8 KiB pages.");
      ImGui::TableNextColumn();
      ImGui::Text("%s", FormatCount(r.scavenged).c_str());
      ui::ItemTooltip(
          "Pages of the run released to the OS; a span that takes them makes them count as in use "
          "again (HeapReleased falls).");
    }
  }
  ImGui::EndTable();
}

} // namespace

void DrawMHeapPanel(PanelContext& ctx, bool* open) {
  if (!ImGui::Begin(kMHeapTitle, open)) {
    ImGui::End();
    return;
  }
  const MHeapModel& m = CurrentModel(ctx);
  if (ImGui::CollapsingHeader("HeapSys and the waste ledger", ImGuiTreeNodeFlags_DefaultOpen)) {
    // Side by side when there is room for both tables, one above the other otherwise.
    if (ImGui::GetContentRegionAvail().x >= ImGui::GetFontSize() * 44 &&
        ImGui::BeginTable("split", 2, ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("memstats", ImGuiTableColumnFlags_WidthStretch, 1.0f);
      ImGui::TableSetupColumn("ledger", ImGuiTableColumnFlags_WidthStretch, 1.2f);
      ImGui::TableNextColumn();
      DrawHeapSys(m);
      ImGui::TableNextColumn();
      DrawLedger(m);
      ImGui::EndTable();
    } else {
      DrawHeapSys(m);
      DrawLedger(m);
    }
  }
  if (ImGui::CollapsingHeader("Arenas and chunks", ImGuiTreeNodeFlags_DefaultOpen)) DrawArenasAndChunks(m);
  if (ImGui::CollapsingHeader("Free page runs", ImGuiTreeNodeFlags_DefaultOpen)) DrawFreeRuns(m);
  ImGui::End();
}

} // namespace gui
