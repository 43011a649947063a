// The VHD checksum: one's complement of the 32-bit sum of the structure's bytes, the checksum
// field counted as zero (VHD spec, footer "Checksum" and dynamic header "Checksum").
#pragma once

#include <cstdint>
#include <span>

namespace vhdchain::test {

inline uint32_t vhd_checksum(std::span<const uint8_t> bytes, size_t checksum_offset) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); ++i)
    if (i < checksum_offset || i >= checksum_offset + 4) sum += bytes[i];
  return ~sum;
}

}  // namespace vhdchain::test
