// Generator "larson": Larson & Krishnan's server simulation, as in mimalloc-bench's larson.cpp
// (`larson 5 8 1000 5000 100 4141 $procs`). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

class Larson : public Workload {
 public:
  Larson(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate),
        threads_(p["threads"]), minSize_(p["min_size"]), maxSize_(p["max_size"]), chunks_(p["chunks"]),
        rounds_(p["rounds"]) {
    if (maxSize_ < minSize_) throw std::invalid_argument("larson: max_size must not be below min_size");
    if (threads_ * chunks_ > (uint64_t{1} << 28))
      throw std::invalid_argument("larson: threads * chunks must be at most 268435456 blocks");
    spawn(mainThread());
  }

 private:
  // larson: min_size + lran2() % (max_size - min_size), i.e. [min, max); min when they are equal.
  uint64_t size() { return maxSize_ == minSize_ ? minSize_ : minSize_ + rng_.below(maxSize_ - minSize_); }

  // warmup(): allocate every block, shuffle them, then 4*N random replacements; then the workers.
  Task mainThread() {
    const uint64_t n = threads_ * chunks_;
    slots_.assign(n, kNone);
    for (uint64_t i = 0; i < n; ++i) slots_[i] = co_await alloc(size(), true);
    for (uint64_t c = n; c > 0; --c) std::swap(slots_[rng_.below(c)], slots_[c - 1]);
    for (uint64_t i = 0; i < 4 * n; ++i) {
      const uint64_t v = rng_.below(n);
      co_await free(slots_[v]);
      slots_[v] = co_await alloc(size(), true);
    }
    for (uint64_t w = 0; w < threads_; ++w) spawn(worker(w));
  }

  // exercise_heap(): rounds*chunks times free a random block of this worker's array and put a new
  // one in its place (writing 2 bytes); then start a successor thread on the same array and exit.
  // So blocks allocated by a thread are freed by its successor: cross-thread frees.
  Task worker(uint64_t w) {
    const uint64_t base = w * chunks_;
    for (uint64_t op = 0; op < rounds_ * chunks_; ++op) {
      const uint64_t v = base + rng_.below(chunks_);
      co_await free(slots_[v]);
      slots_[v] = co_await alloc(size(), true, 2);
    }
    spawn(worker(w));
  }

  const uint64_t threads_, minSize_, maxSize_, chunks_, rounds_;
  std::vector<uint64_t> slots_; // every worker's block array, worker w at [w*chunks, (w+1)*chunks)
};

} // namespace

const Definition& larsonDefinition() {
  static const Definition d{
      {"larson",
       "Larson & Krishnan's server simulation (mimalloc-bench larson: `larson 5 8 1000 5000 100 4141 $procs`). The "
       "main thread allocates threads*chunks blocks of uniform size in [min_size, max_size), shuffles them and "
       "replaces 4*N random ones; then each worker owns chunks of them and rounds*chunks times frees a random block "
       "of its array and allocates a new one in its place. A worker that is done starts a successor thread on the "
       "same array, so blocks allocated by one thread are freed by the next (about 1/rounds of all frees are "
       "cross-thread, plus every block of the main thread's setup). The 5-second time limit becomes `events`.",
       {threadsParam(4, "worker threads running at once (mimalloc-bench: the number of CPUs)"),
        intParam("min_size", 8, 1, uint64_t{1} << 30, "smallest block size in bytes"),
        intParam("max_size", 1000, 1, uint64_t{1} << 30, "block sizes are below this (equal to min_size: fixed size)"),
        intParam("chunks", 5000, 1, 10'000'000, "blocks per worker"),
        intParam("rounds", 100, 1, 1'000'000, "a worker thread does rounds*chunks replacements, then hands over"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Larson>(p, seed); }};
  return d;
}

} // namespace traces::gen
