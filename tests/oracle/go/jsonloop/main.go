// Oracle program "jsonloop": a JSON round-trip loop (issue 12's JSON program). A catalogue of
// `records` structs is encoded with encoding/json and decoded into a fresh []Record every round;
// the last `window` rounds' results (the encoded bytes and the decoded slice) stay alive, so the
// heap is steady after `window` rounds. Run it with GOGC=<n> (and GOMEMLIMIT=<bytes>);
// GOMAXPROCS=1.
//
// encoding/json's allocations cannot be written out by hand, so the test replays a recording of
// this program: `jsonloop TRACEFILE` writes a runtime/trace trace of the loop (run with
// GODEBUG=traceallocfree=1; tests/data/go_exectrace/record.sh), started after oraclelib.Settle()
// and stopped before the final ReadMemStats. Without an argument nothing is traced.
//
// Output: "ms end NumGC=... NextGC=... HeapInuse=... HeapSys=... HeapReleased=... HeapAlloc=...
// NumForcedGC=..." after the loop (tests/oracle/recorded_oracle_programs_test.cpp).
package main

import (
	"encoding/json"
	"fmt"
	"oraclelib"
	"oraclerec"
	"runtime"
	"strings"
)

const (
	records = 64
	window  = 24
	rounds  = 400
)

type Record struct {
	ID     int64     `json:"id"`
	Name   string    `json:"name"`
	Email  string    `json:"email"`
	Active bool      `json:"active"`
	Tags   []string  `json:"tags"`
	Scores []float64 `json:"scores"`
	Note   string    `json:"note"`
}

type result struct {
	encoded []byte
	decoded []Record
}

var (
	catalogue []Record
	kept      [window]result
)

func main() {
	oraclelib.Settle()
	f := oraclerec.StartTrace()
	catalogue = make([]Record, records)
	for i := range catalogue {
		catalogue[i] = Record{
			ID:     int64(i),
			Name:   fmt.Sprintf("customer %d", i),
			Email:  fmt.Sprintf("customer%d@example.com", i),
			Tags:   []string{"tag" + fmt.Sprint(i%7), "region" + fmt.Sprint(i%5), "tier" + fmt.Sprint(i%3)},
			Scores: make([]float64, 8),
			Note:   strings.Repeat("lorem ipsum dolor sit amet ", 20+i%60), // 540..2133 B
		}
	}
	for r := 0; r < rounds; r++ {
		for i := range catalogue { // every round encodes different numbers
			c := &catalogue[i]
			c.Active = (r+i)%2 == 0
			for j := range c.Scores {
				c.Scores[j] = float64(r*31+i*7+j) / 8
			}
		}
		enc, err := json.Marshal(catalogue)
		if err != nil {
			panic(err)
		}
		var dec []Record
		if err := json.Unmarshal(enc, &dec); err != nil {
			panic(err)
		}
		kept[r%window] = result{enc, dec}
	}
	oraclerec.StopTrace(f)
	oraclerec.PrintEnd()
	runtime.KeepAlive(catalogue)
}
