// churn: a ring of make([]byte, n) buffers of varying sizes, replaced in a loop, with the default
// pacer (GOGC=100) deciding when to collect. Recorded by ../../record.sh; prints a sidecar.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
)

var ring [256][]byte

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	sizes := []int{24, 100, 700, 3000, 40000}
	for i := 0; i < 6000; i++ {
		n := sizes[i%len(sizes)] + i%13
		ring[i%len(ring)] = make([]byte, n)
		if i%1000 == 999 {
			b := ring[i%len(ring)]
			fmt.Printf("addr churn%d %d noscan %p\n", i, len(b), &b[0])
		}
	}
	trace.Stop()
	runtime.ReadMemStats(&after)
	f.Close()
	printMemStats(&before, &after)
}

func printMemStats(before, after *runtime.MemStats) {
	for _, m := range []struct {
		label string
		ms    *runtime.MemStats
	}{{"before", before}, {"after", after}} {
		b, _ := json.Marshal(map[string]uint64{"NumGC": uint64(m.ms.NumGC), "Mallocs": m.ms.Mallocs, "Frees": m.ms.Frees,
			"HeapAlloc": m.ms.HeapAlloc, "HeapObjects": m.ms.HeapObjects, "TotalAlloc": m.ms.TotalAlloc})
		fmt.Printf("memstats %s %s\n", m.label, b)
	}
}
