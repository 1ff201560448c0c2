// One engine step in a test: the event must apply, and the engine's invariants must hold after it.
#pragma once

#include "sim/invariants.h"
#include "sim/world.h"

#include <gtest/gtest.h>

#include <string>

namespace testutil {

inline sim::StepRecord checkedStep(sim::World& w, const sim::Event& ev) {
  std::string err;
  EXPECT_TRUE(w.step(ev, &err)) << err;
  auto bad = sim::checkInvariants(w);
  EXPECT_TRUE(bad.empty()) << "after event " << w.eventsApplied() << ": " << bad.front();
  return w.last();
}

} // namespace testutil
