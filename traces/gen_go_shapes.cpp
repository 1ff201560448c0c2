// Generators "go-append", "go-strings" and "go-map": the allocation shapes of common Go code under
// Go 1.19's runtime — slice growth (runtime/slice.go growslice), string building (string.go
// concatstrings, strings.Builder) and map growth (map.go). Machinery: gen_common.h.
#include "traces/gen_common.h"

#include "sim/sizeclasses.h"

#include <bit>
#include <deque>

namespace traces::gen {

namespace {

// Go: msize.go roundupsize — the size mallocgc will really use, with Go 1.19's classes.
uint64_t roundupsize(uint64_t size) {
  static const sim::SizeClassTable table = sim::SizeClassTable::go119();
  if (size < table.maxSmall()) return table.cls(table.classOf(size)).size;
  return (size + sim::kPageSize - 1) & ~(sim::kPageSize - 1);
}

struct Grown {
  uint64_t cap, bytes;
};

// Go 1.19 growslice: double below 256 elements, then grow by (cap + 3*256)/4 until it fits, and
// finally round the bytes up to a size class (the capacity follows the rounding).
Grown growslice(uint64_t oldCap, uint64_t needed, uint64_t elemSize) {
  uint64_t newcap = oldCap;
  const uint64_t doublecap = 2 * newcap;
  if (needed > doublecap) newcap = needed;
  else if (oldCap < 256) newcap = doublecap;
  else
    while (newcap < needed) newcap += (newcap + 3 * 256) / 4;
  const uint64_t bytes = roundupsize(newcap * elemSize);
  return {bytes / elemSize, bytes};
}

// A growing slice: append() allocates a bigger backing array and drops the old one.
struct Slice {
  uint64_t array = Workload::kNone, len = 0, cap = 0;
};

class GoShape : public Workload {
 protected:
  GoShape(const Params& p, uint64_t seed)
      : Workload(p, seed, static_cast<uint32_t>(p["threads"]), sim::Liveness::GC), keep_(p["keep"]) {}

  // append(s, n elements...): growslice when they do not fit; the old array becomes garbage.
  Task append(Slice& s, uint64_t n, uint64_t elemSize, bool noscan) {
    if (s.len + n > s.cap) {
      const Grown g = growslice(s.cap, s.len + n, elemSize);
      const uint64_t fresh = co_await alloc(g.bytes, noscan, s.len * elemSize); // memmove of the old elements
      if (s.array != kNone) co_await free(s.array);
      s.array = fresh;
      s.cap = g.cap;
    }
    s.len += n;
  }

  // The last `keep` results of a thread stay reachable; older ones become garbage.
  Task keep(std::deque<std::vector<uint64_t>>& kept, std::vector<uint64_t> objects) {
    kept.push_back(std::move(objects));
    while (kept.size() > keep_) {
      for (uint64_t id : kept.front())
        if (id != kNone) co_await free(id);
      kept.pop_front();
    }
  }

  const uint64_t keep_;
};

class GoAppend : public GoShape {
 public:
  GoAppend(const Params& p, uint64_t seed)
      : GoShape(p, seed), elem_(p["elem_size"]), noscan_(p["pointers"] == 0), minLen_(p["min_len"]),
        maxLen_(p["max_len"]), perAppend_(p["per_append"]) {
    if (maxLen_ < minLen_) throw std::invalid_argument("go-append: max_len must not be below min_len");
    if (elem_ * maxLen_ > (uint64_t{1} << 36)) throw std::invalid_argument("go-append: elem_size * max_len over 64 GiB");
    for (uint64_t t = 0; t < p["threads"]; ++t) spawn(worker());
  }

 private:
  // Build a slice of a random length by appending per_append elements at a time (2 ns each).
  Task worker() {
    std::deque<std::vector<uint64_t>> kept;
    for (;;) {
      const uint64_t target = octaveUniform(rng_, minLen_, maxLen_);
      Slice s;
      while (s.len < target) {
        // The whole appends that fit the capacity allocate nothing: take them in one step.
        const uint64_t fit = (std::min(s.cap, target) - std::min(s.cap, s.len)) / perAppend_;
        if (fit > 0) {
          s.len += fit * perAppend_;
          work(2 * fit * perAppend_);
          continue;
        }
        const uint64_t n = std::min(perAppend_, target - s.len);
        co_await append(s, n, elem_, noscan_);
        work(2 * n);
      }
      co_await keep(kept, std::vector<uint64_t>(1, s.array));
    }
  }

