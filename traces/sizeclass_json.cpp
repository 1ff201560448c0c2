// Size-class tables from and to JSON. Design essay: sim/malloc.h. Go: sizeclasses.go (the data).
#include "traces/sizeclass_json.h"

#include "traces/json_io.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <nlohmann/json.hpp>

namespace traces {

namespace {

using nlohmann::json;

constexpr uint64_t kEnginePage = sim::kPageSize;

// A failure inside one row or key; the caller prefixes the path.
struct LoadError {
  std::string what;
};

// The first of `keys` present in `obj`, or nullptr.
const json* findAny(const json& obj, std::initializer_list<const char*> keys, const char** which = nullptr) {
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it != obj.end()) {
      if (which != nullptr) *which = k;
      return &*it;
    }
  }
  return nullptr;
}

// A non-negative integer that fits 32 bits; tables never need more.
uint32_t asU32(const json& v, const std::string& where, const char* key) {
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) {
    const uint64_t x = v.get<uint64_t>();
    if (x <= 0xFFFFFFFFull) return static_cast<uint32_t>(x);
  }
  throw LoadError{where + (where.empty() ? "" : ": ") + "\"" + key + "\" must be a non-negative 32-bit integer, got " +
                  shownJson(v)};
}


std::string fileStem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// One JSON row -> (size, npages), or nullopt for rows that are not small classes.
std::optional<sim::SizeClassTable::Row> parseRow(const json& row, size_t index, uint32_t classNo,
                                                  bool havePageSize) {
  const std::string at = "classes[" + std::to_string(index) + "]";
  if (!row.is_object()) throw LoadError{at + ": not an object"};
  // cls 0 is the dummy large class some tables list; any other cls must match our numbering.
  if (auto cls = row.find("cls"); cls != row.end()) {
    const uint32_t c = asU32(*cls, at, "cls");
    if (c == 0) return std::nullopt;
    if (c != classNo)
      throw LoadError{at + ": cls " + std::to_string(c) + " out of order (expected " + std::to_string(classNo) + ")"};
  }
  const char* sizeKey = "size";
  const json* sizeV = findAny(row, {"size", "block_size"}, &sizeKey);
  if (sizeV == nullptr) throw LoadError{at + ": no \"size\" (or \"block_size\")"};
  const uint32_t size = asU32(*sizeV, at, sizeKey);
  if (size == 0) return std::nullopt;
  // jemalloc lists its large classes too; those are page runs, not slab classes.
  if (auto kind = row.find("kind"); kind != row.end() && kind->is_string() && kind->get<std::string>() != "small")
    return std::nullopt;

  const std::string where = at + " (class " + std::to_string(classNo) + ", size " + std::to_string(size) + ")";
  const char* pagesKey = "pages";
  const char* objectsKey = "objects";
  const json* pagesV = findAny(row, {"pages", "slab_pages"}, &pagesKey);
  const json* spanV = findAny(row, {"span_bytes"});
  const json* objectsV = findAny(row, {"objects", "regions"}, &objectsKey);
  // Plain values plus flags (not std::optional): GCC 12 warns maybe-uninitialized on the latter here.
  const bool hasPages = pagesV != nullptr, hasObjects = objectsV != nullptr;
  const uint64_t pages = hasPages ? asU32(*pagesV, where, pagesKey) : 0;
  const uint64_t objects = hasObjects ? asU32(*objectsV, where, objectsKey) : 0;
  const std::string eightKiB = "; the engine's runtime page is 8 KiB (8192 bytes)";

  if (hasPages && pages == 0) return sim::SizeClassTable::Row{size, 0}; // fromRows names the class

  uint64_t spanBytes = 0;
  if (spanV != nullptr) {
    spanBytes = asU32(*spanV, where, "span_bytes");
    if (hasPages && spanBytes != pages * kEnginePage) {
      if (spanBytes % pages == 0)
        throw LoadError{where + ": span_bytes " + std::to_string(spanBytes) + " over " + std::to_string(pages) +
                        " pages means " + std::to_string(spanBytes / pages) + "-byte pages" + eightKiB};
      throw LoadError{where + ": span_bytes " + std::to_string(spanBytes) + " is not " + std::to_string(pages) +
                      " pages of 8192 bytes"};
    }
  } else if (hasPages) {
    if (havePageSize) {
      spanBytes = pages * kEnginePage;
    } else if (hasObjects) {
      // No page size given: the object count says which page size the pages are counted in.
      if ((pages * kEnginePage) / size == objects) {
        spanBytes = pages * kEnginePage;
      } else {
        for (uint64_t p = 256; p <= (uint64_t{1} << 30); p *= 2)
          if (p != kEnginePage && (p * pages) / size == objects)
            throw LoadError{where + ": " + std::to_string(pages) + " page(s) holding " + std::to_string(objects) +
                            " objects means " + std::to_string(p) + "-byte pages" + eightKiB};
        throw LoadError{where + ": " + std::to_string(pages) + " page(s) of 8192 bytes do not hold " +
                        std::to_string(objects) + " objects"};
      }
    } else {
      throw LoadError{where + ": \"" + pagesKey +
                      "\" given but the page size is unknown (no page_size, span_bytes or objects)"};
    }
  } else {
    throw LoadError{where + ": no span size (needs pages, slab_pages or span_bytes), so spans cannot be derived"};
  }
  if (spanBytes == 0 || spanBytes % kEnginePage != 0)
    throw LoadError{where + ": span_bytes " + std::to_string(spanBytes) + " is not a whole number of pages" + eightKiB};
  if (hasObjects && spanBytes / size != objects)
    throw LoadError{where + ": \"" + objectsKey + "\" is " + std::to_string(objects) + " but a " +
                    std::to_string(spanBytes) + "-byte span holds " + std::to_string(spanBytes / size)};
  return sim::SizeClassTable::Row{size, static_cast<uint32_t>(spanBytes / kEnginePage)};
}

} // namespace

