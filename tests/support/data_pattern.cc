// The seeded sector pattern (see data_pattern.h).
#include "support/data_pattern.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vhdchain::test {
namespace {

constexpr uint64_t kUnit = 512;

void fill_unit(uint64_t seed, uint64_t unit, std::span<uint8_t, kUnit> out) {
  out[0] = 'v';
  out[1] = 'c';
  out[2] = static_cast<uint8_t>(seed);
  out[3] = static_cast<uint8_t>(seed >> 8);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<uint8_t>(unit >> (8 * i));
  uint64_t state = mix64(seed) ^ (unit * 0xD6E8'FEB8'6659'FD93ull);
  for (size_t off = 8; off < kUnit; off += 8) {
    state = mix64(state);
    for (int i = 0; i < 8; ++i) out[off + i] = static_cast<uint8_t>(state >> (8 * i));
  }
}

}  // namespace

void fill_pattern(uint64_t seed, uint64_t offset, std::span<uint8_t> out) {
  std::array<uint8_t, kUnit> unit_bytes;
  size_t done = 0;
  while (done < out.size()) {
    uint64_t pos = offset + done;
    uint64_t unit = pos / kUnit;
    size_t in_unit = pos % kUnit;
    size_t n = std::min<size_t>(out.size() - done, kUnit - in_unit);
    if (in_unit == 0 && n == kUnit) {
      fill_unit(seed, unit, std::span<uint8_t, kUnit>(out.data() + done, kUnit));
    } else {
      fill_unit(seed, unit, unit_bytes);
      std::memcpy(out.data() + done, unit_bytes.data() + in_unit, n);
    }
    done += n;
  }
}

}  // namespace vhdchain::test
