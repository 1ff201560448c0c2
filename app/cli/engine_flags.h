// spanscope-cli: the engine flags `replay` and `compare` share, and the sim::Config they make.
// Precedence: the engine's defaults < the trace's meta.config < a --config file < these flags.
#pragma once

#include "app/cli/cli.h"
#include "app/model/engine_settings.h"

#include <string>

namespace cli {

// The flags fill the one settings type the app's dialog fills too (app/model/engine_settings.h);
// model::resolveConfig applies them with the precedence above.
using EngineFlags = model::EngineSettings;

// If `flag` (just read from `a`) is an engine flag, reads its value into `e` and returns true;
// throws UsageError on a bad value.
bool parseEngineFlag(const std::string& flag, Args& a, EngineFlags& e);

} // namespace cli
