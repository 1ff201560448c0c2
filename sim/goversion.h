// The Go release the engine models: one engine, the differences between releases as data and a
// few named strategy points. Design essay: sim/malloc.h ("GO 1.26").
// Go: malloc.go, mbitmap.go, mheap.go (*mheap).initSpan, internal/runtime/gc/malloc.go.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sim {

enum class GoVersion : uint8_t {
  Go119, // Debian's go1.19.8: the engine's original model
  Go126, // go1.26.8 with its default GOEXPERIMENTs (greenteagc on, heap base randomisation modelled off)
};

const char* goVersionName(GoVersion v); // "1.19", "1.26"
// "1.19", "go1.19", "1.26", "go1.26" (and a patch release: "1.26.8"). nullopt for anything else.
std::optional<GoVersion> parseGoVersion(const std::string& s);
// The profile to replay a trace recorded with `goVersion` (e.g. "go1.24.3" from a trace's meta):
// 1.23 and later -> Go126 (allocation headers and the split mallocgc are 1.22/1.24), older -> Go119.
// nullopt when the text is not a Go version.
std::optional<GoVersion> profileForRecordedVersion(const std::string& goVersion);

// What a release does differently, as data. Every field names the release and the file.
struct GoProfile {
  GoVersion version = GoVersion::Go119;
  // Go 1.22 (mbitmap.go, malloc.go): pointerful objects above minSizeForMallocHeader carry an
  // 8-byte type header at the slot's start; the size looked up is size + 8, the pointer returned
  // is slot + 8; the small-object cutoff becomes maxSmallSize - mallocHeaderSize for every object.
  bool mallocHeaders = false;
  // Go 1.22 (mheap.go initSpan, mbitmap.go heapBitsInSpan): scan spans of elemsize <= 512 keep
  // their pointer bitmap (span bytes / 8 / 8) at the span's end.
  bool heapBitsInSpan = false;
  // Go 1.26, Green Tea GC (mgcmark_greenteagc.go gcUsesSpanInlineMarkBits): spans of elemsize
  // 16..512, scan and noscan, keep a 128-byte spanInlineMarkBits at the span's end.
  bool inlineMarkBits = false;
  // Go 1.24 (malloc.go "split mallocgc into several independent codepaths"): StepRecords name
  // mallocgcTiny / SmallNoscan / SmallScanNoHeader / SmallScanHeader / Large.
  bool splitMallocgc = false;
  // unsafe.Sizeof(mspan{}) on amd64 (MSpanInuse per struct; fixalloc chunks hold 16 KiB of them):
  // 144 B in go1.19.8; 160 B in go1.26.8 (measured by tests/oracle/go/mspan: +10240 B per
  // 64-struct refill of the P's mspancache).
  uint64_t mspanStructBytes = 144;
  // unsafe.Sizeof(mcache{}) on amd64 (MCacheInuse per P; MCacheSys in 16 KiB fixalloc chunks of
  // whole mcaches): 1200 B in go1.19.8, 2296 B in go1.26.8 (ReadMemStats: MCacheInuse 2296 per P,
  // MCacheSys 16072 = 7 x 2296, measured with GOMAXPROCS 1, 2, 4).
  uint64_t mcacheStructBytes = 1200;
  // --- GC pacer and scavenger (mgcpacer.go, mgcscavenge.go; sim/mgc.cpp, sim/mgcscavenge.cpp) ---
  // Go 1.21 (mgcpacer.go startCycle; golang/go#53892, with the cons/mark maximum below): a
  // cycle's `triggered` is heapLive when it starts; Go 1.19 takes the computed trigger() instead.
  // endCycle's cons/mark divides heapLive - triggered.
  bool triggeredIsHeapLive = false;
  // Go 1.21 (mgcpacer.go endCycle, lastConsMark [4]float64): consMark is the maximum of this
  // cycle's measurement and the last 4; 0 = Go 1.19's PI controller (consMarkController).
  uint32_t consMarkHistory = 0;
  // Go 1.21 (mgcpacer.go memoryLimitHeapGoal): headroom below the memory limit is
  // max(goal / 100 * 3, 1 MiB) (memoryLimitHeapGoalHeadroomPercent); 0 = Go 1.19's 1 MiB.
  uint64_t memoryLimitHeadroomPercent = 0;
  // Go 1.19 (mgcscavenge.go gcPaceScavenger): memoryLimitGoal = limit * (100 - 5), a bug fixed in
  // Go 1.22 (limit * (1 - 5/100.0), golang/go#62449). ScavengerConfig::memoryLimitGoalBug can
  // turn it off in 1.19; a profile without the bug ignores that setting.
  bool scavengerLimitGoalBug = true;
  // Go 1.21 (mgcscavenge.go scavengeIndex, scavChunkData.shouldScavenge; mgc.go
  // gcMarkTermination's nextGen): the background scavenger skips chunks that are >= 96.875% in use
  // now or were at the start of the GC generation in which they last changed, and sees frees above
  // its cursor only from the next generation (sim/mpagealloc.h setScavengeIndex). Off: Go 1.19's
  // highest-address-first search. The index's memory follows the same flag (Go 1.21,
  // mpagealloc_64bit.go (*scavengeIndex).sysGrow): 8 B of scavChunkData per chunk, mapped for the
  // heap's chunks only (4 KiB-aligned), instead of Go 1.19's bitmap mapped from chunk index 0
  // (4,222,976 B for a heap at 0xc000000000); in mappedReady, so in the memory-limit goal
  // (sim/mheap_metadata.cpp).
  bool scavengeIndexGenerations = false;
  // unsafe.Sizeof(heapArena{}) on amd64, persistentalloc'd per 64 MiB arena (mheap.go type
  // heapArena): 1.19.8 2,165,776 B (a 2 MiB heap bitmap, spans 64 KiB, 3 x 1 KiB page bitmaps,
  // checkmarks, zeroedBase); 1.26.8 69,648 B (no bitmap since 1.22; 1.26 adds
  // pageUseSpanInlineMarkBits, 1 KiB).
  uint64_t heapArenaMetaBytes = 2097152 + 65536 + 3 * 1024 + 8 + 8;
  // Go 1.26 (malloc.go: mallocgc's `MemProfileRate != c.memProfRate` check, mcache.memProfRate
  // starting at 0): the runtime's first allocation is profiled before schedinit sets
  // MemProfileRate = 0 for a program that never reads the memory profile
  // (disableMemoryProfiling), so mprof.go stkbucket sysAllocs the profiling hash table,
  // buckhashArray (buckHashSize = 179,999 pointers: 1,439,992 B, BuckHashSys), in every go1.26.8
  // program: in mappedReady, so in the memory-limit goal (sim/mheap_metadata.cpp). Measured:
  // BuckHashSys 1,442,634 B in an empty go1.26.8 program, 2,418 B with GODEBUG=memprofilerate=0;
  // go1.19.8 never allocates the table (BuckHashSys 3,492 B).
  uint64_t buckhashBytes = 0;
  // persistentalloc'd spanSetBlock, as mcentral's span sets take them from spanSetBlockPool
  // (mspanset.go): 1.19.8 unsafe.Sizeof 4,120 B at cache-line (64 B) alignment, so 4,160 B apart;
  // 1.26.8 4,608 B (spanSetBlockHeader2 pads the header to tagAlign, 512 B, and the block is
  // 512-aligned). sim/mheap_metadata.cpp.
  uint64_t spanSetBlockBytes = 4160;
  // persistentalloc's 256 KiB chunks the runtime fills itself besides what the engine counts
  // (mspan and mcache fixalloc chunks, span-set spines and blocks): 1.19.8 two (itabs, the
  // runtime's own structures); 1.26.8 one (an empty go1.26.8 program persistentallocs 263 KB in
  // two chunks, 32 KB of it the fixalloc chunks counted already; go build -overlay logging
  // runtime/mem.go's sysAlloc and malloc.go's persistentalloc by caller).
  uint64_t persistentStartChunks = 2;
  // The bytes of one fixalloc chunk of mspan structs: 16 KiB rounded down to whole structs.
  uint64_t mspanChunkBytes() const { return fixallocChunkBytes(mspanStructBytes); }
  // MCacheSys for n Ps: whole fixalloc chunks of mcaches (Go: mfixalloc.go).
  uint64_t mcacheSys(uint64_t nP) const {
    const uint64_t chunk = fixallocChunkBytes(mcacheStructBytes);
    return (nP * mcacheStructBytes + chunk - 1) / chunk * chunk;
  }

