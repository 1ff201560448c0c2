// Oracle program "lru": an LRU cache of byte slices (issue 12's LRU program, in a shape the test
// can replay event by event). Run it with GOGC=<n> (and GOMEMLIMIT=<bytes> if wanted); GOMAXPROCS=1.
//
// After oraclelib.Settle(), the cache's arrays are allocated: values [][]byte of `capacity` slots
// (the only pointerful object: the heap scan work of every cycle), then the list and index as
// int32 arrays (pointer-free). Then `ops` lookups of key k = hot or cold from the LCG
// x = x*6364136223846793005 + 1442695040888963407 (r = x>>33: k = r % hotKeys when r%4 != 0,
// else hotKeys + r % coldKeys). A hit moves the entry to the front; a miss allocates
// make([]byte, size(k)) with size(k) = 64 + (k*2654435761 % 4033) (64..4096 bytes), evicting the
// least recently used entry (its slice dropped) when the cache is full. No other allocation:
// tests/oracle/more_oracle_programs_test.cpp replays the same sequence.
//
// Output: "ms end NumGC=... NextGC=... HeapInuse=... HeapSys=... HeapReleased=... HeapAlloc=...
// NumForcedGC=..." after the loop.
package main

import (
	"fmt"
	"oraclelib"
	"runtime"
)

const (
	capacity = 20000
	hotKeys  = 16000
	coldKeys = 200000
	ops      = 2000000
)

var (
	values     [][]byte
	prev, next []int32
	keyOf      []int32
	slotOf     []int32 // key -> slot + 1 (0: not cached)
)

func size(k int) int { return 64 + int(uint64(k)*2654435761%4033) }

func main() {
	oraclelib.Settle()
	values = make([][]byte, capacity)
	prev = make([]int32, capacity)
	next = make([]int32, capacity)
	keyOf = make([]int32, capacity)
	slotOf = make([]int32, hotKeys+coldKeys)
	head, tail, used := int32(-1), int32(-1), int32(0)
	unlink := func(s int32) {
		if prev[s] >= 0 {
			next[prev[s]] = next[s]
		} else {
			head = next[s]
		}
		if next[s] >= 0 {
			prev[next[s]] = prev[s]
		} else {
			tail = prev[s]
		}
	}
	pushFront := func(s int32) {
		prev[s], next[s] = -1, head
		if head >= 0 {
			prev[head] = s
		}
		head = s
		if tail < 0 {
			tail = s
		}
	}
	x := uint64(1)
	for i := 0; i < ops; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		r := int(x >> 33)
		k := hotKeys + r%coldKeys
		if r%4 != 0 {
			k = r % hotKeys
		}
		if s := slotOf[k] - 1; s >= 0 {
			unlink(s)
			pushFront(s)
			continue
		}
		var s int32
		if used < capacity {
			s = used
			used++
		} else {
			s = tail
			unlink(s)
			slotOf[keyOf[s]] = 0
			values[s] = nil
		}
		values[s] = make([]byte, size(k))
		keyOf[s] = int32(k)
		slotOf[k] = s + 1
		pushFront(s)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("ms end NumGC=%d NextGC=%d HeapInuse=%d HeapSys=%d HeapReleased=%d HeapAlloc=%d NumForcedGC=%d\n",
		m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased, m.HeapAlloc, m.NumForcedGC)
	runtime.KeepAlive(values)
}