  const uint64_t elem_;
  const bool noscan_;
  const uint64_t minLen_, maxLen_, perAppend_;
};

class GoStrings : public GoShape {
 public:
  GoStrings(const Params& p, uint64_t seed)
      : GoShape(p, seed), builder_(p.choice("mode") == "builder"), minPiece_(p["min_piece"]),
        maxPiece_(p["max_piece"]), pieces_(p["pieces"]) {
    if (maxPiece_ < minPiece_) throw std::invalid_argument("go-strings: max_piece must not be below min_piece");
    for (uint64_t t = 0; t < p["threads"]; ++t) spawn(worker());
  }

 private:
  // s += piece: concatstrings allocates a new string of exactly the new length (rawstring, noscan)
  // and the old one becomes garbage; "" + piece returns the piece itself (no allocation).
  // strings.Builder: WriteString is append(buf, piece...), growslice with 1-byte elements.
  // The strings escape (they are kept), so no stack buffer is used.
  Task worker() {
    std::deque<std::vector<uint64_t>> kept;
    for (;;) {
      const uint64_t count = rng_.between(1, pieces_);
      uint64_t str = kNone, len = 0;
      Slice buf;
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t piece = rng_.between(minPiece_, maxPiece_);
        if (builder_) {
          co_await append(buf, piece, 1, true);
        } else if (len > 0) {
          const uint64_t fresh = co_await alloc(len + piece, true, len + piece);
          if (str != kNone) co_await free(str);
          str = fresh;
        }
        len += piece;
        work(piece / 8 + 5);
      }
      co_await keep(kept, std::vector<uint64_t>(1, builder_ ? buf.array : str));
    }
  }

  const bool builder_;
  const uint64_t minPiece_, maxPiece_, pieces_;
};

// Go 1.19 map.go, insert-only with distinct keys whose hashes are random: the buckets are modelled
// by their entry counts, which is all that decides the allocations (bucket arrays, overflow
// buckets, the overflow-pointer slice, indirect keys and values).
class GoMap : public GoShape {
 public:
  GoMap(const Params& p, uint64_t seed)
      : GoShape(p, seed), keySize_(p["key_size"]), valueSize_(p["value_size"]), indirectKey_(keySize_ > 128),
        indirectValue_(valueSize_ > 128), keyNoscan_(p["key_pointers"] == 0), valueNoscan_(p["value_pointers"] == 0),
        minEntries_(p["min_entries"]), maxEntries_(p["max_entries"]), hint_(p["hint"] != 0) {
    if (maxEntries_ < minEntries_) throw std::invalid_argument("go-map: max_entries must not be below min_entries");
    // reflectdata.MapBucketType: tophash [8]uint8, [8]key, [8]elem, overflow pointer; keys and
    // elements over 128 bytes are stored as pointers. Without pointers in keys and elements the
    // overflow field is a uintptr and the bucket is noscan.
    bucketSize_ = 8 + 8 * (indirectKey_ ? 8 : keySize_) + 8 * (indirectValue_ ? 8 : valueSize_) + 8;
    bucketNoscan_ = keyNoscan_ && valueNoscan_ && !indirectKey_ && !indirectValue_;
    for (uint64_t t = 0; t < p["threads"]; ++t) spawn(worker());
  }

 private:
  static constexpr uint64_t kHmap = 48, kMapextra = 24, kSliceHeader = 24;
  static constexpr uint32_t kEvacuated = ~uint32_t{0};

  struct Map {
    uint64_t hmap = kNone, buckets = kNone, oldBuckets = kNone, extra = kNone;
    unsigned B = 0;
    uint64_t count = 0, nevacuate = 0, preallocated = 0;
    uint32_t noverflow = 0;
    bool sameSize = false;
    std::vector<uint32_t> fill, oldFill; // entries per bucket chain; kEvacuated once moved
    std::vector<uint64_t> overflow, oldOverflow; // overflow buckets from newobject
    // extra.overflow / extra.oldoverflow (noscan buckets only): a *[]*bmap and its array.
    uint64_t slice = kNone, oldSlice = kNone;
    Slice sliceArray, oldSliceArray;
    std::vector<uint64_t> indirect; // keys and elements stored by pointer
    bool growing() const { return oldBuckets != kNone; }
  };