// Go: no counterpart (Go compiles its table in); this lets other allocators' tables drive the engine.
std::optional<sim::SizeClassTable> loadSizeClassTable(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& what) -> std::optional<sim::SizeClassTable> {
    if (error != nullptr) *error = path + ": " + what;
    return std::nullopt;
  };
  std::optional<std::string> text = readWholeFile(path, error);
  if (!text) return std::nullopt;
  std::string syntax;
  std::optional<json> parsed = parseJsonText(*text, &syntax);
  if (!parsed) return fail(syntax);
  const json& doc = *parsed;

  try {
    if (!doc.is_object()) return fail("top level is not a JSON object");
    const auto classes = doc.find("classes");
    if (classes == doc.end() || !classes->is_array())
      return fail("no \"classes\" array, so this is not a size-class table");
    const bool havePageSize = doc.contains("page_size");
    if (havePageSize) {
      const uint32_t page = asU32(*doc.find("page_size"), "", "page_size");
      if (page != kEnginePage)
        return fail("page_size " + std::to_string(page) + ": the engine's runtime page is 8 KiB (8192 bytes)");
    }
    std::vector<sim::SizeClassTable::Row> rows;
    for (size_t i = 0; i < classes->size(); ++i)
      if (auto row = parseRow((*classes)[i], i, static_cast<uint32_t>(rows.size() + 1), havePageSize))
        rows.push_back(*row);
    const char* maxKey = "max_small";
    const json* maxV = findAny(doc, {"max_small", "small_max"}, &maxKey);
    // Without max_small the largest class is the limit (the max, so a misordered table still gets
    // the ordering error from fromRows rather than a confusing maxSmall one).
    uint32_t maxSmall = 0;
    for (const auto& r : rows) maxSmall = std::max(maxSmall, r.size);
    if (maxV != nullptr) maxSmall = asU32(*maxV, "", maxKey);
    std::string name = fileStem(path);
    if (auto a = doc.find("allocator"); a != doc.end() && a->is_string()) name = a->get<std::string>();
    std::string why;
    auto t = sim::SizeClassTable::fromRows(std::move(name), rows, maxSmall, /*allowLargeMaxSmall=*/true, &why);
    if (!t) return fail(why);
    return t;
  } catch (const LoadError& e) {
    return fail(e.what);
  } catch (const json::exception& e) { // e.g. a key of the wrong type deep inside
    return fail(e.what());
  }
}

// Go: mksizeclasses.go printClasses, as data instead of Go source.
std::string sizeClassTableToJson(const sim::SizeClassTable& t, const std::string& source) {
  nlohmann::ordered_json doc;
  doc["allocator"] = t.name();
  doc["source"] = source;
  doc["page_size"] = t.pageSize();
  doc["max_small"] = t.maxSmall();
  auto& classes = doc["classes"] = nlohmann::ordered_json::array();
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    const sim::SizeClass& k = t.cls(c);
    const uint64_t spanBytes = uint64_t{k.npages} * t.pageSize();
    nlohmann::ordered_json row;
    row["cls"] = c;
    row["size"] = k.size;
    row["pages"] = k.npages;
    row["span_bytes"] = spanBytes;
    row["objects"] = spanBytes / k.size;
    row["tail_waste"] = spanBytes - (spanBytes / k.size) * k.size;
    classes.push_back(std::move(row));
  }
  return dumpJson(doc, 1) + "\n"; // one-space indent, like the reference tables
}

} // namespace traces
