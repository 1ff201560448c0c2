// Goroutine stacks. Design essay: sim/malloc.h; data: sim/stack.h.
// Go: stack.go (stackalloc, stackfree, stackpoolalloc, stackpoolfree, stackcacherefill,
// stackcacherelease, stackcache_clear, freeStackSpans), proc.go (newproc1 + gfget, goexit0 +
// gfput), mgcmark.go (markrootFreeGStacks), mheap.go (allocManual, freeManual).
#include "sim/world.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace sim {

namespace {
constexpr size_t kGFreeSpill = 64, kGFreeKeep = 32; // Go: gfput / gfget's local list bounds
}

// Bad input is refused before anything changes (World::step's contract).
std::string World::checkStackEvent(const Event& ev) const {
  const bool live = stacks_.live.count(ev.id) != 0;
  switch (ev.kind) {
    case EventKind::GoStart:
      return live ? "go_start of goroutine " + std::to_string(ev.id) + ", which is already running" : "";
    case EventKind::GoExit:
      return live ? "" : "go_exit of goroutine " + std::to_string(ev.id) + ", which is not running";
    case EventKind::StackGrow: {
      if (!live) return "stack_grow of goroutine " + std::to_string(ev.id) + ", which is not running";
      const uint64_t cur = stacks_.live.at(ev.id).size;
      if (!std::has_single_bit(ev.size) || ev.size <= cur || ev.size > kMaxStackBytes)
        return "stack_grow to " + std::to_string(ev.size) + " bytes: a stack grows to a power of 2 above its " +
               std::to_string(cur) + " bytes, at most " + std::to_string(kMaxStackBytes);
      return "";
    }
    default: return "";
  }
}

// Go: newproc1 -> gfget (a dead G, perhaps with its 2 KiB stack) or malg(_StackMin).
void World::goStart(P& p, uint64_t g) {
  const auto pi = static_cast<size_t>(&p - ps_.data());
  std::vector<uint64_t>& local = stacks_.gFree[pi];
  if (local.empty() && (!stacks_.gFreeStack.empty() || stacks_.gFreeNoStack > 0)) {
    while (local.size() < kGFreeKeep) { // Go: gfget refills from sched.gFree, stacks first
      if (!stacks_.gFreeStack.empty()) {
        local.push_back(stacks_.gFreeStack.back());
        stacks_.gFreeStack.pop_back();
      } else if (stacks_.gFreeNoStack > 0) {
        local.push_back(0);
        stacks_.gFreeNoStack--;
      } else {
        break;
      }
    }
  }
  uint64_t lo = 0;
  if (!local.empty()) { // a dead G; its stack only if it kept one
    lo = local.back();
    local.pop_back();
  }
  if (lo == 0) lo = stackalloc(&p, kFixedStack);
  else rec_.add(PathStep::GFreeReuse);
  stacks_.live[g] = Goroutine{lo, kFixedStack};
  rec_.addr = lo;
  rec_.size = kFixedStack;
}

// Go: newstack -> copystack: a new stack first, then the old one is freed.
void World::stackGrow(P& p, uint64_t g, uint64_t newSize) {
  Goroutine& gr = stacks_.live.at(g);
  const Goroutine old = gr;
  gr.lo = stackalloc(&p, newSize);
  gr.size = newSize;
  stackfree(&p, old.lo, old.size);
  rec_.addr = gr.lo;
  rec_.size = newSize;
}

// Go: goexit0 -> gfput: a grown stack is freed; a 2 KiB one stays with the dead G for reuse.
void World::goExit(P& p, uint64_t g) {
  const Goroutine gr = stacks_.live.at(g);
  stacks_.live.erase(g);
  uint64_t keep = gr.lo;
  if (gr.size != kFixedStack) {
    stackfree(&p, gr.lo, gr.size);
    keep = 0;
  }
  rec_.addr = gr.lo;
  rec_.size = gr.size;
  std::vector<uint64_t>& local = stacks_.gFree[static_cast<size_t>(&p - ps_.data())];
  local.push_back(keep);
  if (local.size() >= kGFreeSpill) { // Go: move all but 31 to the global lists
    while (local.size() >= kGFreeKeep) {
      const uint64_t x = local.back();
      local.pop_back();
      if (x == 0) stacks_.gFreeNoStack++;
      else stacks_.gFreeStack.push_back(x);
    }
  }
}

// Go: stack.go stackalloc (n is a power of 2; p is the running P).
uint64_t World::stackalloc(P* p, uint64_t n) {
  rec_.add(PathStep::StackAlloc);
  if (isPoolStack(n)) {
    const uint32_t order = stackOrder(n);
    if (p == nullptr) return stackpoolalloc(order);
    StackFreeList& c = stacks_.cache[static_cast<size_t>(p - ps_.data())][order];
    if (c.list.empty()) stackcacherefill(*p, order);
    const uint64_t x = c.list.back();
    c.list.pop_back();
    c.size -= n;
    return x;
  }
  // Go: stackLarge holds freed large stacks only while a GC is marking; a cycle runs inside one
  // event here and empties it (freeStackSpans), so a large stack always comes from the heap.
  const SpanId sid = allocManual(static_cast<uint32_t>(n / kPageSize));
  span(sid).elemsize = n;
  return span(sid).base();
}

