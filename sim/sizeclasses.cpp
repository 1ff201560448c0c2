// Size classes. Design essay: sim/malloc.h. Go: sizeclasses.go, mksizeclasses.go.
#include "sim/sizeclasses.h"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace sim {

namespace {

// Go 1.19 class_to_size / class_to_allocnpages for classes 1..67, kept as data so the engine never
// depends on the generator; a test rebuilds it with generate() and parses the Go file to check both.
constexpr SizeClassTable::Row kGo119Rows[] = {
    {8, 1},      {16, 1},     {24, 1},     {32, 1},     {48, 1},     {64, 1},     {80, 1},
    {96, 1},     {112, 1},    {128, 1},    {144, 1},    {160, 1},    {176, 1},    {192, 1},
    {208, 1},    {224, 1},    {240, 1},    {256, 1},    {288, 1},    {320, 1},    {352, 1},
    {384, 1},    {416, 1},    {448, 1},    {480, 1},    {512, 1},    {576, 1},    {640, 1},
    {704, 1},    {768, 1},    {896, 1},    {1024, 1},   {1152, 1},   {1280, 1},   {1408, 2},
    {1536, 1},   {1792, 2},   {2048, 1},   {2304, 2},   {2688, 1},   {3072, 3},   {3200, 2},
    {3456, 3},   {4096, 1},   {4864, 3},   {5376, 2},   {6144, 3},   {6528, 4},   {6784, 5},
    {6912, 6},   {8192, 1},   {9472, 7},   {9728, 6},   {10240, 5},  {10880, 4},  {12288, 3},
    {13568, 5},  {14336, 7},  {16384, 2},  {18432, 9},  {19072, 7},  {20480, 5},  {21760, 8},
    {24576, 3},  {27264, 10}, {28672, 7},  {32768, 4},
};

constexpr uint32_t kGoMaxSmallSize = 32768; // Go: _MaxSmallSize (1.19)
constexpr uint32_t kTinySize = 16;          // Go: _TinySize; the tiny block is a whole class

bool isPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Smallest class whose size is >= size, scanning from class 0 as Go's printClasses does (so size 0
// maps to the dummy class 0). 0 also when no class is large enough.
uint16_t smallestClassAtLeast(const std::vector<SizeClass>& classes, uint64_t size) {
  auto it = std::lower_bound(classes.begin(), classes.end(), size,
                             [](const SizeClass& c, uint64_t s) { return c.size < s; });
  return it == classes.end() ? 0 : static_cast<uint16_t>(it - classes.begin());
}

} // namespace

// Go: sizeclasses.go (the generated tables) — built in rather than generated at startup.
SizeClassTable SizeClassTable::go126() {
  SizeClassTable t = go119();
  t.name_ = "go1.26";
  return t;
}

SizeClassTable SizeClassTable::go119() {
  // Built once (finish() brute-forces every span offset); callers get copies.
  static const SizeClassTable table = [] {
    SizeClassTable t;
    t.name_ = "go1.19";
    t.maxSmall_ = kGoMaxSmallSize;
    t.pageSize_ = static_cast<uint32_t>(kPageSize);
    t.classes_.resize(1); // class 0: large objects
    for (const Row& r : kGo119Rows) t.classes_.push_back(SizeClass{r.size, r.npages});
    t.finish();
    return t;
  }();
  return table;
}

