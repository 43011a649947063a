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
#include <string>
#include <string_view>

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

// Decodes one well-formed UTF-8 sequence at text[i]; returns false (and leaves i) when the bytes
// there are not one, so the caller copies the byte through unchanged.
bool next_code_point(std::string_view text, size_t& i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t b0 = byte(i);
  size_t len = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (i + len > text.size()) return false;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += len;
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string fold_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    if (next_code_point(utf8, i, cp)) {
      append_utf8(out, simple_upper(cp));
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
