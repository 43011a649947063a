// Field encoders for the image builder.
//
// The builder writes every field by offset and byte order, the mirror image of how the parsers
// read them (ByteView), so an image is described field by field and never through a packed struct.
// VHDX is little-endian throughout (MS-VHDX 2.1); VHD is big-endian (VHD spec, "Hard Disk Footer").
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "vhdchain/guid.h"

namespace vhdchain::test {

inline void put_le(std::span<uint8_t> buf, size_t off, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) buf[off + i] = static_cast<uint8_t>(value >> (8 * i));
}
inline void put_be(std::span<uint8_t> buf, size_t off, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) buf[off + i] = static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
}

inline void put_le16(std::span<uint8_t> b, size_t off, uint16_t v) { put_le(b, off, v, 2); }
inline void put_le32(std::span<uint8_t> b, size_t off, uint32_t v) { put_le(b, off, v, 4); }
inline void put_le64(std::span<uint8_t> b, size_t off, uint64_t v) { put_le(b, off, v, 8); }
inline void put_be16(std::span<uint8_t> b, size_t off, uint16_t v) { put_be(b, off, v, 2); }
inline void put_be32(std::span<uint8_t> b, size_t off, uint32_t v) { put_be(b, off, v, 4); }
inline void put_be64(std::span<uint8_t> b, size_t off, uint64_t v) { put_be(b, off, v, 8); }

inline uint64_t get_le(std::span<const uint8_t> buf, size_t off, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{buf[off + i]} << (8 * i);
  return v;
}
inline uint64_t get_be(std::span<const uint8_t> buf, size_t off, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | buf[off + i];
  return v;
}

// Raw bytes (signatures, cookies, GUIDs as stored).
inline void put_bytes(std::span<uint8_t> buf, size_t off, std::span<const uint8_t> bytes) {
  std::memcpy(buf.data() + off, bytes.data(), bytes.size());
}
inline void put_ascii(std::span<uint8_t> buf, size_t off, std::string_view text) {
  std::memcpy(buf.data() + off, text.data(), text.size());
}
inline void put_guid(std::span<uint8_t> buf, size_t off, const Guid& g) { put_bytes(buf, off, g.bytes); }

// A four-character code as the big-endian u32 VHD stores ("W2ku" -> 0x57326B75).
constexpr uint32_t fourcc(const char (&s)[5]) {
  return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) | (uint32_t(uint8_t(s[2])) << 8) |
         uint32_t(uint8_t(s[3]));
}

}  // namespace vhdchain::test
