// maps: a map[int]*[12]int64 grown to 20000 entries, then halved, then collected; GOGC=off.
// Also a few large (> 32 KiB) pointerful and header-carrying (> 512 B) objects.
// Recorded by ../../record.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
)

var m map[int]*[12]int64
var keep []any

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
	m = make(map[int]*[12]int64)
	for i := 0; i < 20000; i++ {
		m[i] = new([12]int64)
	}
	runtime.GC()
	for i := 0; i < 20000; i += 2 {
		delete(m, i)
	}
	runtime.GC()
	big := make([]*int, 10000) // 80000 B of pointers: a large object
	hdr := make([]*int, 100)   // 800 B of pointers: a small object with a malloc header
	keep = append(keep, big, hdr)
	fmt.Printf("addr big %d scan %p\n", 80000, &big[0])
	fmt.Printf("addr hdr %d scan %p\n", 800, &hdr[0])
	p := m[1]
	fmt.Printf("addr elem1 %d noscan %p\n", 96, p)
	runtime.GC()
	m = nil
	runtime.GC()
	trace.Stop()
	runtime.ReadMemStats(&after)
	f.Close()
	printMemStats(&before, &after)
	runtime.KeepAlive(keep)
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
