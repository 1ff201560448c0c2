// Running a built binary from end-to-end tests: shell quoting, stdout/stderr captured in files of
// a per-test temporary directory (so large outputs never block a pipe), the exit status decoded.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace clitest {

namespace fs = std::filesystem;

struct CliRun {
  int code = -1; // the exit code; 1000 + the wait status if the process did not exit normally
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string quote(const std::string& s) {
  std::string q(1, '\'');
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + '\'';
}

inline std::string quoteAll(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) {
    if (!s.empty()) s += ' ';
    s += quote(w);
  }
  return s;
}

// Runs a shell command line with stdout and stderr going to files in `dir`.
inline CliRun runShell(const fs::path& dir, const std::string& command) {
  const fs::path out = dir / "stdout", err = dir / "stderr";
  const int status = std::system((command + " >" + quote(out.string()) + " 2>" + quote(err.string())).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + status, slurp(out), slurp(err)};
}

// A fixture with its own temporary directory and `run(args)` for spanscope-cli (SPANSCOPE_CLI).
class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(t->test_suite_name()) + "_" + t->name();
    for (char& c : name)
      if (c == '/') c = '_'; // parameterised tests' names
    dir_ = fs::temp_directory_path() / ("spanscope_cli_" + std::to_string(::getpid()) + "_" + name);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun run(const std::vector<std::string>& args, const std::string& stdinFile = "") {
    std::string cmd = quote(SPANSCOPE_CLI) + ' ' + quoteAll(args);
    if (!stdinFile.empty()) cmd += " <" + quote(stdinFile);
    return runShell(dir_, cmd);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

} // namespace clitest