// Go: no counterpart; validates what mksizeclasses guarantees by construction.
std::optional<SizeClassTable> SizeClassTable::fromRows(std::string name, const std::vector<Row>& rows,
                                                       uint32_t maxSmall, bool allowLargeMaxSmall,
                                                       std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<SizeClassTable> {
    if (error != nullptr) *error = std::move(msg);
    return std::nullopt;
  };
  if (rows.empty()) return fail("table has no classes (needs at least one row besides class 0)");
  // Class indices and span classes (class<<1|noscan) are 16-bit.
  if (rows.size() > 0x7FFF)
    return fail("table has " + std::to_string(rows.size()) + " classes; at most 32767 fit a 16-bit span class");
  if (maxSmall > kGoMaxSmallSize && !allowLargeMaxSmall)
    return fail("maxSmall " + std::to_string(maxSmall) + " is above Go's 32768 (allowLargeMaxSmall not set)");
  // The lookup arrays have maxSmall entries: the table, not the reader, must not choose gigabytes.
  if (maxSmall > kMaxTableSmallSize)
    return fail("maxSmall " + std::to_string(maxSmall) + " is above the engine's limit of " +
                std::to_string(kMaxTableSmallSize) + " bytes (larger objects are large allocations)");
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string cls = "class " + std::to_string(i + 1);
    const Row& r = rows[i];
    if (r.npages == 0) return fail(cls + ": npages is 0 (a span has at least one page)");
    if (r.size == 0) return fail(cls + ": size is 0");
    if (i > 0 && r.size <= rows[i - 1].size)
      return fail(cls + ": size " + std::to_string(r.size) + " is not larger than class " + std::to_string(i) +
                  "'s size " + std::to_string(rows[i - 1].size));
    const uint64_t spanBytes = uint64_t{r.npages} * kPageSize;
    if (r.size > spanBytes)
      return fail(cls + ": size " + std::to_string(r.size) + " does not fit its span of " +
                  std::to_string(r.npages) + " page(s) (" + std::to_string(spanBytes) + " bytes)");
    // Spans are walked slot by slot (sweep, marks, the inspector); bounded like maxSmall.
    if (spanBytes > kMaxTableSpanBytes)
      return fail(cls + ": span of " + std::to_string(r.npages) + " pages exceeds the engine's limit of " +
                  std::to_string(kMaxTableSpanBytes >> 20) + " MiB for a small-object span");
    if (r.size > maxSmall)
      return fail(cls + ": size " + std::to_string(r.size) + " is above maxSmall " + std::to_string(maxSmall));
  }
  // Every small size needs a class (Go's largest class is maxSmallSize); otherwise the lookup
  // would send sizes between the two to class 0.
  if (rows.back().size < maxSmall)
    return fail("maxSmall " + std::to_string(maxSmall) + " is above the largest class size " +
                std::to_string(rows.back().size) + ": sizes " + std::to_string(rows.back().size + 1) + ".." +
                std::to_string(maxSmall) + " would have no class");
  SizeClassTable t;
  t.name_ = std::move(name);
  t.maxSmall_ = maxSmall;
  t.pageSize_ = static_cast<uint32_t>(kPageSize);
  t.classes_.resize(1);
  for (const Row& r : rows) t.classes_.push_back(SizeClass{r.size, r.npages});
  t.finish();
  return t;
}

