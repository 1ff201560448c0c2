// Generators "cache-scratch" and "cache-thrash": Emery Berger's false-sharing tests from the Hoard
// suite, as in mimalloc-bench (`cache-scratch $procs 1000 1 2000000 $procs`, same for thrash).
// Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

class Cache : public Workload {
 public:
  Cache(const Params& p, uint64_t seed, bool scratch)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), scratch_(scratch),
        threads_(p["threads"]), iterations_(p["iterations"]), size_(p["size"]),
        writeNs_(p["repetitions"] / p["threads"] * p["size"]) {
    spawn(mainThread());
  }

 private:
  // main(): (scratch only) allocate one object per thread back to back, so they share a cache
  // line, and hand one to each worker; start the workers; wait; run again.
  Task mainThread() {
    for (;;) {
      std::vector<uint64_t> handed(threads_, kNone);
      if (scratch_)
        for (uint64_t& h : handed) h = co_await alloc(size_, true);
      running_ = threads_;
      for (uint64_t h : handed) spawn(worker(h));
      while (running_ > 0) co_await wait(allDone_);
    }
  }

  // worker(): (scratch) free the object the main thread handed over, then `iterations` times:
  // allocate an object, write each of its bytes repetitions/threads times (1 ns a write), free it.
  Task worker(uint64_t handed) {
    if (handed != kNone) co_await free(handed);
    for (uint64_t i = 0; i < iterations_; ++i) {
      const uint64_t id = co_await alloc(size_, true, size_);
      work(writeNs_);
      co_await free(id);
    }
    if (--running_ == 0) notify(allDone_);
  }

  const bool scratch_;
  const uint64_t threads_, iterations_, size_, writeNs_;
  uint64_t running_ = 0;
  Signal allDone_;
};

std::vector<GeneratorParam> cacheParams() {
  return {threadsParam(4, "worker threads (mimalloc-bench: 1 and the number of CPUs)"),
          intParam("iterations", 1000, 1, uint64_t{1} << 40, "objects each worker allocates, writes and frees"),
          intParam("size", 1, 1, uint64_t{1} << 30, "object size in bytes"),
          intParam("repetitions", 2000000, 1, uint64_t{1} << 40,
                   "writes per byte of an object, divided among the threads (the time between alloc and free)"),
          eventsParam(1'000'000)};
}

} // namespace

const Definition& cacheScratchDefinition() {
  static const Definition d{
      {"cache-scratch",
       "Berger's passive false-sharing test (Hoard suite; mimalloc-bench cache-scratch: `cache-scratch $procs 1000 1 "
       "2000000 $procs`). The main thread allocates one small object per worker back to back (same cache line) and "
       "hands them over; each worker first frees its object (a remote free), then `iterations` times allocates an "
       "object of `size` bytes, writes it repetitions/threads times and frees it. An allocator that gives a worker "
       "the freed, shared-line block back makes the threads thrash one cache line. Every worker's objects are small "
       "and of one size.",
       cacheParams()},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Cache>(p, seed, true); }};
  return d;
}

const Definition& cacheThrashDefinition() {
  static const Definition d{
      {"cache-thrash",
       "Berger's active false-sharing test (Hoard suite; mimalloc-bench cache-thrash: `cache-thrash $procs 1000 1 "
       "2000000 $procs`): like cache-scratch without the hand-over: each worker `iterations` times allocates an "
       "object of `size` bytes, writes it repetitions/threads times and frees it. The problem shows when concurrent "
       "threads get adjacent blocks of one span/cache line.",
       cacheParams()},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Cache>(p, seed, false); }};
  return d;
}

} // namespace traces::gen
