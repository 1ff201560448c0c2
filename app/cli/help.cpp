// spanscope-cli: help texts. Engine design essay: sim/malloc.h.
#include "app/cli/cli.h"

namespace cli {

const char* const kMainHelp =
    R"(spanscope-cli: replay allocation traces through a model of Go 1.19's memory allocator.

usage:
  spanscope-cli replay TRACE [options]   replay a JSON trace and report the heap (see replay --help)
  spanscope-cli classes [options]        print a size-class table as in Go's sizeclasses.go
  spanscope-cli help [replay|classes]    this text, or a command's
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
  --config FILE          replay config JSON: {"gomaxprocs", "liveness", "gogc", "tiny",
                         "max_heap_bytes", "size_classes"}; relative table paths are taken
                         from the config file's directory
  --procs N              GOMAXPROCS (1..1024); trace threads map to Ps in order of first use
  --liveness gc|immediate
                         gc: a freed object's slot is reclaimed when a GC cycle sweeps its span
                         (Go semantics); immediate: at the free (malloc-style)
  --gogc N|off           the GOGC pacer target (gc liveness only)
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
  -h, --help             this text

settings, from weakest to strongest: built-in defaults (1 P, gc, GOGC 100, go1.19, tiny on)
  < the trace's "meta.config" < the --config file < command-line flags.

exit codes: 0 ok, 1 engine error in the trace (message: TRACE: event #N (op id ID): why),
  2 cannot read input (or write --dump-state), 3 invariant violated, 64 usage.
)";

const char* const kClassesHelp =
    R"(usage: spanscope-cli classes [--table NAME|FILE]
       spanscope-cli classes --generate [--page-size N] [--max-small N] [--waste-div N]
                                        [--min-align N] [--max-align N]

Prints a size-class table in the layout of the header comment of Go's sizeclasses.go (class,
bytes/obj, bytes/span, objects, tail waste, max waste, min align).

options:
  --table NAME|FILE      go1.19 (built in, the default) or a JSON size-class table file
  --generate             build the table with mksizeclasses' rules instead; knobs:
    --page-size N        bytes per page of a span (1024..1048576; default 8192)
    --max-small N        largest small-object size (default 32768)
    --waste-div N        tail waste per span at most span/N (2..1024; default 8, i.e. 12.5%)
    --min-align N        size step of the smallest classes (default 8)
    --max-align N        size step of the largest classes (default 256)
  -h, --help             this text

exit codes: 0 ok, 2 cannot read the table file, 64 usage.
)";

} // namespace cli
