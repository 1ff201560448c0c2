// Generator "mleak": mimalloc-bench's mleak.c (short-lived threads leaving long-lived objects
// behind). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

class Mleak : public Workload {
 public:
  Mleak(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), threads_(p["threads"]),
        slots_(p["slots"]), size_(p["size"]), rounds_(p["rounds"]) {
    spawn(mainThread());
  }

 private:
  // test_leak(): rounds of `threads` new threads, each leaving one object in the shared array;
  // after the last round the main thread frees what the array holds. Then the program runs again.
  Task mainThread() {
    for (;;) {
      transfer_.assign(slots_, kNone);
      for (uint64_t n = 0; n < rounds_; ++n) {
        const uint64_t handles = co_await alloc(threads_ * 8, true); // run_os_threads: the pthread_t array
        running_ = threads_;
        for (uint64_t t = 0; t < threads_; ++t) spawn(leak());
        while (running_ > 0) co_await wait(allDone_);
        co_await free(handles);
      }
      for (uint64_t id : transfer_)
        if (id != kNone) co_await free(id);
    }
  }

  // leak(): calloc a 16-word object, swap it into a random slot, free what was there (an object
  // some earlier, finished thread allocated).
  Task leak() {
    const uint64_t p = co_await alloc(size_, true, size_);
    const uint64_t q = std::exchange(transfer_[rng_.below(slots_)], p);
    if (q != kNone) co_await free(q);
    if (--running_ == 0) notify(allDone_);
  }

  const uint64_t threads_, slots_, size_, rounds_;
  std::vector<uint64_t> transfer_;
  uint64_t running_ = 0;
  Signal allDone_;
};

} // namespace

const Definition& mleakDefinition() {
  static const Definition d{
      {"mleak",
       "mimalloc-bench's mleak (`mleak 5`, `mleak 50`): round after round, `threads` new threads each calloc one "
       "object of `size` bytes (16 words), swap it into a random slot of a shared array of `slots` entries and free "
       "the object it displaced, then exit. The live set grows as the array fills, then stays at `slots` objects, "
       "each left behind by a thread that no longer exists; every free is of another (finished) thread's object. "
       "Checks that memory of exited threads is reused. After `rounds` rounds the array is freed.",
       {threadsParam(10, "threads per round"),
        intParam("slots", 1000, 1, 100'000'000, "entries of the shared array (THREADS*BASEITER)"),
        intParam("size", 128, 1, uint64_t{1} << 30, "object size in bytes"),
        intParam("rounds", 1000, 1, uint64_t{1} << 40, "rounds per program run (100*ITER; mimalloc-bench: 500, 5000)"),
        eventsParam(100'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Mleak>(p, seed); }};
  return d;
}

} // namespace traces::gen
