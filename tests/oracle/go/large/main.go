// Oracle program "large": one large object (> 32768 B) per case, between two runtime.ReadMemStats
// calls (mcache.allocLarge: ceil(size/8192) pages, a span of its own).
//
// Output (stdout):
//
//	case <i> <size> <noscan 0|1> <addr index> 1
//	addr <i> <size> <noscan 0|1> <hex addr>
//	ms <label> <Field>=<value> ...        (label case<i>_before / case<i>_after)
package main

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

type scan40000 struct {
	p   *int
	pad [40000 - 8]byte
}
type scan200000 struct {
	p   *int
	pad [200000 - 8]byte
}

type testCase struct {
	size   int
	noscan bool
}

var cases = [...]testCase{
	{32769, true}, {40000, true}, {100000, true}, {122880, true}, {122881, true},
	{200000, true}, {1 << 20, true}, {40000, false}, {200000, false},
	{5 << 20, true},  // more than one 4 MiB heap chunk
	{70 << 20, true}, // more than one 64 MiB arena
}

var (
	keep   [len(cases)]unsafe.Pointer
	addrs  [len(cases)]uintptr
	before [len(cases)]runtime.MemStats
	after  [len(cases)]runtime.MemStats
)

func alloc(c testCase) unsafe.Pointer {
	if c.noscan {
		b := make([]byte, c.size)
		return unsafe.Pointer(&b[0])
	}
	switch c.size {
	case 40000:
		return unsafe.Pointer(new(scan40000))
	case 200000:
		return unsafe.Pointer(new(scan200000))
	}
	panic("no scan type of that size")
}

// printMS prints one snapshot; BySize<i>Mallocs/BySize<i>Frees are the per-class counts of
// MemStats.BySize (classes 1..60; the API has no room for classes 61..67).
func printMS(label string, m *runtime.MemStats) {
	fmt.Printf("ms %s Mallocs=%d Frees=%d HeapObjects=%d HeapAlloc=%d TotalAlloc=%d HeapInuse=%d HeapSys=%d NumGC=%d",
		label, m.Mallocs, m.Frees, m.HeapObjects, m.HeapAlloc, m.TotalAlloc, m.HeapInuse, m.HeapSys, m.NumGC)
	for i := 1; i < len(m.BySize); i++ {
		fmt.Printf(" BySize%dSize=%d BySize%dMallocs=%d BySize%dFrees=%d",
			i, m.BySize[i].Size, i, m.BySize[i].Mallocs, i, m.BySize[i].Frees)
	}
	fmt.Println()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
	for i, c := range cases {
		runtime.ReadMemStats(&before[i])
		keep[i] = alloc(c)
		addrs[i] = uintptr(keep[i])
		runtime.ReadMemStats(&after[i])
	}
	for i, c := range cases {
		fmt.Printf("case %d %d %d %d 1\n", i, c.size, b2i(c.noscan), i)
		fmt.Printf("addr %d %d %d %x\n", i, c.size, b2i(c.noscan), addrs[i])
		printMS(fmt.Sprintf("case%d_before", i), &before[i])
		printMS(fmt.Sprintf("case%d_after", i), &after[i])
	}
	runtime.KeepAlive(&keep)
}
