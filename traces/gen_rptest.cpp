// Generator "rptest": Mattias Jansson's rpmalloc benchmark, as in mimalloc-bench's rptest.c
// (`rptest $procs 0 1 2 500 1000 100 8 16000`). Machinery: gen_common.h.
#include "traces/gen_common.h"

#include <cmath>

namespace traces::gen {

namespace {

// The original's tables are fixed lists of random numbers; ours are drawn from the seed with the
// same shapes: 2000 sizes uniform in [0, 100000) rescaled to [min, max], and operation counts
// uniform in [30, 99] percent of op_count (311 alloc counts; 257 free counts, times 0.8).
constexpr size_t kSizeTable = 2000, kAllocOps = 311, kFreeOps = 257;
constexpr uint64_t kForeignHeader = 32; // struct thread_pointers: pointers, count, next, allocated

class Rptest : public Workload {
 public:
  Rptest(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), threads_(p["threads"]),
        crossRate_(p["threads"] == 1 ? 0 : p["cross_rate"]), loops_(p["loops"]), slots_(p["slots"]) {
    if (p["max_size"] < p["min_size"]) throw std::invalid_argument("rptest: max_size must not be below min_size");
    makeTables(p);
    // benchmark_run: the first prime (from 7) not dividing the slot count, then the next one.
    static constexpr uint64_t kPrimes[] = {7,  11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
                                           73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149};
    size_t i = 0;
    while (slots_ % kPrimes[i] == 0) ++i;
    allocScatter_ = kPrimes[i++];
    while (slots_ % kPrimes[i] == 0) ++i;
    freeScatter_ = kPrimes[i];
    inbox_.resize(threads_);
    for (uint64_t t = 0; t < threads_; ++t) spawn(worker(t));
  }

 private:
  struct Foreign {
    uint64_t header = kNone, array = kNone;
    std::vector<uint64_t> objects;
  };

  void makeTables(const Params& p) {
    const uint64_t lo = p["min_size"], hi = p["max_size"], range = hi - lo;
    std::vector<uint64_t> even(kSizeTable);
    for (uint64_t& s : even) s = lo + (range * rng_.below(100000) + 50000) / 100000; // round(range * r / 1e5)
    const std::string& dist = p.choice("distribution");
    const double span = static_cast<double>(range ? range : 1);
    sizes_.resize(kSizeTable);
    for (size_t i = 0; i < kSizeTable; ++i) {
      if (dist == "fixed") {
        sizes_[i] = lo;
        continue;
      }
      // rptest's linear and exponential drop-off reshape the even table with two neighbours.
      const double w0 = 1.0 - static_cast<double>(even[i] - lo) / span;
      const double w1 = 1.0 - static_cast<double>(even[(i + 1) % kSizeTable] - lo) / span;
      const double e = static_cast<double>(even[(i + 2) % kSizeTable] - lo);
      if (dist == "even") sizes_[i] = even[i];
      else if (dist == "linear") sizes_[i] = lo + static_cast<uint64_t>(e * std::fabs((w0 + w1) - 1.0));
      else sizes_[i] = lo + static_cast<uint64_t>(e * (w0 * w1));
    }
    for (uint64_t& s : sizes_) s = std::max<uint64_t>(s, 1);
    const uint64_t ops = p["op_count"];
    allocOps_.resize(kAllocOps);
    for (uint64_t& n : allocOps_) n = ops * rng_.between(30, 99) / 100;
    freeOps_.resize(kFreeOps);
    for (uint64_t& n : freeOps_) n = ops * rng_.between(30, 99) * 8 / 1000;
  }

  // A block of `size` bytes with every 4 KiB page and the last byte written, as rptest does.
  Call allocBlock(uint64_t size) { return alloc(size, true, 4 + size / 4096); }

  Task freeForeign(Foreign f) {
    for (uint64_t id : f.objects) co_await free(id);
    co_await free(f.array);
    co_await free(f.header);
  }

  Task drainInbox(uint64_t t) {
    while (!inbox_[t].empty()) {
      Foreign f = std::move(inbox_[t].back());
      inbox_[t].pop_back();
      co_await freeForeign(std::move(f));
    }
  }

