// Axis ticks for the GUI's plots (see format.h).
#include "app/gui/format.h"

namespace gui {

uint64_t ByteAxisStep(uint64_t maxValue, int maxTicks) {
  if (maxTicks < 1) maxTicks = 1;
  uint64_t step = 1;
  while (step < (uint64_t{1} << 62) && maxValue / step > static_cast<uint64_t>(maxTicks)) step <<= 1;
  return step;
}

uint64_t CountAxisStep(uint64_t range, int maxTicks) {
  if (maxTicks < 1) maxTicks = 1;
  const uint64_t ticks = static_cast<uint64_t>(maxTicks);
  for (uint64_t pow10 = 1;; pow10 *= 10) {
    for (uint64_t m : {uint64_t{1}, uint64_t{2}, uint64_t{5}}) {
      const uint64_t step = m * pow10;
      if (range / step <= ticks) return step;
    }
    if (pow10 > UINT64_MAX / 100) return pow10 * 10;
  }
}

} // namespace gui
