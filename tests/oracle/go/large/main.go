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
	"oraclelib"
	"runtime"
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

func main() {
	oraclelib.Settle()
	for i, c := range cases {
		runtime.ReadMemStats(&before[i])
		keep[i] = alloc(c)
		addrs[i] = uintptr(keep[i])
		runtime.ReadMemStats(&after[i])
	}
	for i, c := range cases {
		fmt.Printf("case %d %d %d %d 1\n", i, c.size, oraclelib.B2i(c.noscan), i)
		fmt.Printf("addr %d %d %d %x\n", i, c.size, oraclelib.B2i(c.noscan), addrs[i])
		oraclelib.PrintMS(fmt.Sprintf("case%d_before", i), &before[i])
		oraclelib.PrintMS(fmt.Sprintf("case%d_after", i), &after[i])
	}
	runtime.KeepAlive(&keep)
}
