// Oracle program "freeosmem": debug.FreeOSMemory and the reuse of released pages.
// After a FreeOSMemory every free page outside the P's page cache is released; eight 1 MiB
// objects are allocated, dropped and released again; then one more 1 MiB object takes back
// released pages (sysUsed).
//
// Output (stdout):
//
//	ms <label> HeapReleased=... HeapIdle=... HeapInuse=... HeapSys=... NumForcedGC=...
//	   (labels: base, held, released, reuse)
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"runtime/debug"
)

const objects = 8

var (
	keep  [objects][]byte
	again []byte
	ms    [4]runtime.MemStats
)

func main() {
	oraclelib.Settle()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms[0])
	for i := range keep {
		keep[i] = make([]byte, 1<<20)
	}
	runtime.ReadMemStats(&ms[1])
	for i := range keep {
		keep[i] = nil
	}
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms[2])
	again = make([]byte, 1<<20)
	runtime.ReadMemStats(&ms[3])
	for i, label := range []string{"base", "held", "released", "reuse"} {
		m := &ms[i]
		fmt.Printf("ms %s HeapReleased=%d HeapIdle=%d HeapInuse=%d HeapSys=%d NumForcedGC=%d\n",
			label, m.HeapReleased, m.HeapIdle, m.HeapInuse, m.HeapSys, m.NumForcedGC)
	}
	runtime.KeepAlive(again)
}
