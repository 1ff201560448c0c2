// Generators "sh6bench" and "sh8bench": MicroQuill's SmartHeap benchmarks as mimalloc-bench runs
// them (`sh6bench $procs*2`, `sh8bench $procs*2`). Machinery: gen_common.h.
//
// Both keep a buffer of C block pointers. When the buffer is full, a window of C/5 slots (the
// next fifth each cycle) survives; the slots below it are freed in allocation order (FIFO) and
// those above it in reverse order (LIFO); refilling skips the window.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

// The survivor-window buffer of doBench(): `cursor` is mp, window [start, end) is save_start..end.
struct SurvivorBuffer {
  explicit SurvivorBuffer(uint64_t n) : slots(n, Workload::kNone), start(n), end(n) {}
  std::vector<uint64_t> slots;
  uint64_t cursor = 0, start, end;

  uint64_t size() const { return slots.size(); }
  // Marks the next window when the cursor ran off the end; returns false otherwise.
  bool wrap() {
    if (cursor < size()) return false;
    start = end >= size() ? 0 : end;
    end = std::min(start + size() / 5, size());
    return true;
  }
};

class ShBench : public Workload {
 protected:
  ShBench(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::Immediate), threads_(p["threads"]) {}

  // The freeing half of a wrap: bottom part FIFO, top part LIFO.
  Task freeAroundWindow(SurvivorBuffer& b) {
    for (uint64_t i = 0; i < b.start; ++i)
      if (b.slots[i] != kNone) co_await free(std::exchange(b.slots[i], kNone));
    for (uint64_t i = b.size(); i > b.end; --i)
      if (b.slots[i - 1] != kNone) co_await free(std::exchange(b.slots[i - 1], kNone));
    b.cursor = 0;
  }

  const uint64_t threads_;
  uint64_t running_ = 0;
  Signal allDone_;
};

class Sh6bench : public ShBench {
 public:
  Sh6bench(const Params& p, uint64_t seed) : ShBench(p, seed), calls_(p["calls"]), maxSize_(p["max_size"]) {
    if (calls_ < threads_) throw std::invalid_argument("sh6bench: calls must be at least threads");
    spawn(mainThread());
  }

 private:
  Task mainThread() {
    for (;;) {
      running_ = threads_;
      for (uint64_t t = 0; t < threads_; ++t) spawn(worker());
      while (running_ > 0) co_await wait(allDone_);
    }
  }

  // doBench(): C = calls/threads repetitions of: for size_base = 1, then *3/2+1 while below
  // max_size, for size = base, base/2, ... 1, allocate 10 (x5 under 1000 B, x5 again under 100 B)
  // blocks of that size into the buffer. The original checks for the window only after storing,
  // so when the window wraps to slot 0 the refill overwrites its survivors: C/5 blocks leak every
  // five buffer cycles, and we reproduce that. At the end it frees the slots below the cursor.
  Task worker() {
    const uint64_t c = calls_ / threads_;
    const uint64_t array = co_await alloc(c * 8, false);
    SurvivorBuffer b(c);
    for (uint64_t repeat = 0; repeat < c; ++repeat) {
      for (uint64_t base = 1; base < maxSize_; base = base * 3 / 2 + 1) {
        for (uint64_t size = base; size; size /= 2) {
          uint64_t n = size < 10000 ? 10 : 1;
          if (size < 1000) n *= 5;
          if (size < 100) n *= 5;
          while (n--) {
            b.slots[b.cursor++] = co_await alloc(size, true); // overwriting a survivor leaks it
            if (b.cursor == b.start) b.cursor = b.end;
            if (b.wrap()) co_await freeAroundWindow(b);
          }
        }
      }
    }
    for (uint64_t i = 0; i < b.cursor; ++i)
      if (b.slots[i] != kNone) co_await free(b.slots[i]);
    co_await free(array);
    if (--running_ == 0) notify(allDone_);
  }

  const uint64_t calls_, maxSize_;
};

// sh8bench's block size histogram, cycled in order (blockSizeHistogramDefault).
struct SizeCount {
  uint64_t size, count;
};
constexpr SizeCount kHistogram[] = {{8, 1000},   {16, 5000},  {48, 1000},  {72, 100},   {148, 100},   {200, 100},
                                    {520, 10},   {1056, 5},   {4096, 3},   {9162, 1},   {34562, 1},   {168524, 1}};

class Sh8bench : public ShBench {
 public:
  Sh8bench(const Params& p, uint64_t seed)
      : ShBench(p, seed), iterations_(p["iterations"]), heap_(p["heap"]),
        foreign_(p["foreign"] / (threads_ * threads_) * (threads_ * threads_)) {
    if (heap_ < threads_ || iterations_ < threads_)
      throw std::invalid_argument("sh8bench: heap and iterations must be at least threads");
    spawn(mainThread());
  }

