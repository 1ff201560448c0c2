#!/bin/sh
# Records the Go execution traces (alloc/free experiment) in this directory with Go 1.26.
# Usage: tests/data/go_exectrace/record.sh   (from anywhere; needs `go` 1.26 on PATH)
#
# Each program under src/ writes a runtime/trace trace to the file named by its argument and
# prints a sidecar on stdout: "addr <label> <size> <scan|noscan> <%p>" for a few objects it
# allocated while tracing, and "memstats before|after {json}" read right before trace.Start and
# right after trace.Stop. Built with GOEXPERIMENT=norandomizedheapbase64 so the heap starts at
# 0xc000000000 as in Go 1.19 and the addresses repeat from run to run.
#
# The oracle programs jsonloop and maphalved (tests/oracle/go, GOPATH mode for their oraclelib)
# trace themselves when given a file and print their "ms end" line; their recordings are
# zstd-compressed (<name>.trace.zst) and recorded at GOGC=10, so that the sweeper reports each
# object dead soon after the program dropped it (tests/oracle/recorded_oracle_programs_test.cpp).
set -eu
cd "$(dirname "$0")"
go version | grep -q 'go1\.26' || { echo "record.sh: need Go 1.26 as go on PATH, have: $(go version)" >&2; exit 1; }
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
record() { # name gomaxprocs gogc out [argument after the trace file]
  GOEXPERIMENT=norandomizedheapbase64 go build -o "$bin/$1" "src/$1/main.go"
  GODEBUG=traceallocfree=1 GOMAXPROCS=$2 GOGC=$3 "$bin/$1" "$4.trace" ${5:+"$5"} > "$4.sidecar.txt"
  echo "$4.trace: $(wc -c < "$4.trace") bytes"
}
record_oracle() { # name gogc
  (cd ../../oracle/go/$1 && GO111MODULE=off GOPATH="$(cd .. && pwd)" GOFLAGS= GOEXPERIMENT=norandomizedheapbase64 go build -o "$bin/$1" ./main.go)
  env -i GOMAXPROCS=1 GOGC=$2 GODEBUG=traceallocfree=1 "$bin/$1" "$bin/$1.trace"
  zstd -19 -q -f "$bin/$1.trace" -o "$1.trace.zst"
  echo "$1.trace.zst: $(wc -c < "$1.trace.zst") bytes"
}
record churn 1 100 churn
record list 1 off list
record maps 1 off maps
record workers 1 100 workers
record workers 4 100 workers_p4
record goparse 1 100 goparse /usr/lib/go-1.19/src
record seed 1 off seeds/seed
rm seeds/seed.sidecar.txt
record_oracle jsonloop 10
record_oracle maphalved 10
