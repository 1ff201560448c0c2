// Oracle program "dropidle": a large drop, then a slow, idle program (issue 12's scavenger case).
// Run it with GOGC=<n> in the environment; GOMAXPROCS=1.
//
// After oraclelib.Settle(), `big` slices of `bigSize` bytes (150 MiB in all, large objects, each
// on its own span) are allocated and kept, then dropped, and runtime.GC() frees them. Then the
// program idles: `ticks` times it allocates one `smallSize`-byte slice (kept in a `window`-slot
// ring) and sleeps `tickMs` ms. The background scavenger, woken when the sweep is done, returns
// the free heap to the OS at its own pace (Go 1.19: bursts of >= 1 ms of work, 1% of a CPU).
// tests/oracle/gc_dynamics_oracle_test.cpp replays the same allocations with the sleeps as trace
// times.
//
// Output: "ms peak ..." (before the drop), "ms gc ..." (right after runtime.GC()), "ms t<k> ..."
// after tick k for k in checkpoints, "ms end ...": NumGC, NextGC, HeapInuse, HeapSys,
// HeapReleased, HeapAlloc, NumForcedGC.
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"time"
)

const (
	big       = 150
	bigSize   = 1 << 20
	ticks     = 400
	tickMs    = 1
	smallSize = 4096
	window    = 64
)

var (
	bigs   [][]byte
	smalls [window][]byte
)

func print(label string, m *runtime.MemStats) {
	fmt.Printf("ms %s NumGC=%d NextGC=%d HeapInuse=%d HeapSys=%d HeapReleased=%d HeapAlloc=%d NumForcedGC=%d\n",
		label, m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased, m.HeapAlloc, m.NumForcedGC)
}

func main() {
	oraclelib.Settle()
	var m runtime.MemStats
	bigs = make([][]byte, big)
	for i := range bigs {
		bigs[i] = make([]byte, bigSize)
	}
	runtime.ReadMemStats(&m)
	print("peak", &m)
	bigs = nil
	runtime.GC()
	runtime.ReadMemStats(&m)
	print("gc", &m)
	for k := 1; k <= ticks; k++ {
		smalls[k%window] = make([]byte, smallSize)
		time.Sleep(tickMs * time.Millisecond)
		if k == 5 || k == 10 || k == 20 || k == 50 || k == 100 || k == 200 {
			runtime.ReadMemStats(&m)
			print(fmt.Sprintf("t%d", k), &m)
		}
	}
	runtime.ReadMemStats(&m)
	print("end", &m)
	runtime.KeepAlive(smalls)
}