  // Go: mfixalloc.go (*fixalloc).alloc carves _FixAllocChunk (16 KiB) chunks into whole structs.
  static constexpr uint64_t kFixAllocChunkBytes = 16 << 10;
  static constexpr uint64_t fixallocChunkBytes(uint64_t structBytes) {
    return kFixAllocChunkBytes / structBytes * structBytes;
  }
};

inline constexpr uint64_t kMallocHeaderSize = 8;        // Go 1.22+: gc.MallocHeaderSize
inline constexpr uint64_t kMinSizeForMallocHeader = 512; // Go 1.22+: goarch.PtrSize * ptrBits (exclusive)
inline constexpr uint64_t kSpanInlineMarkBitsBytes = 128; // Go 1.26: unsafe.Sizeof(spanInlineMarkBits{})

GoProfile goProfile(GoVersion v);

// Bytes at the end of a small span that hold metadata instead of objects (Go 1.26: mheap.go
// initSpan's `reserve`): the heap bitmap of a small scan span and Green Tea's inline mark bits.
// 0 under Go 1.19 and for large spans (elemsize 0 here means "not a small span").
inline uint64_t spanReserveBytes(const GoProfile& p, uint64_t elemsize, bool noscan, uint64_t spanBytes) {
  if (elemsize == 0) return 0;
  uint64_t reserve = 0;
  if (p.inlineMarkBits && elemsize >= 16 && elemsize <= kMinSizeForMallocHeader) reserve += kSpanInlineMarkBitsBytes;
  if (p.heapBitsInSpan && !noscan && elemsize <= kMinSizeForMallocHeader) reserve += spanBytes / 8 / 8;
  return reserve;
}

} // namespace sim
