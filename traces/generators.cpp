// The generator registry and makeGenerator: see generators.h. Each generator lives in its own
// gen_*.cpp; shared machinery in gen_common.h.
#include "traces/generators.h"

#include "traces/gen_common.h"

#include <stdexcept>

namespace traces {

namespace {

const std::vector<const gen::Definition*>& definitions() {
  static const std::vector<const gen::Definition*> defs = {
      &gen::larsonDefinition(),       &gen::xmallocDefinition(),      &gen::mstressDefinition(),
      &gen::rptestDefinition(),       &gen::sh6benchDefinition(),     &gen::sh8benchDefinition(),
      &gen::cacheScratchDefinition(), &gen::cacheThrashDefinition(),  &gen::glibcSimpleDefinition(),
      &gen::glibcThreadDefinition(),  &gen::allocTestDefinition(),    &gen::mallocLargeDefinition(),
      &gen::mleakDefinition(),        &gen::goAppendDefinition(),     &gen::goStringsDefinition(),
      &gen::goMapDefinition(),
  };
  return defs;
}

} // namespace

std::string GeneratorParam::range() const {
  if (choices.empty()) return std::to_string(min) + ".." + std::to_string(max);
  std::string s;
  for (const std::string& c : choices) s += (s.empty() ? "" : "|") + c;
  return s;
}

const std::vector<GeneratorInfo>& generators() {
  static const std::vector<GeneratorInfo> infos = [] {
    std::vector<GeneratorInfo> v;
    for (const gen::Definition* d : definitions()) v.push_back(d->info);
    return v;
  }();
  return infos;
}

const GeneratorInfo* findGenerator(const std::string& name) {
  for (const GeneratorInfo& g : generators())
    if (g.name == name) return &g;
  return nullptr;
}

std::unique_ptr<EventStream> makeGenerator(const std::string& name, const std::map<std::string, std::string>& params,
                                           uint64_t seed) {
  for (const gen::Definition* d : definitions()) {
    if (d->info.name != name) continue;
    const gen::Params p(d->info, params);
    std::unique_ptr<gen::Workload> w = d->make(p, seed);
    w->describe(d->info.name, d->info.description, p.commandLine(seed));
    return w;
  }
  std::string names;
  for (const gen::Definition* d : definitions()) names += (names.empty() ? "" : ", ") + d->info.name;
  throw std::invalid_argument("unknown generator \"" + name + "\" (generators: " + names + ")");
}

} // namespace traces
