// Go oracle harness (see go_oracle.h): build with the installed Go 1.19, run with GOMAXPROCS=1
// GOGC=off, parse stdout.
#include "tests/oracle/go_oracle.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <tuple>

#ifndef SPANSCOPE_SOURCE_DIR
#error "SPANSCOPE_SOURCE_DIR must be defined (the build does it)"
#endif

namespace oracle {
namespace {

namespace fs = std::filesystem;

std::string quote(const std::string& s) { // single-quoted for /bin/sh
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

struct CommandResult {
  int status = -1; // exit status, or -1 if it could not run / was killed
  std::string out;
};

CommandResult runCommand(const std::string& cmd) {
  CommandResult r;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  std::array<char, 65536> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) r.out.append(buf.data(), n);
  int st = pclose(f);
  r.status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The Go toolchain and a scratch directory for the whole test-binary run.
class Toolchain {
 public:
  explicit Toolchain(GoToolchain which) {
    std::string go;
    if (which == GoToolchain::Go119) {
      // Go 1.19 by its Debian path, never `go` on PATH (the machines carry a newer Go there).
      go = kGo119;
      if (!fs::exists(go)) {
        error_ = "Go 1.19 not installed at " + go + ": run make deps (Debian package golang-1.19-go)";
        return;
      }
      CommandResult v = runCommand(quote(go) + " version 2>&1");
      if (v.status != 0 || v.out.find("go1.19") == std::string::npos) {
        error_ = "Go 1.19 not installed: run make deps (`" + go + " version` said: " + trim(v.out) + ")";
        return;
      }
    } else {
      // Go 1.26: `go` on PATH, resolved once, and it must say go1.26.
      CommandResult w = runCommand(std::string("command -v ") + kGo126 + " 2>/dev/null");
      go = trim(w.out);
      if (w.status != 0 || go.empty()) {
        error_ = "Go 1.26 not found: no `go` on PATH (the Go 1.26 oracle needs go1.26.x there)";
        return;
      }
      CommandResult v = runCommand("GOTOOLCHAIN=local " + quote(go) + " version 2>&1");
      if (v.status != 0 || v.out.find("go1.26") == std::string::npos) {
        error_ = "Go 1.26 not installed: `" + go + " version` said: " + trim(v.out);
        return;
      }
      // The engine's heap starts at 0xc000000000; Go 1.26 randomises its base unless built so.
      buildEnv_ = " GOTOOLCHAIN=local GOEXPERIMENT=norandomizedheapbase64";
      // A GOEXPERIMENT rebuilds the standard library (~30 s on 2 busy cores). ctest runs every
      // test in its own process, so the build cache is shared between them (Go's cache is safe
      // for concurrent use and only saves time; it cannot change what a program does).
      std::error_code ec;
      fs::path base = fs::temp_directory_path(ec);
      if (ec) base = "/tmp";
      gocache_ = (base / "spanscope-oracle-gocache-go1.26").string();
    }
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / "spanscope-oracle-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      error_ = "cannot create a temporary directory under " + base.string();
      return;
    }
    go_ = go;
    env_ = fs::exists("/usr/bin/env") ? "/usr/bin/env" : "env";
    dir_ = tmpl;
    if (gocache_.empty()) gocache_ = dir_ + "/gocache";
    ok_ = true;
  }
  ~Toolchain() {
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }
  Toolchain(const Toolchain&) = delete;
  Toolchain& operator=(const Toolchain&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

  // Builds tests/oracle/go/<name>/main.go; returns the binary's path or "" (and *err).
  std::string build(const std::string& name, std::string* err) const {
    const fs::path src = fs::path(SPANSCOPE_SOURCE_DIR) / "tests" / "oracle" / "go" / name;
    if (!fs::exists(src / "main.go")) {
      *err = "missing " + (src / "main.go").string();
      return "";
    }
    const std::string bin = dir_ + "/" + name;
    // A private GOCACHE/GOPATH and GOPATH mode (no go.mod) so this works without a HOME, in CI;
    // tests/oracle/go is on GOPATH for the shared package src/oraclelib.
    const std::string cmd = "cd " + quote(src.string()) + " && " + env_ + " GOCACHE=" + quote(gocache_) +
                            " GOPATH=" + quote(dir_ + "/gopath:" + (src.parent_path()).string()) + " GO111MODULE=off GOFLAGS= GOENV=off" +
                            buildEnv_ + " " + quote(go_) + " build -o " + quote(bin) + " ./main.go 2>&1";
    CommandResult r = runCommand(cmd);
    if (r.status != 0) {
      *err = "go build of " + src.string() + " failed (status " + std::to_string(r.status) + "):\n" + r.out;
      return "";
    }
    return bin;
  }

  // Runs a built program with GOMAXPROCS=1 GOGC=off, `env` and nothing else in its environment;
  // stdout in out, stderr in *errText, and *err says why on failure.
  bool run(const std::string& bin, const std::vector<std::string>& env, std::string* out, std::string* errText,
           std::string* err) const {
    const std::string errFile = bin + ".stderr";
    std::string extra;
    for (const std::string& e : env) extra += " " + quote(e);
    // A clean environment: the runtime copies it into a []string at start-up (goenvs), whose size
    // class would depend on how many variables the caller has (a CI runner's 70 variables land
    // in the scan 1152 B class the fifo program relies on being unused).
    const std::string cmd = env_ + " -i GOMAXPROCS=1 GOGC=off GOMEMLIMIT=off GOTRACEBACK=single" + extra + " " +
                            quote(bin) + " 2>" + quote(errFile);
    CommandResult r = runCommand(cmd);
    *out = std::move(r.out);
    std::ifstream in(errFile);
    std::stringstream ss;
    ss << in.rdbuf();
    *errText = ss.str();
    if (r.status != 0) {
      *err = bin + " exited with status " + std::to_string(r.status) + ":\n" + *errText;
      return false;
    }
    return true;
  }

 private:
  bool ok_ = false;
  std::string error_;
  std::string go_;
  std::string buildEnv_; // extra build variables (Go 1.26: GOEXPERIMENT, GOTOOLCHAIN)
  std::string gocache_;  // Go 1.19: private to this run; Go 1.26: shared (see above)
  std::string env_;
  std::string dir_;
};

const Toolchain& toolchain(GoToolchain which) {
  static Toolchain go119(GoToolchain::Go119);
  if (which == GoToolchain::Go119) return go119;
  static Toolchain go126(GoToolchain::Go126);
  return go126;
}

bool parse(const std::string& text, GoOutput* o, std::string* err) {
  std::istringstream lines(text);
  std::string line;
  int lineNo = 0;
  while (std::getline(lines, line)) {
    ++lineNo;
    if (line.empty()) continue;
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    bool good = true;
    if (tag == "addr") {
      GoAlloc a;
      int noscan = 0;
      in >> a.index >> a.size >> noscan >> std::hex >> a.addr;
      a.noscan = noscan != 0;
      good = !in.fail() && a.index == o->allocs.size();
      if (good) o->allocs.push_back(a);
    } else if (tag == "free") {
      uint64_t i = 0, round = 0;
      in >> i;
      good = !in.fail();
      if (good && !(in >> round)) round = 0;
      if (good) {
        o->frees.push_back(i);
        o->freeRounds.push_back(round);
      }
    } else if (tag == "case" || tag == "seq" || tag == "phase") {
      GoGroup g;
      g.kind = tag;
      in >> g.id;
      if (tag == "case") {
        int noscan = 0;
        in >> g.size >> noscan;
        g.noscan = noscan != 0;
      }
      in >> g.first >> g.count;
      good = !in.fail();
      if (good) o->groups.push_back(g);
    } else if (tag == "ms") {
      std::string label, kv;
      in >> label;
      good = !in.fail();
      auto& fields = o->ms[label];
      while (good && in >> kv) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos) {
          good = false;
          break;
        }
        try {
          fields[kv.substr(0, eq)] = std::stoull(kv.substr(eq + 1));
        } catch (const std::exception&) {
          good = false;
        }
      }
    } else {
      good = false;
    }
    if (!good) {
      *err = "cannot parse line " + std::to_string(lineNo) + ": " + line;
      return false;
    }
  }
  for (const GoGroup& g : o->groups)
    if (g.first + g.count > o->allocs.size()) {
      *err = g.kind + " " + std::to_string(g.id) + " refers to allocations past the last addr line";
      return false;
    }
  for (uint64_t i : o->frees)
    if (i >= o->allocs.size()) {
      *err = "free " + std::to_string(i) + " of an object that has no addr line";
      return false;
    }
  return true;
}

} // namespace

