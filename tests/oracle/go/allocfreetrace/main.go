// Oracle program "allocfreetrace": the ground truth for the GODEBUG=allocfreetrace=1 importer.
// The test runs it with GODEBUG=allocfreetrace=1 (the trace is its stderr), imports the trace and
// replays it through the engine.
//
// After oraclelib.Settle, it allocates a known sequence (noscan and scan, small and large, types
// whose pointer-freedom the trace's type text shows or hides, no tiny objects: the tiny allocator
// traces only the block, so those would not be comparable one by one) into preallocated globals,
// drops round 1 (every third object, the 40000-byte one), runtime.GC(), ReadMemStats; drops round
// 2 (every other object still kept), runtime.GC(), ReadMemStats. It prints only after the last
// ReadMemStats.
//
// Output (stdout):
//
//	addr <i> <requested size> <noscan 0|1> <hex addr>
//	free <i> <round>
//	ms base|gc1|gc2 <Field>=<value> ...
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"unsafe"
)

type pair struct { // 32 B with a pointer; its trace type is the bare name "main.pair"
	next *pair
	v    [3]int64
}

type kind struct {
	size   int
	noscan bool
	make   func() unsafe.Pointer
}

func bytes(n int) func() unsafe.Pointer {
	return func() unsafe.Pointer { b := make([]byte, n); return unsafe.Pointer(&b[0]) }
}

// The sequence, round robin over the kinds until each has its count.
var kinds = []struct {
	k kind
	n int
}{
	{kind{100, true, bytes(100)}, 6},     // 112-byte class, type uint8
	{kind{3000, true, bytes(3000)}, 3},   // 3072
	{kind{40000, true, bytes(40000)}, 1}, // large: 5 pages
	{kind{32, false, func() unsafe.Pointer { return unsafe.Pointer(new(pair)) }}, 12},
	{kind{80, false, func() unsafe.Pointer { s := make([]*int, 10); return unsafe.Pointer(&s[0]) }}, 4}, // type *int
	{kind{240, true, func() unsafe.Pointer { s := make([]uint64, 30); return unsafe.Pointer(&s[0]) }}, 4},
	{kind{24, true, func() unsafe.Pointer {
		return unsafe.Pointer(new(struct {
			a, b int64
			c    [2]uint32
		}))
	}}, 5},
	{kind{16, false, func() unsafe.Pointer {
		return unsafe.Pointer(new(struct {
			f func()
			n int64
		}))
	}}, 5},
	{kind{20, true, bytes(20)}, 4}, // 24-byte class
	{kind{16, true, func() unsafe.Pointer { return unsafe.Pointer(new([2]uint64)) }}, 3}, // 16 B: not tiny
	{kind{100000, true, bytes(100000)}, 1},                                               // large: 13 pages
}

const maxObjs = 64

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	sizes  [maxObjs]int
	noscan [maxObjs]bool
	round  [maxObjs]int
	ms     [3]runtime.MemStats
	left   [16]int // objects still to allocate per kind (a global: nothing else is allocated)
	n      int
)

func main() {
	oraclelib.Settle()
	runtime.ReadMemStats(&ms[0])
	for i := range kinds {
		left[i] = kinds[i].n
	}
	for more := true; more; {
		more = false
		for i := range kinds {
			if left[i] == 0 {
				continue
			}
			left[i]--
			more = true
			p := kinds[i].k.make()
			keep[n], addrs[n], sizes[n], noscan[n] = p, uintptr(p), kinds[i].k.size, kinds[i].k.noscan
			n++
		}
	}
	for i := 0; i < n; i++ {
		if i%3 == 0 || sizes[i] == 40000 {
			keep[i], round[i] = nil, 1
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms[1])
	kept := 0
	for i := 0; i < n; i++ {
		if round[i] == 0 {
			if kept%2 == 0 {
				keep[i], round[i] = nil, 2
			}
			kept++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms[2])

	for i := 0; i < n; i++ {
		fmt.Printf("addr %d %d %d %x\n", i, sizes[i], oraclelib.B2i(noscan[i]), addrs[i])
	}
	for i := 0; i < n; i++ {
		if round[i] != 0 {
			fmt.Printf("free %d %d\n", i, round[i])
		}
	}
	oraclelib.PrintMS("base", &ms[0])
	oraclelib.PrintMS("gc1", &ms[1])
	oraclelib.PrintMS("gc2", &ms[2])
	runtime.KeepAlive(&keep)
}
