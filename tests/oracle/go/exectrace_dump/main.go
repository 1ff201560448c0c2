// exectrace_dump: the Go team's parser (golang.org/x/exp/trace) as the oracle for spanscope's
// execution-trace reader (traces/go_exectrace.*). Prints, in the parser's order, every event of
// the AllocFree experiment and every GC begin/end, one per line:
//
//	info <minPageHeapAddr> <pageSize> <minHeapAlign> <fixedStack>   (per AllocFree info batch)
//	<EventName> <time ns> <thread> <proc> <raw args...>           (experimental events)
//	GCBegin|GCActive|GCEnd <time ns> <thread> <proc> [runtime.GC]
//
// "runtime.GC" ends a GCBegin whose stack has a frame of that function (a forced cycle).
//
// thread and proc are -1 when the parser reports none. With -count it prints only the number of
// events read (for timing the parser without formatting).
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"os"

	"golang.org/x/exp/trace"
)

func main() {
	count := flag.Bool("count", false, "only count events (for timing)")
	flag.Parse()
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			out.Flush()
			fail(err)
		}
		n++
		if *count {
			continue
		}
		switch ev.Kind() {
		case trace.EventSync:
			for _, b := range ev.Sync().ExperimentalBatches["AllocFree"] {
				printInfo(out, b.Data)
			}
		case trace.EventExperimental:
			x := ev.Experimental()
			fmt.Fprintf(out, "%s %d %d %d", x.Name, ev.Time(), id(int64(ev.Thread())), id(int64(ev.Proc())))
			for i := range x.Args {
				fmt.Fprintf(out, " %d", x.ArgValue(i).Uint64())
			}
			fmt.Fprintln(out)
		case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
			if ev.Range().Name != "GC concurrent mark phase" {
				continue
			}
			name := map[trace.EventKind]string{trace.EventRangeBegin: "GCBegin", trace.EventRangeActive: "GCActive", trace.EventRangeEnd: "GCEnd"}[ev.Kind()]
			fmt.Fprintf(out, "%s %d %d %d", name, ev.Time(), id(int64(ev.Thread())), id(int64(ev.Proc())))
			if ev.Kind() == trace.EventRangeBegin {
				for f := range ev.Stack().Frames() {
					if f.Func == "runtime.GC" {
						fmt.Fprint(out, " runtime.GC")
						break
					}
				}
			}
			fmt.Fprintln(out)
		}
	}
	if *count {
		fmt.Fprintln(out, n)
	}
}

// The AllocFree info batch: a byte 1, then uvarints minPageHeapAddr, pageSize, minHeapAlign,
// fixedStack (runtime/traceallocfree.go). Types batches (first byte 0) are not printed.
func printInfo(out *bufio.Writer, data []byte) {
	if len(data) == 0 || data[0] != 1 {
		return
	}
	data = data[1:]
	fmt.Fprint(out, "info")
	for i := 0; i < 4; i++ {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			fail(fmt.Errorf("bad info batch"))
		}
		data = data[n:]
		fmt.Fprintf(out, " %d", v)
	}
	fmt.Fprintln(out)
}

func id(v int64) int64 {
	if v < 0 {
		return -1
	}
	return v
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "exectrace_dump:", err)
	os.Exit(1)
}
