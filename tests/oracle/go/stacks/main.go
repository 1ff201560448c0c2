// Oracle program "stacks": goroutines whose stacks grow to known sizes, and StackInuse/StackSys.
// Phase "large": 8 goroutines recurse through ~40 frames of 1 KiB (about 42 KiB of stack, so
// their stacks double 2 -> 4 -> ... -> 64 KiB) and block; then they exit. Phase "pool": 16
// goroutines recurse through 30 frames of 128 B (about 5 KiB: stacks of 8 KiB, from the stack
// pool) and block; then they exit. ReadMemStats flushes the per-P stack caches first, so the
// pool's spans hold only the blocked goroutines' stacks.
//
// Output (stdout):
//
//	ms <label> StackInuse=... StackSys=... HeapSys=...
//	   (labels: large_base, large_grown, large_exited, pool_base, pool_grown, pool_exited)
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
	"sync"
)

var (
	ready, done sync.WaitGroup
	release     chan struct{}
	ms          [6]runtime.MemStats
	sink        byte
)

//go:noinline
func deep1k(n int) byte {
	var buf [1024]byte
	buf[n%1024] = byte(n)
	if n == 0 {
		ready.Done()
		<-release
		return buf[0]
	}
	return deep1k(n-1) + buf[(n*7)%1024]
}

//go:noinline
func deep128(n int) byte {
	var buf [128]byte
	buf[n%128] = byte(n)
	if n == 0 {
		ready.Done()
		<-release
		return buf[0]
	}
	return deep128(n-1) + buf[(n*7)%128]
}

func phase(n int, f func(int) byte, depth int, m []runtime.MemStats) {
	release = make(chan struct{})
	ready.Add(n)
	done.Add(n)
	runtime.ReadMemStats(&m[0])
	for i := 0; i < n; i++ {
		go func() {
			sink += f(depth)
			done.Done()
		}()
	}
	ready.Wait()
	runtime.ReadMemStats(&m[1])
	close(release)
	done.Wait()
	runtime.ReadMemStats(&m[2])
}

func main() {
	oraclelib.Settle()
	phase(8, deep1k, 40, ms[0:3])
	phase(16, deep128, 30, ms[3:6])
	for i, label := range []string{"large_base", "large_grown", "large_exited", "pool_base", "pool_grown", "pool_exited"} {
		fmt.Printf("ms %s StackInuse=%d StackSys=%d HeapSys=%d\n", label, ms[i].StackInuse, ms[i].StackSys, ms[i].HeapSys)
	}
}
