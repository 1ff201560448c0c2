// Oracle program "slots": slot order, stride, objects per span and fresh-span HeapInuse.
//
// For each case (size, noscan, count) it allocates `count` objects of one size class between two
// runtime.ReadMemStats calls and records every address. Nothing else allocates between the first
// and the last ReadMemStats: objects go into a preallocated global array, addresses into a
// preallocated []uintptr, and all printing happens at the end.
//
// Output (stdout):
//
//	case <i> <size> <noscan 0|1> <first addr index> <count>
//	addr <i> <size> <noscan 0|1> <hex addr>
//	ms <label> <Field>=<value> ...        (label case<i>_before / case<i>_after)
//
// Run with GOMAXPROCS=1 GOGC=off. Built and run by tests/oracle/go_oracle.cpp.
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"unsafe"
)

// Pointerful types of exact sizes (scan span classes).
type scan48 struct {
	p   *int
	pad [48 - 8]byte
}
type scan1024 struct {
	p   *int
	pad [1024 - 8]byte
}
type scan4096 struct {
	p   *int
	pad [4096 - 8]byte
}
type scan8192 struct {
	p   *int
	pad [8192 - 8]byte
}
type scan1408 struct {
	p   *int
	pad [1408 - 8]byte
}
type scan2688 struct {
	p   *int
	pad [2688 - 8]byte
}
type scan3200 struct {
	p   *int
	pad [3200 - 8]byte
}
type scan6784 struct {
	p   *int
	pad [6784 - 8]byte
}
type scan9472 struct {
	p   *int
	pad [9472 - 8]byte
}
type scan27264 struct {
	p   *int
	pad [27264 - 8]byte
}

func allocScan(size int) unsafe.Pointer {
	switch size {
	case 48:
		return unsafe.Pointer(new(scan48))
	case 1024:
		return unsafe.Pointer(new(scan1024))
	case 4096:
		return unsafe.Pointer(new(scan4096))
	case 8192:
		return unsafe.Pointer(new(scan8192))
	case 1408:
		return unsafe.Pointer(new(scan1408))
	case 2688:
		return unsafe.Pointer(new(scan2688))
	case 3200:
		return unsafe.Pointer(new(scan3200))
	case 6784:
		return unsafe.Pointer(new(scan6784))
	case 9472:
		return unsafe.Pointer(new(scan9472))
	case 27264:
		return unsafe.Pointer(new(scan27264))
	}
	panic("allocScan: no type of that size")
}

func allocNoscan(size int) unsafe.Pointer {
	b := make([]byte, size)
	return unsafe.Pointer(&b[0])
}

type testCase struct {
	size   int
	noscan bool
	count  int
}

// Mostly classes the runtime holds no spans of. Exceptions, where the first allocations continue
// a span the runtime left partly used: scan 9472 B (runtime.p), scan 1024 B (runtime.m) and the
// common 48-byte class.
var cases = [...]testCase{
	{2688, true, 10},
	{2688, false, 10},
	{3200, true, 12},
	{3200, false, 12},
	{1408, true, 25},
	{1408, false, 25},
	{6784, true, 14},
	{6784, false, 14},
	{9472, true, 13},
	{9472, false, 13},
	{27264, true, 7},
	{27264, false, 7},
	{4096, true, 5}, // 1-page classes without tail waste: spans may be adjacent
	{4096, false, 5},
	{8192, true, 3}, // one object per span, still a small-object span (class 51)
	{8192, false, 3},
	{1024, true, 20},
	{1024, false, 20},
	{48, true, 1000},
	{48, false, 1000},
}

const maxObjs = 4096

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	first  [len(cases)]int
	before [len(cases)]runtime.MemStats
	after  [len(cases)]runtime.MemStats
)

func main() {
	oraclelib.Settle()
	n := 0
	for ci := range cases {
		c := &cases[ci]
		runtime.ReadMemStats(&before[ci])
		first[ci] = n
		for k := 0; k < c.count; k++ {
			var p unsafe.Pointer
			if c.noscan {
				p = allocNoscan(c.size)
			} else {
				p = allocScan(c.size)
			}
			keep[n] = p
			addrs[n] = uintptr(p)
			n++
		}
		runtime.ReadMemStats(&after[ci])
	}
	for ci := range cases {
		c := &cases[ci]
		fmt.Printf("case %d %d %d %d %d\n", ci, c.size, oraclelib.B2i(c.noscan), first[ci], c.count)
		for k := 0; k < c.count; k++ {
			i := first[ci] + k
			fmt.Printf("addr %d %d %d %x\n", i, c.size, oraclelib.B2i(c.noscan), addrs[i])
		}
		oraclelib.PrintMS(fmt.Sprintf("case%d_before", ci), &before[ci])
		oraclelib.PrintMS(fmt.Sprintf("case%d_after", ci), &after[ci])
	}
	runtime.KeepAlive(&keep)
}
