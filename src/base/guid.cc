#include "vhdchain/guid.h"

#include <random>

#include <fmt/format.h>

namespace vhdchain {
namespace {

// Byte positions of the 32 hex digits in text order: Data1..Data3 are little-endian on disk.
constexpr std::array<int, 16> kTextOrder = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Guid::is_zero() const noexcept {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

std::string Guid::to_string() const {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", bytes[kTextOrder[i]]);
  }
  return out;
}

std::optional<Guid> Guid::parse(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  if (text.size() != 36) return std::nullopt;
  Guid g;
  size_t digit = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    int v = hex_value(text[i]);
    if (v < 0) return std::nullopt;
    uint8_t& b = g.bytes[kTextOrder[digit / 2]];
    b = static_cast<uint8_t>(digit % 2 == 0 ? v << 4 : (b | v));
    ++digit;
  }
  return g;
}

Guid Guid::random() {
  std::random_device rd;  // /dev/urandom on Linux, RtlGenRandom on mingw/MSVC
  Guid g;
  for (size_t i = 0; i < 16; i += 4) {
    uint32_t r = rd();
    for (size_t j = 0; j < 4; ++j) g.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  g.bytes[7] = static_cast<uint8_t>((g.bytes[7] & 0x0F) | 0x40);  // Data3 high nibble: version 4
  g.bytes[8] = static_cast<uint8_t>((g.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return g;
}

}  // namespace vhdchain
