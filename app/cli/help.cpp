// spanscope-cli: help texts. Engine design essay: sim/malloc.h.
#include "app/cli/cli.h"

namespace cli {

const char* const kMainHelp =
    R"(spanscope-cli: replay allocation traces through a model of Go 1.19's memory allocator.

usage:
  spanscope-cli replay TRACE [options]   replay any trace and report the heap (see replay --help)
  spanscope-cli compare TRACE [--tables A,B,...]
                                         the same trace under several size-class tables
  spanscope-cli classes [options]        print, list, export, generate or optimise size-class tables
  spanscope-cli record [-o FILE] -- PROGRAM ARGS
                                         run PROGRAM and record its mallocs as a binary trace
  spanscope-cli record-go [-o FILE] -- go test ARGS | PROGRAM ARGS-with-{trace}
                                         record a Go 1.23+ program's heap as an execution trace
  spanscope-cli import FILE -o OUT [--json] [--no-zstd]
                                         convert any trace spanscope reads to binary (or JSON)
  spanscope-cli info FILE [--json]       events, threads, duration, sizes by class, peak live
  spanscope-cli gen NAME [--param K=V ...] [--seed S] [-o FILE] [--json]
                                         synthesize a workload trace (gen --list shows them)
  spanscope-cli help [COMMAND]           this text, or a command's
  spanscope-cli --help

exit codes:
  0   ok
  1   the engine rejected an event of the trace (dead id, double free, absurd size) or ran out
      of simulated memory; the message names the event index
  2   cannot read an input file (trace, --config, --table; the message names file and line)
      or write an output file (--dump-state)
  3   --check-invariants found a violation
  64  bad command line
)";

const char* const kReplayHelp =
    R"(usage: spanscope-cli replay TRACE [options]

Replays the events of TRACE (a spanscope JSON trace) through the engine and prints a report:
MemStats, the waste ledger, how many events took each allocator path, and the size classes
with spans in use.

options:
  --go 1.19|1.26         the Go release modelled (default 1.19; a trace whose meta.go_version says
                         go1.23 or later defaults to 1.26): 1.26 adds allocation headers, heap
                         bits and Green Tea's inline mark bits at span ends, the split mallocgc
  --config FILE          replay config JSON: {"go_version", "gomaxprocs", "liveness", "gogc", "sweep",
                         "memory_limit", "scavenger", "tiny", "max_heap_bytes", "size_classes"};
                         relative table paths are taken
                         from the config file's directory
  --procs N              GOMAXPROCS (1..1024); trace threads map to Ps in order of first use
  --liveness gc|immediate
                         gc: a freed object's slot is reclaimed when a GC cycle sweeps its span
                         (Go semantics); immediate: at the free (malloc-style)
  --gogc N|off           the GOGC pacer target (gc liveness only)
  --sweep lazy|eager     how a cycle the pacer starts sweeps: eager (all at once) or lazy
                         (default, as Go: spans are swept by allocation, the page reclaimer, sweep
                         credit and one span per event by the background sweeper); a gc event
                         (runtime.GC()) always sweeps everything
  --memory-limit BYTES   GOMEMLIMIT: the pacer's heap goal stays under it (with --gogc off
                         too) and allocations scavenge released memory (default 0 = none)
  --mark concurrent|instant
                         concurrent (default, as Go): a triggered GC marks over the following
                         events (allocate-black, mark assists, background worker on the cost
                         model's clock); instant: it marks and terminates in the triggering event
  --gc-cycles trace|pacer
                         a Go trace's recorded background GC cycles: trace (the Go traces'
                         default) replays them (lazy sweep; the engine's pacer starts none);
                         pacer drops them and lets the pacer collect (with --gogc N or
                         --memory-limit); cycles forced by runtime.GC() replay either way
  --trace-gaps idle|running
                         a timed trace's time between events beyond their modelled cost: idle
                         Ps (default; idle GC workers mark in it) or the goroutine running
                         (sysmon's 10 ms preemption clock runs through it, and with it the
                         fractional mark worker; a GOMAXPROCS=1 program that computes)
  --globals-bytes BYTES  pointerful globals scanned each cycle (Go: globalsScan; default 0)
  --scavenger on|off     return free pages to the OS after GC cycles and heap growth (default
                         on; debug.FreeOSMemory events scavenge either way)
  --table NAME|FILE      size-class table: go1.19 (built in, the default) or a JSON table file
  --until N              replay only events 0..N-1 (default: all)
  --report text|json|none
                         report format on stdout (default text; json has stable snake_case keys)
  --steps                print one line per event before the report:
                           #index  P<p>  <what happened>
                               go: <the Go functions on the path>
                               lesson: <annotation text>
                         (to stderr with --report json, so stdout stays one JSON document)
  --dump-state FILE      write the engine state after the last replayed event as JSON
                         (spans, bitmaps, mcaches, page cache, mcentral sets, MemStats, ledger);
                         written to FILE.tmp.<pid> first, then renamed
  --check-invariants     check the engine's invariants after every event; stop at the first
                         violation with exit code 3
  --locks mutex|lockfree turn on the timing and lock model (a model, not a measurement): the
                         Ps' clocks, modelled costs, waits on mheap.lock and on mcentral as one
                         mutex per span class (mutex: Go <= 1.14, the textbook) or as lock-free
                         span sets with a spineLock per 512 spans (lockfree: Go 1.15+, default);
                         adds a "locks" section to the report and a "time:" line to --steps
  --cost-model FILE      the model's costs in ns (JSON; default: the built-in go1.19-amd64,
                         also shipped as assets/cost_models/go1.19-amd64.json); turns timing on
  --clock trace|model    when an event may start: trace (default) = at its trace time or when
                         its P is free, whichever is later; model = trace times ignored: as
                         soon as its P is free (each P runs its events back to back; a free
                         waits until its object's allocation has ended; events without a time
                         always start so); turns timing on
  --time-from N          time only events N, N+1, ... (the ones before, e.g. a benchmark's
                         set-up, run untimed); turns timing on
  -h, --help             this text

