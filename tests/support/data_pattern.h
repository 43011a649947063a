// Deterministic sector contents for synthetic images.
//
// Every data sector the builder writes is a pure function of (seed, virtual byte offset), so the
// expected virtual content of any layer can be recomputed without keeping the data, and two layers
// with different seeds never hold the same bytes. Each 512-byte unit starts with a readable tag
// ("vc", the low 16 bits of the seed, the unit number) so a hex dump of a wrong read shows which
// layer and which sector the bytes came from; no unit is ever all zero, so "zero" and "data" are
// always distinguishable.
#pragma once

#include <cstdint>
#include <span>

namespace vhdchain::test {

// Fills out with the pattern of `seed` for the virtual bytes starting at `offset` (any alignment).
void fill_pattern(uint64_t seed, uint64_t offset, std::span<uint8_t> out);

// The seed of the junk the builder leaves where a correct reader must not look (stale blocks,
// sectors whose bitmap bit is 0): different from every data seed in practice.
constexpr uint64_t garbage_seed(uint64_t seed) { return seed ^ 0xA5A5'5A5A'DEAD'BEEFull; }

// SplitMix64 step, also used to derive GUIDs from seeds.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E37'79B9'7F4A'7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D0'49BB'1331'11EBull;
  return x ^ (x >> 31);
}

}  // namespace vhdchain::test
