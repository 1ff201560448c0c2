// Size classes: tables, size -> class lookup, and a generator in the spirit of mksizeclasses.
// Design essay: sim/malloc.h.  Go: sizeclasses.go, mksizeclasses.go, msize.go.
//
// Differences from Go: a class index and a span class are 16-bit here (Go: uint8), so that
// tables with more than 127 classes (a glibc-like 16-byte-step table) can drive the engine.
// Any table is data; Go 1.19's 68-class table is built in (go119(); go126() is the same table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

inline constexpr uint64_t kPageShift = 13;  // Go: _PageShift
inline constexpr uint64_t kPageSize = 8192; // Go: _PageSize (runtime page, not the OS page)
// Limits on size-class tables from files (Go's own: 32 KiB, 80 KiB spans; TCMalloc's 256 KiB).
inline constexpr uint32_t kMaxTableSmallSize = 1u << 20;          // maxSmall, bytes
inline constexpr uint64_t kMaxTableSpanBytes = uint64_t{64} << 20; // one small-object span

// One class of a table. Class 0 is the dummy "large object" class (all fields 0).
struct SizeClass {
  uint32_t size = 0;   // bytes per object (class_to_size)
  uint32_t npages = 0; // pages per span (class_to_allocnpages)
  uint32_t nelems = 0; // objects per span = npages*pageSize / size
  uint32_t divMul = 0; // Go 1.19 division magic: floor((2^32-1)/size)+1, 0 for class 0
  bool divMulExact = false; // (n*divMul)>>32 == n/size for every offset n in the span
};

// The knobs of mksizeclasses' rules (Go: mksizeclasses.go makeClasses). Defaults reproduce Go 1.19.
struct SizeClassGeneratorKnobs {
  uint32_t pageSize = 8192;   // span sizes are multiples of this
  uint32_t maxSmall = 32768;  // largest size served from a class (inclusive)
  uint32_t tailWasteDiv = 8;  // leftover per span must be <= spanBytes/tailWasteDiv (12.5%)
  uint32_t minAlign = 8;      // step below align16From
  uint32_t align16From = 32;  // from this power of two, step 16 (heap-bitmap reasons in Go)
  uint32_t fractionFrom = 128;// from this power of two, step = size/fractionDiv
  uint32_t fractionDiv = 8;
  uint32_t maxAlignFrom = 2048; // from this power of two, step = maxAlign
  uint32_t maxAlign = 256;
  uint32_t roundDownTo = 128; // final size raise keeps this alignment (Go: largeSizeDiv)
};

class SizeClassTable {
 public:
  // Go 1.19's table, built in (identical to runtime/sizeclasses.go).
  static SizeClassTable go119();
  // Go 1.26's table (internal/runtime/gc/sizeclasses.go): the same classes, lookup arrays and
  // divide magic as 1.19 under another name. What 1.26 does differently with them (objects per
  // span, the malloc header's +8) is the engine's GoProfile, not the table.
  static SizeClassTable go126();

  // A table from data: sizes and pages per span for classes 1..N (class 0 is implied).
  // Validation: sizes strictly increasing, each object fits its span, npages >= 1,
  // largest size <= maxSmall, maxSmall <= 32768 unless allowLargeMaxSmall. On failure returns
  // nullopt and, if error != nullptr, says which class was wrong and why.
  struct Row {
    uint32_t size;
    uint32_t npages;
  };
  static std::optional<SizeClassTable> fromRows(std::string name, const std::vector<Row>& rows,
                                                uint32_t maxSmall, bool allowLargeMaxSmall,
                                                std::string* error);

  // Applies mksizeclasses' rules with the given knobs. With the defaults the result equals go119().
  // Guards Go never needs: degenerate knobs (0) are clamped to 1, and the final size raise is capped
  // below the next class's size and at maxSmall (e.g. maxSmall 30000 or pageSize 4096 would
  // otherwise give non-increasing sizes or a class above maxSmall).
  static SizeClassTable generate(const SizeClassGeneratorKnobs& knobs, std::string name = "generated");

  const std::string& name() const { return name_; }
  uint32_t maxSmall() const { return maxSmall_; }
  uint32_t pageSize() const { return pageSize_; }
  // Number of classes including the dummy class 0 (Go: _NumSizeClasses = 68).
  uint32_t numClasses() const { return static_cast<uint32_t>(classes_.size()); }
  uint32_t numSpanClasses() const { return numClasses() * 2; }
  const SizeClass& cls(uint32_t c) const { return classes_[c]; }
  const std::vector<SizeClass>& classes() const { return classes_; }

  // Class for a small request (1 <= size <= maxSmall). Go: the size_to_class8 / size_to_class128
  // lookup in mallocgc. Tables whose sizes do not fit the 8/128 granularity use a direct array.
  // 0 if no class is that large (only when maxSmall is above the largest class size).
  uint32_t classOf(uint64_t size) const {
    if (direct_.empty()) {
      if (size <= kSmallSizeMax - 8) return sizeToClass8_[(size + kSmallSizeDiv - 1) / kSmallSizeDiv];
      return sizeToClass128_[(size - kSmallSizeMax + kLargeSizeDiv - 1) / kLargeSizeDiv];
    }
    return direct_[size];
  }
  // The class of the 16-byte tiny block (Go: _TinySizeClass = 2), or 0 if the table has none.
  uint32_t tinyClass() const { return tinyClass_; }

  // Go's two lookup arrays (empty when the table needs the direct array).
  const std::vector<uint16_t>& sizeToClass8() const { return sizeToClass8_; }
  const std::vector<uint16_t>& sizeToClass128() const { return sizeToClass128_; }

  static constexpr uint32_t kSmallSizeDiv = 8;    // Go: smallSizeDiv
  static constexpr uint32_t kSmallSizeMax = 1024; // Go: smallSizeMax
  static constexpr uint32_t kLargeSizeDiv = 128;  // Go: largeSizeDiv

 private:
  void finish(); // fills nelems, divMul, lookup arrays, tinyClass
  std::string name_;
  uint32_t maxSmall_ = 32768;
  uint32_t pageSize_ = 8192;
  std::vector<SizeClass> classes_;
  std::vector<uint16_t> sizeToClass8_;
  std::vector<uint16_t> sizeToClass128_;
  std::vector<uint16_t> direct_;
  uint32_t tinyClass_ = 0;
};

// Span class = class<<1 | noscan (Go: spanClass, makeSpanClass).
using SpanClass = uint16_t;
inline SpanClass makeSpanClass(uint32_t sizeclass, bool noscan) {
  return static_cast<SpanClass>(sizeclass << 1 | (noscan ? 1u : 0u));
}
inline uint32_t spanClassSize(SpanClass spc) { return spc >> 1; }
inline bool spanClassNoscan(SpanClass spc) { return (spc & 1) != 0; }

// Go: printComment in mksizeclasses.go; the header of sizeclasses.go (class, bytes/obj, bytes/span,
// objects, tail waste, max waste, min align) followed by the alignment summary. Ends with the last
// alignment row's newline (Go prints one more blank separator line after it).
std::string formatSizeClassComment(const SizeClassTable& t);

} // namespace sim