// Go: mksizeclasses.go makeClasses (walk, span choice, merge, final raise).
SizeClassTable SizeClassTable::generate(const SizeClassGeneratorKnobs& knobs, std::string name) {
  // Degenerate knobs would make Go's loops spin forever; clamp them to 1.
  const uint64_t page = std::max<uint32_t>(knobs.pageSize, 1);
  const uint64_t tailDiv = std::max<uint32_t>(knobs.tailWasteDiv, 1);
  const uint64_t roundTo = std::max<uint32_t>(knobs.roundDownTo, 1);
  const uint64_t maxSmall = knobs.maxSmall;

  std::vector<SizeClass> classes(1); // class 0 is the dummy "large" class
  uint64_t align = std::max<uint32_t>(knobs.minAlign, 1);
  for (uint64_t size = align; size <= maxSmall; size += align) {
    // Re-pick the step at each power of two: coarser steps for larger sizes keep the table small
    // while the round-up waste stays near 1/8 (the 16-byte step is for Go's heap bitmap).
    if (isPowerOfTwo(size)) {
      if (size >= knobs.maxAlignFrom) align = knobs.maxAlign;
      else if (size >= knobs.fractionFrom) align = size / std::max<uint32_t>(knobs.fractionDiv, 1);
      else if (size >= knobs.align16From) align = 16;
      align = std::max<uint64_t>(align, 1);
    }
    // Smallest span whose leftover after cutting it into objects is at most 1/tailDiv of it (and,
    // for tailWasteDiv 1, that holds at least one object — Go's 1/8 implies that).
    uint64_t spanBytes = page;
    while (spanBytes < size || spanBytes % size > spanBytes / tailDiv) spanBytes += page;
    const uint64_t npages = spanBytes / page;
    // Same span and same object count as the previous class: the larger size costs nothing.
    SizeClass& prev = classes.back();
    if (classes.size() > 1 && npages == prev.npages && spanBytes / size == spanBytes / prev.size) {
      prev.size = static_cast<uint32_t>(size);
      continue;
    }
    classes.push_back(SizeClass{static_cast<uint32_t>(size), static_cast<uint32_t>(npages)});
  }

  // Raise each size to the largest that still fits the same object count in the same span,
  // keeping roundDownTo alignment so the 128-byte lookup array stays exact. Walk from the top: a
  // raise may pass the next class's walk size (Go: 2816 -> 3072 while the next is still 3072, then
  // raised to 3200), so compare with the next class's final size. Go's table never needs the cap;
  // with odd knobs it keeps sizes strictly increasing and <= maxSmall.
  for (size_t i = classes.size() - 1; i >= 1; --i) {
    SizeClass& c = classes[i];
    const uint64_t spanBytes = uint64_t{c.npages} * page;
    uint64_t raised = spanBytes / (spanBytes / c.size);
    raised -= raised % roundTo;
    const uint64_t cap = i + 1 < classes.size() ? classes[i + 1].size - 1 : maxSmall;
    if (raised > cap) raised = cap - cap % roundTo;
    if (raised > c.size) c.size = static_cast<uint32_t>(raised);
  }

  SizeClassTable t;
  t.name_ = std::move(name);
  t.maxSmall_ = knobs.maxSmall;
  t.pageSize_ = static_cast<uint32_t>(page);
  t.classes_ = std::move(classes);
  t.finish();
  return t;
}

// Go: mksizeclasses.go computeDivMagic + printClasses (lookup arrays); _TinySizeClass.
void SizeClassTable::finish() {
  const uint64_t page = pageSize_;
  for (SizeClass& c : classes_) {
    if (c.size == 0) { // class 0: no objects, no magic
      c.nelems = 0;
      c.divMul = 0;
      c.divMulExact = false;
      continue;
    }
    const uint64_t spanBytes = uint64_t{c.npages} * page;
    c.nelems = static_cast<uint32_t>(spanBytes / c.size);
    // Go keeps this in a uint32, so size 1 wraps to 0 (and is then reported as not exact).
    c.divMul = static_cast<uint32_t>(0xFFFFFFFFu / c.size + 1u);
    // Brute force over every offset, as computeDivMagic does, instead of trusting the theory.
    c.divMulExact = true;
    for (uint64_t n = 0; n <= spanBytes; ++n) {
      if (((n * c.divMul) >> 32) != n / c.size) {
        c.divMulExact = false;
        break;
      }
    }
  }

  tinyClass_ = 0;
  for (uint32_t i = 1; i < classes_.size(); ++i)
    if (classes_[i].size == kTinySize) tinyClass_ = i;

  // Go's two arrays, filled exactly as printClasses does.
  sizeToClass8_.assign(kSmallSizeMax / kSmallSizeDiv + 1, 0);
  for (uint32_t i = 0; i < sizeToClass8_.size(); ++i)
    sizeToClass8_[i] = smallestClassAtLeast(classes_, uint64_t{i} * kSmallSizeDiv);
  // classOf sends 1017..maxSmall here, so size maxSmall needs index ceil((maxSmall-1024)/128).
  sizeToClass128_.clear();
  if (maxSmall_ > kSmallSizeMax - kSmallSizeDiv) {
    const uint64_t above = maxSmall_ > kSmallSizeMax ? maxSmall_ - kSmallSizeMax : 0;
    sizeToClass128_.resize((above + kLargeSizeDiv - 1) / kLargeSizeDiv + 1);
    for (uint32_t i = 0; i < sizeToClass128_.size(); ++i)
      sizeToClass128_[i] = smallestClassAtLeast(classes_, kSmallSizeMax + uint64_t{i} * kLargeSizeDiv);
  }

  // The arrays only work if the table's sizes fall on their 8/128-byte grid; check every size
  // rather than reasoning about the grid, and fall back to a direct array when they do not.
  direct_.clear();
  bool arraysExact = true;
  for (uint64_t size = 1; size <= maxSmall_ && arraysExact; ++size)
    arraysExact = classOf(size) == smallestClassAtLeast(classes_, size);
  if (!arraysExact) {
    direct_.resize(uint64_t{maxSmall_} + 1);
    uint16_t c = 0;
    for (uint64_t size = 0; size <= maxSmall_; ++size) {
      // Walk forward instead of searching: sizes and classes both increase.
      while (c < classes_.size() && classes_[c].size < size) ++c;
      direct_[size] = c < classes_.size() ? c : 0;
    }
    sizeToClass8_.clear();
    sizeToClass128_.clear();
  }
}

