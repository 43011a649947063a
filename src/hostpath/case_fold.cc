// Case-insensitive name comparison the way NTFS does it.
//
// NTFS compares names ordinally after upper-casing every UTF-16 code unit through the volume's
// $UpCase table, a one-to-one simple mapping (no locale, no "ß" -> "SS", no normalisation). We
// cannot read the $UpCase table of a volume we only see through a path map, so we carry the part of
// the simple upper-case mapping that real disk and folder names use: ASCII, Latin-1, Latin
// Extended-A, basic Greek and Cyrillic, fullwidth Latin letters. Other code points compare exactly;
// docs/hostpath.md states the limit. Dotless i / dotted I and long s are left alone on purpose: their
// upper-case forms are not one-to-one pairs, and guessing wrong would merge two distinct names.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/utf16.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

uint32_t simple_upper(uint32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;  // à..þ except ÷
  if (c == 0xFF) return 0x178;                                 // ÿ -> Ÿ
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x178 || c == 0x17F) return c;
    // Ĺ..ň and Ź..ž pair odd (upper) with even (lower); the rest of the block pairs even with odd.
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 0 ? c - 1 : c;
    return c % 2 == 1 ? c - 1 : c;
  }
  if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB)) return c - 0x20;  // α..ω
  if (c == 0x3C2) return 0x3A3;                                                   // final ς -> Σ
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 0x25;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 0x3F;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;    // а..я
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;    // ѐ..џ
  if (c >= 0xFF41 && c <= 0xFF5A) return c - 0x20;  // fullwidth ａ..ｚ
  return c;
}

}  // namespace

std::string fold_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    if (std::optional<uint32_t> cp = decode_utf8_at(utf8, i)) {
      append_utf8(out, simple_upper(*cp));
    } else {
      out.push_back(utf8[i]);  // not UTF-8 (an ANSI name?): compared byte for byte
      ++i;
    }
  }
  return out;
}

bool equal_ignore_case(std::string_view a, std::string_view b) {
  if (a == b) return true;
  return fold_case(a) == fold_case(b);
}

}  // namespace vhdchain::hostpath