  // benchmark_worker(): per loop, free free_op_count slots (prime stride), free every batch other
  // threads handed over, replace alloc_op_count slots (another prime stride) and, every
  // cross_rate-th loop, allocate a batch for the next thread. Two iterations of `loops` loops,
  // each ending at a barrier (draining hand-overs meanwhile) and freeing all slots.
  Task worker(uint64_t t) {
    co_await alloc(slots_ * 8, false); // the pointer array, kept to the end
    std::vector<uint64_t> slot(slots_, kNone);
    uint64_t allocIdx = 0, freeIdx = 0, cross = 0;
    for (uint64_t iter = 0;; ++iter) {
      size_t sizeIdx = ((t + 1) * ((iter % 2 + 1) * 37)) % kSizeTable;
      bool handOver = true;
      for (uint64_t loop = 0; loop < loops_; ++loop) {
        std::vector<Foreign> incoming = std::move(inbox_[t]);
        inbox_[t].clear();
        const uint64_t frees = freeOps_[(iter + loop) % kFreeOps], allocs = allocOps_[(iter + loop) % kAllocOps];
        for (uint64_t i = 0; i < frees; ++i) {
          if (slot[freeIdx] != kNone) co_await free(std::exchange(slot[freeIdx], kNone));
          freeIdx = (freeIdx + freeScatter_) % slots_;
        }
        for (Foreign& f : incoming) co_await freeForeign(std::move(f));
        for (uint64_t i = 0; i < allocs; ++i) {
          if (slot[allocIdx] != kNone) co_await free(std::exchange(slot[allocIdx], kNone));
          slot[allocIdx] = co_await allocBlock(sizes_[(sizeIdx + 2) % kSizeTable]);
          allocIdx = (allocIdx + allocScatter_) % slots_;
          sizeIdx = (sizeIdx + 1) % kSizeTable;
        }
        if (crossRate_ && loop % crossRate_ == 0 && handOver) {
          Foreign f;
          f.header = co_await alloc(kForeignHeader, false);
          f.array = co_await alloc(allocs * 8, false);
          for (uint64_t i = 0; i < allocs; ++i) {
            f.objects.push_back(co_await allocBlock(sizes_[(sizeIdx + 2) % kSizeTable]));
            sizeIdx = (sizeIdx + 1) % kSizeTable;
          }
          cross = (cross + 1) % threads_;
          if (cross == t) cross = (cross + 1) % threads_;
          inbox_[cross].push_back(std::move(f));
        }
        if (arrived_ > 0) handOver = false; // a thread finished its loops: stop handing over
      }
      // Barrier: the last thread to arrive releases everyone; waiting threads drain every 1 ms.
      const uint64_t generation = generation_;
      if (++arrived_ == threads_) {
        arrived_ = 0;
        ++generation_;
      }
      while (generation_ == generation) {
        co_await drainInbox(t);
        co_await sleep(1'000'000);
      }
      for (uint64_t& s : slot)
        if (s != kNone) co_await free(std::exchange(s, kNone));
      co_await sleep(10'000'000);
      co_await drainInbox(t);
    }
  }

  const uint64_t threads_, crossRate_, loops_, slots_;
  uint64_t allocScatter_ = 0, freeScatter_ = 0;
  std::vector<uint64_t> sizes_, allocOps_, freeOps_;
  std::vector<std::vector<Foreign>> inbox_; // per thread: batches handed to it (a lock-free list)
  uint64_t arrived_ = 0, generation_ = 0;
};

} // namespace

const Definition& rptestDefinition() {
  static const Definition d{
      {"rptest",
       "Mattias Jansson's rpmalloc benchmark (mimalloc-bench rptest: `rptest $procs 0 1 2 500 1000 100 8 16000`). "
       "Each thread keeps `slots` slots; per loop it frees 24-79% of op_count slots walking with one prime stride, "
       "frees every batch other threads handed to it, replaces 30-99% of op_count slots walking with another prime "
       "stride (sizes from a 2000-entry table in [min_size, max_size], shaped even, linear or exponential drop-off), "
       "and every cross_rate-th loop allocates a batch (header, pointer array, blocks) that it hands to the next "
       "thread round-robin, which frees it. Two iterations of `loops` loops end at a barrier that drains hand-overs "
       "and frees all slots; hand-overs stop once a thread is done. The original's fixed tables of random numbers "
       "are drawn from the seed instead.",
       {threadsParam(4, "threads (mimalloc-bench: the number of CPUs); with 1 there are no hand-overs"),
        choiceParam("distribution", "linear", {"even", "linear", "exp", "fixed"},
                    "size shape: even, linear or exponential drop-off over [min_size, max_size], or min_size only"),
        intParam("cross_rate", 2, 0, 1'000'000, "hand a batch to another thread every this many loops (0: never)"),
        intParam("loops", 500, 1, 100'000'000, "loops per iteration"),
        intParam("slots", 1000, 1, 10'000'000, "live slots per thread"),
        intParam("op_count", 100, 4, 1'000'000, "operations per loop scale (at least 4: a loop allocates 30-99% of it)"),
        intParam("min_size", 8, 1, uint64_t{1} << 30, "smallest block size in bytes"),
        intParam("max_size", 16000, 1, uint64_t{1} << 30, "largest block size in bytes"), eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Rptest>(p, seed); }};
  return d;
}

} // namespace traces::gen
