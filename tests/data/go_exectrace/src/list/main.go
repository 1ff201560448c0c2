// list: a linked list of pointerful structs, every other node dropped, then collected; GOGC=off
// so the only GCs are the explicit runtime.GC() calls. Recorded by ../../record.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"unsafe"
)

type node struct {
	next    *node
	payload [5]int64
	name    *string
}

var head *node

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
	for round := 0; round < 3; round++ {
		for i := 0; i < 2000; i++ {
			head = &node{next: head}
			head.payload[0] = int64(i)
			if i%500 == 0 {
				fmt.Printf("addr node%d_%d %d scan %p\n", round, i, unsafe.Sizeof(*head), head)
			}
		}
		// Drop every other node.
		for n := head; n != nil && n.next != nil; n = n.next {
			n.next = n.next.next
		}
		runtime.GC()
	}
	head = nil
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
