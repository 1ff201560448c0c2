// spanscope-cli: the engine state as JSON (--dump-state). Engine design essay: sim/malloc.h.
#include "app/cli/state_dump.h"

#include "app/report/units.h"
#include "traces/json_io.h"

#include <nlohmann/json.hpp>

namespace cli {

using report::hexAddr;

namespace {

using ojson = nlohmann::ordered_json;

// nbits bits of a 64-bit-word bitmap as bytes in memory order (little-endian words), hex.
std::string bitmapHex(const uint64_t* words, uint32_t nbits) {
  static const char* const digits = "0123456789abcdef";
  std::string out;
  const uint32_t nbytes = (nbits + 7) / 8;
  out.reserve(nbytes * 2);
  for (uint32_t b = 0; b < nbytes; ++b) {
    const auto byte = static_cast<uint8_t>(words[b / 8] >> (8 * (b % 8)));
    out += digits[byte >> 4];
    out += digits[byte & 15];
  }
  return out;
}

std::string homeText(const sim::MSpan& s, uint32_t sweepgen) {
  switch (s.home) {
    case sim::SpanHome::None: return "none";
    case sim::SpanHome::MCache: return "mcache P" + std::to_string(s.homeIndex);
    case sim::SpanHome::PartialSet:
    case sim::SpanHome::FullSet: {
      const bool swept = s.homeIndex == sim::MCentral::sweptIndex(sweepgen);
      return std::string(s.home == sim::SpanHome::PartialSet ? "partial " : "full ") + (swept ? "swept" : "unswept");
    }
  }
  return "?";
}

const char* stateText(sim::SpanState st) {
  switch (st) {
    case sim::SpanState::Dead: return "dead";
    case sim::SpanState::InUse: return "in use";
    case sim::SpanState::Manual: return "manual";
  }
  return "?";
}

} // namespace

std::string stateToJson(const sim::World& w) {
  const sim::HeapView v = w.view();
  const sim::SizeClassTable& t = v.table();
  const uint32_t sg = v.sweepgen();
  ojson j;
  j["format"] = "spanscope-state";
  j["version"] = 1;
  j["events_applied"] = w.eventsApplied();
  j["table"] = t.name();
  j["sweepgen"] = sg;
  j["heap_base"] = hexAddr(v.heapBase());
  ojson arenas = ojson::array();
  for (uint64_t a : v.arenas()) arenas.push_back(hexAddr(a));
  j["arenas"] = arenas;
  j["mapped_pages"] = v.mappedPages();

  const sim::PageAlloc& pa = v.pages();
  ojson chunks = ojson::array();
  for (uint32_t c = 0; c < pa.chunks(); ++c) {
    uint64_t scav = 0;
    const uint64_t first = uint64_t{c} * sim::kPallocChunkPages;
    for (uint64_t p = first; p < first + sim::kPallocChunkPages; ++p) scav += pa.scavenged(p) ? 1 : 0;
    chunks.push_back({{"chunk", c},
                      {"base", hexAddr(v.heapBase() + first * sim::kPageSize)},
                      {"free_pages", pa.chunkFreePages(c)},
                      {"scavenged_pages", scav}});
  }
  j["page_alloc"] = {{"search_page", pa.searchAddr()},
                     {"free_pages", pa.freePages()},
                     {"scavenged_pages", pa.scavengedPages()},
                     {"chunks", chunks}};

  ojson spans = ojson::array();
  for (sim::SpanId id = 0; id < v.spanCount(); ++id) {
    const sim::MSpan& s = v.span(id);
    if (s.state != sim::SpanState::InUse) continue;
    const uint32_t sc = sim::spanClassSize(s.spanclass);
    spans.push_back({{"id", id},
                     {"base", hexAddr(s.base())},
                     {"npages", s.npages},
                     {"spanclass", s.spanclass},
                     {"sizeclass", sc},
                     {"noscan", sim::spanClassNoscan(s.spanclass)},
                     {"elemsize", s.elemsize},
                     {"nelems", s.nelems},
                     {"allocCount", s.allocCount},
                     {"freeindex", s.freeindex},
                     {"allocCache", hexAddr(s.allocCache)},
                     {"sweepgen", s.sweepgen},
                     {"state", stateText(s.state)},
                     {"home", homeText(s, sg)},
                     {"needzero", s.needzero},
                     {"liveBytes", s.liveBytes},
                     {"allocBits", bitmapHex(s.allocBits(), s.nelems)},
                     {"liveBits", bitmapHex(s.liveBits(), s.nelems)}});
  }
  j["spans"] = spans;
  ojson stackSpans = ojson::array(); // Go: mSpanManual spans holding goroutine stacks (StackInuse)
  for (sim::SpanId id = 0; id < v.spanCount(); ++id) {
    const sim::MSpan& s = v.span(id);
    if (!v.isStackSpan(id)) continue;
    stackSpans.push_back({{"id", id}, {"base", hexAddr(s.base())}, {"npages", s.npages}, {"stack_bytes", s.elemsize},
                          {"stacks_taken", s.elemsize == s.bytes() ? 1u : s.allocCount}}); // in use or in a stack cache (Go: allocCount); a large stack has its own span
  }
  j["stack_spans"] = stackSpans;

  ojson ps = ojson::array();
  for (size_t i = 0; i < v.ps().size(); ++i) {
    const sim::P& p = v.ps()[i];
    ojson cached = ojson::array();
    for (size_t spc = 0; spc < p.mcache.alloc.size(); ++spc)
      if (p.mcache.alloc[spc] != sim::kNoSpan) cached.push_back({{"spanclass", spc}, {"span", p.mcache.alloc[spc]}});
    ps.push_back({{"p", i},
                  {"mcache", {{"spans", cached},
                              {"tiny", hexAddr(p.mcache.tiny)},
                              {"tinyoffset", p.mcache.tinyoffset},
                              {"tinyAllocs", p.mcache.tinyAllocs}}},
                  {"pcache", {{"base", hexAddr(v.heapBase() + p.pcache.base * sim::kPageSize)},
                              {"base_page", p.pcache.base},
                              {"cache", hexAddr(p.pcache.cache)},
                              {"scav", hexAddr(p.pcache.scav)}}},
                  {"mspancache", p.mspancache}});
  }
  j["ps"] = ps;

  ojson central = ojson::array();
  for (uint32_t spc = 0; spc < t.numSpanClasses(); ++spc) {
    const auto sc = static_cast<sim::SpanClass>(spc);
    auto ps_ = v.spansInSet(sc, true, true), pu = v.spansInSet(sc, true, false);
    auto fs = v.spansInSet(sc, false, true), fu = v.spansInSet(sc, false, false);
    if (ps_.empty() && pu.empty() && fs.empty() && fu.empty()) continue;
    central.push_back({{"spanclass", spc},
                       {"partial_swept", ps_},
                       {"partial_unswept", pu},
                       {"full_swept", fs},
                       {"full_unswept", fu}});
  }
  j["mcentral"] = central;

  const sim::MemStats m = w.memStats();
  j["memstats"] = {{"HeapAlloc", m.HeapAlloc},       {"HeapSys", m.HeapSys},         {"HeapIdle", m.HeapIdle},
                   {"HeapInuse", m.HeapInuse},       {"HeapReleased", m.HeapReleased}, {"HeapObjects", m.HeapObjects},
                   {"Mallocs", m.Mallocs},           {"Frees", m.Frees},             {"TotalAlloc", m.TotalAlloc},
                   {"MSpanInuse", m.MSpanInuse},     {"MSpanSys", m.MSpanSys},       {"MCacheInuse", m.MCacheInuse},
                   {"MCacheSys", m.MCacheSys},       {"NextGC", m.NextGC},           {"NumGC", m.NumGC},
                   {"NumForcedGC", m.NumForcedGC}, {"StackInuse", m.StackInuse},   {"StackSys", m.StackSys}};
  const sim::WasteLedger l = w.ledger();
  j["ledger"] = {{"live_bytes", l.liveBytes},     {"rounding_waste", l.roundingWaste},
                 {"dead_bytes", l.deadBytes},     {"tail_waste", l.tailWaste},
                 {"free_slots", l.freeSlots},     {"cached_free_slots", l.cachedFreeSlots},
                 {"free_pages", l.freePages},     {"released_pages", l.releasedPages},
                 {"total", l.total()}};
  return traces::dumpJson(j, 1) + "\n";
}

} // namespace cli
