// spanscope-cli record: runs a program under libspanscope-record.so (LD_PRELOAD) and writes what
// it allocated as a native binary trace. The recorder: traces/recorder/preload.c; its log and the
// conversion to events: traces/recorder/recorded_stream.h. Engine design essay: sim/malloc.h.
#include "app/cli/cli.h"

#include "traces/binary_trace.h"
#include "traces/recorder/recorded_stream.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cli {

namespace {

namespace fs = std::filesystem;

// The recording could not be made (exit code 2).
struct RecordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RecordOptions {
  std::string output;
  std::vector<std::string> command;
};

// Options come before the program (or before "--"); everything from the program on is its own.
std::optional<RecordOptions> parseRecordArgs(const std::vector<std::string>& argv) {
  RecordOptions o;
  size_t i = 0;
  for (; i < argv.size(); ++i) {
    const std::string& f = argv[i];
    if (f == "--") {
      ++i;
      break;
    }
    if (f == "-h" || f == "--help") {
      std::fputs(kRecordHelp, stdout);
      return std::nullopt;
    }
    if (f == "-o" || f == "--output") {
      if (i + 1 == argv.size()) throw UsageError(f + " needs a value");
      o.output = argv[++i];
      if (o.output.empty()) throw UsageError(f + " needs a file name");
    } else if (f.rfind("--output=", 0) == 0) {
      o.output = f.substr(9);
      if (o.output.empty()) throw UsageError("--output needs a file name");
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError("unknown option \"" + f + "\"");
    } else {
      break;
    }
  }
  o.command.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
  if (o.command.empty() || o.command[0].empty()) throw UsageError("missing the program to record");
  if (o.output.empty()) o.output = fs::path(o.command[0]).filename().string() + ".spanscope.bin";
  return o;
}

// libspanscope-record.so is built beside spanscope-cli.
std::string recorderLibrary() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw RecordError("cannot find spanscope-cli's own path (/proc/self/exe): " + ec.message());
  const fs::path lib = exe.parent_path() / SPANSCOPE_RECORD_LIB_NAME;
  if (::access(lib.c_str(), R_OK) != 0)
    throw RecordError("cannot find the recorder library " + lib.string() + " (it is built beside spanscope-cli)");
  if (lib.string().find_first_of(": ") != std::string::npos)
    throw RecordError("the recorder library's path " + lib.string() + " contains ':' or ' ', which LD_PRELOAD cannot hold");
  return lib.string();
}

// A private directory for the raw log, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/spanscope-record.XXXXXX";
    if (!::mkdtemp(t.data())) throw RecordError("cannot create a directory in " + fs::path(t).parent_path().string() + ": " + std::strerror(errno));
    // Absolute: the recorder opens its log again by this path, after the program may have chdir'd.
    std::error_code ec;
    path_ = fs::absolute(t, ec);
    if (ec) path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Our environment plus the recorder. The recorder goes first in LD_PRELOAD, so its malloc wins
