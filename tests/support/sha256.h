// SHA-256 (FIPS 180-4) for the expected-content manifests.
//
// The crosscheck manifest records the SHA-256 of each virtual disk so any reader (pyvhdi, qemu-img,
// `vhdchain export --raw | sha256sum`) can be compared without storing the content. A small own
// implementation keeps the test support free of a crypto library dependency.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace vhdchain::test {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> data);
  std::array<uint8_t, 32> finish();
  // Lowercase hex of finish().
  std::string finish_hex();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::span<const uint8_t> data);

}  // namespace vhdchain::test
