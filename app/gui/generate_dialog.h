// File → Generate a workload: pick one of traces/generators.h's workload shapes, set its
// parameters (each with its meaning and range as a tooltip) and a seed; the app then generates
// and opens it like a file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gui {

struct GenerateRequest {
  std::string name;
  std::map<std::string, std::string> params; // only those changed from the defaults
  uint64_t seed = 1;
};

class GenerateDialog {
 public:
  void open() { open_ = justOpened_ = true; }
  // Draws the dialog while it is open; true once when the user pressed Generate (*out filled).
  bool draw(GenerateRequest* out);

 private:
  void select(size_t generator);

  bool open_ = false, justOpened_ = false;
  size_t generator_ = 0;
  bool selected_ = false;
  std::vector<std::vector<char>> values_; // one edit buffer per parameter
  uint64_t seed_ = 1;
};

} // namespace gui
