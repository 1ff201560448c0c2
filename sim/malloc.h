// spanscope's engine: a deterministic model of Go 1.19's memory allocator, and of Go 1.26's as a
// profile of the same engine (Config::goVersion; see "GO 1.26" below).
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
// bytesMarked (allocate-black, gcmarknewobject; not in Go, each span keeps its freeindex at mark
// start so the views can tell those slots apart: HeapView::allocatedBlack). The mark's work is the snapshot's pointerful
// bytes + stack scan (Config::rootScanBytes + live goroutine stacks) + globals
// (Config::globalsBytes). It is paid by mark assists — each allocation debits its P's
// gcAssistBytes; a P in debt steals background credit, then does max(debt * assistWorkPerByte,
// 64 KiB) itself, assistWorkPerByte from revise() — and by the background worker, which earns 25%
// of GOMAXPROCS' time (and all of an idle gap in a timed trace), time being the cost model's
// (modelledEventNs per event, gc_scan_kib per KiB scanned; never host time). When the last byte is
// done: mark termination (endCycle's cons/mark through the PI controller — the go1.26 profile
// takes the maximum of the last 4, see GO 1.26 —, resetLive, sweepgen += 2
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
// bitmaps as 64-bit words in one pool beside them (sim/spantable.h; the only pointers into itself,
// which the table's copy moves), FIFO span sets as (span, push sequence) rings, the page allocator
// as per-chunk bitmaps. So copying a World is a checkpoint, a few large copies; a checkpoint may
// keep those large arrays packed by a codec (World::takeBulk, sim/checkpoint.h). Nothing depends
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
// in the background as Go 1.19's bgscavenge on simulated time (trace times, or each event's
// modelled time from the cost model): bursts of >= 1 ms of work, counted per range released
// (scavenge_call), and sleeps set by its 1%-of-a-CPU controller; inline after a heap growth or
// over the memory limit (allocSpan), and everything at debug.FreeOSMemory; allocSpan's sysUsed
// takes released pages back.
//
// WHAT IS NOT MODELLED (yet)
//
// Stack shrinking at GC, other manual spans (GC work buffers, heap bitmaps), OS thread stacks
// (StackSys = StackInuse), the scavenger's CPU limiter and the extra cost of releasing pages the
// program wrote (150-350 ns a page in Go 1.19; a trace does not say which were written), the GC CPU
// limiter, finalizers and profiling specials, the 2-minute forced GC. Of the
// mark: reachability is the trace's, so scan work is the live pointerful bytes (Go scans up to an
// object's last pointer, and counts stacks by their used part: we take whole stacks); a G's assist
// debt is kept per P; Go's fractional worker (1-3 Ps) runs when its scheduler gets to it — often
// not within a short mark, whose pace the assists then set — ours earns its share smoothly.
//
// GO 1.26 (Config::goVersion = GoVersion::Go126; sim/goversion.h; `--go 1.26`)
//
// One engine: the differences are data in GoProfile and a few strategy points (the small-object
// cutoff and header in mallocgc, the span-end reserve in mheap initSpan, the mspan struct size in
// fixalloc, the sub-allocator named in the StepRecord; endCycle's cons/mark smoothing, startCycle's
// `triggered`, the memory-limit headroom, the scavenger's memory-limit goal and its page index). Held against the real go1.26.8 runtime by tests/oracle (programs built with
// GOEXPERIMENT=norandomizedheapbase64). Every difference from 1.19 we know of, with its release and
// Go source file (runtime/ unless another path is given):
//   MODELLED
//   * Allocation headers (1.22; mbitmap.go heapBitsInSpan, malloc.go mallocgcSmallScanHeader): a
//     pointerful object of more than minSizeForMallocHeader = 512 B (internal/runtime/gc/malloc.go)
//     and at most 32760 B carries its *_type in 8 bytes at the slot's start; the class is looked up
//     for size + 8 (1024 B -> 1152 B class, 513 B -> 576 B) and the program's pointer is slot + 8.
//     HeapAlloc counts the whole slot, as before; the waste ledger shows the headers of reachable
//     objects as WasteLedger::headerBytes, a part of the rounding.
//   * The small-object cutoff is maxSmallSize - mallocHeaderSize = 32760 for every object (1.22;
//     malloc.go mallocgc): 32761..32768 B are large objects (4 pages), noscan ones too.
//   * Heap bits at the span's end (1.22; mheap.go initSpan, mbitmap.go): a scan span of elemsize
//     <= 512 B keeps 1 bit per word (span bytes / 64 = 128 B) after its last slot.
//   * Green Tea's inline mark bits (1.26 default; mgcmark_greenteagc.go gcUsesSpanInlineMarkBits,
//     mheap.go initSpan): spans of elemsize 16..512 B, scan and noscan, keep a 128-byte
//     spanInlineMarkBits at the end. So nelems = (span bytes - reserve) / elemsize: 80 B objects
//     99 per scan span, 100 per noscan span (1.19: 102); the tiny span holds 504 blocks, not 512.
//     The ledger shows the reserve as WasteLedger::spanMetaBytes, a part of the tail waste.
//   * mallocgc split into mallocgcTiny / SmallNoscan / SmallScanNoHeader / SmallScanHeader / Large
//     (1.24; malloc.go): StepRecord::mallocPath, named in the "go:" chain.
//   * The size-class table moved to internal/runtime/gc/sizeclasses.go (1.24) with the same
//     classes, lookup arrays and divide magic: the library's "go1.26" table.
//   * MSpanInuse/MSpanSys: unsafe.Sizeof(mspan{}) is 160 B in go1.26.8 (144 B in 1.19.8; mheap.go
//     type mspan: uint16 counters, largeType, freeIndexForScan, ...), measured by the oracle; and
//     unsafe.Sizeof(mcache{}) is 2296 B (1200 B; mcache.go), so MCacheInuse is 2296 B per P and
//     MCacheSys 16072 B per 7 Ps (measured with ReadMemStats).
//   * The pacer's cons/mark is the maximum of this cycle's measurement and the last 4 (1.21;
//     mgcpacer.go endCycle, lastConsMark), not Go 1.19's PI controller (World::pacerConsMark).
//   * startCycle's `triggered` is heapLive at the cycle's start (1.21, golang/go#53892; mgcpacer.go
//     startCycle), not the computed trigger: it is what endCycle's cons/mark measures from.
//   * memoryLimitHeapGoal's headroom is max(goal / 100 * 3, 1 MiB) (1.21; mgcpacer.go
//     memoryLimitHeapGoal, memoryLimitHeapGoalHeadroomPercent), not 1 MiB.
//   * The scavenger's memory-limit goal is limit * 95 / 100 (1.22, golang/go#62449;
//     mgcscavenge.go gcPaceScavenger): Go 1.19's limit * 95 bug is not in this profile.
//   * The scavenge index (1.21; mgcscavenge.go scavengeIndex.find / free / nextGen,
//     scavChunkData.shouldScavenge; mgc.go gcMarkTermination): in-use pages per chunk by GC
//     generation; the background scavenger skips chunks >= 496 of 512 pages in use now or, if
//     they changed this generation, at its start, and its cursor sees frees only at the next
//     mark termination; allocSpan's memory-limit assist and FreeOSMemory force past both. So
//     memory a sweep frees right after a GC stays unreleased until the next GC (tests/oracle/go/
//     dropidle: 1.57 MB released in go1.26.8 against 155 MB in go1.19.8). sim/mpagealloc.cpp.
//   * The runtime's non-heap memory in mappedReady, so in the memory-limit goal: heapArena is
//     69,648 B per arena (1.22 dropped the 2 MiB heap bitmap, 1.26 added 1 KiB of
//     pageUseSpanInlineMarkBits; mheap.go type heapArena) and the 1.21 scavenge index maps 8 B per
//     heap chunk (mpagealloc_64bit.go scavengeIndex.sysGrow), not a bitmap from chunk 0
//     (sim/mheap_metadata.cpp). Two terms grew: every go1.26.8 program holds the memory
//     profiler's hash table (1,439,992 B; mprof.go stkbucket, the first allocation is profiled as
//     mcache.memProfRate starts at 0), and spanSetBlock is 4,608 B (its header padded to tagAlign;
//     mspanset.go); persistentalloc holds one chunk of the runtime's own, not two.
//   Unchanged, so shared (checked by diffing the 1.26.8 functions against 1.19.8's): commit's goal
//   (stacks and globals included since 1.18), trigger()'s 45/64..61/64 bounds and goal - 4 MiB,
//   heapGoalInternal's sweep distance and minRunway, revise, gcPaceSweeper, gcTrigger.test,
//   gcPaceScavenger's gcPercent goal, bgscavenge and its sleep controller, findScavengeCandidate.
//   NOT MODELLED YET
//   * Heap base randomisation (1.26; malloc.go mallocinit randomizeHeapBase, mheap.go grow,
//     mpagealloc.go markRandomPaddingPages): the engine keeps the fixed base 0x00c000000000, i.e.
//     GOEXPERIMENT=norandomizedheapbase64; without it Go starts at a random arena and chunk and
//     leaves 0..511 padding pages counted in HeapReleased forever.
//   * Size-specialised mallocgc (1.26 experiment sizespecializedmalloc, not in go1.26.8's default
//     GOEXPERIMENT baseline, internal/buildcfg/exp.go; malloc_generated.go mallocgcSmallNoScanSC<N>
//     ...): the same slots and statistics, other function names.
//   * Green Tea's marking (1.26; mgcmark_greenteagc.go: per-span FIFO scan queue, inline marks
//     copied to gcmarkBits at sweep): the marked set, so what survives, is the same; mark order and
//     the cost of marking (assist and worker timing) are Go 1.19's here.
//   * Fully scavenged pages reused without zeroing (1.26, mheap.go allocSpan needzero): no
//     effect on any counter. The scavenge index's page position inside its start chunk (the
//     engine searches the chunk from its top).
//   * Green Tea's scan work: a span's objects are scanned whole and in batches (scanSpan), so the
//     heap scan work Go counts differs; the engine counts live pointerful bytes in both profiles
//     (the oracle calibrates stack and globals work per release: go1.26.8's churn scans
//     ~128.8 KB of stacks and 154.6 KB of globals per cycle, go1.19.8's 13 KB and 223 KB).
//   * GCSys as a MemStats field (not modelled at all); the same heapArena change is modelled in
//     mappedReady (above).
//   * scanAlloc: 1.22+ counts a header object's scannable bytes from its type (heapSetType*); the
//     engine counts the slot, in both profiles.
//   * Off-by-default experiments: RuntimeFreegc (mcache.reusableNoscan), runtime/secret
//     (gp.secret skips the tiny allocator); memory-profiling's int64 nextSample (no effect on
//     MemStats); the allocation-trace API (1.23, traceallocfree.go: traces/, not the engine).
#pragma once

#include "sim/event.h"
#include "sim/heapview.h"
#include "sim/invariants.h"
#include "sim/sizeclasses.h"
#include "sim/step_record.h"
#include "sim/timing.h"
#include "sim/world.h"
