// Rendering stored VHD bytes as text for messages and ImageInfo fields.
//
// Cookies, creator fields and platform codes are 4 or 8 raw bytes that a damaged or hostile file
// can fill with anything; these helpers keep messages printable ASCII (and so valid UTF-8 for JSON)
// while showing exactly what is stored.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <fmt/format.h>

namespace vhdchain::vhd {

// Printable ASCII as is, every other byte as \xNN.
inline std::string printable_bytes(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) {
    if (b >= 0x20 && b < 0x7F && b != '\\')
      out.push_back(static_cast<char>(b));
    else if (b == '\\')
      out += "\\\\";
    else
      out += fmt::format("\\x{:02x}", b);
  }
  return out;
}

// Lowercase hex, two digits per byte, no separators.
inline std::string hex_bytes(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace vhdchain::vhd
