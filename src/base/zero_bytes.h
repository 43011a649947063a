// Whether a buffer holds only zero bytes: the test behind every "stores no all-zero block".
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace vhdchain {

// Compares the first 16 bytes with zero, then the buffer with itself shifted by 16 bytes: memcmp
// runs at memory speed, where a byte loop would be the slowest part of a convert or compact.
inline bool all_zero(std::span<const uint8_t> bytes) {
  constexpr size_t kHead = 16;
  static constexpr uint8_t kZeros[kHead] = {};
  if (bytes.size() <= kHead) return std::memcmp(bytes.data(), kZeros, bytes.size()) == 0;
  return std::memcmp(bytes.data(), kZeros, kHead) == 0 &&
         std::memcmp(bytes.data(), bytes.data() + kHead, bytes.size() - kHead) == 0;
}

}  // namespace vhdchain
