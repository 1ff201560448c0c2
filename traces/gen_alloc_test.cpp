// Generator "alloc-test": OLogN/ITHare's allocator tester (randomPos_RandomSize in
// allocator_tester.h), as in mimalloc-bench (`alloc-test 1`, `alloc-test min($procs,16)`).
// Machinery: gen_common.h.
#include "traces/gen_common.h"

#include <bit>

namespace traces::gen {

namespace {

// Pareto_80_20_6: the share of operations of each of 7 slot tiers; tier i covers the fraction
// kShare[6 - i] of the slots, so 26.2% of operations hit the 0.0064% hottest slots.
constexpr double kShare[7] = {0.262144, 0.393216, 0.245760, 0.081920, 0.015360, 0.001536, 0.000064};

class AllocTest : public Workload {
 public:
  AllocTest(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate),
        slots_(p["slots"] / p["threads"]), maxExp_(p["max_exp"]), operations_(p["operations"]) {
    if (slots_ < 32) throw std::invalid_argument("alloc-test: slots must be at least 32 per thread");
    // Pareto_80_20_6_Init: cumulative probability bounds (of a 32-bit draw) and tier offsets.
    constexpr double kMax32 = 4294967295.0;
    bound_[0] = static_cast<uint32_t>(kMax32 * kShare[0]);
    bound_[5] = static_cast<uint32_t>(kMax32 * (1.0 - kShare[6]));
    for (int i = 1; i < 5; ++i) bound_[i] = bound_[i - 1] + static_cast<uint32_t>(kMax32 * kShare[i]);
    offset_[0] = 0;
    offset_[7] = slots_;
    for (int i = 0; i < 6; ++i) offset_[i + 1] = offset_[i] + static_cast<uint64_t>(static_cast<double>(slots_) * kShare[6 - i]);
    for (uint64_t t = 0; t < p["threads"]; ++t) spawn(worker());
  }

 private:
  // calcSizeWithStatsAdjustment(): class k = trailing zeros of a number uniform in
  // [1, 2^(max_exp-3)] (k = 0 half the time, 1 a quarter, ...), then a size uniform in
  // (2^(k+2), 2^(k+3)]: 5-8 bytes half the time, 9-16 a quarter, ... up to 2^max_exp.
  uint64_t size() {
    const uint64_t r = rng_.next();
    const uint64_t e = maxExp_ - 3;
    const uint64_t statClass = (r & ((uint64_t{1} << e) - 1)) + 1;
    const uint64_t idx = static_cast<uint64_t>(std::countr_zero(statClass)) + 2;
    return ((r >> e) & ((uint64_t{1} << idx) - 1)) + 1 + (uint64_t{1} << idx);
  }

  // Pareto_80_20_6_Rand(); a tier left without slots (fewer than 15625 slots) passes its
  // operations to the next one, where the original would divide by zero.
  uint64_t pickSlot() {
    const uint32_t r1 = static_cast<uint32_t>(rng_.next() >> 32), r2 = static_cast<uint32_t>(rng_.next() >> 32);
    int tier = 6;
    for (int i = 0; i < 6; ++i) {
      if (r1 < bound_[i]) {
        tier = i;
        break;
      }
    }
    while (offset_[tier + 1] == offset_[tier]) ++tier;
    return offset_[tier] + r2 % (offset_[tier + 1] - offset_[tier]);
  }

  // Setup fills each slot with probability 1/2; then each operation picks a Pareto slot and frees
  // its block or, if empty, allocates one (memory access mode "full": memset the block). At the
  // end every block and the slot array are freed, and the thread starts over.
  Task worker() {
    for (;;) {
      const uint64_t array = co_await alloc(slots_ * 16, true); // TestBin: ptr, sz, reincarnation
      std::vector<uint64_t> table(slots_, kNone);
      for (uint64_t i = 0; i + 32 <= slots_; i += 32) {
        const uint64_t bits = rng_.next();
        for (uint64_t j = 0; j < 32; ++j) {
          if ((bits >> j) & 1) {
            const uint64_t s = size();
            table[i + j] = co_await alloc(s, true, s);
          }
        }
      }
      for (uint64_t op = 0; op < operations_; ++op) {
        uint64_t& s = table[pickSlot()];
        if (s != kNone) {
          co_await free(std::exchange(s, kNone));
        } else {
          const uint64_t n = size();
          s = co_await alloc(n, true, n);
        }
      }
      for (uint64_t id : table)
        if (id != kNone) co_await free(id);
      co_await free(array);
    }
  }

  const uint64_t slots_, maxExp_, operations_;
  uint32_t bound_[6] = {};
  uint64_t offset_[8] = {};
};

} // namespace

const Definition& allocTestDefinition() {
  static const Definition d{
      {"alloc-test",
       "OLogN/ITHare's allocator tester (mimalloc-bench alloc-test: `alloc-test 1` and `alloc-test min($procs,16)`). "
       "Each thread has slots/threads slots, fills about half of them, then per operation picks a slot from a "
       "7-tier Pareto 80/20 scheme (26.2% of operations hit 0.0064% of the slots, 39.3% hit 0.15%, 24.6% hit 1.5%, "
       "8.2% hit 8.2%, 1.5% hit 24.6%, 0.15% hit 39.3%, 0.0064% the remaining 26.2%) and frees its block or, if "
       "empty, allocates one. Sizes: 5-8 bytes half the time, 9-16 a quarter, ... up to 2^max_exp (513-1024 B "
       "with 1/128 for the default 10). The blocks are written in full.",
       {threadsParam(1, "threads (mimalloc-bench: 1 and min(CPUs, 16))"),
        intParam("slots", 262144, 32, 1'000'000'000, "slots in total, divided among the threads"),
        intParam("max_exp", 10, 4, 30, "largest size is 2^max_exp bytes"),
        intParam("operations", 100000000, 1, uint64_t{1} << 40, "operations per thread before it frees all and starts over"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<AllocTest>(p, seed); }};
  return d;
}

} // namespace traces::gen
