// Package oraclelib holds what every oracle program shares: bringing the runtime to a known
// state before measuring, and printing MemStats in the format tests/oracle/go_oracle.cpp parses.
// The programs find it through GOPATH (the harness adds tests/oracle/go to it).
package oraclelib

import (
	"fmt"
	"runtime"
	"time"
)

// Settle brings the runtime to the state every measurement starts from: the GCs finish sweeping,
// free the init garbage and flush the mcache (no current tiny block). The sleep is needed because
// the background scavenger, woken by a GC, sometimes runs and sleeps on a timer during a measured
// interval, and its first timer sleep grows the P's timer heap (runtime.doaddtimer appends to
// pp.timers: an 8-byte allocation, measured in a few percent of the runs). Sleeping here grows
// that heap first (our sleep timer, perhaps the scavenger's too); the two GCs after it free the
// backing array a growth from 1 to 2 timers leaves behind (otherwise an extra 8-byte free in the
// first measured GC, in a third of the runs).
func Settle() {
	runtime.GC()
	time.Sleep(2 * time.Millisecond)
	runtime.GC()
	runtime.GC()
}

// PrintMS prints one "ms <label> Field=value ..." line with the MemStats fields the tests compare;
// BySize<i>Mallocs/BySize<i>Frees are the per-class counts of MemStats.BySize (classes 1..60: the
// API has no room for classes 61..67).
func PrintMS(label string, m *runtime.MemStats) {
	fmt.Printf("ms %s Mallocs=%d Frees=%d HeapObjects=%d HeapAlloc=%d TotalAlloc=%d HeapInuse=%d HeapSys=%d NumGC=%d MSpanInuse=%d MCacheInuse=%d MCacheSys=%d",
		label, m.Mallocs, m.Frees, m.HeapObjects, m.HeapAlloc, m.TotalAlloc, m.HeapInuse, m.HeapSys, m.NumGC, m.MSpanInuse, m.MCacheInuse, m.MCacheSys)
	for i := 1; i < len(m.BySize); i++ {
		fmt.Printf(" BySize%dSize=%d BySize%dMallocs=%d BySize%dFrees=%d",
			i, m.BySize[i].Size, i, m.BySize[i].Mallocs, i, m.BySize[i].Frees)
	}
	fmt.Println()
}

// B2i prints a bool as 0 or 1.
func B2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