  // Go: overLoadFactor (load factor 6.5) and tooManyOverflowBuckets.
  static bool overLoad(uint64_t count, unsigned B) { return count > 8 && count > 13 * ((uint64_t{1} << B) / 2); }
  static bool tooManyOverflow(uint32_t n, unsigned B) { return n >= (uint32_t{1} << std::min(B, 15u)); }

  // Go: makeBucketArray — 2^b buckets plus, from b = 4 on, 2^(b-4) preallocated overflow
  // buckets, stretched to fill the size class.
  Task makeBucketArray(Map& m, unsigned b) {
    const uint64_t base = uint64_t{1} << b;
    uint64_t n = base;
    if (b >= 4) {
      n += uint64_t{1} << (b - 4);
      const uint64_t up = roundupsize(bucketSize_ * n);
      if (up != bucketSize_ * n) n = up / bucketSize_;
    }
    m.buckets = co_await alloc(bucketSize_ * n, bucketNoscan_);
    m.preallocated = n - base;
    if (m.preallocated && m.extra == kNone) m.extra = co_await alloc(kMapextra, false);
  }

  // Go: (*hmap).newoverflow and incrnoverflow.
  Task newOverflow(Map& m) {
    if (m.preallocated) --m.preallocated;
    else m.overflow.push_back(co_await alloc(bucketSize_, bucketNoscan_));
    if (m.B < 16) ++m.noverflow;
    else if (rng_.below(uint64_t{1} << (m.B - 15)) == 0) ++m.noverflow;
    if (bucketNoscan_) { // createOverflow, then append the bucket to *extra.overflow
      if (m.extra == kNone) m.extra = co_await alloc(kMapextra, false);
      if (m.slice == kNone) m.slice = co_await alloc(kSliceHeader, false);
      co_await append(m.sliceArray, 1, 8, false);
    }
  }

  // Adds `n` entries to an empty or partly full chain, with overflow buckets as it fills.
  Task fillChain(Map& m, uint32_t& chain, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      if (chain > 0 && chain % 8 == 0) co_await newOverflow(m);
      ++chain;
    }
  }

  // Go: evacuate — move an old bucket's entries to x (same index) or y (index + old size) by one
  // more hash bit (random here), then advanceEvacuationMark.
  Task evacuate(Map& m, uint64_t old) {
    const uint64_t newbit = m.oldFill.size();
    if (m.oldFill[old] != kEvacuated) {
      uint64_t y = 0; // entries whose next hash bit is set: one random bit each
      for (uint64_t left = m.sameSize ? 0 : m.oldFill[old]; left > 0; left -= std::min<uint64_t>(left, 64)) {
        const uint64_t bits = rng_.next();
        y += static_cast<uint64_t>(std::popcount(left >= 64 ? bits : bits & ((uint64_t{1} << left) - 1)));
      }
      const uint64_t x = m.oldFill[old] - y;
      co_await fillChain(m, m.fill[old], x);
      if (y) co_await fillChain(m, m.fill[old + newbit], y);
      m.oldFill[old] = kEvacuated;
    }
    if (old == m.nevacuate) {
      ++m.nevacuate;
      const uint64_t stop = std::min<uint64_t>(m.nevacuate + 1024, newbit);
      while (m.nevacuate != stop && m.oldFill[m.nevacuate] == kEvacuated) ++m.nevacuate;
      if (m.nevacuate == newbit) { // growing is done: the old array and its overflow are garbage
        co_await free(std::exchange(m.oldBuckets, kNone));
        for (uint64_t id : m.oldOverflow) co_await free(id);
        m.oldOverflow.clear();
        if (m.oldSlice != kNone) co_await free(std::exchange(m.oldSlice, kNone));
        if (m.oldSliceArray.array != kNone) co_await free(m.oldSliceArray.array);
        m.oldSliceArray = Slice();
        m.oldFill.clear();
        m.sameSize = false;
      }
    }
  }

