// Oracle program "maphalved": a map grown then halved (issue 12's map program). A map[int][]byte
// is grown to `entries` keys, every even key is deleted, then `ops` steady-state replacements of
// the value of a random remaining key (the old slice dropped). Go's maps never shrink: the table
// sized for `entries` keys stays allocated after half of them are gone. Run it with GOGC=<n> (and
// GOMEMLIMIT=<bytes>); GOMAXPROCS=1.
//
// The map's own allocations (its directory, tables and groups, placed by a random hash seed)
// cannot be written out by hand, so the test replays a recording of this program: `maphalved
// TRACEFILE` writes a runtime/trace trace (run with GODEBUG=traceallocfree=1;
// tests/data/go_exectrace/record.sh), started after oraclelib.Settle() and stopped before the final
// ReadMemStats. Without an argument nothing is traced.
//
// Output: as the jsonloop program, "ms end ...".
package main

import (
	"oraclelib"
	"oraclerec"
	"runtime"
)

const (
	entries = 8000
	ops     = 120000
)

var m map[int][]byte

// size(k) = 64..2751 bytes, ~1408 on average.
func size(k int) int { return 64 + int(uint64(k)*2654435761%2688) }

func main() {
	oraclelib.Settle()
	f := oraclerec.StartTrace()
	m = make(map[int][]byte)
	for k := 0; k < entries; k++ {
		m[k] = make([]byte, size(k))
	}
	for k := 0; k < entries; k += 2 {
		delete(m, k)
	}
	x := uint64(1)
	for i := 0; i < ops; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		k := int(x>>33)%(entries/2)*2 + 1 // an odd key: one that stayed
		m[k] = make([]byte, size(k+i))
	}
	oraclerec.StopTrace(f)
	oraclerec.PrintEnd()
	runtime.KeepAlive(m)
}
