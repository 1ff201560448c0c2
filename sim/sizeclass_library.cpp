// The size-class table library: see sizeclass_library.h.
#include "sim/sizeclass_library.h"

#include <numeric>
#include <stdexcept>

namespace sim {

uint32_t goSpanPages(uint32_t size, uint32_t tailWasteDiv) {
  uint64_t spanBytes = kPageSize;
  while (spanBytes < size || spanBytes % size > spanBytes / tailWasteDiv) spanBytes += kPageSize;
  return static_cast<uint32_t>(spanBytes / kPageSize);
}

uint32_t exactSlabPages(uint32_t size) {
  return static_cast<uint32_t>(std::lcm(uint64_t{size}, kPageSize) / kPageSize);
}

namespace {

using Row = SizeClassTable::Row;

// google/tcmalloc tcmalloc/size_classes.cc @fce3f55, the 8 KiB-page tables (size, pages).
// The two differ only at 176/184 and 304/312 (16- versus 8-byte default new alignment).
std::vector<Row> tcmallocRows(bool align8) {
  return {{8, 1},      {16, 1},     {32, 1},      {64, 1},      {80, 1},      {96, 1},     {112, 1},
          {128, 1},    {160, 1},    {align8 ? 184u : 176u, 1},  {208, 1},     {256, 1},    {align8 ? 312u : 304u, 1},
          {368, 1},    {448, 1},    {512, 1},     {576, 1},     {704, 1},     {896, 1},    {1024, 1},
          {1152, 2},   {1408, 2},   {1792, 2},    {2048, 1},    {2304, 2},    {2688, 2},   {3456, 3},
          {4096, 1},   {4736, 3},   {6144, 3},    {8192, 1},    {9472, 5},    {12288, 3},  {16384, 2},
          {20480, 5},  {28672, 7},  {32768, 4},   {40960, 5},   {49152, 6},   {65536, 8},  {73728, 9},
          {81920, 10}, {98304, 12}, {131072, 16}, {155648, 19}, {204800, 25}, {262144, 32}};
}

// jemalloc 5.x size classes (doc/jemalloc.xml.in), 16-byte quantum, 4 per doubling, up to 32 KiB.
// On 4 KiB pages 16 KiB and up are page-run "large" sizes; on 8 KiB spans every one is a class.
const std::vector<uint32_t> kJemallocSizes = {
    8,    16,   32,   48,   64,   80,   96,   112,  128,  160,   192,   224,   256,   320,   384,   448,   512,
    640,  768,  896,  1024, 1280, 1536, 1792, 2048, 2560, 3072,  3584,  4096,  5120,  6144,  7168,  8192,
    10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768};

// mimalloc bins (src/page-queue.c mi_bin): word-exact to 64 B, then 4 per doubling; up to 32 KiB.
const std::vector<uint32_t> kMimallocSizes = {
    8,    16,   24,   32,   40,   48,   56,   64,   80,    96,    112,   128,   160,   192,   224,
    256,  320,  384,  448,  512,  640,  768,  896,  1024,  1280,  1536,  1792,  2048,  2560,  3072,
    3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768};

SizeClassTable mustBuild(const std::string& name, const std::vector<Row>& rows, uint32_t maxSmall) {
  std::string err;
  std::optional<SizeClassTable> t = SizeClassTable::fromRows(name, rows, maxSmall, maxSmall > 32768, &err);
  // Library data is fixed and tested; a failure here is a bug in this file, not bad input.
  if (!t) throw std::logic_error("size-class library table " + name + ": " + err);
  return *t;
}

SizeClassTable jemallocTable() {
  std::vector<Row> rows;
  for (uint32_t s : kJemallocSizes) rows.push_back({s, exactSlabPages(s)});
  return mustBuild("jemalloc", rows, 32768);
}

// mimalloc v2 page kinds: small pages (64 KiB) for blocks up to 8 KiB, medium (512 KiB) above.
SizeClassTable mimallocTable() {
  std::vector<Row> rows;
  for (uint32_t s : kMimallocSizes) rows.push_back({s, s <= 8192 ? 8u : 64u});
  return mustBuild("mimalloc", rows, 32768);
}

SizeClassTable glibc16Table(uint32_t max) {
  std::vector<Row> rows;
  for (uint32_t s = 16; s <= max; s += 16) rows.push_back({s, goSpanPages(s)});
  return mustBuild(max == 32768 ? "glibc16" : "glibc16:" + std::to_string(max), rows, max);
}

SizeClassTable pow2Table() {
  std::vector<Row> rows;
  for (uint32_t s = 8; s <= 32768; s *= 2) rows.push_back({s, goSpanPages(s)});
  return mustBuild("pow2", rows, 32768);
}

} // namespace

const std::vector<LibraryEntry>& sizeClassLibrary() {
  static const std::vector<LibraryEntry> lib = {
      {"go1.19", "Go 1.19 runtime: 67 classes to 32 KiB",
       "runtime/sizeclasses.go (mksizeclasses.go); spans as Go allocates them"},
      {"go1.26", "Go 1.26 runtime: the same 67 classes to 32 KiB (header objects look up size + 8)",
       "internal/runtime/gc/sizeclasses.go (runtime/_mkmalloc/mksizeclasses.go); spans as Go allocates them"},
      {"tcmalloc", "TCMalloc, 8 KiB pages, 16-byte new alignment: 47 classes to 256 KiB",
       "google/tcmalloc tcmalloc/size_classes.cc @fce3f55 (sizes and pages as given)"},
      {"tcmalloc-align8", "TCMalloc, 8 KiB pages, 8-byte new alignment (184 and 312 instead of 176, 304)",
       "google/tcmalloc tcmalloc/size_classes.cc @fce3f55 (sizes and pages as given)"},
      {"jemalloc", "jemalloc 5.x: 16 B quantum, 4 classes per doubling, 41 classes to 32 KiB",
       "jemalloc doc/jemalloc.xml.in sizes; spans by src/sc.c's rule (smallest page multiple the size "
       "divides exactly) applied to 8 KiB pages; 16-32 KiB are large extents in jemalloc, classes here"},
      {"mimalloc", "mimalloc bins: word-exact to 64 B, then 4 per doubling; 44 bins to 32 KiB",
       "microsoft/mimalloc src/page-queue.c mi_bin; spans = mimalloc v2 page kinds (64 KiB small pages "
       "to 8 KiB blocks, 512 KiB medium pages above)"},
      {"glibc16", "glibc-like: every multiple of 16 B up to 32 KiB (glibc16:MAX for another top)",
       "ptmalloc2's 16-byte chunk granularity (malloc.c); spans by Go's rule (tail <= 1/8)"},
      {"pow2", "powers of two, 8 B to 32 KiB: the textbook buddy-style table",
       "by definition; spans by Go's rule (tail <= 1/8)"},
  };
  return lib;
}

std::optional<SizeClassTable> libraryTable(const std::string& spec, std::string* error) {
  if (spec == "go1.19" || spec == "go") return SizeClassTable::go119();
  if (spec == "go1.26") return SizeClassTable::go126();
  if (spec == "tcmalloc") return mustBuild("tcmalloc", tcmallocRows(false), 262144);
  if (spec == "tcmalloc-align8") return mustBuild("tcmalloc-align8", tcmallocRows(true), 262144);
  if (spec == "jemalloc") return jemallocTable();
  if (spec == "mimalloc") return mimallocTable();
  if (spec == "pow2") return pow2Table();
  if (spec == "glibc16") return glibc16Table(32768);
  if (spec.rfind("glibc16:", 0) == 0) {
    const std::string v = spec.substr(8);
    uint64_t max = 0;
    bool digits = !v.empty() && v.size() <= 6;
    for (char c : v) digits = digits && c >= '0' && c <= '9';
    if (digits) max = std::stoull(v);
    if (!digits || max < 256 || max > 32768 || max % 16 != 0) {
      if (error) *error = "glibc16:MAX needs MAX a multiple of 16 from 256 to 32768, got \"" + v + "\"";
      return std::nullopt;
    }
    return glibc16Table(static_cast<uint32_t>(max));
  }
  if (error) {
    std::string names;
    for (const LibraryEntry& e : sizeClassLibrary()) names += (names.empty() ? "" : ", ") + std::string(e.name);
    *error = "no size-class table named \"" + spec + "\" (library: " + names + "; or a JSON file)";
  }
  return std::nullopt;
}

} // namespace sim
