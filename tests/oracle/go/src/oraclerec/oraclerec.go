// Package oraclerec: what the recorded oracle programs (jsonloop, maphalved) share. Each traces
// itself only when given a file (the recording, tests/data/go_exectrace/record.sh) and prints one
// "ms end" MemStats line that tests/oracle/recorded_oracle_programs_test.cpp reads. Nothing here
// allocates beyond what tracing itself does, so untraced runs are the programs' own allocations.
package oraclerec

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
)

// StartTrace starts a runtime/trace trace into os.Args[1] when the program has an argument and
// returns its file (nil: nothing is traced).
func StartTrace() *os.File {
	if len(os.Args) < 2 {
		return nil
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	return f
}

// StopTrace stops the trace StartTrace started, if any.
func StopTrace(f *os.File) {
	if f != nil {
		trace.Stop()
		f.Close()
	}
}

// PrintEnd prints the end-of-run MemStats line: "ms end NumGC=... NumForcedGC=...".
func PrintEnd() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("ms end NumGC=%d NextGC=%d HeapInuse=%d HeapSys=%d HeapReleased=%d HeapAlloc=%d NumForcedGC=%d\n",
		m.NumGC, m.NextGC, m.HeapInuse, m.HeapSys, m.HeapReleased, m.HeapAlloc, m.NumForcedGC)
}
