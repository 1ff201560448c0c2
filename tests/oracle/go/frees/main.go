// Oracle program "frees": frees become visible after runtime.GC().
//
// Phase 0, from a fresh baseline, with no ReadMemStats between the allocations and the GC:
// allocate objects of several classes (rare classes whose spans we own from their first slot,
// the common 48-byte class, tiny objects) and large objects; drop the references to a known
// subset (set the global slots to nil); runtime.GC(); ReadMemStats.
// Phase 1, from phase 0's end state: allocate again; ReadMemStats (flushes the mcache).
// Phase 2: five 3-byte tiny objects (one block); drop a subset of phase 1 and all of phase 2;
// runtime.GC(); ReadMemStats; runtime.GC() again; ReadMemStats.
// Which objects are dropped is decided by drop(phase, index) below; the C++ test reads the
// "free" lines instead of duplicating the rule.
//
// Output (stdout):
//
//	phase <p> <first addr index> <count>
//	addr <i> <size> <noscan 0|1> <hex addr>
//	free <i>
//	ms <label> <Field>=<value> ...   (p0_start, p0_gc = p1_start, p1_alloc, p1_gc, p2_gc)
//	                                 (p1_gc: after the first GC of phase 2, p2_gc: the second)
//	ms p0_pregc HeapInuse=<value>    (just before phase 0's GC, from runtime/metrics)
//
// p0_pregc comes from runtime/metrics (/memory/classes/heap/objects + /memory/classes/heap/unused
// = the consistent inHeap counter = HeapInuse), because metrics.Read, unlike ReadMemStats, does
// not flush the mcache: the spans cached at GC time must still be cached when the GC starts.
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"runtime/metrics"
	"unsafe"
)

type scan3200 struct {
	p   *int
	pad [3200 - 8]byte
}
type scan48 struct {
	p   *int
	pad [48 - 8]byte
}
type scan40000 struct {
	p   *int
	pad [40000 - 8]byte
}

type kind struct {
	size   int
	noscan bool
}

type rep struct {
	k kind
	n int
}

// Phase 0 allocations, in order.
var phase0 = [...]rep{
	{kind{2688, true}, 9},   // 3 spans of 3: ids 0-8
	{kind{3200, false}, 12}, // spans of 5: ids 9-20
	{kind{48, true}, 300},   // ids 21-320 (the first ones continue a runtime-owned span)
	{kind{48, false}, 200},  // ids 321-520
	{kind{4, true}, 40},     // tiny, 4 per 16-byte block: ids 521-560
	{kind{100000, true}, 1}, // id 561, 13 pages
	{kind{40000, false}, 1}, // id 562, 5 pages
	{kind{200000, true}, 1}, // id 563, kept
	{kind{1408, true}, 15},  // ids 564-578: 11 per 2-page span
	{kind{6784, true}, 6},   // ids 579-584: exactly one 5-page span, full but still cached
}

// Phase 1 allocations (ids continue).
var phase1 = [...]rep{
	{kind{2688, true}, 7},
	{kind{3200, false}, 9},
	{kind{48, true}, 100},
	{kind{6, true}, 30},
	{kind{100000, true}, 1},
	{kind{122880, true}, 1},
	{kind{1408, true}, 3}, // a fresh span, partial; ReadMemStats puts it in partialSwept
}

// drop says whether object i (global index, size k) of phase p becomes unreachable.
func drop(p, i int, k kind) bool {
	if p == 0 {
		switch {
		case i >= 3 && i <= 5: // 2688: the whole second span -> freed to the heap
			return true
		case i == 0: // 2688: one object of the first span
			return true
		case i >= 9 && i <= 13: // 3200 scan: the whole first span
			return true
		case i == 16 || i == 20: // 3200 scan: one in span 2, one in the cached span
			return true
		case i >= 21 && i <= 320: // 48 noscan: every third
			return i%3 == 0
		case i >= 321 && i <= 520: // 48 scan: ids 400..449
			return i >= 400 && i < 450
		case i >= 521 && i <= 560: // tiny: the first 5 blocks whole, half of the 6th, and the
			// last block (557-560), which is the mcache's current block at the GC: marked anyway
			// (gcMarkTinyAllocs), so it is freed only by phase 1's GC
			return i < 521+20+2 || i >= 557
		case i >= 564 && i <= 578: // 1408 B: a full span and the cached span, all dropped: both
			// spans go back to the heap (the cached one when mark termination flushes the mcache)
			return true
		case i >= 579 && i <= 584: // 6784 B: the full cached span, all dropped: freed at the flush
			return true
		case i == 561 || i == 562: // large
			return true
		}
		return false
	}
	switch {
	case k.size == 2688: // all but the last of phase 1
		return true
	case k.size == 3200:
		return i%2 == 0
	case k.size == 48:
		return i%4 != 0
	case k.size == 6: // tiny blocks, no longer current (ReadMemStats dropped the block)
		return true
	case k.size == 3: // phase 2's tiny block, the current one at phase 1's GC: kept by it
		// (gcMarkTinyAllocs), freed by the GC after
		return true
	case k.size == 100000:
		return true
	case k.size == 1408: // the whole partial span: sweepone frees it from partialUnswept
		return true
	}
	return false
}

