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
	"oraclelib"
	"runtime"
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

func main() {
	oraclelib.Settle()
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
	oraclelib.PrintMS("calib_before", &prev)
	oraclelib.PrintMS("calib_after", &cur)
	oraclelib.PrintMS("start", &ms[0])
	oraclelib.PrintMS("end", &ms[1])
	runtime.KeepAlive(&keep)
}
