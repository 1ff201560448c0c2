// Oracle program "churn": a sliding window of byte slices, the shape of issue 12's first program.
// Run it with GOGC=<n> (and GOMEMLIMIT=<bytes> if wanted) in the environment; GOMAXPROCS=1.
//
// After oraclelib.Settle(), one []([]byte) of `window` slots is allocated (the only pointerful
// object: 24 bytes per slot, the heap scan work of every cycle), then `total` allocations
// make([]byte, n) with n = 24 + x%3977 (24..4000 bytes) from the LCG x = x*6364136223846793005 +
// 1442695040888963407 (top 33 bits used), each stored in slot i%window, dropping the slice
// that slot held. tests/oracle/gc_dynamics_oracle_test.cpp generates the same sequence.
//
// Output: "ms base ..." (MemStats before the loop, after the window slice), "ms c<k> ..." after
// allocation k*100000 (k = 1..19: ReadMemStats stops the world for a few microseconds, flushing
// the mcache: the replay flushes at the same points) and "ms end ..." (after the loop): NumGC,
// NextGC, HeapInuse, HeapSys, HeapReleased, HeapAlloc, NumForcedGC.
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
)

const (
	window     = 20000
	total      = 2000000
	checkpoint = 100000
)

var slots [][]byte

func size(x uint64) int { return 24 + int((x>>31)%3977) }

func print(label string, m *runtime.MemStats) {
	fmt.Printf("ms %s NumGC=%d NextGC=%d HeapInuse=%d HeapSys=%d HeapReleased=%d HeapAlloc=%d NumForcedGC=%d\n",
		label, m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased, m.HeapAlloc, m.NumForcedGC)
}

func main() {
	oraclelib.Settle()
	slots = make([][]byte, window)
	var base, end runtime.MemStats
	var checkpoints [total / checkpoint]runtime.MemStats
	runtime.ReadMemStats(&base)
	x := uint64(1)
	for i := 0; i < total; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		slots[i%window] = make([]byte, size(x))
		if k := (i + 1) / checkpoint; (i+1)%checkpoint == 0 && k < len(checkpoints) {
			runtime.ReadMemStats(&checkpoints[k])
		}
	}
	runtime.ReadMemStats(&end)
	print("base", &base)
	for k := 1; k < len(checkpoints); k++ {
		print(fmt.Sprintf("c%d", k), &checkpoints[k])
	}
	print("end", &end)
	runtime.KeepAlive(slots)
}
