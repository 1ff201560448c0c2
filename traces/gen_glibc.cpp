// Generators "glibc-simple" and "glibc-thread": glibc's malloc benchtests as mimalloc-bench ships
// them (bench-malloc-simple.c, bench-malloc-thread.c). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

constexpr uint64_t kBlockCounts[] = {25, 100, 400, 1600}; // allocs[] in bench-malloc-simple.c

class GlibcSimple : public Workload {
 public:
  GlibcSimple(const Params& p, uint64_t seed)
      : Workload(p, seed, 1, sim::Liveness::Immediate), size_(p["size"]), iterations_(p["iterations"]) {
    spawn(mainThread());
  }

 private:
  // main(): bench(size), bench(2*size), bench(4*size); the program runs again until `events`.
  Task mainThread() {
    for (;;)
      for (uint64_t m : {1, 2, 4}) co_await bench(size_ * m);
  }

  // bench(): a warm-up round, the rounds on the main thread, in a new thread, and again on the
  // main thread (now multi-threaded); each round does do_benchmark for 25, 100, 400, 1600 blocks.
  Task bench(uint64_t size) {
    const uint64_t arr = co_await alloc(kBlockCounts[3] * 8, false);
    for (int round = 0; round < 2; ++round)
      for (uint64_t n : kBlockCounts) co_await blocks(n, size);
    threadDone_ = false;
    spawn(threadTest(size));
    while (!threadDone_) co_await wait(joined_);
    for (uint64_t n : kBlockCounts) co_await blocks(n, size);
    co_await free(arr);
  }

  Task threadTest(uint64_t size) {
    for (uint64_t n : kBlockCounts) co_await blocks(n, size);
    threadDone_ = true;
    notify(joined_);
  }

  // do_benchmark(): iterations/n times allocate n blocks (writing every int), then free them in
  // allocation order.
  Task blocks(uint64_t n, uint64_t size) {
    std::vector<uint64_t> ids(n);
    for (uint64_t j = 0; j < iterations_ / n; ++j) {
      for (uint64_t& id : ids) id = co_await alloc(size, true, size / 4 * 4);
      for (uint64_t id : ids) co_await free(id);
    }
  }

  const uint64_t size_, iterations_;
  bool threadDone_ = false;
  Signal joined_;
};

constexpr size_t kBlockSizes = 8000, kOffsets = 4096; // NUM_BLOCK_SIZES, NUM_OFFSETS

class GlibcThread : public Workload {
 public:
  GlibcThread(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), slots_(p["slots"]) {
    if (p["max_size"] < p["min_size"]) throw std::invalid_argument("glibc-thread: max_size must not be below min_size");
    // get_block_size(): inverse square distribution, size = (min^-1 + r*(max^-1 - min^-1))^-1, r in [0, 1].
    const double lo = 1.0 / static_cast<double>(p["min_size"]), hi = 1.0 / static_cast<double>(p["max_size"]);
    sizes_.resize(kBlockSizes);
    for (uint64_t& s : sizes_) s = static_cast<uint64_t>(1.0 / (lo + rng_.unit() * (hi - lo)));
    offsets_.resize(kOffsets);
    for (uint64_t& o : offsets_) o = rng_.below(slots_);
    for (uint64_t t = 0; t < p["threads"]; ++t) spawn(worker());
  }

 private:
  // malloc_benchmark_loop(): every thread walks the same two tables from the start: free the
  // working-set slot the next offset names, allocate a block of the next size there, write it all.
  Task worker() {
    std::vector<uint64_t> workingSet(slots_, kNone);
    for (size_t o = 0, b = 0;;) {
      o = (o + 1) % kOffsets;
      b = (b + 1) % kBlockSizes;
      uint64_t& slot = workingSet[offsets_[o]];
      if (slot != kNone) co_await free(slot);
      slot = co_await alloc(sizes_[b], true, sizes_[b]);
    }
  }

  const uint64_t slots_;
  std::vector<uint64_t> sizes_, offsets_;
};

} // namespace

const Definition& glibcSimpleDefinition() {
  static const Definition d{
      {"glibc-simple",
       "glibc's bench-malloc-simple as mimalloc-bench ships it. For block size s, 2s and 4s: with n = 25, 100, 400, "
       "1600 blocks, iterations/n times allocate n blocks of the size (writing every int) and free them in "
       "allocation order; a warm-up round, a round on the main thread, one in a new thread, and one more on the "
       "main thread. One thread at a time, fixed sizes: tcache and fastbin territory. (Upstream glibc frees half "
       "FIFO, half LIFO; mimalloc-bench's copy frees in order.)",
       {intParam("size", 16, 1, uint64_t{1} << 30, "block size of the first bench() (then twice and four times it)"),
        intParam("iterations", 2000000, 1, uint64_t{1} << 40, "blocks allocated per round and block count"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<GlibcSimple>(p, seed); }};
  return d;
}

const Definition& glibcThreadDefinition() {
  static const Definition d{
      {"glibc-thread",
       "glibc's bench-malloc-thread as mimalloc-bench ships it (`glibc-thread $procs`). Each thread owns a working "
       "set of `slots` pointers and, until the time is up (here: `events`), frees the slot a precomputed "
       "4096-entry offset table names and allocates a block there whose size comes from a precomputed 8000-entry "
       "table with an inverse-square distribution between min_size and max_size, writing every byte. Every thread "
       "walks the same tables; no cross-thread frees. The tables are drawn from the seed (the original uses "
       "rand() with seed 88).",
       {threadsParam(4, "threads (mimalloc-bench: 1 and the number of CPUs)"),
        intParam("slots", 1024, 1, 10'000'000, "working-set slots per thread"),
        intParam("min_size", 4, 1, uint64_t{1} << 30, "smallest block size in bytes"),
        intParam("max_size", 32768, 1, uint64_t{1} << 30, "largest block size in bytes"), eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<GlibcThread>(p, seed); }};
  return d;
}

} // namespace traces::gen
