// mspan slot search. Design essay: sim/malloc.h. Go: mbitmap.go, mheap.go.
#include "sim/mspan.h"

#include <algorithm>

namespace sim {

// Go: mbitmap.go (*mspan).nextFreeIndex.
uint32_t MSpan::nextFreeIndex() {
  uint32_t sfreeindex = freeindex;
  if (sfreeindex == nelems) return sfreeindex;
  uint64_t aCache = allocCache;
  int bitIndex = std::countr_zero(aCache);
  while (bitIndex == 64) {
    sfreeindex = (sfreeindex + 64) & ~uint32_t{63};
    if (sfreeindex >= nelems) {
      freeindex = nelems;
      return nelems;
    }
    refillAllocCache(sfreeindex >> 6);
    aCache = allocCache;
    bitIndex = std::countr_zero(aCache);
  }
  uint32_t result = sfreeindex + static_cast<uint32_t>(bitIndex);
  if (result >= nelems) {
    freeindex = nelems;
    return nelems;
  }
  shiftAllocCache(bitIndex + 1);
  sfreeindex = result + 1;
  if (sfreeindex % 64 == 0 && sfreeindex != nelems) refillAllocCache(sfreeindex >> 6);
  freeindex = sfreeindex;
  return result;
}

// Go: mheap.go allocSpan (heap-span initialisation; 1.26: initSpan) with newMarkBits/newAllocBits.
void MSpan::initSlots(const SizeClassTable& table, SpanClass spc, uint32_t pages, uint64_t reserve) {
  npages = pages;
  spanclass = spc;
  uint32_t sc = spanClassSize(spc);
  if (sc == 0) {
    elemsize = bytes();
    nelems = 1;
    divMul = 0;
    divMulExact = false;
  } else {
    const SizeClass& c = table.cls(sc);
    elemsize = c.size;
    nelems = static_cast<uint32_t>((bytes() - reserve) / elemsize);
    divMul = c.divMul;
    divMulExact = c.divMulExact;
  }
  limit = startAddr + uint64_t{nelems} * elemsize;
  freeindex = 0;
  freeindexAtMarkStart = 0;
  allocCount = 0;
  allocCountBeforeCache = 0;
  allocCache = ~uint64_t{0};
  liveBytes = 0;
  words = (nelems + 63) / 64;
  home = SpanHome::None;
}

} // namespace sim