  // Go: hashGrow — double (or, with too many overflow buckets, rebuild at the same size).
  Task hashGrow(Map& m) {
    const unsigned bigger = overLoad(m.count + 1, m.B) ? 1 : 0;
    m.oldBuckets = m.buckets;
    m.oldFill = std::move(m.fill);
    co_await makeBucketArray(m, m.B + bigger);
    m.B += bigger;
    m.sameSize = bigger == 0;
    m.nevacuate = 0;
    m.noverflow = 0;
    m.fill.assign(size_t{1} << m.B, 0);
    m.oldOverflow = std::move(m.overflow);
    m.overflow.clear();
    m.oldSlice = std::exchange(m.slice, kNone);
    m.oldSliceArray = std::exchange(m.sliceArray, Slice());
  }

  // The common case of mapassign: no growth under way or due, room in the chain, keys and values
  // stored inline — nothing to allocate. Returns false when assign() must run.
  bool assignInline(Map& m, uint64_t hash) {
    if (m.buckets == kNone || m.growing() || indirectKey_ || indirectValue_) return false;
    if (overLoad(m.count + 1, m.B) || tooManyOverflow(m.noverflow, m.B)) return false;
    uint32_t& chain = m.fill[hash & ((uint64_t{1} << m.B) - 1)];
    if (chain > 0 && chain % 8 == 0) return false;
    ++chain;
    ++m.count;
    return true;
  }

  // Go: mapassign of a new key.
  Task assign(Map& m, uint64_t hash) {
    if (m.buckets == kNone) {
      m.buckets = co_await alloc(bucketSize_, bucketNoscan_);
      m.fill.assign(1, 0);
    }
    for (;;) {
      const uint64_t bucket = hash & ((uint64_t{1} << m.B) - 1);
      if (m.growing()) {
        co_await evacuate(m, bucket & (m.oldFill.size() - 1));
        if (m.growing()) co_await evacuate(m, m.nevacuate);
      }
      if (!m.growing() && (overLoad(m.count + 1, m.B) || tooManyOverflow(m.noverflow, m.B))) {
        co_await hashGrow(m);
        continue;
      }
      co_await fillChain(m, m.fill[bucket], 1);
      break;
    }
    if (indirectKey_) m.indirect.push_back(co_await alloc(keySize_, keyNoscan_));
    if (indirectValue_) m.indirect.push_back(co_await alloc(valueSize_, valueNoscan_));
    ++m.count;
  }

  // make(map[K]V) or make(map[K]V, n), then n inserts (25 ns each).
  Task worker() {
    std::deque<std::vector<uint64_t>> kept;
    for (;;) {
      const uint64_t entries = octaveUniform(rng_, minEntries_, maxEntries_);
      Map m;
      m.hmap = co_await alloc(kHmap, false);
      if (hint_) { // makemap: the smallest B that holds the hint; B = 0 stays lazy
        while (overLoad(entries, m.B)) ++m.B;
        if (m.B > 0) {
          co_await makeBucketArray(m, m.B);
          m.fill.assign(size_t{1} << m.B, 0);
        }
      }
      for (uint64_t i = 0; i < entries; ++i) {
        const uint64_t hash = rng_.next();
        if (!assignInline(m, hash)) co_await assign(m, hash);
        work(25);
      }
      std::vector<uint64_t> objects = {m.hmap, m.buckets, m.oldBuckets, m.extra, m.slice, m.oldSlice,
                                       m.sliceArray.array, m.oldSliceArray.array};
      objects.insert(objects.end(), m.overflow.begin(), m.overflow.end());
      objects.insert(objects.end(), m.oldOverflow.begin(), m.oldOverflow.end());
      objects.insert(objects.end(), m.indirect.begin(), m.indirect.end());
      co_await keep(kept, std::move(objects));
    }
  }

  const uint64_t keySize_, valueSize_;
  const bool indirectKey_, indirectValue_, keyNoscan_, valueNoscan_;
  const uint64_t minEntries_, maxEntries_;
  const bool hint_;
  uint64_t bucketSize_ = 0;
  bool bucketNoscan_ = true;
};

GeneratorParam keepParam(uint64_t def) {
  return intParam("keep", def, 0, 1'000'000, "finished results each thread keeps reachable; older ones become garbage");
}

} // namespace

