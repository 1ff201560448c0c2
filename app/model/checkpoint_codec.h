// Checkpoints packed with zstd (sim::CheckpointCodec): a session keeps several times more of them
// in the same budget, so a seek replays fewer events.
#pragma once

#include "sim/checkpoint.h"

namespace model {

// zstd at level 1: a World's bulk (object table, span structs, bitmaps) packs to about a quarter
// at some 300 MB/s on one core, beside the replay; unpacking 17 MB takes ~15 ms.
const sim::CheckpointCodec& zstdCheckpointCodec();

} // namespace model
