// Invariants of the engine's state, checked after every step in tests and on demand in the CLI.
// Design essay: sim/malloc.h. Go enforces some of these with throw() (e.g. "sweep increased
// allocation count", "refill of span with free space remaining"); the rest are ours.
#pragma once

#include <string>
#include <vector>

namespace sim {

class World;

// Returns one line per violated invariant; empty when the state is consistent.
std::vector<std::string> checkInvariants(const World& w);

} // namespace sim