settings, from weakest to strongest: built-in defaults (1 P, gc, GOGC 100, go1.19, tiny on)
  < the trace's "meta.config" < the --config file < command-line flags.

exit codes: 0 ok, 1 engine error in the trace (message: TRACE: event #N (op id ID): why),
  2 cannot read input (or write --dump-state), 3 invariant violated, 64 usage.
)";

const char* const kCompareHelp =
    R"(usage: spanscope-cli compare TRACE [--tables A,B,... | --profiles go1.19,go1.26] [--report text|json|csv|md] [-o FILE] [--chart PNG]
                             [--go 1.19|1.26] [--config FILE] [--procs N] [--liveness gc|immediate] [--gogc N|off]
                             [--sweep lazy|eager] [--memory-limit BYTES] [--mark concurrent|instant] [--gc-cycles trace|pacer] [--globals-bytes BYTES]
                             [--trace-gaps idle|running] [--scavenger on|off]

Replays TRACE (any supported format, read once) under several size-class tables side by side and
reports, per table: peak and mean HeapInuse and HeapSys, live bytes, rounding waste, tail waste,
free slots in in-use spans, free and released pages at the end, spans created, mcache refills,
mcentral grows and heap growths. In text and Markdown the lowest value of each ranked figure is
marked (* or bold). JSON adds HeapInuse over the trace for each table.

options:
  --tables A,B,...   library names or JSON table files (default: go1.19,tcmalloc,jemalloc,
                     mimalloc,glibc16,pow2; see spanscope-cli classes --list)
  --profiles go1.19,go1.26
                     instead of tables: the same trace under each Go release's allocator
                     (HeapInuse, rounding, malloc headers, span-end metadata, spans, refills,
                     GC cycles side by side)
  --report FORMAT    text (default), json, csv or md
  -o, --output FILE  write the report there (atomically) instead of standard output
  --chart FILE.png   also draw a chart: each table's heap at the end by category (live,
                     rounding, tail, free slots, dead, free and released pages) beside
                     HeapInuse over the trace
  --go, --config, --procs, --liveness, --gogc, --sweep, --memory-limit, --mark, --gc-cycles,
  --trace-gaps, --globals-bytes, --scavenger
                     as for replay; the same for every table
  --locks mutex|lockfree, --cost-model FILE, --clock trace|model, --time-from N
                     as for replay: the timing and lock model for every table; adds a
                     "Locks and time" table (JSON: a "locks" object per table; CSV: columns)

A table whose simulated heap runs out stops (its figures are up to that point); a bad event in
the trace stops everything (exit 1).
exit codes: 0 ok, 1 the trace is bad for the engine, 2 cannot read an input, 64 usage.
)";

