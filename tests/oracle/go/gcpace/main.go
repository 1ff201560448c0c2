// Oracle program "gcpace": GC cycles started by the GOGC pacer (run it with GOGC=<n> in the
// environment; the harness's default is GOGC=off, under which it prints no cycle at all).
//
// 1. Settle, then a live set: `live` 64 KiB noscan objects (own 8-page spans), kept.
// 2. runtime.GC(): the baseline. "ms base" prints HeapAlloc (= the bytes this GC marked: the live
//    set plus the runtime's own live heap, everything swept, nothing allocated since) and NextGC.
// 3. Garbage: `garbage` 64 KiB noscan objects, one at a time; the previous one's reference is
//    dropped before the next is allocated (so a cycle the allocation starts never sees it). After
//    each allocation the program sleeps briefly: the idle P runs the mark workers and the
//    background sweeper, so every cycle's mark and sweep finish before the next allocation (no
//    allocation happens during a mark, so nothing extra is allocated black). When NumGC has
//    changed, it records the cycle: printed as "ms gc<k> Index=<i> NextGC=<goal> HeapAlloc=<bytes>",
//    where i is the garbage allocation that started cycle k (1, 2, ...). HeapAlloc is informative
//    only: the background sweeper may not have finished when it is read.
//
// Output (all printed at the end: printing allocates): "ms base HeapAlloc=.. NextGC=.. NumGC=..",
// the "ms gc<k>" lines, "ms end NumGC=..".
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"runtime/metrics"
	"time"
)

const (
	live    = 48
	garbage = 400
	objSize = 65536
)

var (
	keep    [live][]byte
	cur     []byte
	samples [1]metrics.Sample
)

func numGC() uint64 {
	metrics.Read(samples[:])
	return samples[0].Value.Uint64()
}

type cycle struct {
	index            int
	nextGC, heapAllc uint64
}

func main() {
	samples[0].Name = "/gc/cycles/total:gc-cycles"
	numGC()
	oraclelib.Settle()
	for i := range keep {
		keep[i] = make([]byte, objSize)
	}
	cycles := make([]cycle, 0, 64)
	var ms, base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base) // nothing is printed before the loop: printing allocates
	seen := numGC()
	for i := 0; i < garbage; i++ {
		cur = nil
		cur = make([]byte, objSize)
		// Long enough for a triggered cycle's mark to end before cur is dropped, also while other
		// tests load the machine (200 us was not: once, under ctest's load, a mark still running
		// kept the dropped object, and Go's goal came 128 KiB higher).
		time.Sleep(2 * time.Millisecond)
		if n := numGC(); n != seen {
			runtime.ReadMemStats(&ms)
			for ; seen < n; seen++ {
				cycles = append(cycles, cycle{i, ms.NextGC, ms.HeapAlloc})
			}
		}
	}
	fmt.Printf("ms base HeapAlloc=%d NextGC=%d NumGC=%d\n", base.HeapAlloc, base.NextGC, base.NumGC)
	for k, c := range cycles {
		fmt.Printf("ms gc%d Index=%d NextGC=%d HeapAlloc=%d\n", k+1, c.index, c.nextGC, c.heapAllc)
	}
	runtime.ReadMemStats(&ms)
	fmt.Printf("ms end NumGC=%d\n", ms.NumGC)
	runtime.KeepAlive(&keep)
}
