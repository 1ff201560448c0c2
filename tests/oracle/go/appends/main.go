// Oracle program "appends": large buffers grown by doubling (issue 12's large appends, the growth
// written out so that the test can replay it). Run it with GOGC=<n> (and GOMEMLIMIT=<bytes>);
// GOMAXPROCS=1.
//
// After oraclelib.Settle(), a [][]byte ring of `ring` slots (the only pointerful object), then
// `rounds` rounds: a buffer starts at 4 KiB and doubles `growths` times (make([]byte, 2*len), copy,
// the old one dropped) up to 4 KiB << growths (8 MiB), and the result replaces the oldest buffer
// in the ring. tests/oracle/more_oracle_programs_test.cpp replays the same sequence.
//
// Output: as the lru program, "ms end ...".
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
)

const (
	ring    = 8
	rounds  = 200
	growths = 11
	first   = 4096
)

var bufs [][]byte

func main() {
	oraclelib.Settle()
	bufs = make([][]byte, ring)
	for r := 0; r < rounds; r++ {
		b := make([]byte, first)
		for g := 0; g < growths; g++ {
			nb := make([]byte, 2*len(b))
			copy(nb, b)
			b = nb
		}
		bufs[r%ring] = b
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("ms end NumGC=%d NextGC=%d HeapInuse=%d HeapSys=%d HeapReleased=%d HeapAlloc=%d NumForcedGC=%d\n",
		m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased, m.HeapAlloc, m.NumForcedGC)
	runtime.KeepAlive(bufs)
}
