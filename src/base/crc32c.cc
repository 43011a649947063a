#include "base/crc32c.h"

#include <array>
#include <cstring>

namespace vhdchain {
namespace {

// Slicing-by-8 tables: the log checksum covers whole log entries, so this is on the open path of
// dirty images and worth a few KiB of tables.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

constexpr Tables kTables;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// SSE4.2's crc32 instruction is exactly this update step (CRC-32C, reflected, no pre/post XOR).
// `check` opens thousands of files, each with two 64 KiB region tables and two 4 KiB headers to
// verify: the table version was a fifth of its run time.
#define VHDCHAIN_CRC32C_SSE42 1
__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
  }
  uint32_t c32 = uint32_t(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}

bool have_sse42() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

}  // namespace

uint32_t crc32c_update(uint32_t crc, std::span<const uint8_t> data) {
#ifdef VHDCHAIN_CRC32C_SSE42
  if (have_sse42()) return update_sse42(crc, data.data(), data.size());
#endif
  return crc32c_update_portable(crc, data);
}

uint32_t crc32c_update_portable(uint32_t crc, std::span<const uint8_t> data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  const auto& t = kTables.t;
  while (n >= 8) {
    uint32_t lo = crc ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
    uint32_t hi = uint32_t(p[4]) | uint32_t(p[5]) << 8 | uint32_t(p[6]) << 16 | uint32_t(p[7]) << 24;
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF];
  return crc;
}

uint32_t crc32c(std::span<const uint8_t> data) { return crc32c_end(crc32c_update(crc32c_begin(), data)); }

uint32_t crc32c_with_zeroed_field(std::span<const uint8_t> data, size_t checksum_offset) {
  static constexpr uint8_t kZero[4] = {0, 0, 0, 0};
  uint32_t s = crc32c_begin();
  s = crc32c_update(s, data.subspan(0, checksum_offset));
  s = crc32c_update(s, kZero);
  s = crc32c_update(s, data.subspan(checksum_offset + 4));
  return crc32c_end(s);
}

}  // namespace vhdchain
