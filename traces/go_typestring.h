// Whether a Go type, as the runtime prints it (typ.string(), e.g. in GODEBUG=allocfreetrace
// records), holds pointers: the runtime's noscan test (typ.ptrdata == 0) decided from the text.
// Used by traces/go_allocfreetrace.cpp; the rules are in the .cpp.
#pragma once

#include <string_view>

namespace traces {

enum class GoPointers {
  None,    // no pointers: the runtime allocates it noscan ("uint8", "[4]int64", "struct { a int32 }")
  Some,    // holds pointers ("*main.node", "string", "[]uint8", "map[string]int", "func()")
  Unknown, // a named type ("main.node", "sync.Mutex") or text we cannot parse: its fields are not printed
};

GoPointers goTypePointers(std::string_view typeString);

} // namespace traces
