// Oracle program "tiny": the tiny allocator's packing (malloc.go mallocgc, noscan && size < 16).
//
// Sequence 0 is the worked example of the reference (§3.3): 5, 5, 3, 8, 12, 1, 2, 4, 16, 6, 10.
// Sequence 1 is 2000 sizes 1..16 from a fixed LCG (the C++ test computes the same sizes).
// Sequences 2 and 3 are 2, 2, 2 and then, after a runtime.GC(), 2, 2, 2, 4, 4: the GC flushes the
// mcache at mark termination, so sequence 3 must open a new block although the old one has room.
// Sequences 0, 1 and 2 start right after runtime.ReadMemStats, which flushes the mcache
// (releaseAll), so there is no current tiny block. Every object is a noscan []byte kept in a preallocated global
// array; nothing else allocates until the final ReadMemStats; printing happens at the end.
//
// Output (stdout):
//
//	seq <i> <first addr index> <count>
//	addr <i> <size> 1 <hex addr>
//	ms <label> <Field>=<value> ...        (seq0_before, seq0_after = seq1_before, seq1_after =
//	                                       seq2_before, seq3_after)
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"unsafe"
)

var example = [...]int{5, 5, 3, 8, 12, 1, 2, 4, 16, 6, 10}
var beforeGC = [...]int{2, 2, 2}
var afterGC = [...]int{2, 2, 2, 4, 4}

const lcgCount = 2000
const maxObjs = len(example) + lcgCount + len(beforeGC) + len(afterGC)

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	sizes  [maxObjs]int
	ms     [4]runtime.MemStats
	lcgSeq [lcgCount]int
)

// lcgSizes: x = x*1103515245 + 12345 mod 2^31, size = 1 + (x>>16)%16. Seed 42.
func lcgSizes() {
	x := uint32(42)
	for i := range lcgSeq {
		x = (x*1103515245 + 12345) & 0x7fffffff
		lcgSeq[i] = 1 + int((x>>16)%16)
	}
}

func alloc(n, size int) {
	b := make([]byte, size)
	keep[n] = unsafe.Pointer(&b[0])
	addrs[n] = uintptr(keep[n])
	sizes[n] = size
}

func main() {
	lcgSizes()
	oraclelib.Settle()
	n := 0
	runtime.ReadMemStats(&ms[0])
	for _, s := range example {
		alloc(n, s)
		n++
	}
	runtime.ReadMemStats(&ms[1])
	for _, s := range lcgSeq {
		alloc(n, s)
		n++
	}
	runtime.ReadMemStats(&ms[2])
	for _, s := range beforeGC {
		alloc(n, s)
		n++
	}
	runtime.GC()
	for _, s := range afterGC {
		alloc(n, s)
		n++
	}
	runtime.ReadMemStats(&ms[3])

	fmt.Printf("seq 0 0 %d\n", len(example))
	fmt.Printf("seq 1 %d %d\n", len(example), lcgCount)
	fmt.Printf("seq 2 %d %d\n", len(example)+lcgCount, len(beforeGC))
	fmt.Printf("seq 3 %d %d\n", len(example)+lcgCount+len(beforeGC), len(afterGC))
	for i := 0; i < n; i++ {
		fmt.Printf("addr %d %d 1 %x\n", i, sizes[i], addrs[i])
	}
	oraclelib.PrintMS("seq0_before", &ms[0])
	oraclelib.PrintMS("seq0_after", &ms[1])
	oraclelib.PrintMS("seq1_before", &ms[1])
	oraclelib.PrintMS("seq1_after", &ms[2])
	oraclelib.PrintMS("seq2_before", &ms[2])
	oraclelib.PrintMS("seq3_after", &ms[3])
	runtime.KeepAlive(&keep)
}
