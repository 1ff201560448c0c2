// Generator "mstress": Leijen's stress test with objects migrating between threads, as in
// mimalloc-bench's mstress.c (`mstress $procs 50 25`). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

constexpr uint64_t kTransfers = 1000;

class Mstress : public Workload {
 public:
  Mstress(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), threads_(p["threads"]),
        scale_(p["scale"]), iterations_(p["iterations"]), large_(p["large"] != 0) {
    spawn(mainThread());
  }

 private:
  // chance(p) in mstress.c is `pick() % 100 <= p`: p+1 percent.
  bool chance(uint64_t p) { return rng_.below(100) <= p; }

  // alloc_items(): `items` words, 1% of them (2% by chance()) made 100x larger; of those, 2% a
  // further 100x (giant) and 11% of the rest 10x (huge), when large objects are allowed.
  Task allocItems(uint64_t items, uint64_t* id) {
    if (chance(1)) {
      if (chance(1) && large_) items *= 10000;
      else if (chance(10) && large_) items *= 1000;
      else items *= 100;
    }
    *id = co_await alloc(items * 8, true, items * 8);
  }

  // main(): ITER rounds of all threads; after each, free about half of the transfer slots (all
  // after the last round). The whole program then runs again until `events`.
  Task mainThread() {
    for (;;) {
      transfer_.assign(kTransfers, kNone);
      for (uint64_t n = 0; n < iterations_; ++n) {
        const uint64_t handles = co_await alloc(threads_ * 8, true); // run_os_threads: the pthread_t array
        running_ = threads_;
        for (uint64_t t = 0; t < threads_; ++t) spawn(stress(t));
        while (running_ > 0) co_await wait(allDone_);
        co_await free(handles);
        for (uint64_t& slot : transfer_) {
          if (chance(50) || n + 1 == iterations_) {
            const uint64_t q = std::exchange(slot, kNone);
            if (q != kNone) co_await free(q);
          }
        }
      }
    }
  }

  // stress(tid): 100*scale*(tid%8+1) data allocations and half as many retained ones, in random
  // order; after each, maybe free a random earlier data object, maybe swap one with a random slot
  // of the shared transfer array (the object migrates to whichever thread picks it up).
  Task stress(uint64_t tid) {
    uint64_t allocs = 100 * scale_ * (tid % 8 + 1);
    uint64_t retain = allocs / 2;
    std::vector<uint64_t> data, retained;
    uint64_t dataArray = kNone, dataCapacity = 0;
    const uint64_t retainedArray = co_await alloc(retain * 8, false);
    while (allocs > 0 || retain > 0) {
      if (retain == 0 || (chance(50) && allocs > 0)) {
        --allocs;
        if (data.size() >= dataCapacity) { // realloc(data, +100000 pointers): new block, then the old one goes
          dataCapacity += 100000;
          const uint64_t grown = co_await alloc(dataCapacity * 8, false);
          if (dataArray != kNone) co_await free(dataArray);
          dataArray = grown;
        }
        uint64_t id = kNone;
        co_await allocItems(uint64_t{1} << rng_.below(5), &id);
        data.push_back(id);
      } else {
        uint64_t id = kNone;
        co_await allocItems(uint64_t{1} << rng_.below(7), &id);
        retained.push_back(id);
        --retain;
      }
      if (chance(66) && !data.empty()) {
        const uint64_t q = std::exchange(data[rng_.below(data.size())], kNone);
        if (q != kNone) co_await free(q);
      }
      if (chance(25) && !data.empty()) {
        uint64_t& mine = data[rng_.below(data.size())];
        std::swap(mine, transfer_[rng_.below(kTransfers)]);
      }
    }
    for (uint64_t id : retained) co_await free(id);
    for (uint64_t id : data)
      if (id != kNone) co_await free(id);
    co_await free(retainedArray);
    if (dataArray != kNone) co_await free(dataArray);
    if (--running_ == 0) notify(allDone_);
  }

  const uint64_t threads_, scale_, iterations_;
  const bool large_;
  std::vector<uint64_t> transfer_;
  uint64_t running_ = 0;
  Signal allDone_;
};

} // namespace

const Definition& mstressDefinition() {
  static const Definition d{
      {"mstress",
       "Leijen's allocator stress test (mimalloc-bench mstress: `mstress $procs 50 25`). In each of `iterations` "
       "rounds, `threads` new threads start; thread t makes 100*scale*(t%8+1) data objects of 1-16 words and half as "
       "many retained ones of 1-64 words (1% of objects 100x larger, a few of those 1000x or 10000x), after each "
       "allocation frees a random earlier data object with 67% chance and with 26% swaps one with a random slot of a "
       "shared 1000-entry transfer array, so objects migrate and are freed by other threads, even threads of later "
       "rounds. A thread frees what it still holds when done; after a round the main thread frees about half of "
       "the transfer slots. Uneven thread loads, thread churn, realloc-style growth of the data array.",
       {threadsParam(4, "threads per round (mimalloc-bench: the number of CPUs)"),
        intParam("scale", 50, 1, 100'000, "load per thread: thread t makes 100*scale*(t%8+1) data objects"),
        intParam("iterations", 25, 1, 1'000'000, "rounds per program run; the last one frees all transfer slots"),
        intParam("large", 1, 0, 1, "1: allow the 1000x and 10000x objects (allow_large_objects)"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Mstress>(p, seed); }};
  return d;
}

} // namespace traces::gen
