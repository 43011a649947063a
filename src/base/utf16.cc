// UTF-16 <-> UTF-8, and the one UTF-8 decoder and encoder (hostpath's NTFS case folding uses them too).
#include "base/utf16.h"

namespace vhdchain {

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

// Strict: the shortest form only, no surrogates, nothing above U+10FFFF (so no lead byte above 0xF4).
std::optional<uint32_t> decode_utf8_at(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  uint32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + len > text.size()) return std::nullopt;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

namespace {

constexpr uint32_t kReplacement = 0xFFFD;

uint16_t unit_at(std::span<const uint8_t> b, size_t i, Endian order) {
  return order == Endian::little ? static_cast<uint16_t>(b[i] | b[i + 1] << 8)
                                 : static_cast<uint16_t>(b[i] << 8 | b[i + 1]);
}

Utf16Text decode(std::span<const uint8_t> bytes, Endian order, bool stop_at_nul) {
  Utf16Text r;
  if (bytes.size() % 2 != 0) r.valid = false;
  size_t units = bytes.size() / 2;
  for (size_t u = 0; u < units; ++u) {
    uint32_t c = unit_at(bytes, 2 * u, order);
    if (c == 0 && stop_at_nul) break;
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (u + 1 < units) {
        uint32_t d = unit_at(bytes, 2 * (u + 1), order);
        if (d >= 0xDC00 && d <= 0xDFFF) {
          append_utf8(r.utf8, 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00));
          ++u;
          continue;
        }
      }
      r.valid = false;
      append_utf8(r.utf8, kReplacement);
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      r.valid = false;
      append_utf8(r.utf8, kReplacement);
    } else {
      append_utf8(r.utf8, c);
    }
  }
  if (bytes.size() % 2 != 0) append_utf8(r.utf8, kReplacement);
  return r;
}

// One code point at text[i], advancing i; kReplacement (and one byte) where the bytes are not UTF-8.
uint32_t next_code_point(std::string_view text, size_t& i) {
  if (std::optional<uint32_t> cp = decode_utf8_at(text, i)) return *cp;
  ++i;
  return kReplacement;
}

}  // namespace

Utf16Text utf16_to_utf8(std::span<const uint8_t> bytes, Endian order) { return decode(bytes, order, false); }

Utf16Text utf16_to_utf8_until_nul(std::span<const uint8_t> bytes, Endian order) {
  return decode(bytes, order, true);
}

std::vector<uint8_t> utf8_to_utf16(std::string_view utf8, Endian order) {
  std::vector<uint8_t> out;
  auto put = [&](uint32_t unit) {
    uint8_t lo = static_cast<uint8_t>(unit), hi = static_cast<uint8_t>(unit >> 8);
    if (order == Endian::little) {
      out.push_back(lo);
      out.push_back(hi);
    } else {
      out.push_back(hi);
      out.push_back(lo);
    }
  };
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = next_code_point(utf8, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else {
      put(cp);
    }
  }
  return out;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) append_utf8(out, next_code_point(text, i));
  return out;
}

}  // namespace vhdchain