 private:
  // main(): the shared array for blocks freed by other threads, the workers, then (while they
  // run) foreign 8-byte blocks allocated into the array in order. When the workers are done, the
  // blocks no worker reached are freed (the original leaks them; freeing keeps repeated runs
  // bounded) and the program runs again.
  Task mainThread() {
    for (;;) {
      const uint64_t shared = foreign_ ? co_await alloc(foreign_ * 8, false) : kNone;
      blocks_.clear();
      running_ = threads_;
      for (uint64_t t = 0; t < threads_; ++t) spawn(worker(t));
      while (blocks_.size() < foreign_) blocks_.push_back(co_await alloc(kHistogram[0].size, false, 8));
      while (running_ > 0) co_await wait(allDone_);
      for (uint64_t& id : blocks_)
        if (id != kNone) co_await free(std::exchange(id, kNone));
      if (shared != kNone) co_await free(shared);
    }
  }

  // doBench(): `iterations/threads` times: free the foreign blocks this worker owns, forward
  // until one the main thread has not allocated yet (it owns a 1/T sub-slice of each of the T
  // partitions of the shared array), then allocate the next histogram entry's count of blocks of
  // its size into the survivor buffer of heap/threads slots. At thread end SmartHeap frees the
  // thread's pool (MEM_FREE_ON_THREAD_TERM); we free the buffer's blocks.
  Task worker(uint64_t k) {
    const uint64_t heap = heap_ / threads_;
    const uint64_t array = co_await alloc(heap * 8, false);
    SurvivorBuffer b(heap);
    const uint64_t slotSize = foreign_ / threads_, perReset = slotSize / threads_;
    uint64_t freesLeft = slotSize, perThread = perReset, next = perReset * k;
    size_t sizeIndex = 0;
    for (uint64_t it = 0; it < iterations_ / threads_; ++it) {
      while (freesLeft && next < blocks_.size()) {
        co_await free(std::exchange(blocks_[next++], kNone));
        --freesLeft;
        if (--perThread == 0) {
          perThread = perReset;
          next += slotSize - perThread;
        }
      }
      sizeIndex = (sizeIndex + 1) % std::size(kHistogram);
      for (uint64_t n = kHistogram[sizeIndex].count; n > 0; --n) {
        if (b.cursor == b.start) b.cursor = b.end;
        if (b.wrap()) co_await freeAroundWindow(b);
        else b.slots[b.cursor++] = co_await alloc(kHistogram[sizeIndex].size, true, 2);
      }
    }
    for (uint64_t& id : b.slots)
      if (id != kNone) co_await free(std::exchange(id, kNone));
    co_await free(array);
    if (--running_ == 0) notify(allDone_);
  }

  const uint64_t iterations_, heap_, foreign_;
  std::vector<uint64_t> blocks_; // the shared array, filled in order by the main thread
};

} // namespace

const Definition& sh6benchDefinition() {
  static const Definition d{
      {"sh6bench",
       "MicroQuill's SmartHeap benchmark sh6bench (mimalloc-bench: `sh6bench $procs*2`, call count 10000). Each "
       "thread keeps a buffer of calls/threads pointers and repeats that many times: for size_base 1, 2, 4, 7, 11, "
       "... (x3/2+1) below max_size and size = base, base/2, ... 1, allocate 250 blocks of sizes under 100 B, 50 "
       "under 1000 B, 10 otherwise. Whenever the buffer is full, a window of a fifth of it survives, the blocks "
       "below are freed FIFO and those above LIFO. No cross-thread frees; strongly skewed to tiny blocks. As in the "
       "original, when the window wraps to the start its survivors are overwritten: a fifth of a buffer leaks "
       "every five cycles, so the live set keeps growing.",
       {threadsParam(4, "threads (mimalloc-bench: twice the number of CPUs)"),
        intParam("calls", 10000, 1, 100'000'000, "call count, divided among the threads: buffer slots and repetitions"),
        intParam("max_size", 1000, 2, 1'000'000, "size bases stay below this"), eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Sh6bench>(p, seed); }};
  return d;
}

const Definition& sh8benchDefinition() {
  static const Definition d{
      {"sh8bench",
       "MicroQuill's SmartHeap benchmark sh8bench (mimalloc-bench: `sh8bench $procs*2`). Each thread cycles a fixed "
       "histogram (8 B x1000, 16 x5000, 48 x1000, 72 x100, 148 x100, 200 x100, 520 x10, 1056 x5, 4096 x3, 9162 x1, "
       "34562 x1, 168524 x1) through a buffer of heap/threads slots with sh6bench's survivor window (FIFO below, "
       "LIFO above). Meanwhile the main thread allocates `foreign` 8-byte blocks into a shared array split into "
       "`threads` partitions; each worker owns a 1/threads sub-slice of every partition and at the start of each "
       "iteration frees forward through them until it meets a block not yet allocated: a concurrent producer with "
       "`threads` consumers.",
       {threadsParam(4, "worker threads (mimalloc-bench: twice the number of CPUs)"),
        intParam("iterations", 700000, 1, uint64_t{1} << 40, "histogram steps, divided among the threads"),
        intParam("heap", 1000000, 1, 1'000'000'000, "buffer slots, divided among the threads"),
        intParam("foreign", 10000000, 0, 1'000'000'000,
                 "blocks the main thread allocates for the workers to free (rounded down to a multiple of threads^2)"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Sh8bench>(p, seed); }};
  return d;
}

} // namespace traces::gen
