// seed: the smallest useful recording, a seed for the fuzz_go_exectrace target: a few objects of
// each kind (tiny, small scan/noscan, header, large), one GC. Recorded by ../../record.sh.
package main

import (
	"os"
	"runtime"
	"runtime/trace"
)

type pair struct{ a, b *int }

var keep []any

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	for i := 0; i < 8; i++ {
		keep = append(keep, make([]byte, 3+i), &pair{}, make([]byte, 100), make([]*int, 80))
	}
	keep = append(keep, make([]byte, 40000))
	keep = keep[:10]
	runtime.GC()
	trace.Stop()
	f.Close()
}
