// Workload generators, the shared machinery: a deterministic PRNG, parameters, and Workload — an
// EventStream that runs simulated threads (C++20 coroutines) on simulated clocks. API for users:
// generators.h.
//
// A simulated thread is a coroutine that reads like the benchmark it imitates:
//     for (;;) { co_await free(slot[v]); slot[v] = co_await alloc(size, true); }
// Each `co_await alloc/free` is one event. The thread's code runs right after its previous call
// returns and stops at its next call; the call is emitted when the thread's clock is the smallest
// of all runnable threads (ties: the lower thread slot), so events come out in time order and an
// id is only ever seen by other threads after its alloc was emitted (no free before alloc).
//
// Time model (ns, per simulated thread; documented in `spanscope-cli gen --help`):
//   * an alloc costs 20 ns plus the bytes the benchmark touches at 16 B/ns (memset bandwidth);
//     a free costs 15 ns; each cost is scaled by a factor uniform in [7/8, 9/8] from the PRNG, so
//     threads drift apart as real ones do;
//   * work(ns) adds the benchmark's own computation between calls (cache-scratch's writes, ...);
//   * a new thread starts 20 us after spawn (pthread_create); a thread woken by notify() resumes
//     2 us after the notifier's clock (futex wake-up); sleep(ns) is a timed wait (poll loops).
// Thread ids: the first thread is 0, then 1, 2, ...; a finished thread's id is handed out again
// only after 65536 newer threads exist (as Linux recycles pids), so thread tables stay bounded.
#pragma once

#include "traces/event_stream.h"
#include "traces/generators.h"

#include <coroutine>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace traces::gen {

// xoshiro256** seeded through splitmix64 (Blackman & Vigna). Never std:: distributions: their
// output differs between standard libraries.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  uint64_t below(uint64_t n);                  // uniform in [0, n), n > 0 (unbiased)
  uint64_t between(uint64_t lo, uint64_t hi);  // uniform in [lo, hi]
  bool percent(uint64_t p) { return below(100) < p; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1p-53; } // [0, 1)

 private:
  uint64_t s_[4];
};

// A size spread evenly over powers of two: an octave [2^k, 2^(k+1)) is chosen uniformly among
// those meeting [lo, hi], then a value uniformly inside it (clipped to [lo, hi]). A log-uniform
// shape without logarithms (libm results differ between platforms).
uint64_t octaveUniform(Rng& r, uint64_t lo, uint64_t hi);

// Parameter values, validated against a GeneratorInfo.
class Params {
 public:
  // Throws std::invalid_argument naming the generator and the parameter.
  Params(const GeneratorInfo& info, const std::map<std::string, std::string>& given);
  uint64_t operator[](const std::string& name) const;    // an integer parameter
  const std::string& choice(const std::string& name) const; // a choice parameter
  // "spanscope-cli gen NAME --seed S --param k=v ..." with every parameter, in the info's order.
  std::string commandLine(uint64_t seed) const;

 private:
  const GeneratorInfo* info_;
  std::map<std::string, std::string> text_;
  std::map<std::string, uint64_t> ints_;
};

GeneratorParam intParam(std::string name, uint64_t def, uint64_t min, uint64_t max, std::string meaning);
GeneratorParam choiceParam(std::string name, std::string def, std::vector<std::string> choices, std::string meaning);
GeneratorParam eventsParam(uint64_t def);
GeneratorParam threadsParam(uint64_t def, std::string meaning);

// Recycles coroutine frames by size (in 64-byte steps up to 4 KiB; larger ones go to the heap).
class FramePool {
 public:
  ~FramePool();
  void* get(std::size_t n);
  void put(void* p, std::size_t n);

 private:
  static constexpr std::size_t kStep = 64, kClasses = 64;
  std::vector<void*> free_[kClasses];
};
FramePool& framePool();

// The code of one simulated thread, or a subroutine of one (`co_await sub(...)`).
class Task {
 public:
  struct promise_type {
    std::coroutine_handle<> continuation; // the awaiting parent, for subroutines
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        std::coroutine_handle<> c = h.promise().continuation;
        return c ? c : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { throw; }
    // Frames come from a per-thread free list: generators start millions of short subroutines.
    static void* operator new(std::size_t n) { return framePool().get(n); }
    static void operator delete(void* p, std::size_t n) { framePool().put(p, n); }
  };