const Definition& goAppendDefinition() {
  static const Definition d{
      {"go-append",
       "A Go program building slices with append (Go 1.19 runtime/slice.go growslice): each thread appends "
       "per_append elements at a time to a nil slice until it holds a length drawn evenly over the octaves of "
       "[min_len, max_len]. When the elements do not fit, growslice doubles the capacity (below 256 elements) or "
       "grows it by (cap+768)/4 until they fit, rounds the bytes up to a size class (roundupsize, so capacities "
       "like 848 appear) and allocates the new array; the old one becomes garbage. The finished slice stays "
       "reachable while it is among the thread's last `keep` results. Liveness gc: the frees are the points where "
       "an object became unreachable.",
       {threadsParam(1, "goroutines building slices"), intParam("elem_size", 8, 1, 65536, "bytes per element"),
        intParam("pointers", 0, 0, 1, "1: the element type holds pointers (the arrays are scan objects)"),
        intParam("min_len", 1, 1, 1'000'000'000, "shortest final length"),
        intParam("max_len", 100000, 1, 1'000'000'000, "longest final length"),
        intParam("per_append", 1, 1, 1'000'000, "elements per append call"), keepParam(16),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<GoAppend>(p, seed); }};
  return d;
}

const Definition& goStringsDefinition() {
  static const Definition d{
      {"go-strings",
       "A Go program building strings from 1..pieces pieces of min_piece..max_piece bytes. mode concat: `s += "
       "piece` (Go 1.19 concatstrings): every step allocates a new noscan string of exactly the new length and the "
       "old one becomes garbage (the first piece is used as is). mode builder: strings.Builder, whose WriteString "
       "is append on a []byte, so the buffer grows through growslice with size-class rounding and String() does "
       "not copy. The finished string stays reachable while it is among the thread's last `keep` results.",
       {threadsParam(1, "goroutines building strings"),
        choiceParam("mode", "concat", {"concat", "builder"}, "s += piece, or strings.Builder"),
        intParam("min_piece", 1, 1, 1'000'000, "shortest piece in bytes"),
        intParam("max_piece", 32, 1, 1'000'000, "longest piece in bytes"),
        intParam("pieces", 64, 2, 1'000'000, "most pieces per string (uniform from 1; a 1-piece string allocates nothing)"), keepParam(16),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<GoStrings>(p, seed); }};
  return d;
}

const Definition& goMapDefinition() {
  static const Definition d{
      {"go-map",
       "A Go program filling maps (Go 1.19 runtime/map.go): each thread makes a map (the 48-byte hmap; with hint, "
       "make(map, n) sizes the bucket array up front) and inserts distinct keys, as many as drawn evenly over the "
       "octaves of [min_entries, max_entries]. Buckets hold 8 entries (16 + 8*(key+value) bytes; keys and values "
       "over 128 bytes are stored by pointer, each in its own object); past 6.5 entries per bucket the map grows to "
       "an array of twice the buckets (from 16 buckets on with extra overflow buckets, stretched to the size "
       "class), and evacuates the old buckets incrementally, two per insert; the old array and its overflow "
       "buckets become garbage when the last one is moved. Full bucket chains get overflow buckets; for "
       "pointer-free buckets their addresses go to a growing []*bmap. Hashes are random.",
       {threadsParam(1, "goroutines filling maps"), intParam("key_size", 8, 0, 65536, "key size in bytes"),
        intParam("value_size", 8, 0, 65536, "value size in bytes"),
        intParam("key_pointers", 0, 0, 1, "1: the key type holds pointers (a string key: key_size 16, key_pointers 1)"),
        intParam("value_pointers", 0, 0, 1, "1: the value type holds pointers"),
        intParam("min_entries", 1, 1, 1'000'000'000, "fewest entries per map"),
        intParam("max_entries", 100000, 1, 1'000'000'000, "most entries per map"),
        intParam("hint", 0, 0, 1, "1: make(map, entries) instead of make(map)"), keepParam(4),
        eventsParam(1'000'000)}},
      [](const Params& p, uint64_t seed) -> std::unique_ptr<Workload> { return std::make_unique<GoMap>(p, seed); }};
  return d;
}

} // namespace traces::gen
