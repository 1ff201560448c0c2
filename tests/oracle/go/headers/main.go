// Oracle program "headers": Go 1.22+ allocation headers and Go 1.22+/1.26 span-end metadata.
//
// For each case (size, noscan, count) it allocates `count` objects between two runtime.ReadMemStats
// calls and records every address, exactly as tests/oracle/go/slots does (same output format, same
// rules: preallocated globals, printing at the end). The cases are pointerful objects around
// minSizeForMallocHeader (504..520 B: 513 and 520 get an 8-byte header, land in the 576 B class and
// are returned at slot + 8 in Go 1.26) up to 3000 B, and small classes whose objects per span Go
// 1.26 cuts (heap bits at the end of scan spans, Green Tea's inline mark bits for 16..512 B). Each
// count fills at least two fresh spans, so the test sees where a new span starts.
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
type scan80 struct {
	p   *int
	pad [80 - 8]byte
}
type scan112 struct {
	p   *int
	pad [112 - 8]byte
}
type scan176 struct {
	p   *int
	pad [176 - 8]byte
}
type scan240 struct {
	p   *int
	pad [240 - 8]byte
}
type scan288 struct {
	p   *int
	pad [288 - 8]byte
}
type scan480 struct {
	p   *int
	pad [480 - 8]byte
}
type scan504 struct {
	p   *int
	pad [504 - 8]byte
}
type scan512 struct {
	p   *int
	pad [512 - 8]byte
}
type scan513 struct {
	p   *int
	pad [513 - 8]byte
}
type scan520 struct {
	p   *int
	pad [520 - 8]byte
}
type scan640 struct {
	p   *int
	pad [640 - 8]byte
}
type scan1024 struct {
	p   *int
	pad [1024 - 8]byte
}
type scan2040 struct {
	p   *int
	pad [2040 - 8]byte
}
type scan2048 struct {
	p   *int
	pad [2048 - 8]byte
}
type scan3000 struct {
	p   *int
	pad [3000 - 8]byte
}

func allocScan(size int) unsafe.Pointer {
	switch size {
	case 80:
		return unsafe.Pointer(new(scan80))
	case 112:
		return unsafe.Pointer(new(scan112))
	case 176:
		return unsafe.Pointer(new(scan176))
	case 240:
		return unsafe.Pointer(new(scan240))
	case 288:
		return unsafe.Pointer(new(scan288))
	case 480:
		return unsafe.Pointer(new(scan480))
	case 504:
		return unsafe.Pointer(new(scan504))
	case 512:
		return unsafe.Pointer(new(scan512))
	case 513:
		return unsafe.Pointer(new(scan513))
	case 520:
		return unsafe.Pointer(new(scan520))
	case 640:
		return unsafe.Pointer(new(scan640))
	case 1024:
		return unsafe.Pointer(new(scan1024))
	case 2040:
		return unsafe.Pointer(new(scan2040))
	case 2048:
		return unsafe.Pointer(new(scan2048))
	case 3000:
		return unsafe.Pointer(new(scan3000))
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

var cases = [...]testCase{
	{80, false, 209},
	{80, true, 209},
	{112, false, 151},
	{176, false, 97},
	{240, false, 73},
	{288, false, 61},
	{480, false, 39},
	{480, true, 39},
	{504, false, 37},
	{512, false, 37},
	{513, false, 33},
	{513, true, 33},
	{520, false, 33},
	{640, false, 27},
	{1024, false, 19},
	{2040, false, 13},
	{2040, true, 13},
	{2048, false, 19},
	{3000, false, 21},
}

const maxObjs = 1163

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