// Go: stack.go stackfree.
void World::stackfree(P* p, uint64_t lo, uint64_t n) {
  rec_.add(PathStep::StackFree);
  if (isPoolStack(n)) {
    const uint32_t order = stackOrder(n);
    if (p == nullptr) {
      stackpoolfree(lo, order);
      return;
    }
    StackFreeList& c = stacks_.cache[static_cast<size_t>(p - ps_.data())][order];
    if (c.size >= kStackCacheSize) stackcacherelease(*p, order);
    c.list.push_back(lo);
    c.size += n;
    return;
  }
  freeManual(spanOfAddr(lo)); // Go: gcphase == _GCoff
}

// Go: stack.go stackpoolalloc: the first pool span with a free stack, or a new 32 KiB span
// carved so that its highest stack is handed out first.
uint64_t World::stackpoolalloc(uint32_t order) {
  std::vector<SpanId>& list = stacks_.pool[order];
  if (list.empty()) {
    const SpanId sid = allocManual(static_cast<uint32_t>(kStackCacheSize / kPageSize));
    MSpan& s = span(sid);
    s.elemsize = kFixedStack << order;
    if (stacks_.manualFree.size() <= sid) stacks_.manualFree.resize(sid + 1);
    std::vector<uint64_t>& fl = stacks_.manualFree[sid];
    fl.clear();
    for (uint64_t off = 0; off < kStackCacheSize; off += s.elemsize) fl.push_back(s.base() + off);
    list.insert(list.begin(), sid);
  }
  const SpanId sid = list.front();
  MSpan& s = span(sid);
  std::vector<uint64_t>& fl = stacks_.manualFree[sid];
  const uint64_t x = fl.back();
  fl.pop_back();
  s.allocCount++;
  if (fl.empty()) list.erase(list.begin());
  return x;
}

// Go: stack.go stackpoolfree (gcphase == _GCoff: an empty span goes back to the heap at once).
void World::stackpoolfree(uint64_t x, uint32_t order) {
  const SpanId sid = spanOfAddr(x);
  MSpan& s = span(sid);
  if (s.state != SpanState::Manual) throw std::logic_error("freeing stack not in a stack span");
  std::vector<SpanId>& list = stacks_.pool[order];
  std::vector<uint64_t>& fl = stacks_.manualFree[sid];
  if (fl.empty()) list.insert(list.begin(), sid);
  fl.push_back(x);
  s.allocCount--;
  if (s.allocCount == 0) {
    list.erase(std::find(list.begin(), list.end(), sid));
    fl.clear();
    freeManual(sid);
  }
}

// Go: stack.go stackcacherefill: half a cache's worth (16 KiB) from the pool.
void World::stackcacherefill(P& p, uint32_t order) {
  StackFreeList& c = stacks_.cache[static_cast<size_t>(&p - ps_.data())][order];
  while (c.size < kStackCacheSize / 2) {
    c.list.push_back(stackpoolalloc(order));
    c.size += kFixedStack << order;
  }
}

// Go: stack.go stackcacherelease: back to the pool down to half a cache.
void World::stackcacherelease(P& p, uint32_t order) {
  StackFreeList& c = stacks_.cache[static_cast<size_t>(&p - ps_.data())][order];
  while (c.size > kStackCacheSize / 2) {
    const uint64_t x = c.list.back();
    c.list.pop_back();
    stackpoolfree(x, order);
    c.size -= kFixedStack << order;
  }
}

// Go: stack.go stackcache_clear.
void World::stackcacheClear(P& p) {
  for (uint32_t order = 0; order < kNumStackOrders; ++order) {
    StackFreeList& c = stacks_.cache[static_cast<size_t>(&p - ps_.data())][order];
    while (!c.list.empty()) {
      const uint64_t x = c.list.back();
      c.list.pop_back();
      stackpoolfree(x, order);
    }
    c.size = 0;
  }
}

// At a GC cycle: the stacks of dead Gs on the global list are freed (markrootFreeGStacks, into
// P 0's cache as a mark worker would), empty pool spans go back to the heap (freeStackSpans), and
// every P's stack cache is emptied (prepareForSweep -> stackcache_clear).
void World::gcStacks() {
  for (uint64_t lo : stacks_.gFreeStack) stackfree(&ps_[0], lo, kFixedStack);
  stacks_.gFreeNoStack += stacks_.gFreeStack.size();
  stacks_.gFreeStack.clear();
  for (P& p : ps_) stackcacheClear(p);
}

// Go: mheap.go allocManual(npages, spanAllocStack).
SpanId World::allocManual(uint32_t npages) {
  return allocSpan(&ps_[curP_], npages, 0, /*manual=*/true);
}

// Go: mheap.go freeManual -> freeSpanLocked(s, spanAllocStack).
void World::freeManual(SpanId sid) {
  rec_.add(PathStep::FreeSpan);
  MSpan& s = span(sid);
  noteOp(OpKind::FreeSpan, 0);
  if (s.state != SpanState::Manual || s.allocCount != 0) throw std::logic_error("mheap.freeSpanLocked - invalid stack free");
  const uint64_t nbytes = s.bytes();
  heapFree_ += nbytes; // Go: the pages return to the heap (HeapIdle) and leave StackInuse
  stacks_.inUse -= nbytes;
  const uint64_t page = addrPage(s.startAddr);
  pages_.free(page, s.npages);
  for (uint64_t pg = page; pg < page + s.npages; ++pg) spanOf_[pg] = kNoSpan;
  s.state = SpanState::Dead;
  s.home = SpanHome::None;
  s.homeSeq++;
  freeMSpanStruct(&ps_[curP_], sid);
}

} // namespace sim
