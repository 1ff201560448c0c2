// spanscope's engine: a deterministic model of Go 1.19's memory allocator.
//
// This is the design essay for sim/, as malloc.go's header comment is for Go's runtime. Every
// other file in sim/ points here and names, for each function, its Go counterpart, so a reader
// can open /usr/lib/go-1.19/src/runtime/<file>.go beside ours.
//
// THE PATH OF AN ALLOCATION (Go: malloc.go mallocgc)
//
// An event `alloc(id, size, noscan)` runs on the P its thread maps to (threads take Ps in order of
// first appearance, round-robin once there are more threads than GOMAXPROCS).
//   * size 0 returns &zerobase; nothing is allocated.
//   * noscan and size < 16: the tiny allocator packs it into the P's current 16-byte block with
//     8/4/2-byte alignment by size; if it does not fit, a new block comes from span class 5
//     (class 2, noscan) and replaces the current one only if it leaves more room.
//   * size <= 32768 (the table's maxSmall): size -> class through size_to_class8/128, span class
//     = class<<1 | noscan. nextFreeFast looks in the cached span's 64-bit allocCache (inverted
//     allocBits, ctz); otherwise mcache.nextFree runs nextFreeIndex; if the span is full,
//     mcache.refill hands it back (mcentral.uncacheSpan) and asks mcentral.cacheSpan for another:
//     partial swept, then partial unswept (sweep it), then full unswept (sweep it), then
//     mcentral.grow -> mheap.alloc.
//   * larger: mcache.allocLarge takes ceil(size/8192) pages for a span of its own (class 0).
//   * mheap.allocSpan serves spans under 16 pages from the P's 64-page cache (pageCache) without
//     the heap lock, refilling it with allocToCache when empty; otherwise first fit over the page
//     bitmaps (pageAlloc.alloc); if nothing fits, mheap.grow maps whole 4 MiB chunks inside 64 MiB
//     arenas reserved upward from 0x00c000000000. Fresh memory counts as released (scavenged)
//     until a span takes it.
// Inside a span, slots are handed out in increasing index order (freeindex only rises); a freed
// slot is reused only after a sweep resets freeindex to 0. There is no per-object free list.
//
// LIVENESS (ARCHITECTURE §3)
//
// A trace `free` means the object became unreachable; the engine keeps that fact in each span's
// liveBits (not in Go: it stands in for the pointer graph). In `gc` mode the slot stays allocated
// until a GC cycle marks and sweeps its span; cycles come from `gc` events (runtime.GC()) and from
// the pacer, which tests heapLive >= trigger after every refill or large allocation, as mallocgc
// does.
//
// THE GC CYCLE AND THE PACER (sim/mgc.cpp; Go: mgc.go, mgcmark.go, mgcpacer.go)
//
// gcStart finishes the previous sweep and takes the reachability snapshot: gcmarkBits = liveBits
// (plus each P's current tiny block, gcMarkTinyAllocs). A cycle the pacer starts then MARKS OVER
// THE FOLLOWING EVENTS (Config::markWindow, on by default): a free leaves its object marked (the
// deletion barrier had already greyed it), every allocation is marked at once and counted in
// bytesMarked (allocate-black, gcmarknewobject). The mark's work is the snapshot's pointerful
// bytes + stack scan (Config::rootScanBytes + live goroutine stacks) + globals
// (Config::globalsBytes). It is paid by mark assists — each allocation debits its P's
// gcAssistBytes; a P in debt steals background credit, then does max(debt * assistWorkPerByte,
// 64 KiB) itself, assistWorkPerByte from revise() — and by the background worker, which earns 25%
// of GOMAXPROCS' time (and all of an idle gap in a timed trace), time being the cost model's
// (modelledEventNs per event, gc_scan_kib per KiB scanned; never host time). When the last byte is
// done: mark termination (endCycle's cons/mark through the PI controller, resetLive, sweepgen += 2
// so swept sets become unswept in place, every mcache flushed, commit). commit sets the goal
// marked + (marked + lastStackScan + globals) * GOGC/100 (at least heapMinimum), the runway
// consMark * 3 * (last scan work), and the trigger goal - runway clamped between 45/64 and 61/64 of
// the way from marked to goal (goal - 4 MiB for large heaps), as Go 1.19 does; with GOMEMLIMIT the
// goal is the lower of that and memoryLimitHeapGoal (limit - non-heap memory - overage - 1 MiB
// headroom), recomputed at every trigger test, so `gogc off` + a limit paces the GC. A `gc` event
// (runtime.GC()) finishes a mark in progress, then runs a whole cycle with the world stopped and
// sweeps every span in sweepone's order (span class 0..N, full before partial, FIFO), as
// runtime.GC() waits for the sweep. A pacer cycle sweeps the same way in Eager mode; in Lazy mode
// (the default: Go's concurrent sweep; sim/mgcsweep.cpp) spans stay unswept (sweepgen sg-2) until
// someone sweeps them: cacheSpan (partial/full unswept sets of its class), proportional sweep
// credit before each span allocation (deductSweepCredit), the page reclaimer before heap pages are
// taken (mheap.reclaim: spans with no marked object), the background sweeper
// (Config::bgSweepSpans spans before each event: a fixed budget, so results do not depend on host
// timing), or the next cycle's start. In `immediate` mode the slot is reclaimed at the free, as if
// its span had just been swept, and the pacer is off.
//
// STATE AND DETERMINISM
//
// All state is plain data: spans in a vector indexed by SpanId (the identity of an mspan struct),
// bitmaps as 64-bit words, FIFO span sets as (span, push sequence) rings, the page allocator as
// per-chunk bitmaps. No pointers into itself, so copying a World is a checkpoint. Nothing depends
// on time, addresses of host memory, or iteration order of hash maps: same trace + same config ->
// same state, bit for bit.
//
// STATISTICS
//
// Counters follow Go: small-object counts reach the global counters when a span leaves an mcache
// (refill, releaseAll); large ones at once; frees at sweep. MemStats are computed from them with
// Go's formulas (mstats.go); World::memStats() adds the counts still pending in mcaches, which is
// what ReadMemStats reports after its flush. The waste ledger walks the spans and page bitmaps and
// puts every byte of HeapSys in exactly one category.
//
// TIME AND LOCKS (sim/timing.h, sim/locks.h; off unless Config::timing.enabled)
//
// A model, not a measurement. The engine still runs events in trace order, exactly as without
// timing; while timing is on it also logs what each event did that costs time or takes a lock
// (mcentral take/return, sweeps, the heap-locked part of allocSpan, freeSpan, GC phases), and the
// LockModel schedules the event afterwards: it starts at max(its trace time, its P's clock) (no
// time: when its P is free; a free not before its object's allocation ended), pays its path's
// costs (JSON cost model, assets/cost_models/), then each logged operation in order;
// an operation under a lock another P holds at that moment waits for it. Locks follow Go 1.19
// (mheap.lock for page-cache refills, pageAlloc.alloc, heap growth, mspan refills and freeSpan;
// mcentral's span sets are lock-free, their spineLock taken for every 512th push) or Go <= 1.14
// (plus one mutex per span class around cacheSpan and list moves). The simplification: events
// are never reordered by the simulated schedule — a lock goes to requests in trace order (a
// request earlier in simulated time may use an idle gap before a later one), and the engine's
// state does not depend on who won. Same trace + config + cost model -> same schedule.
//
// STACKS AND THE SCAVENGER (sim/stack.cpp, sim/mgcscavenge.cpp)
//
// Goroutine events (go_start, stack_grow, go_exit) allocate stacks as Go 1.19 does: 2..16 KiB from
// a per-order pool of 32 KiB manual spans through the P's stack cache (16 KiB refills/releases,
// emptied by ReadMemStats and at GC), larger ones on a manual span each; growth allocates the new
// stack, then frees the old; a dead G keeps a 2 KiB stack (gfput/gfget, 64/32 spill to a global
// list whose stacks a GC frees). Manual spans own pages but count in StackInuse, not HeapSys.
// The scavenger sets its goals when the pacer commits at mark termination (gcPaceScavenger:
// 110% of the in-use heap scaled by goal/lastGoal; GOMEMLIMIT with Go 1.19's limit*95 bug or the
// intended 95%), releases pages highest first (whole huge pages where a free run covers one),
// in 64 KiB quanta per 16 ms of simulated time in the background (trace times, or each event's
// modelled time from the cost model), inline after a heap growth or
// over the memory limit (allocSpan), and everything at debug.FreeOSMemory; allocSpan's sysUsed
// takes released pages back.
//
// WHAT IS NOT MODELLED (yet)
//
// Stack shrinking at GC, other manual spans (GC work buffers, heap bitmaps), OS thread stacks
// (StackSys = StackInuse), the scavenger's CPU limiter and its controller-based sleep (a fixed 1%
// here), the GC CPU limiter, finalizers and profiling specials, the 2-minute forced GC. Of the
// mark: reachability is the trace's, so scan work is the live pointerful bytes (Go scans up to an
// object's last pointer, and counts stacks by their used part: we take whole stacks); a G's assist
// debt is kept per P; Go's fractional worker (1-3 Ps) runs when its scheduler gets to it — often
// not within a short mark, whose pace the assists then set — ours earns its share smoothly.
#pragma once

#include "sim/event.h"
#include "sim/heapview.h"
#include "sim/invariants.h"
#include "sim/sizeclasses.h"
#include "sim/step_record.h"
#include "sim/timing.h"
#include "sim/world.h"
