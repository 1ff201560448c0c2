// The binary cache of non-native traces: see trace_cache.h.
#include "traces/trace_cache.h"

#include "traces/binary_trace.h"

#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

namespace traces {

std::string traceCacheDir() {
  if (const char* d = std::getenv("SPANSCOPE_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/spanscope";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/spanscope";
  return "/tmp/spanscope-cache";
}

std::string contentHash(const std::string& path, const std::atomic<bool>* cancel) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw TraceError(path + ": cannot open for reading");
  std::unique_ptr<XXH64_state_t, XXH_errorcode (*)(XXH64_state_t*)> st(XXH64_createState(), &XXH64_freeState);
  XXH64_reset(st.get(), 0);
  std::vector<char> buf(1 << 20);
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0;) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return "";
    XXH64_update(st.get(), buf.data(), n);
  }
  if (std::ferror(f.get())) throw TraceError(path + ": read error while hashing");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(XXH64_digest(st.get())));
  return hex;
}

std::string binaryCachePath(const std::string& path, const std::atomic<bool>* cancel) {
  const std::string hash = contentHash(path, cancel);
  return hash.empty() ? "" : traceCacheDir() + "/" + hash + ".sst";
}

bool makeCacheDir(const std::string& cachePath) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(cachePath).parent_path(), ec);
  return !ec;
}

void writeBinaryCache(EventStream& in, const std::string& cachePath) {
  BinaryTraceWriter w(cachePath, in.meta(), {.zstd = true});
  w.writeAll(in);
  w.finish();
}

} // namespace traces