const GoGroup* GoOutput::group(const std::string& kind, uint64_t id) const {
  for (const GoGroup& g : groups)
    if (g.kind == kind && g.id == id) return &g;
  return nullptr;
}

int64_t GoOutput::delta(const std::string& before, const std::string& after, const std::string& field) const {
  auto b = ms.find(before), a = ms.find(after);
  if (b == ms.end() || a == ms.end()) {
    ADD_FAILURE() << "Go output has no MemStats snapshot '" << (b == ms.end() ? before : after) << "'";
    return 0;
  }
  auto fb = b->second.find(field), fa = a->second.find(field);
  if (fb == b->second.end() || fa == a->second.end()) {
    ADD_FAILURE() << "Go MemStats snapshot lacks field " << field;
    return 0;
  }
  return static_cast<int64_t>(fa->second - fb->second);
}

const char* toolchainName(GoToolchain t) { return t == GoToolchain::Go126 ? "go1.26" : "go1.19"; }

const GoOutput& runGoOracle(const std::string& name, const std::vector<std::string>& env, GoToolchain which) {
  static std::map<std::tuple<std::string, std::vector<std::string>, GoToolchain>, GoOutput> cache;
  const auto key = std::make_tuple(name, env, which);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  GoOutput& o = cache[key];
  const Toolchain& tc = toolchain(which);
  if (!tc.ok()) {
    o.error = tc.error();
    return o;
  }
  std::string err;
  std::string bin = tc.build(name, &err);
  if (bin.empty()) {
    o.error = err;
    return o;
  }
  if (!tc.run(bin, env, &o.raw, &o.stderrText, &err)) {
    o.error = err;
    return o;
  }
  if (!parse(o.raw, &o, &err)) {
    o.error = "oracle program " + name + ": " + err;
    return o;
  }
  o.ok = true;
  return o;
}

} // namespace oracle
