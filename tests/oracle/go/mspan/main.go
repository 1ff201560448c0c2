// Oracle program "mspan": MSpanInuse and the per-P mspan struct cache (mheap.go tryAllocMSpan /
// allocMSpanLocked: a P keeps up to 128 free mspan structs and refills 64 at a time from
// spanalloc; MSpanInuse = spanalloc.inuse = 144 B per struct handed out by spanalloc, including
// the ones parked in the P's cache).
//
// The number of structs in the P's cache after init is unknown, so the program calibrates: it
// allocates 40960-byte objects (one 5-page span each) one at a time, with a ReadMemStats after
// each, until MSpanInuse grows; right after that refill the cache holds exactly 63 structs, the
// state the engine is in after its first span. Then, between two ReadMemStats: 300 objects of
// 2688 B (100 fresh 1-page spans, from the P's page cache) and 20 objects of 200000 B (25-page
// spans, under the heap lock). Only allocations: a GC would allocate and free workbuf spans,
// which makes MSpanInuse vary by a few structs from run to run.
//
// Output (stdout):
//
//	phase 0 <first addr index> <count>     (the calibration allocations)
//	phase 1 <first addr index> <count>
//	addr <i> <size> 1 <hex addr>
//	ms <label> <Field>=<value> ...          (calib_before / calib_after: around the allocation
//	                                         that refilled; start / end: around phase 1)
package main

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

const maxCalib = 200
const maxObjs = maxCalib + 400

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	sizes  [maxObjs]int
	prev   runtime.MemStats
	cur    runtime.MemStats
	ms     [2]runtime.MemStats
	starts [3]int
	n      int
)

func alloc(size int) {
	b := make([]byte, size)
	keep[n] = unsafe.Pointer(&b[0])
	addrs[n] = uintptr(keep[n])
	sizes[n] = size
	n++
}

func printMS(label string, m *runtime.MemStats) {
	fmt.Printf("ms %s Mallocs=%d Frees=%d HeapObjects=%d HeapAlloc=%d TotalAlloc=%d HeapInuse=%d HeapSys=%d NumGC=%d MSpanInuse=%d\n",
		label, m.Mallocs, m.Frees, m.HeapObjects, m.HeapAlloc, m.TotalAlloc, m.HeapInuse, m.HeapSys, m.NumGC, m.MSpanInuse)
}

// settle brings the runtime to the state every measurement starts from: the GCs finish sweeping,
// free the init garbage and flush the mcache (no current tiny block). The sleep is needed because
// the background scavenger, woken by a GC, sometimes runs and sleeps on a timer during a measured
// interval, and its first timer sleep grows the P's timer heap (runtime.doaddtimer appends to
// pp.timers: an 8-byte allocation, measured in a few percent of the runs). Sleeping here grows
// that heap first (our sleep timer, perhaps the scavenger's too); the two GCs after it free the
// backing array a growth from 1 to 2 timers leaves behind (otherwise an extra 8-byte free in the
// first measured GC, in a third of the runs).
func settle() {
	runtime.GC()
	time.Sleep(2 * time.Millisecond)
	runtime.GC()
	runtime.GC()
}

func main() {
	settle()
	runtime.ReadMemStats(&cur)
	for n < maxCalib {
		prev = cur
		alloc(40960)
		runtime.ReadMemStats(&cur)
		if cur.MSpanInuse != prev.MSpanInuse {
			break
		}
	}
	starts[1] = n
	runtime.ReadMemStats(&ms[0])
	for i := 0; i < 300; i++ {
		alloc(2688)
	}
	for i := 0; i < 20; i++ {
		alloc(200000)
	}
	runtime.ReadMemStats(&ms[1])
	starts[2] = n

	for p := 0; p < 2; p++ {
		fmt.Printf("phase %d %d %d\n", p, starts[p], starts[p+1]-starts[p])
	}
	for i := 0; i < n; i++ {
		fmt.Printf("addr %d %d 1 %x\n", i, sizes[i], addrs[i])
	}
	printMS("calib_before", &prev)
	printMS("calib_after", &cur)
	printMS("start", &ms[0])
	printMS("end", &ms[1])
	runtime.KeepAlive(&keep)
}