const maxObjs = 1024

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	kinds  [maxObjs]kind
	freed  [maxObjs]bool
	ms     [5]runtime.MemStats
	starts [4]int
	n      int

	samples  [2]metrics.Sample
	preGCUse uint64
)

// heapInuse reads HeapInuse without flushing the mcache (and without allocating, once
// runtime/metrics has initialised its table).
func heapInuse() uint64 {
	metrics.Read(samples[:])
	return samples[0].Value.Uint64() + samples[1].Value.Uint64()
}

func alloc(k kind) {
	var p unsafe.Pointer
	if k.noscan {
		b := make([]byte, k.size)
		p = unsafe.Pointer(&b[0])
	} else {
		switch k.size {
		case 48:
			p = unsafe.Pointer(new(scan48))
		case 3200:
			p = unsafe.Pointer(new(scan3200))
		case 40000:
			p = unsafe.Pointer(new(scan40000))
		default:
			panic("no scan type of that size")
		}
	}
	keep[n] = p
	addrs[n] = uintptr(p)
	kinds[n] = k
	n++
}

func dropPhase(p int) {
	for i := starts[p]; i < n; i++ {
		if drop(p, i, kinds[i]) {
			keep[i] = nil
			freed[i] = true
		}
	}
}

func main() {
	samples[0].Name = "/memory/classes/heap/objects:bytes"
	samples[1].Name = "/memory/classes/heap/unused:bytes"
	heapInuse() // initialises runtime/metrics' table (allocates) before the baseline
	oraclelib.Settle()

	runtime.ReadMemStats(&ms[0])
	starts[0] = n
	for _, r := range phase0 {
		for j := 0; j < r.n; j++ {
			alloc(r.k)
		}
	}
	dropPhase(0)
	preGCUse = heapInuse()
	runtime.GC()
	runtime.ReadMemStats(&ms[1])

	starts[1] = n
	for _, r := range phase1 {
		for j := 0; j < r.n; j++ {
			alloc(r.k)
		}
	}
	runtime.ReadMemStats(&ms[2])
	starts[2] = n
	for j := 0; j < 5; j++ { // one tiny block, the mcache's current one at the next GC
		alloc(kind{3, true})
	}
	starts[3] = n
	dropPhase(1) // phases 1 and 2
	runtime.GC()
	runtime.ReadMemStats(&ms[3])
	runtime.GC()
	runtime.ReadMemStats(&ms[4])

	for p := 0; p < 3; p++ {
		fmt.Printf("phase %d %d %d\n", p, starts[p], starts[p+1]-starts[p])
		for i := starts[p]; i < starts[p+1]; i++ {
			fmt.Printf("addr %d %d %d %x\n", i, kinds[i].size, oraclelib.B2i(kinds[i].noscan), addrs[i])
		}
		for i := starts[p]; i < starts[p+1]; i++ {
			if freed[i] {
				fmt.Printf("free %d\n", i)
			}
		}
	}
	oraclelib.PrintMS("p0_start", &ms[0])
	fmt.Printf("ms p0_pregc HeapInuse=%d\n", preGCUse)
	oraclelib.PrintMS("p0_gc", &ms[1])
	oraclelib.PrintMS("p1_start", &ms[1])
	oraclelib.PrintMS("p1_alloc", &ms[2])
	oraclelib.PrintMS("p1_gc", &ms[3])
	oraclelib.PrintMS("p2_gc", &ms[4])
	runtime.KeepAlive(&keep)
}
