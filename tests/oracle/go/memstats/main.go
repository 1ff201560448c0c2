// Oracle program "memstats": MemStats deltas for sequences mixing tiny, small (scan and noscan)
// and large objects, with no GC in between.
//
// Each sequence runs between two runtime.ReadMemStats calls. Objects are kept in a preallocated
// global array, addresses recorded in a preallocated []uintptr, sizes chosen from fixed tables;
// nothing else allocates until the last ReadMemStats; printing happens at the end. The C++ test
// replays exactly the (size, noscan) sequence printed here.
//
// Output (stdout):
//
//	seq <i> <first addr index> <count>
//	addr <i> <size> <noscan 0|1> <hex addr>
//	ms <label> <Field>=<value> ...        (label seq<i>_before / seq<i>_after)
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"unsafe"
)

type scan8 struct{ p *int }
type scan16 struct {
	p   *int
	pad [16 - 8]byte
}
type scan24 struct {
	p   *int
	pad [24 - 8]byte
}
type scan48 struct {
	p   *int
	pad [48 - 8]byte
}
type scan64 struct {
	p   *int
	pad [64 - 8]byte
}
type scan128 struct {
	p   *int
	pad [128 - 8]byte
}
type scan256 struct {
	p   *int
	pad [256 - 8]byte
}
type scan1024 struct {
	p   *int
	pad [1024 - 8]byte
}
type scan3200 struct {
	p   *int
	pad [3200 - 8]byte
}
type scan40000 struct {
	p   *int
	pad [40000 - 8]byte
}
type scan100000 struct {
	p   *int
	pad [100000 - 8]byte
}

func allocScan(size int) unsafe.Pointer {
	switch size {
	case 8:
		return unsafe.Pointer(new(scan8))
	case 16:
		return unsafe.Pointer(new(scan16))
	case 24:
		return unsafe.Pointer(new(scan24))
	case 48:
		return unsafe.Pointer(new(scan48))
	case 64:
		return unsafe.Pointer(new(scan64))
	case 128:
		return unsafe.Pointer(new(scan128))
	case 256:
		return unsafe.Pointer(new(scan256))
	case 1024:
		return unsafe.Pointer(new(scan1024))
	case 3200:
		return unsafe.Pointer(new(scan3200))
	case 40000:
		return unsafe.Pointer(new(scan40000))
	case 100000:
		return unsafe.Pointer(new(scan100000))
	}
	panic("allocScan: no type of that size")
}

type kind struct {
	size   int
	noscan bool
}

// Sequence 0: a fixed mix, (kind, repeat).
type rep struct {
	k kind
	n int
}

var seq0 = [...]rep{
	{kind{1, true}, 1}, {kind{2, true}, 1}, {kind{3, true}, 1}, {kind{4, true}, 1},
	{kind{5, true}, 1}, {kind{6, true}, 1}, {kind{7, true}, 1},
	{kind{16, true}, 3}, {kind{16, false}, 5}, {kind{24, true}, 2}, {kind{48, false}, 4},
	{kind{33000, true}, 1}, {kind{40000, false}, 1}, {kind{8, true}, 20},
	{kind{1000, true}, 10}, {kind{3200, false}, 3}, {kind{15, true}, 9},
	{kind{32768, true}, 2}, {kind{32769, true}, 1}, {kind{100000, false}, 1},
	{kind{0, true}, 3}, {kind{8, false}, 6}, // size 0: &runtime.zerobase, not counted
}

// Sequence 3: both ends of every size class (noscan, sizes >= 16) plus the seams of the two
// lookup tables (size_to_class8 up to 1016 bytes, size_to_class128 above). classSizes is
// class_to_size of sizeclasses.go.
var classSizes = [...]int{0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240,
	256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536,
	1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
	9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
	32768}
var seams = [...]int{1015, 1016, 1017, 1023, 1025, 1151, 32767}

// Sequence 1: 1500 picks from this menu with an LCG.
var menu = [...]kind{
	{1, true}, {3, true}, {4, true}, {7, true}, {8, true}, {12, true}, {15, true},
	{16, true}, {24, true}, {33, true}, {100, true}, {500, true}, {1000, true}, {3000, true}, {20000, true},
	{16, false}, {24, false}, {48, false}, {64, false}, {128, false}, {256, false}, {1024, false}, {3200, false},
	{32769, true}, {50000, true}, {40000, false},
}

const seq1Count = 1500
const seq2Count = 3000
const maxObjs = 512 + seq1Count + seq2Count

var (
	keep   [maxObjs]unsafe.Pointer
	addrs  [maxObjs]uintptr
	kinds  [maxObjs]kind
	ms     [5]runtime.MemStats
	starts [5]int
	n      int
	lcg    uint32
)

func next() uint32 {
	lcg = (lcg*1103515245 + 12345) & 0x7fffffff
	return lcg >> 16
}

func alloc(k kind) {
	var p unsafe.Pointer
	if k.size == 0 {
		p = unsafe.Pointer(new([0]byte))
	} else if k.noscan {
		b := make([]byte, k.size)
		p = unsafe.Pointer(&b[0])
	} else {
		p = allocScan(k.size)
	}
	keep[n] = p
	addrs[n] = uintptr(p)
	kinds[n] = k
	n++
}

func main() {
	oraclelib.Settle()
	runtime.ReadMemStats(&ms[0])
	starts[0] = n
	for _, r := range seq0 {
		for j := 0; j < r.n; j++ {
			alloc(r.k)
		}
	}
	runtime.ReadMemStats(&ms[1])
	starts[1] = n
	lcg = 7
	for i := 0; i < seq1Count; i++ {
		alloc(menu[next()%uint32(len(menu))])
	}
	runtime.ReadMemStats(&ms[2])
	// Sequence 2: mostly tiny objects (several class-5 span refills, which flush tinyAllocs),
	// with ordinary 16-byte noscan objects in the same span class and 16-byte scan objects.
	starts[2] = n
	for i := 0; i < seq2Count; i++ {
		r := next()
		switch {
		case r%37 == 0:
			alloc(kind{16, true})
		case r%41 == 0:
			alloc(kind{16, false})
		default:
			alloc(kind{1 + int(r%15), true})
		}
	}
	runtime.ReadMemStats(&ms[3])
	starts[3] = n
	for c := 1; c < len(classSizes); c++ {
		if lo := classSizes[c-1] + 1; lo >= 16 {
			alloc(kind{lo, true})
		}
		alloc(kind{classSizes[c], true})
	}
	for _, sz := range seams {
		alloc(kind{sz, true})
	}
	runtime.ReadMemStats(&ms[4])
	starts[4] = n

	for s := 0; s < 4; s++ {
		fmt.Printf("seq %d %d %d\n", s, starts[s], starts[s+1]-starts[s])
	}
	for i := 0; i < n; i++ {
		fmt.Printf("addr %d %d %d %x\n", i, kinds[i].size, oraclelib.B2i(kinds[i].noscan), addrs[i])
	}
	for s := 0; s < 4; s++ {
		oraclelib.PrintMS(fmt.Sprintf("seq%d_before", s), &ms[s])
		oraclelib.PrintMS(fmt.Sprintf("seq%d_after", s), &ms[s+1])
	}
	runtime.KeepAlive(&keep)
}
