// Synthetic workload generators: allocation patterns after mimalloc-bench (larson, xmalloc-test,
// mstress, rptest, sh6bench, sh8bench, cache-scratch, cache-thrash, glibc-simple, glibc-thread,
// alloc-test, malloc-large, mleak) and Go-shaped ones (append growth, string building, map growth).
//
// Each generator is a streaming EventStream: events are made on demand, so memory follows the
// simulated program's live set, never the number of events (10^9 events are fine). Same name,
// parameters and seed give the same events, bit for bit, on every platform (own PRNG, no std::
// distributions, no libm). Simulated threads carry their own clocks; the time model is in
// gen_common.h.
#pragma once

#include "traces/event_stream.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace traces {

struct GeneratorParam {
  std::string name;
  std::string defaultValue;
  std::string meaning;
  // Integer parameters take a value in [min, max]; choice parameters (choices not empty) one of
  // the choices.
  uint64_t min = 0, max = 0;
  std::vector<std::string> choices;

  std::string range() const; // "1..1024" or "even|linear|exp"
};

struct GeneratorInfo {
  std::string name;
  std::string description; // what the original does and what the generator reproduces
  std::vector<GeneratorParam> params;
};

// Every generator, in the order `spanscope-cli gen --list` prints them.
const std::vector<GeneratorInfo>& generators();
const GeneratorInfo* findGenerator(const std::string& name);

// Builds generator `name` with `params` (any subset of its parameters; the rest keep their
// defaults). Throws std::invalid_argument with a one-line message naming the generator and the
// parameter for an unknown name, an unknown parameter, a malformed or out-of-range value.
// meta(): name = the generator's name, description = its description, source = the canonical
// command line (`spanscope-cli gen NAME --seed S --param k=v ...`, every parameter), and a
// suggested config (gomaxprocs = the simulated threads; liveness immediate for the C benchmarks,
// gc for the Go shapes).
std::unique_ptr<EventStream> makeGenerator(const std::string& name, const std::map<std::string, std::string>& params,
                                           uint64_t seed);

} // namespace traces