// over another preloaded allocator, which it then calls as the "next" one (as heaptrack does).
std::vector<std::string> recordingEnvironment(const std::string& lib, const fs::path& dir) {
  std::vector<std::string> env;
  std::string preload = lib;
  const std::string_view preloadVar = "LD_PRELOAD=", dirVar = SPANSCOPE_RECORD_DIR_ENV "=";
  for (char** e = environ; *e; ++e) {
    const std::string_view v(*e);
    if (v.starts_with(preloadVar)) {
      if (v.size() > preloadVar.size()) {
        preload += ':';
        preload += v.substr(preloadVar.size());
      }
    } else if (!v.starts_with(dirVar)) {
      env.emplace_back(v);
    }
  }
  env.push_back("LD_PRELOAD=" + preload);
  env.push_back(std::string(dirVar) + dir.string());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// Runs the program and waits for it; returns (pid, wait status). An exec failure comes back
// through a close-on-exec pipe, so "cannot run" is told apart from the program's own failures.
std::pair<pid_t, int> runProgram(std::vector<std::string> command, std::vector<std::string> env) {
  std::vector<char*> argv = pointers(command), envp = pointers(env);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw RecordError(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw RecordError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    ::execvpe(argv[0], argv.data(), envp.data());
    const int err = errno;
    if (::write(fds[1], &err, sizeof err) < 0) ::_exit(126);
    ::_exit(127);
  }
  ::close(fds[1]);
  // As system() does: Ctrl-C and Ctrl-\ go to the program; we stay to convert what it recorded.
  struct sigaction ignore {}, oldInt {}, oldQuit {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGINT, &ignore, &oldInt);
  ::sigaction(SIGQUIT, &ignore, &oldQuit);
  int err = 0;
  ssize_t got;
  do got = ::read(fds[0], &err, sizeof err);
  while (got < 0 && errno == EINTR);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::sigaction(SIGQUIT, &oldQuit, nullptr);
  if (got == static_cast<ssize_t>(sizeof err)) throw RecordError("cannot run " + command[0] + ": " + std::strerror(err));
  return {pid, status};
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
  return "ended with wait status " + std::to_string(status);
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s;
}

std::string callsLine(const traces::RecordedStream::Details& d) {
  std::string s;
  for (uint8_t op = SPANSCOPE_OP_MALLOC; op <= SPANSCOPE_OP_LAST; ++op)
    if (d.calls[op]) {
      if (!s.empty()) s += ", ";
      s += traces::rawOpName(op);
      s += ' ' + std::to_string(d.calls[op]);
    }
  return s.empty() ? "none" : s;
}

int record(const RecordOptions& o) {
  const std::string lib = recorderLibrary();
  TempDir dir;
  const auto [pid, status] = runProgram(o.command, recordingEnvironment(lib, dir.path()));
  const fs::path raw = dir.path() / (std::to_string(pid) + ".raw");
  std::error_code ec;
  if (!fs::exists(raw, ec))
    throw RecordError(o.command[0] + " " + describeStatus(status) +
                      " without loading the recorder (static and setuid programs ignore LD_PRELOAD)");

  traces::TraceMeta meta;
  meta.name = fs::path(o.command[0]).filename().string();
  meta.description = "allocations of `" + joined(o.command).substr(0, 300) + "`";
  meta.source = "spanscope-cli record (libspanscope-record.so)";
  traces::RecordedStream stream(raw.string(), meta);
  // A failed write (full disk, file size limit): the recorder stopped there. What it wrote is kept,
  // marked incomplete, and the command fails with the recorder's reason.
  const int writeError = static_cast<int>(stream.writeError());
  const std::string lost = writeError ? "writing " + raw.string() + ": " + std::strerror(writeError) : std::string();
  if (writeError) meta.description = "INCOMPLETE (" + lost + ") " + meta.description;
  traces::BinaryTraceWriter writer(o.output, meta);
  writer.writeAll(stream);
  writer.finish();

  const traces::ImportSummary s = stream.summary();
  std::printf("program:        %s %s\n", o.command[0].c_str(), describeStatus(status).c_str());
  std::printf("trace:          %s (%llu events)\n", o.output.c_str(), static_cast<unsigned long long>(writer.eventsWritten()));
  std::printf("calls:          %s\n", callsLine(stream.details()).c_str());
  std::fputs(s.toText().c_str(), stdout);
  if (writeError) {
    std::fprintf(stderr,
                 "spanscope-cli record: %s: the recording is incomplete (%s holds what was written before)\n",
                 lost.c_str(), o.output.c_str());
    return kExitInputError;
  }
  if (!stream.details().exitSeen && WIFEXITED(status))
    std::fprintf(stderr,
                 "spanscope-cli record: warning: %s exited without the recorder's exit flush, so it most likely "
                 "replaced itself with another program (exec, as wrapper scripts do): that program was not "
                 "recorded, and records still buffered before the exec are missing. Record the final program "
                 "directly.\n",
                 o.command[0].c_str());
  return kExitOk;
}

} // namespace

int runRecord(const std::vector<std::string>& args) {
  const std::optional<RecordOptions> o = parseRecordArgs(args);
  if (!o) return kExitOk;
  try {
    return record(*o);
  } catch (const RecordError& e) {
    std::fprintf(stderr, "spanscope-cli record: %s\n", e.what());
  } catch (const traces::TraceError& e) {
    std::fprintf(stderr, "spanscope-cli record: %s\n", e.what());
  }
  return kExitInputError;
}

} // namespace cli
