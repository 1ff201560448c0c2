// Generator "xmalloc-test": Lever & Boreham's producer/consumer test, as in mimalloc-bench's
// xmalloc-test.c (`xmalloc-test -w $procs -t 5 -s 64`). Machinery: gen_common.h.
#include "traces/gen_common.h"

namespace traces::gen {

namespace {

// The sizes `-s -1` draws from (xmalloc-test.c possible_sizes).
constexpr uint64_t kSizes[] = {8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048};

class Xmalloc : public Workload {
 public:
  Xmalloc(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(2 * p["threads"]), sim::Liveness::Immediate), size_(p["size"]),
        batch_(p["batch"]), maxBatches_(p["max_batches"]) {
    // As run_memory_free_test() creates them: releaser i, then allocator i.
    for (uint64_t i = 0; i < p["threads"]; ++i) {
      spawn(releaser());
      spawn(allocator());
    }
  }

 private:
  struct Batch {
    uint64_t header = kNone; // struct batch: next pointer + the object pointers
    std::vector<uint64_t> objects;
  };

  // mem_allocator(): a batch header, `batch` objects (memset of at most 128 bytes each), then
  // push the batch on the shared stack, waiting while it holds max_batches.
  Task allocator() {
    for (;;) {
      Batch b;
      b.header = co_await alloc(8 + 8 * batch_, false);
      b.objects.reserve(batch_);
      for (uint64_t i = 0; i < batch_; ++i) {
        const uint64_t s = size_ ? size_ : kSizes[rng_.below(std::size(kSizes))];
        b.objects.push_back(co_await alloc(s, true, std::min<uint64_t>(s, 128)));
      }
      while (stack_.size() >= maxBatches_) co_await wait(notFull_);
      stack_.push_back(std::move(b));
      notify(notEmpty_);
    }
  }

  // mem_releaser(): pop a batch (waiting while the stack is empty), free its objects and header.
  Task releaser() {
    for (;;) {
      while (stack_.empty()) co_await wait(notEmpty_);
      Batch b = std::move(stack_.back());
      stack_.pop_back();
      notify(notFull_);
      for (uint64_t id : b.objects) co_await free(id);
      co_await free(b.header);
    }
  }

  const uint64_t size_, batch_, maxBatches_;
  std::vector<Batch> stack_; // LIFO under one mutex in the original
  Signal notEmpty_, notFull_;
};

} // namespace

const Definition& xmallocDefinition() {
  static const Definition d{
      {"xmalloc-test",
       "Lever & Boreham's multithreaded producer/consumer test (mimalloc-bench xmalloc-test: `xmalloc-test -w $procs "
       "-t 5 -s 64`). Each allocator thread mallocs a batch header (8 + 8*batch bytes: 32776 for 4096 objects, a "
       "large object in Go), fills it with `batch` objects of `size` bytes (0: each drawn from 8, 12, 16, 24, 32, "
       "48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048 like `-s -1`) and pushes it on a shared LIFO "
       "stack holding at most max_batches (waiting while it is full); each releaser thread pops a batch (waiting "
       "while the stack is empty) and frees the objects and the header. Every free is a remote free.",
       {threadsParam(2, "allocator threads; as many releaser threads run beside them (mimalloc-bench: the number of "
                        "CPUs each)"),
        intParam("size", 64, 0, uint64_t{1} << 30, "object size in bytes; 0 draws each size from the list above"),
        intParam("batch", 4096, 1, 1'000'000, "objects per batch"),
        intParam("max_batches", 100, 1, 100'000, "batches the stack holds before allocators wait"),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<Xmalloc>(p, seed); }};
  return d;
}

} // namespace traces::gen
