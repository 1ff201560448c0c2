// Oracle program "growth": the allocation sizes of growing slices, strings.Builder buffers and
// maps under Go 1.19, for the generators go-append, go-strings and go-map (traces/gen_go_shapes.cpp).
//
// Output (stdout):
//
//	seq <i> <first addr index> <count>    one growing value:
//	                                      0: []byte, 1: []int64, 2: []struct{a, b, c int64},
//	                                      3: [][5]int64, 4: []*int, each appended one element at
//	                                      a time up to 20000 elements;
//	                                      5: a strings.Builder written 7 bytes at a time up to
//	                                      20000 bytes
//	addr <i> <cap*elemsize> <noscan 0|1> <hex addr>
//	                                      a new backing array (the capacity changed)
//	ms grow<k> Insert=<n> Bytes=<size>    map[int64]*int, 1000 inserts of new keys: insert n
//	                                      allocated a block of `size` bytes (size class of the
//	                                      request) larger than a bucket (144 B): a bucket array
//
// Everything is recorded into preallocated arrays first and printed at the end, so printing does
// not disturb the map measurement (MemStats before and after every insert).
package main

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"unsafe"
)

const elems = 20000

type rec struct {
	size   uintptr
	noscan bool
	addr   uintptr
}

var (
	recs   [6][64]rec
	nrec   [6]int
	grows  [64][2]uint64
	ngrows int
)

func note(seq int, size uintptr, noscan bool, p unsafe.Pointer) {
	recs[seq][nrec[seq]] = rec{size, noscan, uintptr(p)}
	nrec[seq]++
}

func main() {
	var b []byte
	for i := 0; i < elems; i++ {
		c := cap(b)
		b = append(b, 1)
		if cap(b) != c {
			note(0, uintptr(cap(b)), true, unsafe.Pointer(&b[0]))
		}
	}
	var s8 []int64
	for i := 0; i < elems; i++ {
		c := cap(s8)
		s8 = append(s8, 1)
		if cap(s8) != c {
			note(1, uintptr(cap(s8))*8, true, unsafe.Pointer(&s8[0]))
		}
	}
	type e24 struct{ a, b, c int64 }
	var s24 []e24
	for i := 0; i < elems; i++ {
		c := cap(s24)
		s24 = append(s24, e24{})
		if cap(s24) != c {
			note(2, uintptr(cap(s24))*24, true, unsafe.Pointer(&s24[0]))
		}
	}
	var s40 [][5]int64
	for i := 0; i < elems; i++ {
		c := cap(s40)
		s40 = append(s40, [5]int64{})
		if cap(s40) != c {
			note(3, uintptr(cap(s40))*40, true, unsafe.Pointer(&s40[0]))
		}
	}
	var sp []*int
	for i := 0; i < elems; i++ {
		c := cap(sp)
		sp = append(sp, nil)
		if cap(sp) != c {
			note(4, uintptr(cap(sp))*8, false, unsafe.Pointer(&sp[0]))
		}
	}
	var sb strings.Builder
	for sb.Len() < elems {
		c := sb.Cap()
		sb.WriteString("1234567")
		if sb.Cap() != c {
			str := sb.String()
			note(5, uintptr(sb.Cap()), true, unsafe.Pointer((*reflect.StringHeader)(unsafe.Pointer(&str)).Data))
		}
	}

	m := make(map[int64]*int)
	var before, after runtime.MemStats
	for i := 0; i < 1000; i++ {
		runtime.ReadMemStats(&before)
		m[int64(i)] = nil
		runtime.ReadMemStats(&after)
		// BySize covers the classes up to 18432 B; the rest of TotalAlloc is larger classes and
		// large objects.
		small := uint64(0)
		for c := 1; c < len(after.BySize); c++ {
			n := after.BySize[c].Mallocs - before.BySize[c].Mallocs
			size := uint64(after.BySize[c].Size)
			small += n * size
			for ; n > 0 && size > 144; n-- {
				grows[ngrows] = [2]uint64{uint64(i), size}
				ngrows++
			}
		}
		if rest := after.TotalAlloc - before.TotalAlloc - small; rest > 0 {
			grows[ngrows] = [2]uint64{uint64(i), rest}
			ngrows++
		}
	}
	runtime.KeepAlive(m)

	index := 0
	for seq := 0; seq < 6; seq++ {
		fmt.Printf("seq %d %d %d\n", seq, index, nrec[seq])
		for _, r := range recs[seq][:nrec[seq]] {
			noscan := 0
			if r.noscan {
				noscan = 1
			}
			fmt.Printf("addr %d %d %d %x\n", index, r.size, noscan, r.addr)
			index++
		}
	}
	for k, g := range grows[:ngrows] {
		fmt.Printf("ms grow%d Insert=%d Bytes=%d\n", k, g[0], g[1])
	}
}