const char* const kClassesHelp =
    R"(usage: spanscope-cli classes [--table NAME|FILE] [--json] [-o FILE]
       spanscope-cli classes --list
       spanscope-cli classes --generate [--page-size N] [--max-small N] [--waste-div N]
                                        [--min-align N] [--max-align N] [--json] [-o FILE]
       spanscope-cli classes --optimize TRACE [--classes N] [--step N] [--no-tiny] [--json] [-o FILE]

Prints a size-class table in the layout of the header comment of Go's sizeclasses.go (class,
bytes/obj, bytes/span, objects, tail waste, max waste, min align), or as JSON (--json), which
--table, --config and compare --tables read back.

options:
  --table NAME|FILE      a library table (go1.19, the default; see --list) or a JSON table file
  --list                 the table library: names, what each is, where its numbers come from
  --generate             build the table with mksizeclasses' rules instead; knobs:
    --page-size N        bytes per page of a span (1024..1048576; default 8192)
    --max-small N        largest small-object size (default 32768)
    --waste-div N        tail waste per span at most span/N (2..1024; default 8, i.e. 12.5%)
    --min-align N        size step of the smallest classes (default 8)
    --max-align N        size step of the largest classes (default 256)
  --optimize TRACE       design the table for TRACE's request sizes: the exact minimum of
                         expected rounding + tail waste (dynamic programming), compared with
                         go1.19's on the same requests; knobs:
    --classes N          class budget (default 67, as Go)
    --step N             candidate sizes are multiples of N (default 8)
    --no-tiny            do not keep the 16-byte class the tiny allocator needs
  --json                 JSON instead of the Go comment layout
  -o, --output FILE      write there (atomically) instead of standard output
  -h, --help             this text

exit codes: 0 ok, 2 cannot read the table or trace, 64 usage.
)";

const char* const kRecordHelp =
    R"(usage: spanscope-cli record [-o FILE] [--] PROGRAM [ARGS...]

Runs PROGRAM with libspanscope-record.so preloaded (LD_PRELOAD; the library is built beside
spanscope-cli) and writes every malloc, free, calloc, realloc, reallocarray, posix_memalign,
aligned_alloc, memalign, valloc and pvalloc it made as a native binary trace, with thread
numbers and monotonic nanosecond times. realloc becomes a free and an allocation. Then it
prints a summary: calls per function, events, threads, blocks and bytes live at exit.

Only PROGRAM itself is recorded: not the programs it starts (exec) and not fork children. A
wrapper that replaces itself with the real program (bash -c CMD, a pyenv shim) gives a nearly
empty trace and a warning: record the final program. Static and setuid programs ignore
LD_PRELOAD and cannot be recorded. Records still buffered when the program is killed by a
signal are lost (the summary says so). The recorder's log (in $TMPDIR) stays out of PROGRAM's
files, whatever PROGRAM does with its descriptors; if a write to it fails ($TMPDIR full), the
recording stops there: the trace is still written, its description starts with INCOMPLETE, and
the exit code is 2 with the reason.

options:
  -o, --output FILE      the trace to write (default: <PROGRAM's name>.spanscope.bin in the
                         current directory); written to FILE.tmp.<pid>, then renamed
  -h, --help             this text

Everything from PROGRAM on is PROGRAM's (use -- if its name starts with '-').

exit codes: 0 the trace was written (whatever PROGRAM's own exit status, which the summary
  shows), 2 the recording failed (PROGRAM cannot be run, did not load the recorder, the
  recorder could not write its whole log, or the trace cannot be written), 64 usage.
)";

const char* const kRecordGoHelp =
    R"(usage: spanscope-cli record-go [-o FILE] [--] go test [ARGS...]
       spanscope-cli record-go [-o FILE] [--] PROGRAM [ARGS with {trace}...]

Runs a Go program (Go 1.23 or later) with GODEBUG=traceallocfree=1 added to GODEBUG, so the
execution trace it writes carries every heap span, object allocation and free, goroutine stack
and GC cycle; then reads that trace back and prints the import summary. spanscope reads the
file like any trace (replay, import, info; README "Go execution traces").

A Go program writes an execution trace only when it asks for one, so:
  go test ...        gets -trace=FILE after "test" (one package at a time, as go test -trace
                     requires)
  PROGRAM ...        must pass a file name from its arguments to runtime/trace.Start: write
                     {trace} where that name goes, e.g. record-go -- ./server -trace {trace}
