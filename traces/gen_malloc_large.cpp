// Generator "malloc-large": mimalloc-bench's malloc-large.cpp (20 live buffers of 5-25 MiB,
// replaced at random). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

class MallocLarge : public Workload {
 public:
  MallocLarge(const Params& p, uint64_t seed)
      : Workload(p, seed, 1, sim::Liveness::Immediate), slots_(p["slots"]), minSize_(p["min_mib"] * kMiB),
        maxSize_(p["max_mib"] * kMiB), iterations_(p["iterations"]) {
    if (maxSize_ < minSize_) throw std::invalid_argument("malloc-large: max_mib must not be below min_mib");
    spawn(mainThread());
  }

 private:
  // main(): `iterations` times pick a random buffer and replace it by a new zeroed one of a size
  // uniform in [min, max] (make_unique: the new buffer exists before the old one is freed); at
  // exit the buffers are destroyed, last first. Then the program runs again.
  Task mainThread() {
    for (;;) {
      std::vector<uint64_t> buffers(slots_, kNone);
      for (uint64_t i = 0; i < iterations_; ++i) {
        uint64_t& b = buffers[rng_.below(slots_)];
        const uint64_t size = rng_.between(minSize_, maxSize_);
        const uint64_t fresh = co_await alloc(size, true, size);
        if (b != kNone) co_await free(b);
        b = fresh;
      }
      for (uint64_t i = slots_; i > 0; --i)
        if (buffers[i - 1] != kNone) co_await free(buffers[i - 1]);
    }
  }

  const uint64_t slots_, minSize_, maxSize_, iterations_;
};

} // namespace

const Definition& mallocLargeDefinition() {
  static const Definition d{
      {"malloc-large",
       "mimalloc-bench's malloc-large (issue #447): one thread, 20 buffer slots; 2000 times replace the buffer in "
       "a random slot by a new zeroed one of a size uniform in 5-25 MiB (the new one is allocated before the old "
       "one is freed), then free them all. Only huge allocations: the large-object, page-heap and OS paths. The "
       "original draws with mt19937 seed 42; here the seed parameter drives our own PRNG.",
       {intParam("slots", 20, 1, 100'000, "buffers live at once"),
        intParam("min_mib", 5, 1, 4096, "smallest buffer in MiB"),
        intParam("max_mib", 25, 1, 4096, "largest buffer in MiB"),
        intParam("iterations", 2000, 1, uint64_t{1} << 40, "replacements per program run"), eventsParam(4'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<MallocLarge>(p, seed); }};
  return d;
}

} // namespace traces::gen
