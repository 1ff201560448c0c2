// Output-path checks: see output_file.h.
#include "traces/output_file.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include <sys/stat.h>

namespace traces {

namespace {

struct Inputs {
  std::mutex mu;
  std::set<std::pair<dev_t, ino_t>> files;
};

Inputs& inputs() {
  static Inputs in;
  return in;
}

const char* kindOf(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

} // namespace

void noteInputFile(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  Inputs& in = inputs();
  std::lock_guard<std::mutex> lock(in.mu);
  in.files.insert({st.st_dev, st.st_ino});
}

bool checkOutputFile(const std::string& path, std::string* error) {
  if (path == "-") return true;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true; // a new file
    if (error) *error = path + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    if (error) *error = path + ": is " + std::string(kindOf(st.st_mode)) + "; spanscope writes only regular files";
    return false;
  }
  Inputs& in = inputs();
  std::lock_guard<std::mutex> lock(in.mu);
  if (in.files.count({st.st_dev, st.st_ino}) != 0) {
    if (error) *error = path + ": is one of this run's inputs; refusing to overwrite it";
    return false;
  }
  return true;
}

} // namespace traces
