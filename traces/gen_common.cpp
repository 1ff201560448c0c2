// Workload generators, shared machinery: see gen_common.h.
#include "traces/gen_common.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <functional>
#include <stdexcept>

namespace traces::gen {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

std::string joinNames(const GeneratorInfo& info) {
  std::string s;
  for (const GeneratorParam& p : info.params) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

const GeneratorParam& findParam(const GeneratorInfo& info, const std::string& name) {
  for (const GeneratorParam& p : info.params)
    if (p.name == name) return p;
  throw std::invalid_argument(info.name + ": unknown parameter \"" + name + "\" (parameters: " + joinNames(info) + ")");
}

} // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  // Lemire's multiply-shift: the high word of r*n, redrawn in the rare case where the low word
  // falls below 2^64 mod n (which would make some results more likely). Divides only then.
  __extension__ using u128 = unsigned __int128;
  u128 m = static_cast<u128>(next()) * n;
  if (static_cast<uint64_t>(m) < n) {
    const uint64_t threshold = (0 - n) % n;
    while (static_cast<uint64_t>(m) < threshold) m = static_cast<u128>(next()) * n;
  }
  return static_cast<uint64_t>(m >> 64);
}

uint64_t Rng::between(uint64_t lo, uint64_t hi) {
  return hi - lo == ~uint64_t{0} ? next() : lo + below(hi - lo + 1);
}

uint64_t octaveUniform(Rng& r, uint64_t lo, uint64_t hi) {
  lo = std::max<uint64_t>(lo, 1);
  if (hi <= lo) return lo;
  const auto kLo = std::bit_width(lo) - 1, kHi = std::bit_width(hi) - 1;
  const auto k = kLo + r.below(kHi - kLo + 1);
  const uint64_t a = std::max(lo, uint64_t{1} << k);
  const uint64_t b = k == 63 ? hi : std::min(hi, (uint64_t{1} << (k + 1)) - 1);
  return r.between(a, b);
}

FramePool::~FramePool() {
  for (std::vector<void*>& list : free_)
    for (void* p : list) ::operator delete(p);
}

void* FramePool::get(std::size_t n) {
  const std::size_t c = (n + kStep - 1) / kStep;
  if (c >= kClasses) return ::operator new(n);
  if (free_[c].empty()) return ::operator new(c * kStep);
  void* p = free_[c].back();
  free_[c].pop_back();
  return p;
}

void FramePool::put(void* p, std::size_t n) {
  const std::size_t c = (n + kStep - 1) / kStep;
  if (c >= kClasses) ::operator delete(p);
  else free_[c].push_back(p);
}

FramePool& framePool() {
  thread_local FramePool pool;
  return pool;
}

GeneratorParam intParam(std::string name, uint64_t def, uint64_t min, uint64_t max, std::string meaning) {
  return GeneratorParam{std::move(name), std::to_string(def), std::move(meaning), min, max, {}};
}

GeneratorParam choiceParam(std::string name, std::string def, std::vector<std::string> choices, std::string meaning) {
  return GeneratorParam{std::move(name), std::move(def), std::move(meaning), 0, 0, std::move(choices)};
}

GeneratorParam eventsParam(uint64_t def) {
  return intParam("events", def, 1, uint64_t{1} << 40,
                  "events in the trace; the pattern repeats until there are this many, and the trace stops there "
                  "(objects still live stay live, as when the original program exits)");
}

GeneratorParam threadsParam(uint64_t def, std::string meaning) {
  return intParam("threads", def, 1, 1024, std::move(meaning));
}

Params::Params(const GeneratorInfo& info, const std::map<std::string, std::string>& given) : info_(&info) {
  for (const auto& [name, value] : given) findParam(info, name);
  for (const GeneratorParam& p : info.params) {
    auto it = given.find(p.name);
    const std::string& v = it == given.end() ? p.defaultValue : it->second;
    if (!p.choices.empty()) {
      if (std::find(p.choices.begin(), p.choices.end(), v) == p.choices.end())
        throw std::invalid_argument(info.name + ": parameter " + p.name + " expects one of " + p.range() + ", got \"" +
                                    v + "\"");
    } else {
      uint64_t x = 0;
      const char* end = v.data() + v.size();
      auto [ptr, ec] = std::from_chars(v.data(), end, x);
      if (v.empty() || ec != std::errc() || ptr != end || x < p.min || x > p.max)
        throw std::invalid_argument(info.name + ": parameter " + p.name + " expects an integer from " +
                                    std::to_string(p.min) + " to " + std::to_string(p.max) + ", got \"" + v + "\"");
      ints_[p.name] = x;
    }
    text_[p.name] = v;
  }
}

uint64_t Params::operator[](const std::string& name) const {
  auto it = ints_.find(name);
  if (it == ints_.end()) throw std::logic_error(info_->name + ": no integer parameter " + name);
  return it->second;
}

const std::string& Params::choice(const std::string& name) const {
  auto it = text_.find(name);
  if (it == text_.end()) throw std::logic_error(info_->name + ": no parameter " + name);
  return it->second;
}

