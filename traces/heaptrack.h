// heaptrack importer: the interpreted files heaptrack_print reads (`heaptrack -o F prog` → F.zst)
// and the raw files `heaptrack --raw` writes (F.raw.zst), zstd, gzip or plain, file formats 1–3.
// Format facts and the policies below, for users: README.md, "Importing heaptrack".
//
// What becomes an event: `+` is an allocation, `-` a free; realloc is already written as `-` then
// `+` by heaptrack, so it stays two events. Every other record (`s` strings, `i` resolved IPs, `t`
// call-stack nodes, `X` command line, `I` system info, `R` RSS, `m`/`x` raw module lines, `S`
// suppressions, `A` attach marker) is parsed as known and produces no event; `a` lines fill the
// allocation-info table (size, call stack). Records with an unknown tag are counted
// (summary.unknownLines) and skipped. The file formats differ only in string records (v3 prefixes
// them with their length), which we count but never need, so all three read alike.
//
// Identity of objects:
//  - raw files carry the returned pointer: `+ size trace ptr` and `- ptr` map through IdMap. A free
//    of a pointer that is not live is an orphan free (memalign/pvalloc blocks, which heaptrack does
//    not hook), counted and dropped. An allocation at a pointer that is still live means its free
//    was not recorded: the old object is freed first (a Free event) and counted in the notes.
//  - interpreted files carry no addresses: `- k` only says "one live object of allocation info k
//    died". Policy: it ends the most recently allocated live object of info k (LIFO per info), the
//    usual fate of temporaries. Byte counts are exact either way; which object dies, and so where
//    the engine places later objects, is a guess — import the raw file for address-accurate replay.
//    A `- k` with no live object of info k is an orphan free (heaptrack_interpret never writes one).
//
// Each event gets the last `c` time stamp (ms since start, monotonic; 0 before the first `c`),
// converted to ns. heaptrack records no thread ids, so every event is on thread 0. Every
// allocation is noscan: C heap memory is not scanned by a collector; the trace's frees decide
// liveness. Bad input (a bad header, newer file format, garbage in a known record, numbers that
// overflow, sizes above 2^48, indices past their table) throws TraceError("<file>: line N: ...").
// Memory follows the live set and the allocation-info table, never the file length.
#pragma once

#include "traces/byte_source.h"
#include "traces/event_stream.h"

#include <memory>
#include <string_view>

namespace traces {

// True if `head` starts like a heaptrack file: a `v <hex> [<hex>]` header line, then (if present
// in `head`) a line with one of heaptrack's record tags.
bool sniffHeaptrack(std::string_view head);

// Opens a heaptrack file (raw or interpreted, told apart by its records). Reads the header lines
// at once, so meta() is ready; events are parsed as read() asks for them. Throws TraceError.
std::unique_ptr<EventStream> openHeaptrack(std::unique_ptr<ByteSource> src);

} // namespace traces
