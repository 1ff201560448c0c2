// What went wrong, in words, for the catch-all of every program's main and the app's frame
// guard: call inside a catch block.
#pragma once

#include <exception>
#include <new>
#include <string>

namespace report {

inline std::string currentExceptionText() {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

} // namespace report
