// Prints GODEBUG=gctrace=1 lines for forced GCs on a small heap and on ~1250 live spans.
package main

import "runtime"

var live [][]byte

func main() {
	for i := 0; i < 20; i++ {
		runtime.GC()
	}
	live = make([][]byte, 10000)
	for i := range live {
		live[i] = make([]byte, 1024)
	}
	for i := 0; i < 20; i++ {
		runtime.GC()
	}
}
