// CRC-32C (Castagnoli), as VHDX uses for headers, region tables and log entries.
// Reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final XOR 0xFFFFFFFF; crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <span>

namespace vhdchain {

// CRC of a whole buffer.
uint32_t crc32c(std::span<const uint8_t> data);

// Incremental form: start with crc32c_begin(), feed pieces, finish with crc32c_end().
constexpr uint32_t crc32c_begin() { return 0xFFFFFFFFu; }
uint32_t crc32c_update(uint32_t state, std::span<const uint8_t> data);
// The same by table lookups (slicing-by-8), whatever the CPU; crc32c_update uses the SSE4.2
// instruction where the CPU has it. Exposed so tests can compare both.
uint32_t crc32c_update_portable(uint32_t state, std::span<const uint8_t> data);
constexpr uint32_t crc32c_end(uint32_t state) { return state ^ 0xFFFFFFFFu; }

// CRC of a structure whose 4-byte checksum field at checksum_offset counts as zero,
// which is how every VHDX checksum is defined.
uint32_t crc32c_with_zeroed_field(std::span<const uint8_t> data, size_t checksum_offset);

}  // namespace vhdchain
