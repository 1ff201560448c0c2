// zstd checkpoint codecs: see checkpoint_codec.h.
#include "app/model/checkpoint_codec.h"

#include <zstd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace model {

namespace {

std::string zstdPack(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 1);
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("packing a checkpoint: ") + ZSTD_getErrorName(n));
  out.resize(n);
  out.shrink_to_fit();
  return out;
}

std::string zstdUnpack(std::string_view packed, size_t bytes) {
  std::string out(bytes, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != bytes) throw std::runtime_error("unpacking a checkpoint: it is damaged");
  return out;
}

class ZstdCodec final : public sim::CheckpointCodec {
 public:
  std::string pack(std::string_view bytes) const override { return zstdPack(bytes); }
  std::string unpack(std::string_view packed, size_t bytes) const override { return zstdUnpack(packed, bytes); }
};

// What SpillingCheckpointCodec::pack returns: a tag, then the packed bytes themselves, or where
// they are in the file (offset and length, 8 bytes each).
constexpr char kInMemory = 'M', kInFile = 'F';

} // namespace

const sim::CheckpointCodec& zstdCheckpointCodec() {
  static const ZstdCodec codec;
  return codec;
}

SpillingCheckpointCodec::SpillingCheckpointCodec(const std::string& dir, uint64_t maxFileBytes)
    : dir_(dir), maxFileBytes_(maxFileBytes) {
  std::string name = dir + "/checkpoints-XXXXXX";
  fd_ = ::mkstemp(name.data());
  if (fd_ >= 0) ::unlink(name.c_str());
}

SpillingCheckpointCodec::~SpillingCheckpointCodec() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SpillingCheckpointCodec::pack(std::string_view bytes) const {
  std::string packed = zstdPack(bytes);
  const uint64_t at = end_.load();
  if (spilling() && at + packed.size() <= maxFileBytes_) {
    size_t done = 0;
    while (done < packed.size()) {
      const ssize_t n = ::pwrite(fd_, packed.data() + done, packed.size() - done, static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done == packed.size()) {
      end_.store(at + done);
      const uint64_t where[2] = {at, done};
      std::string handle(1, kInFile);
      handle.append(reinterpret_cast<const char*>(where), sizeof where);
      return handle;
    }
  }
  stopped_.store(true); // no file, a full disk or the size cap: this copy and the next stay in memory
  return std::string(1, kInMemory) + packed;
}

std::string SpillingCheckpointCodec::unpack(std::string_view packed, size_t bytes) const {
  if (packed.empty()) throw std::runtime_error("unpacking a checkpoint: it is empty");
  if (packed[0] == kInMemory) return zstdUnpack(packed.substr(1), bytes);
  uint64_t where[2] = {0, 0};
  if (packed[0] != kInFile || packed.size() != 1 + sizeof where) throw std::runtime_error("unpacking a checkpoint: it is damaged");
  std::memcpy(where, packed.data() + 1, sizeof where);
  std::string buf(where[1], '\0');
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(where[0] + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error("reading a checkpoint back from its file in " + dir_ + ": " +
                               (n < 0 ? std::strerror(errno) : std::string("it is shorter than written")));
    done += static_cast<size_t>(n);
  }
  return zstdUnpack(buf, bytes);
}

} // namespace model
