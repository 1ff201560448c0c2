// spanscope-cli: a small hand-written argument reader (cli.h).
#include "app/cli/cli.h"

#include <charconv>

namespace cli {

std::string Args::next() {
  inlineValue_.reset();
  std::string a = args_[i_++];
  if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      inlineValue_ = a.substr(eq + 1);
      a.resize(eq);
    }
  }
  return a;
}

std::string Args::value(const std::string& flag) {
  if (inlineValue_) {
    std::string v = std::move(*inlineValue_);
    inlineValue_.reset();
    return v;
  }
  if (done()) throw UsageError(flag + " needs a value");
  return args_[i_++];
}

void Args::noValue(const std::string& flag) {
  if (inlineValue_) throw UsageError(flag + " takes no value");
}

namespace {

// Strict integer parsing shared by both signednesses: all of `text`, in [min, max].
template <typename T>
T parseInteger(const std::string& flag, const std::string& text, T min, T max) {
  T v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < min || v > max)
    throw UsageError(flag + " expects an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got \"" + text + "\"");
  return v;
}

} // namespace

uint64_t parseUnsigned(const std::string& flag, const std::string& text, uint64_t min, uint64_t max) {
  return parseInteger(flag, text, min, max);
}

int64_t parseSigned(const std::string& flag, const std::string& text, int64_t min, int64_t max) {
  return parseInteger(flag, text, min, max);
}

void takeTracePath(const std::string& arg, std::string& trace) {
  if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown flag " + arg);
  if (!trace.empty()) throw UsageError("more than one trace given (\"" + trace + "\" and \"" + arg + "\")");
  trace = arg;
}

} // namespace cli
