// A 16-byte identifier as stored on disk.
//
// VHDX stores GUIDs in Microsoft's mixed-endian binary form (Data1 u32 LE, Data2 u16 LE,
// Data3 u16 LE, Data4 8 bytes as written); to_string() renders that form as the usual
// "2dc27766-f623-4200-9d64-115e9bfd4a08". VHD unique ids are 16 opaque bytes that Microsoft
// tools also print as GUIDs; they are compared raw, never byte-swapped.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vhdchain {

struct Guid {
  std::array<uint8_t, 16> bytes{};  // exactly as stored on disk

  bool is_zero() const noexcept;
  // Lowercase, no braces: "f88d4d92-6fcc-408d-9bef-9b7c89f15c89" (Microsoft mixed-endian reading).
  std::string to_string() const;
  // Same, with braces, as VHDX parent locators store it.
  // Appended rather than "{" + to_string() + "}": at -O3 GCC 12 reports a false memcpy overlap in
  // the latter (-Werror=restrict, GCC bug 105329), which stopped the mingw Release build.
  std::string to_braced_string() const {
    std::string out(1, '{');
    out += to_string();
    out += '}';
    return out;
  }

  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", with or without braces, any case.
  static std::optional<Guid> parse(std::string_view text);
  // A random (version 4) GUID, from the operating system's random source.
  static Guid random();

  friend bool operator==(const Guid&, const Guid&) = default;
  friend auto operator<=>(const Guid&, const Guid&) = default;
};

}  // namespace vhdchain
