// Costs of Go 1.19 allocator paths, for spanscope's default cost model (assets/cost_models/).
// The numbers behind assets/cost_models/go1.19-amd64.json (see its "measured_on" and "source"s):
//
//	cd tests/bench/go_costs && GOMAXPROCS=1 /usr/lib/go-1.19/bin/go test -run=NONE -bench='^Benchmark[^N]' -benchtime=0.5s -count=3
//	for b in NoGCRefill8K:20000x NoGCLarge40K:5000x NoGCLarge200K:2000x NoGCLarge1M:400x NoGCSmall64:2000000x; do
//	  GOMAXPROCS=1 /usr/lib/go-1.19/bin/go test -run=NONE -bench="^Benchmark${b%%:*}\$" -benchtime=${b##*:} -count=1; done
//	GOMAXPROCS=1 GODEBUG=gctrace=1 /usr/lib/go-1.19/bin/go run ./gctrace
//
// Each benchmark also reports cpu-ns/op: process CPU time (all threads) per operation, which a
// busy machine does not inflate the way it inflates wall time.
package costbench

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// Process CPU time in ns (all threads: background GC work counts; descheduling on a busy
// machine does not).
func cpuNow() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// Heap profiling samples an allocation every 512 KiB by default (a stack walk of ~10 µs); that is
// not allocator work, so it is off while measuring.
func init() { runtime.MemProfileRate = 0 }

var sinkP *int32
var sinkB []byte
var sinkS [][]byte
var sink16 *[2]uintptr

// Tiny allocator: 4-byte noscan objects, 3 of 4 are tiny hits (a new 16 B block every 4th).
func BenchmarkTiny4(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sinkP = new(int32)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// Small noscan object: nextFreeFast almost always (one refill per 512 objects).
func BenchmarkSmall16(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sink16 = new([2]uintptr)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkSmall64(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sinkB = make([]byte, 64)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// One 8 KiB object per span (class 51: 8192 B, 1 page, 1 object): every allocation
// refills (uncacheSpan + cacheSpan: a swept span or mcentral.grow -> allocSpan from the page cache).
func BenchmarkRefill8K(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sinkB = make([]byte, 8192)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// Zeroing 8 KiB, to subtract from Refill8K (reused memory needs zeroing).
func BenchmarkClear8K(b *testing.B) {
	start := cpuNow()
	buf := make([]byte, 8192)
	for i := 0; i < b.N; i++ {
		for j := range buf {
			buf[j] = 0
		}
	}
	sinkB = buf
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// Large object of 5 pages: allocLarge, pages from the P's page cache; freed by the sweeper.
func BenchmarkLarge40K(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sinkB = make([]byte, 40000)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkClear40K(b *testing.B) {
	start := cpuNow()
	buf := make([]byte, 40000)
	for i := 0; i < b.N; i++ {
		for j := range buf {
			buf[j] = 0
		}
	}
	sinkB = buf
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// Large object of 25 pages: always pageAlloc.alloc under the heap lock; freeSpan at sweep.
func BenchmarkLarge200K(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		sinkB = make([]byte, 200000)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkClear200K(b *testing.B) {
	start := cpuNow()
	buf := make([]byte, 200000)
	for i := 0; i < b.N; i++ {
		for j := range buf {
			buf[j] = 0
		}
	}
	sinkB = buf
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// A full GC cycle on a small heap (a few spans): STW phases, mark, sweep.
func BenchmarkGCSmallHeap(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// A GC cycle with ~10000 live 1 KiB objects (~1250 spans): the per-span part of mark and sweep.
func BenchmarkGC10MiBHeap(b *testing.B) {
	live := make([][]byte, 10000)
	for i := range live {
		live[i] = make([]byte, 1024)
	}
	sinkS = live
	runtime.GC()
	b.ResetTimer()
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkReadMemStats(b *testing.B) {
	start := cpuNow()
	var ms runtime.MemStats
	for i := 0; i < b.N; i++ {
		runtime.ReadMemStats(&ms)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// An uncontended lock/unlock pair (runtime.mutex and sync.Mutex both take one atomic each way).
func BenchmarkMutexPair(b *testing.B) {
	start := cpuNow()
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		mu.Lock()
		mu.Unlock()
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// One atomic read-modify-write (spanSet push/pop: an atomic add or a CAS on head/tail).
func BenchmarkAtomicAdd(b *testing.B) {
	start := cpuNow()
	var x uint64
	for i := 0; i < b.N; i++ {
		atomic.AddUint64(&x, 1)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// sysMap of a 4 MiB chunk and sysReserve of a 64 MiB arena: mmap calls.
func BenchmarkMmap4MiB(b *testing.B) {
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		m, err := syscall.Mmap(-1, 0, 4<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			b.Fatal(err)
		}
		syscall.Munmap(m)
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
}

// With the GC off, fresh memory needs no zeroing and nothing is swept: what remains is the
// allocation path itself (plus, amortised, page-cache refills, mspan refills and heap growth).
func noGC(b *testing.B, f func()) {
	old := debug.SetGCPercent(-1)
	defer func() {
		sinkB, sinkS = nil, nil
		debug.SetGCPercent(old)
		runtime.GC()
	}()
	keep := make([][]byte, 0, b.N)
	runtime.GC()
	b.ResetTimer()
	start := cpuNow()
	for i := 0; i < b.N; i++ {
		f()
		keep = append(keep, sinkB) // keep it live: no reuse, so no zeroing
	}
	b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
	sinkS = keep
}

// Every allocation: refill (uncacheSpan of the full span) + cacheSpan -> mcentral.grow ->
// allocSpan from the page cache (refilled every 64 allocations, heap grown every 512).
func BenchmarkNoGCRefill8K(b *testing.B) { noGC(b, func() { sinkB = make([]byte, 8192) }) }

// 5 pages: allocLarge + allocSpan from the page cache (refilled every 12 allocations).
func BenchmarkNoGCLarge40K(b *testing.B) { noGC(b, func() { sinkB = make([]byte, 40000) }) }

// 25 pages: allocLarge + allocSpan under the heap lock (pageAlloc.alloc; grow every 20).
func BenchmarkNoGCLarge200K(b *testing.B) { noGC(b, func() { sinkB = make([]byte, 200000) }) }

// 1 MiB = 128 pages: the heap grows (sysMap of a 4 MiB chunk) every 4th allocation.
func BenchmarkNoGCLarge1M(b *testing.B) { noGC(b, func() { sinkB = make([]byte, 1<<20) }) }

// A 64 B slot, refill every 128 (for comparison with Small64 with the GC on).
func BenchmarkNoGCSmall64(b *testing.B) { noGC(b, func() { sinkB = make([]byte, 64) }) }
