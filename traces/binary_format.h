// The binary trace format's constants and primitive codecs (little-endian integers, LEB128
// varints, zigzag), shared by binary_writer.cpp and binary_reader.cpp. The layout they encode is
// specified byte by byte in docs/binary-trace-format.md; keep the two in step.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace traces::binfmt {

inline constexpr char kMagic[8] = {'\x89', 'S', 'P', 'A', 'N', 'T', 'R', '\n'};
inline constexpr char kTrailerMagic[8] = {'S', 'P', 'A', 'N', 'E', 'N', 'D', '\n'};
inline constexpr uint16_t kVersion = 1;
inline constexpr const char* kSupportedVersions = "1";

// File header: magic, version u16, flags u16, meta length u32, meta, CRC-32 u32.
inline constexpr size_t kHeaderFixed = 16;
inline constexpr uint16_t kHeaderZstd = 1; // informational: the writer compressed its blocks
inline constexpr uint32_t kMaxMetaBytes = 16u << 20;

// Records after the header.
inline constexpr uint8_t kBlockTag = 'B';
inline constexpr uint8_t kFooterTag = 'F';
// Block record: tag, flags u8, event count u32, raw length u32, stored length u32, CRC-32 u32.
inline constexpr size_t kBlockHeader = 18;
inline constexpr uint8_t kBlockZstd = 1;
inline constexpr uint32_t kMaxBlockBytes = 64u << 20; // raw and stored payloads, both
// Annotation texts are bounded so that one event always fits in a block.
inline constexpr uint32_t kMaxAnnotationBytes = 16u << 20;
// All annotations of a trace together (the reader keeps them for lessons): 64 MiB.
inline constexpr uint64_t kMaxAnnotationTotal = uint64_t{64} << 20;
// Footer record: tag, 11 u64 fields, thread table (u32 each), CRC-32 u32.
inline constexpr size_t kFooterFields = 11;
inline constexpr size_t kFooterFixed = 1 + 8 * kFooterFields;
inline constexpr size_t kTrailerBytes = 16; // footer offset u64 + trailer magic

// Event records. A compact record's tag byte fixes the kind and the width (0..3 bytes) of each
// field, so the reader finds every field without looking at the bytes in between:
//   Alloc  0x00..0x7F = noscan<<6 | timeW<<4 | idW<<2 | sizeW
//   Free   0x80..0x8F = 0x80 | timeW<<2 | idW
//   GC     0x90..0x93 = 0x90 | timeW;   ReadMemStats 0x94..0x97 = 0x94 | timeW
// then time delta (timeW bytes; width 0 = no time), id delta (idW bytes; 0 = delta 0), size
// (sizeW bytes; 0 = size 0), little-endian. Everything else takes the generic record.
inline constexpr uint8_t kAllocBase = 0x00, kFreeBase = 0x80, kGcBase = 0x90, kReadMemStatsBase = 0x94;
inline constexpr uint8_t kCompactEnd = 0x98; // 0x98..0xEF are reserved
inline constexpr uint8_t kThreadSwitch = 0xF0; // LEB128 thread index [, LEB128 thread id if new]
inline constexpr uint8_t kGeneric = 0xF1;      // flags byte, then LEB128 fields (and annotation text)
inline constexpr unsigned kMaxCompactWidth = 3;
// The generic record's flags byte.
inline constexpr uint8_t kKindMask = 0x07; // kind bits 0-2
inline constexpr uint8_t kKindHigh = 0x10; // kind bit 3 (kinds 8..15; was reserved, 0 in older files)
inline constexpr uint8_t kNoscan = 0x08;
inline constexpr uint8_t kHasTime = 0x20;
inline constexpr uint8_t kHasId = 0x40;
inline constexpr uint8_t kHasSize = 0x80;
// The longest event without annotation text, with the thread switch before it: switch (tag + two
// 10-byte varints) + generic record (tag + flags + four 10-byte varints).
inline constexpr size_t kMaxEventBytes = 21 + 2 + 4 * 10;
// Zero bytes after a decoded payload, so the decoder may load 8 bytes at any field of a record
// that starts before the end, or run past the end by one record before its end check fails,
// without reading outside the buffer.
inline constexpr size_t kPadding = 64;

// Bytes needed for v in a compact field (0 for 0).
inline unsigned compactWidth(uint64_t v) { return v == 0 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4; }

// What the footer counts; the reader recomputes every field and compares.
struct Counts {
  uint64_t events = 0, allocs = 0, frees = 0, gcs = 0, readMemStats = 0, annotations = 0;
  uint64_t blocks = 0, threads = 0;
  uint64_t idBound = 0;                  // largest Alloc/Free id + 1; 0 if none
  uint64_t minTime = ~uint64_t{0};       // smallest time stamp; 2^64-1 (kNoTime) if none
  uint64_t maxTime = 0;                  // largest time stamp; 0 if none
  bool operator==(const Counts&) const = default;
};

inline void putU16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}
inline void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline uint16_t getU16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
inline uint32_t getU32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t getU64(const unsigned char* p) { return uint64_t{getU32(p)} | uint64_t{getU32(p + 4)} << 32; }
// The low `width` bytes (0..3) at p, from one unaligned 8-byte load (the buffer is padded).
inline uint64_t getNarrow(const unsigned char* p, unsigned width) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v & ((uint64_t{1} << (8 * width)) - 1);
}

inline uint64_t zigzag(uint64_t delta) {
  const auto d = static_cast<int64_t>(delta);
  return (delta << 1) ^ static_cast<uint64_t>(d >> 63);
}
inline uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

// LEB128: 7 bits per byte, low first, high bit = more follows. At most 10 bytes.
inline unsigned char* putVarint(unsigned char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return p;
}

// Decodes a varint; sets `bad` if it runs over 10 bytes or 64 bits. Reads at most 10 bytes,
// whatever they hold (the caller pads its buffer and checks the position afterwards).
inline uint64_t getVarint(const unsigned char*& p, bool& bad) {
  uint64_t b = *p++;
  if (b < 0x80) return b; // the common case: one byte
  uint64_t v = b & 0x7F;
  for (unsigned shift = 7; shift < 63; shift += 7) {
    b = *p++;
    v |= (b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
  b = *p++; // the 10th byte holds bit 63 only
  bad |= b > 1;
  return v | b << 63;
}

} // namespace traces::binfmt
