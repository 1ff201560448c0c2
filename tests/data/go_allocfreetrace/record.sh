#!/bin/sh
# Records the Go 1.19 heap traces in this directory: the oracle programs jsonloop and maphalved
# (tests/oracle/go, GOPATH mode for their oraclelib) under GODEBUG=allocfreetrace=1, imported to
# the binary trace format (tests/oracle/recorded_oracle_programs_test.cpp replays them).
# Usage: tests/data/go_allocfreetrace/record.sh [SPANSCOPE_CLI]   (from anywhere; needs Debian's
# golang-1.19-go at /usr/lib/go-1.19/bin/go and a built spanscope-cli, default build/spanscope-cli)
#
# allocfreetrace traces the whole run from schedinit, with a stack per record on stderr: about
# 2 GB and 10 minutes for jsonloop, 270 MB and 1 minute for maphalved on the 2-core development
# machine, so only the import is kept (<name>.sst, zstd blocks). The programs get no argument:
# that argument starts Go's execution tracer, which allocates its own buffers. GOGC=10, as the
# Go 1.26 recordings (tests/data/go_exectrace/record.sh): frequent cycles, so that the sweeper
# reports each object dead soon after the program dropped it. The run's stdout (its "ms end"
# line) is printed, not kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=$(cd "$here/../../.." && pwd)/build/spanscope-cli
[ $# -ge 1 ] && cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
go=/usr/lib/go-1.19/bin/go
"$go" version | grep -q 'go1\.19\.' || { echo "record.sh: need Go 1.19 at $go, have: $("$go" version)" >&2; exit 1; }
[ -x "$cli" ] || { echo "record.sh: no spanscope-cli at $cli (build it, or give its path)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
record() { # name gogc
  (cd "$here/../../oracle/go/$1" && GO111MODULE=off GOPATH="$(cd .. && pwd)" GOFLAGS= GOTOOLCHAIN=local "$go" build -o "$tmp/$1" ./main.go)
  env -i GOMAXPROCS=1 GOGC=$2 GODEBUG=allocfreetrace=1 "$tmp/$1" 2> "$tmp/$1.txt"
  echo "$1: $(wc -c < "$tmp/$1.txt") bytes of allocfreetrace"
  (cd "$tmp" && "$cli" import "$1.txt" -o "$here/$1.sst")
  rm "$tmp/$1.txt"
}
record jsonloop 10
record maphalved 10