// Go: mksizeclasses.go printComment (the comment at the top of sizeclasses.go).
std::string formatSizeClassComment(const SizeClassTable& t) {
  // Spans are only page-aligned, so no object is guaranteed more alignment than a page.
  const int pageShift = std::countr_zero(std::max<uint32_t>(t.pageSize(), 1));
  std::vector<uint64_t> minAligns(static_cast<size_t>(pageShift) + 1, 0);
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "// %-5s  %-9s  %-10s  %-7s  %-10s  %-9s  %-9s\n", "class", "bytes/obj",
                "bytes/span", "objects", "tail waste", "max waste", "min align");
  out += line;
  uint64_t prevSize = 0;
  for (uint32_t i = 1; i < t.numClasses(); ++i) {
    const SizeClass& c = t.cls(i);
    const uint64_t spanSize = uint64_t{c.npages} * t.pageSize();
    const uint64_t objects = spanSize / c.size;
    const uint64_t tailWaste = spanSize - objects * c.size;
    // Worst case: every object is one byte bigger than the previous class, plus the tail.
    const double maxWaste =
        static_cast<double>((c.size - prevSize - 1) * objects + tailWaste) / static_cast<double>(spanSize);
    const int alignBits = std::min(std::countr_zero(c.size), pageShift);
    // minAligns[b] = smallest size from which every class is at least 2^b aligned.
    for (int b = 0; b <= pageShift; ++b) {
      if (b > alignBits) minAligns[static_cast<size_t>(b)] = 0;
      else if (minAligns[static_cast<size_t>(b)] == 0) minAligns[static_cast<size_t>(b)] = c.size;
    }
    prevSize = c.size;
    std::snprintf(line, sizeof line, "// %5u  %9u  %10llu  %7llu  %10llu  %8.2f%%  %9llu\n", i, c.size,
                  static_cast<unsigned long long>(spanSize), static_cast<unsigned long long>(objects),
                  static_cast<unsigned long long>(tailWaste), 100 * maxWaste, 1ull << alignBits);
    out += line;
  }
  out += "\n";
  std::snprintf(line, sizeof line, "// %-9s  %-4s  %-12s\n", "alignment", "bits", "min obj size");
  out += line;
  // One row per alignment whose threshold differs from the next higher alignment's.
  for (size_t b = 0; b < minAligns.size(); ++b) {
    if (minAligns[b] == 0) break;
    if (b + 1 < minAligns.size() && minAligns[b] == minAligns[b + 1]) continue;
    std::snprintf(line, sizeof line, "// %9llu  %4zu  %12llu\n", 1ull << b, b,
                  static_cast<unsigned long long>(minAligns[b]));
    out += line;
  }
  return out;
}

} // namespace sim
