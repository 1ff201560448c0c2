// zstd checkpoint codec: see checkpoint_codec.h.
#include "app/model/checkpoint_codec.h"

#include <zstd.h>

#include <stdexcept>
#include <string>

namespace model {

namespace {

class ZstdCodec final : public sim::CheckpointCodec {
 public:
  std::string pack(std::string_view bytes) const override {
    std::string out(ZSTD_compressBound(bytes.size()), '\0');
    const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 1);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("packing a checkpoint: ") + ZSTD_getErrorName(n));
    out.resize(n);
    out.shrink_to_fit();
    return out;
  }
  std::string unpack(std::string_view packed, size_t bytes) const override {
    std::string out(bytes, '\0');
    const size_t n = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
    if (ZSTD_isError(n) || n != bytes) throw std::runtime_error("unpacking a checkpoint: it is damaged");
    return out;
  }
};

} // namespace

const sim::CheckpointCodec& zstdCheckpointCodec() {
  static const ZstdCodec codec;
  return codec;
}

} // namespace model