Reproducible addresses need a program built with GOEXPERIMENT=norandomizedheapbase64 (Go 1.26
randomizes the heap base otherwise).

options:
  -o, --output FILE      the trace (default: go.trace); removed first, so a stale one cannot pass
  -h, --help             this text

exit codes: 0 the program succeeded and its trace reads, 2 the program failed, wrote no trace,
  or wrote one that does not read (the message names the byte), 64 usage.
)";

const char* const kImportHelp =
    R"(usage: spanscope-cli import FILE -o OUT [--json] [--no-zstd]

Reads FILE in any format spanscope knows, recognised by its content (spanscope binary or JSON,
heaptrack, glibc mtrace, ltrace, Go allocfreetrace, Go execution traces with alloc/free events;
plain, gzip or zstd; "-" = standard input),
writes it as a spanscope binary trace (docs/binary-trace-format.md) or, with --json, as a
spanscope JSON trace, and prints the import summary (events, threads, orphan frees, lines the
importer skipped, the producer's own figures beside ours).

options:
  -o, --output OUT       the trace to write; written to OUT.tmp.<pid>, then renamed, so a failed
                         import leaves nothing behind. "-" = standard output (binary only; the
                         summary then goes to standard error)
  --json                 write JSON (holds the whole trace in memory: for small traces)
  --no-zstd              binary blocks without zstd (bigger, a little faster to read)
  -h, --help             this text

exit codes: 0 ok, 2 cannot read FILE (the message names file and line or byte) or write OUT,
  64 usage.
)";

const char* const kInfoHelp =
    R"(usage: spanscope-cli info FILE [--json]

Reads FILE (any format spanscope knows) once and prints: its format, events by kind, threads,
duration (first to last time stamp), peak live requested bytes and objects (and the event
after which each peak was reached), the request sizes by Go 1.19 size class (count, noscan
count, requested bytes, bytes lost to rounding up to the class size; large objects grouped by
pages), and the reader's summary. Memory follows the trace's live objects, not its length.

options:
  --json                 the same as one JSON object (stable snake_case keys)
  -h, --help             this text

exit codes: 0 ok, 2 cannot read FILE, 64 usage.
)";

const char* const kGenHelp =
    R"(usage: spanscope-cli gen NAME [--param K=V ...] [--seed S] [-o FILE] [--json]
       spanscope-cli gen --list [NAME]

Writes a synthetic workload trace: allocation patterns after mimalloc-bench (larson, xmalloc-test,
mstress, rptest, sh6bench, sh8bench, cache-scratch, cache-thrash, glibc-simple, glibc-thread,
alloc-test, malloc-large, mleak) and Go-shaped ones (go-append, go-strings, go-map). Events are
made on demand and written as they come, so memory follows the simulated program's live set,
not the number of events: `gen larson --param events=1000000000 -o - | spanscope-cli replay -`
works. The same name, parameters and seed give the same bytes on every run and platform.

Every event has a thread and a time in ns. Each simulated thread has its own clock: an alloc
costs 20 ns plus the bytes the benchmark writes into the block at 16 B/ns, a free 15 ns, each
scaled by a factor in [7/8, 9/8] from the seed; the benchmark's own work between calls is
added; a new thread starts 20 us after it is created, a woken thread 2 us after the wake-up.
Events come out in time order (ties in a fixed thread order). The trace suggests gomaxprocs = the
number of simulated threads and liveness immediate (C benchmarks) or gc (Go shapes).

options:
  --param K=V            set parameter K (repeatable); see gen --list for names, defaults,
                         ranges and meanings. Every generator has `events` (trace length).
  --seed S               PRNG seed (0..2^64-1; default 1)
  -o, --output FILE      where to write (default: standard output, which must not be a
                         terminal for binary); written to FILE.tmp.<pid>, then renamed
  --json                 write the JSON trace format instead of binary (at most 10^7 events)
  --list [NAME]          every generator (or one) with its description and parameters
  -h, --help             this text

The trace's meta.source is the full command line (every parameter), so it can be made again.

exit codes: 0 ok, 2 cannot write the output, 64 usage (unknown generator or parameter, a value
  out of range), 70 internal error (a generator bug).
)";

} // namespace cli
