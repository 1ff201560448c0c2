// goTypePointers: see go_typestring.h. A small recursive-descent reader of the type syntax the Go
// runtime prints (typ.string(), the compiler's type names): enough to tell whether a type has
// pointers when the text spells out its layout. Go: mallocgc's `noscan := typ == nil ||
// typ.ptrdata == 0`.
//
// Rules: basic numeric types and bool have no pointers; pointers, slices, strings, maps, chans,
// funcs, interfaces and unsafe.Pointer do; arrays and structs have pointers iff an element or a
// field does ([0]T has none); a map bucket (map.bucket[K]V) has none iff K and V have none,
// because the compiler then keeps its overflow link as a uintptr. A named type ("main.node",
// "pkg.G[int]") prints no layout, so it is Unknown, except the runtime's own conversion types.
#include "traces/go_typestring.h"

#include <array>

namespace traces {

namespace {

GoPointers combine(GoPointers a, GoPointers b) {
  if (a == GoPointers::Some || b == GoPointers::Some) return GoPointers::Some;
  if (a == GoPointers::Unknown || b == GoPointers::Unknown) return GoPointers::Unknown;
  return GoPointers::None;
}

bool identChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '/' || u >= 0x80; // package paths and non-ASCII identifiers
}

GoPointers namedType(std::string_view name) {
  static constexpr std::array<std::string_view, 18> kNoPointers = {
      "bool",   "int",    "int8",   "int16",   "int32",   "int64",     "uint",       "uint8", "uint16",
      "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "byte",  "rune"};
  for (std::string_view n : kNoPointers)
    if (name == n) return GoPointers::None;
  if (name == "string" || name == "unsafe.Pointer" || name == "error") return GoPointers::Some;
  // Named types the runtime allocates on every interface conversion (convT16/32/64, convTstring,
  // convTslice); Go 1.19 runtime/iface.go defines them as uint16, uint32, uint64, string, []byte.
  if (name == "runtime.uint16InterfacePtr" || name == "runtime.uint32InterfacePtr" || name == "runtime.uint64InterfacePtr")
    return GoPointers::None;
  if (name == "runtime.stringInterfacePtr" || name == "runtime.sliceInterfacePtr") return GoPointers::Some;
  return GoPointers::Unknown;
}

class TypeText {
 public:
  explicit TypeText(std::string_view s) : s_(s) {}

  GoPointers whole() {
    const GoPointers p = type(0);
    return ok_ && i_ == s_.size() ? p : GoPointers::Unknown;
  }

 private:
  static constexpr int kMaxDepth = 64; // deeper nesting is not worth a stack frame each

  char peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool eat(std::string_view lit) {
    if (s_.substr(i_).starts_with(lit)) {
      i_ += lit.size();
      return true;
    }
    return false;
  }
  GoPointers fail() {
    ok_ = false;
    i_ = s_.size();
    return GoPointers::Unknown;
  }
  void expect(char c) {
    if (peek() == c) ++i_;
    else fail();
  }

  // After an opening `open`: up to and including the matching `close`, stepping over quoted
  // struct tags (which may contain brackets).
  void skipBalanced(char open, char close) {
    int depth = 1;
    while (ok_ && i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') skipQuotedRest();
      else if (c == open) ++depth;
      else if (c == close && --depth == 0) return;
    }
    fail();
  }
  // After an opening '"': up to and including the closing one.
  void skipQuotedRest() {
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\') ++i_;
      else if (c == '"') return;
    }
    fail();
  }

  GoPointers type(int depth) {
    if (!ok_ || depth > kMaxDepth) return fail();
    while (eat("noalg.")) {} // compiler-made types without equality/hash functions
    if (eat("*") || eat("[]")) {
      type(depth + 1);
      return GoPointers::Some;
    }
    if (peek() == '[') return array(depth);
    if (eat("map.bucket[")) {
      const GoPointers k = type(depth + 1);
      expect(']');
      return combine(k, type(depth + 1));
    }
    if (eat("map[") || eat("map.hdr[") || eat("map.iter[")) {
      type(depth + 1);
      expect(']');
      type(depth + 1);
      return GoPointers::Some;
    }
    if (eat("chan<- ") || eat("<-chan ") || eat("chan ")) {
      type(depth + 1);
      return GoPointers::Some;
    }
    if (eat("func(")) return funcRest(depth);
    if (eat("interface {")) {
      skipBalanced('{', '}');
      return GoPointers::Some;
    }
    if (eat("struct {")) return structRest(depth);
    if (eat("(")) {
      const GoPointers p = type(depth + 1);
      expect(')');
      return p;
    }
    const size_t start = i_;
    while (identChar(peek())) ++i_;
    if (i_ == start) return fail();
    if (peek() == '[') { // an instantiated generic type: its layout is not printed
      ++i_;
      skipBalanced('[', ']');
      return GoPointers::Unknown;
    }
    return namedType(s_.substr(start, i_ - start));
  }

  GoPointers array(int depth) {
    ++i_; // '['
    uint64_t n = 0;
    const size_t start = i_;
    while (peek() >= '0' && peek() <= '9') {
      if (n < (uint64_t{1} << 60)) n = n * 10 + static_cast<uint64_t>(peek() - '0');
      ++i_;
    }
    if (i_ == start) return fail();
    expect(']');
    const GoPointers elem = type(depth + 1);
    return n == 0 ? GoPointers::None : elem;
  }

  // After "func(": parameters, then an optional result type or parenthesised result list.
  GoPointers funcRest(int depth) {
    skipBalanced('(', ')');
    if (peek() == ' ' && peek(1) == '(') {
      i_ += 2;
      skipBalanced('(', ')');
    } else if (peek() == ' ' && peek(1) != '"' && peek(1) != '}' && peek(1) != '\0') {
      ++i_; // "func() int"; a space before '"' or '}' belongs to the enclosing struct
      type(depth + 1);
    }
    return GoPointers::Some;
  }

  // After "struct {": "}" or " field; field }" where a field is "name Type", an embedded "Type",
  // either followed by an optional quoted tag.
  GoPointers structRest(int depth) {
    if (eat("}")) return GoPointers::None;
    expect(' ');
    GoPointers all = GoPointers::None;
    while (ok_) {
      all = combine(all, field(depth));
      if (eat("; ")) continue;
      if (eat(" }")) return all;
      return fail();
    }
    return GoPointers::Unknown;
  }

  GoPointers field(int depth) {
    const size_t start = i_;
    while (identChar(peek())) ++i_; // a name (closure fields: ".autotmp_1") or an embedded type
    if (i_ == start || peek() != ' ' || peek(1) == '"' || peek(1) == '}') i_ = start; // embedded
    else ++i_;                                                                          // named
    const GoPointers p = type(depth + 1);
    if (peek() == ' ' && peek(1) == '"') {
      i_ += 2;
      skipQuotedRest();
    }
    return p;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool ok_ = true;
};

} // namespace

GoPointers goTypePointers(std::string_view typeString) { return TypeText(typeString).whole(); }

} // namespace traces