std::string Params::commandLine(uint64_t seed) const {
  std::string s = "spanscope-cli gen " + info_->name + " --seed " + std::to_string(seed);
  for (const GeneratorParam& p : info_->params) s += " --param " + p.name + "=" + text_.at(p.name);
  return s;
}

Workload::Workload(const Params& p, uint64_t seed, uint32_t procs, sim::Liveness liveness)
    : rng_(seed), budget_(p["events"]) {
  meta_.config.gomaxprocs = std::clamp<uint32_t>(procs, 1, 1024);
  meta_.config.liveness = liveness;
}

Workload::~Workload() = default;

void Workload::describe(std::string name, std::string description, std::string source) {
  summary_.format = "generator " + name;
  meta_.name = std::move(name);
  meta_.description = std::move(description);
  meta_.source = std::move(source);
}

size_t Workload::read(sim::Event* out, size_t max) {
  size_t n = 0;
  while (n < max && emitted_ < budget_) {
    if (heap_.empty())
      throw std::logic_error("generator " + meta_.name + ": every simulated thread is blocked or finished");
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    const uint32_t a = heap_.back().second;
    heap_.pop_back();
    for (;;) {
      if (actors_[a].op.kind != Op::None) {
        out[n++] = emit(actors_[a]);
        if (n == max || emitted_ == budget_) {
          schedule(a);
          break;
        }
      }
      if (++stepsWithoutEvent_ > kMaxStepsWithoutEvent)
        throw std::logic_error("generator " + meta_.name + ": no event in " + std::to_string(kMaxStepsWithoutEvent) +
                               " thread steps");
      cur_ = a;
      inThread_ = true;
      actors_[a].resume.resume();
      inThread_ = false;
      const Actor& ac = actors_[a]; // spawn() may have moved actors_
      if (ac.task.done()) {
        retire(a);
        break;
      }
      if (ac.parked) break;
      // Still the earliest thread: emit its call without a trip through the heap.
      if (!heap_.empty() && heap_.front() < Key{ac.clock, a}) {
        schedule(a);
        break;
      }
    }
  }
  return n;
}

sim::Event Workload::emit(Actor& a) {
  sim::Event ev;
  ev.thread = a.thread;
  ev.time = a.clock;
  uint64_t cost = 0;
  if (a.op.kind == Op::Alloc) {
    uint64_t id;
    if (freeIds_.empty()) {
      id = sizeOf_.size();
      sizeOf_.push_back(0);
    } else {
      id = freeIds_.back();
      freeIds_.pop_back();
    }
    sizeOf_[id] = a.op.size;
    ev.kind = sim::EventKind::Alloc;
    ev.noscan = a.op.noscan;
    ev.id = id;
    ev.size = a.op.size;
    ++summary_.allocs, ++summary_.liveObjects;
    summary_.liveBytes += a.op.size;
    summary_.peakLiveBytes = std::max(summary_.peakLiveBytes, summary_.liveBytes);
    cost = 20 + a.op.touched / 16;
  } else {
    const uint64_t id = a.op.id;
    if (id >= sizeOf_.size() || sizeOf_[id] == kNone)
      throw std::logic_error("generator " + meta_.name + ": free of id " + std::to_string(id) + ", which is not live");
    ev.kind = sim::EventKind::Free;
    ev.id = id;
    ++summary_.frees, --summary_.liveObjects;
    summary_.liveBytes -= sizeOf_[id];
    sizeOf_[id] = kNone;
    freeIds_.push_back(id);
    cost = 15;
  }
  ++summary_.events;
  ++emitted_;
  stepsWithoutEvent_ = 0;
  if (!a.counted) {
    a.counted = true;
    ++summary_.threads;
  }
  a.clock += cost * (896 + rng_.below(257)) / 1024;
  a.result = ev.id;
  a.op.kind = Op::None;
  return ev;
}

void Workload::schedule(uint32_t a) {
  heap_.push_back(Key{actors_[a].clock, a});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void Workload::spawn(Task t, uint64_t delay) {
  const uint64_t start = inThread_ ? now() + delay : 0;
  uint32_t slot;
  if (freeSlots_.empty()) {
    slot = static_cast<uint32_t>(actors_.size());
    actors_.emplace_back();
  } else {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
  }
  Actor& a = actors_[slot];
  a = Actor{};
  a.resume = t.handle();
  a.task = std::move(t);
  a.clock = start;
  a.thread = newThreadId();
  schedule(slot);
}

void Workload::notify(Signal& s) {
  const uint64_t at = now() + kWakeNs;
  for (uint32_t w : s.waiters) {
    Actor& a = actors_[w];
    a.parked = false;
    a.clock = std::max(a.clock, at);
    schedule(w);
  }
  s.waiters.clear();
}

uint32_t Workload::newThreadId() {
  if (retiredThreads_.size() > 65536) {
    const uint32_t id = retiredThreads_.front();
    retiredThreads_.pop_front();
    return id;
  }
  return nextThread_++;
}

void Workload::retire(uint32_t a) {
  retiredThreads_.push_back(actors_[a].thread);
  actors_[a].task = Task();
  freeSlots_.push_back(a);
}

} // namespace traces::gen