  Task() = default;
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }
  // Awaiting a Task runs it to completion as a subroutine of the awaiting thread.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }
  void await_resume() const noexcept {}
  std::coroutine_handle<> handle() const { return h_; }
  bool done() const { return h_.done(); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

// Threads parked here are woken by Workload::notify (a condition variable: re-check after wait).
struct Signal {
  std::vector<uint32_t> waiters;
};

class Workload : public EventStream {
 public:
  ~Workload() override;
  size_t read(sim::Event* out, size_t max) final;
  const TraceMeta& meta() const final { return meta_; }
  ImportSummary summary() const final { return summary_; }
  std::optional<uint64_t> eventCount() const final { return budget_; }
  // Set by makeGenerator: the name, description and command line; the config is the generator's.
  void describe(std::string name, std::string description, std::string source);

  static constexpr uint64_t kNone = ~uint64_t{0}; // "no object" in slot arrays

 protected:
  Workload(const Params& p, uint64_t seed, uint32_t procs, sim::Liveness liveness);

  struct Call; // awaiter of alloc/free: suspends the thread until its call is emitted
  struct Pause;
  struct Park;
  // One allocator call of the current thread. `touched`: bytes the benchmark writes into the new
  // object (time model). co_await alloc(...) gives the new object's id.
  Call alloc(uint64_t size, bool noscan, uint64_t touched = 0);
  Call free(uint64_t id);
  Pause sleep(uint64_t ns);
  Park wait(Signal& s);
  void notify(Signal& s);
  void work(uint64_t ns); // computation between calls
  // Starts a new simulated thread running `t`, `delay` ns from now (at time 0 when called from
  // the constructor).
  void spawn(Task t, uint64_t delay = kThreadStartNs);
  uint64_t now() const;

  static constexpr uint64_t kThreadStartNs = 20'000;
  static constexpr uint64_t kWakeNs = 2'000;

  Rng rng_;
  TraceMeta meta_;

 private:
  struct Op {
    enum Kind : uint8_t { None, Alloc, Free } kind = None;
    bool noscan = true;
    uint64_t size = 0, touched = 0, id = 0;
  };
  struct Actor {
    Task task;
    std::coroutine_handle<> resume; // innermost suspended coroutine of the thread
    uint64_t clock = 0;
    uint32_t thread = 0;
    bool parked = false, counted = false;
    Op op;
    uint64_t result = 0;
  };
  using Key = std::pair<uint64_t, uint32_t>; // (clock, actor slot)

  void schedule(uint32_t a);
  sim::Event emit(Actor& a);
  uint32_t newThreadId();
  void retire(uint32_t a);

  // A bug guard: threads that only sleep or wait forever would make read() spin.
  static constexpr uint64_t kMaxStepsWithoutEvent = 10'000'000;
  uint64_t budget_ = 0, emitted_ = 0, stepsWithoutEvent_ = 0;
  std::vector<Actor> actors_;
  std::vector<uint32_t> freeSlots_;
  std::vector<Key> heap_; // min-heap of runnable actors
  uint32_t cur_ = 0;
  bool inThread_ = false; // a simulated thread is running (spawn times are relative to it)
  uint32_t nextThread_ = 0;
  std::deque<uint32_t> retiredThreads_;
  std::vector<uint64_t> freeIds_;
  std::vector<uint64_t> sizeOf_; // id -> requested bytes, kNone when not live
  ImportSummary summary_;
};

struct Workload::Call {
  Workload* w;
  Op op;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    Actor& a = w->actors_[w->cur_];
    a.op = op;
    a.resume = h;
  }
  uint64_t await_resume() const noexcept { return w->actors_[w->cur_].result; }
};

struct Workload::Pause {
  Workload* w;
  uint64_t ns;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    Actor& a = w->actors_[w->cur_];
    a.clock += ns;
    a.resume = h;
  }
  void await_resume() const noexcept {}
};

struct Workload::Park {
  Workload* w;
  Signal* s;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    Actor& a = w->actors_[w->cur_];
    a.parked = true;
    a.resume = h;
    s->waiters.push_back(w->cur_);
  }
  void await_resume() const noexcept {}
};

inline Workload::Call Workload::alloc(uint64_t size, bool noscan, uint64_t touched) {
  return Call{this, Op{Op::Alloc, noscan, size, touched, 0}};
}
inline Workload::Call Workload::free(uint64_t id) { return Call{this, Op{Op::Free, true, 0, 0, id}}; }
inline Workload::Pause Workload::sleep(uint64_t ns) { return Pause{this, ns}; }
inline Workload::Park Workload::wait(Signal& s) { return Park{this, &s}; }
inline void Workload::work(uint64_t ns) { actors_[cur_].clock += ns; }
inline uint64_t Workload::now() const { return actors_[cur_].clock; }

// One generator: its documentation and its factory. Each gen_*.cpp defines its own.
struct Definition {
  GeneratorInfo info;
  std::unique_ptr<Workload> (*make)(const Params& p, uint64_t seed);
};

const Definition& larsonDefinition();
const Definition& xmallocDefinition();
const Definition& mstressDefinition();
const Definition& rptestDefinition();
const Definition& sh6benchDefinition();
const Definition& sh8benchDefinition();
const Definition& cacheScratchDefinition();
const Definition& cacheThrashDefinition();
const Definition& glibcSimpleDefinition();
const Definition& glibcThreadDefinition();
const Definition& allocTestDefinition();
const Definition& mallocLargeDefinition();
const Definition& mleakDefinition();
const Definition& goAppendDefinition();
const Definition& goStringsDefinition();
const Definition& goMapDefinition();

} // namespace traces::gen
