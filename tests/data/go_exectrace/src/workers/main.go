// workers: four goroutines each building and dropping small pointerful and pointer-free objects
// (2000 each, some under 16 B, so the tiny allocator packs them), with GOGC=100. Recorded with GOMAXPROCS=1
// and GOMAXPROCS=4 by ../../record.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

type item struct {
	id   int
	next *item
}

var sink [4][]*item
var small [4][][]byte

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
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				sink[w] = append(sink[w], &item{id: i})
				small[w] = append(small[w], make([]byte, 1+i%12))
				if i%1000 == 999 {
					sink[w] = nil
					small[w] = nil
				}
			}
		}(w)
	}
	wg.Wait()
	runtime.GC()
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
