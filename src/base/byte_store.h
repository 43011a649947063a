// Storing integers and GUIDs into byte buffers, the writers' counterpart of io/byte_view.h.
// VHDX fields are little-endian, VHD fields big-endian; both are written byte by byte so the
// code is the same on any host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "vhdchain/guid.h"

namespace vhdchain {

inline void store_le(std::span<uint8_t> buf, size_t offset, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) buf[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}
inline void store_be(std::span<uint8_t> buf, size_t offset, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) buf[offset + width - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
}
inline void store_le16(std::span<uint8_t> b, size_t o, uint16_t v) { store_le(b, o, v, 2); }
inline void store_le32(std::span<uint8_t> b, size_t o, uint32_t v) { store_le(b, o, v, 4); }
inline void store_le64(std::span<uint8_t> b, size_t o, uint64_t v) { store_le(b, o, v, 8); }
inline void store_be16(std::span<uint8_t> b, size_t o, uint16_t v) { store_be(b, o, v, 2); }
inline void store_be32(std::span<uint8_t> b, size_t o, uint32_t v) { store_be(b, o, v, 4); }
inline void store_be64(std::span<uint8_t> b, size_t o, uint64_t v) { store_be(b, o, v, 8); }

inline void store_bytes(std::span<uint8_t> buf, size_t offset, std::span<const uint8_t> bytes) {
  if (!bytes.empty()) std::memcpy(buf.data() + offset, bytes.data(), bytes.size());
}
inline void store_ascii(std::span<uint8_t> buf, size_t offset, std::string_view text) {
  if (!text.empty()) std::memcpy(buf.data() + offset, text.data(), text.size());
}
inline void store_guid(std::span<uint8_t> buf, size_t offset, const Guid& g) { store_bytes(buf, offset, g.bytes); }

}  // namespace vhdchain
