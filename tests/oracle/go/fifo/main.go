// Oracle program "fifo": which spans allocations land in after a GC (mcentral's FIFO spanSets,
// the stale cached span swept first at mark termination, sweepone sweeping a class's full
// unswept set before its partial unswept set, ReadMemStats pushing the cached span to the tail of
// partialSwept).
//
// Two classes the runtime holds no spans of, noscan 1152 B and scan 1152 B (class 33, 7 objects
// per 1-page span), interleaved object by object. For each class (Sk/j = span k, slot j):
//
//	phase 0: 32 objects = 4 full spans (S0..S3) + 4 in S4, which stays cached in the mcache.
//	drop round 0: S0/1, S0/3, S2/0, S3/6, S4/2; S1 stays full.
//	runtime.GC(): mark termination flushes the mcache, S4 is stale and swept first -> partialSwept
//	         [S4]; sweepone then sweeps fullUnswept in FIFO order S0, S1, S2, S3 -> partialSwept
//	         [S4, S0, S2, S3], S1 to fullSwept.
//	phase 1: 5 objects: S4/2, S4/4, S4/5, S4/6 (S4 full -> fullSwept [S1, S4]), then S0/1 (S0
//	         stays cached with slot 3 free).
//	ReadMemStats: flushes S0 to the tail -> partialSwept [S2, S3, S0].
//	phase 2: 6 objects: S2/0, S3/6, S0/3 (each then full -> fullSwept [S1, S4, S2, S3, S0]), then
//	         a fresh span: S5/0..2.
//	ReadMemStats: flushes S5 -> partialSwept [S5]; nothing is cached from here on.
//	drop round 1: S0/5, S1/4, S3/1, S5/0.
//	runtime.GC(): fullUnswept first, FIFO: S1 (partial), S4, S2 (full), S3, S0 (partial); then
//	         partialUnswept: S5 -> partialSwept [S1, S3, S0, S5].
//	phase 3: 9 objects: S1/4, S3/1, S0/5, S5/0, S5/3, S5/4, S5/5, S5/6, then a fresh S6/0.
//
// No span ever becomes empty, so a span base seen twice is the same span. Nothing but these
// objects is allocated between the first and the last ReadMemStats; printing happens at the end.
//
// Output (stdout):
//
//	phase <p> <first addr index> <count>
//	addr <i> <size> <noscan 0|1> <hex addr>
//	free <i> <drop round>
//	ms <label> <Field>=<value> ...   (start, gc, rms, end, gc2, end2)
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"unsafe"
)

type scan1152 struct {
	p   *int
	pad [1152 - 8]byte
}

const perClass0 = 32

const maxObjs = 128

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	noscan [maxObjs]bool
	freed  [maxObjs]bool
	round  [maxObjs]int
	ms     [6]runtime.MemStats
	starts [5]int
	n      int
)

func alloc(ns bool) {
	var p unsafe.Pointer
	if ns {
		b := make([]byte, 1152)
		p = unsafe.Pointer(&b[0])
	} else {
		p = unsafe.Pointer(new(scan1152))
	}
	keep[n] = p
	addrs[n] = uintptr(p)
	noscan[n] = ns
	n++
}

// allocBoth allocates k objects of each class, alternating noscan and scan.
func allocBoth(k int) {
	for j := 0; j < k; j++ {
		alloc(true)
		alloc(false)
	}
}

// drop drops the object of class c (0 noscan, 1 scan) at local index l of phase p.
func drop(p, l, c, r int) {
	i := starts[p] + 2*l + c
	keep[i] = nil
	freed[i] = true
	round[i] = r
}

func main() {
	oraclelib.Settle()
	runtime.ReadMemStats(&ms[0])
	starts[0] = n
	allocBoth(perClass0)
	for _, l := range [...]int{1, 3, 14, 27, 30} { // S0/1 S0/3 S2/0 S3/6 S4/2
		drop(0, l, 0, 0)
		drop(0, l, 1, 0)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms[1]) // nothing is cached at this point: the GC flushed the mcache
	starts[1] = n
	allocBoth(5)
	runtime.ReadMemStats(&ms[2])
	starts[2] = n
	allocBoth(6)
	runtime.ReadMemStats(&ms[3])
	starts[3] = n
	for c := 0; c < 2; c++ {
		for _, l := range [...]int{5, 11, 22} { // S0/5 S1/4 S3/1
			drop(0, l, c, 1)
		}
		drop(2, 3, c, 1) // S5/0
	}
	runtime.GC()
	runtime.ReadMemStats(&ms[4])
	allocBoth(9)
	runtime.ReadMemStats(&ms[5])
	starts[4] = n

	for p := 0; p < 4; p++ {
		fmt.Printf("phase %d %d %d\n", p, starts[p], starts[p+1]-starts[p])
		for i := starts[p]; i < starts[p+1]; i++ {
			fmt.Printf("addr %d 1152 %d %x\n", i, oraclelib.B2i(noscan[i]), addrs[i])
		}
	}
	for i := 0; i < n; i++ {
		if freed[i] {
			fmt.Printf("free %d %d\n", i, round[i])
		}
	}
	oraclelib.PrintMS("start", &ms[0])
	oraclelib.PrintMS("gc", &ms[1])
	oraclelib.PrintMS("rms", &ms[2])
	oraclelib.PrintMS("end", &ms[3])
	oraclelib.PrintMS("gc2", &ms[4])
	oraclelib.PrintMS("end2", &ms[5])
	runtime.KeepAlive(&keep)
}
