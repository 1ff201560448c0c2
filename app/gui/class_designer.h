// The size-class designer window: mksizeclasses' rules as knobs (exactly those of
// `spanscope-cli classes --generate`), the table they give, and "Optimise for this trace" (the
// exact optimiser of sim/sizeclass_optimize.h on the loaded trace's request histogram, against Go
// 1.19's table). Either table can join the comparison. The logic is plain functions and members
// the tests call; draw() is the ImGui part.
#pragma once

#include "sim/sizeclass_optimize.h"
#include "sim/sizeclasses.h"

#include <cstdint>
#include <optional>
#include <string>

namespace model {
struct CompareTable;
} // namespace model

namespace gui {

// The optimiser's table for a histogram with Go 1.19's table as the baseline to beat, and both
// tables' expected waste (sim/sizeclass_optimize.h's cost model).
struct Optimised {
  sim::SizeClassTable table;
  sim::TableWaste waste, goWaste;
  uint32_t budget = 0;
};
Optimised optimiseAgainstGo(const sim::SizeHistogram& h, uint32_t budget, uint32_t step = 8, bool keepTiny = true);

class ClassDesigner {
 public:
  ClassDesigner();
  bool open = false;

  // The generator's knobs (defaults: Go 1.19's rules) and the table they make.
  sim::SizeClassGeneratorKnobs knobs;
  // Rebuilds table() from the knobs. False (and the previous table kept) when they are
  // inconsistent; why() says what is wrong.
  bool regenerate();
  const sim::SizeClassTable& table() const { return table_; }
  const std::string& why() const { return why_; }

  // Optimisation for a histogram (the loaded trace's requests).
  uint32_t budget = 67, step = 8;
  bool keepTiny = true;
  void optimise(const sim::SizeHistogram& h);
  const std::optional<Optimised>& optimised() const { return optimised_; }

  // The window. `h` is the loaded trace's request histogram (nullptr: no trace). Returns true and
  // fills *add when the user asked to add a table to the comparison.
  bool draw(const sim::SizeHistogram* h, model::CompareTable* add);

 private:
  sim::SizeClassTable table_;
  std::string why_;
  std::optional<Optimised> optimised_;
  bool showOptimised_ = false; // which table the list shows
};

} // namespace gui
