// UTF-16 <-> UTF-8 conversion for names stored in disk images.
//
// VHDX locator keys/values and VHD W2ku/W2ru locators are UTF-16LE; the VHD dynamic header's
// parent name is UTF-16BE. Stored strings may be malformed (odd byte counts, unpaired surrogates);
// decoding never throws: it substitutes U+FFFD and says so, and the caller decides whether that
// is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vhdchain {

enum class Endian { little, big };

struct Utf16Text {
  std::string utf8;        // decoded text; U+FFFD where a code unit sequence was invalid
  bool valid = true;       // false if the byte count was odd or a surrogate was unpaired
};

Utf16Text utf16_to_utf8(std::span<const uint8_t> bytes, Endian order);

// Decodes up to the first U+0000 (VHD parent names are zero-padded to 512 bytes).
Utf16Text utf16_to_utf8_until_nul(std::span<const uint8_t> bytes, Endian order);

// Encodes UTF-8 (assumed valid; invalid bytes become U+FFFD) to UTF-16 bytes.
std::vector<uint8_t> utf8_to_utf16(std::string_view utf8, Endian order);

// The one UTF-8 codec. decode_utf8_at: the code point of the well-formed sequence at text[i], and i
// moved past it; nullopt (i unchanged) when the bytes there are not one (overlong, surrogate, above
// U+10FFFF, cut short). append_utf8: cp encoded onto out.
std::optional<uint32_t> decode_utf8_at(std::string_view text, size_t& i);
void append_utf8(std::string& out, uint32_t cp);

// Replaces invalid UTF-8 sequences by U+FFFD so the text is safe for JSON and terminals.
std::string sanitize_utf8(std::string_view text);

}  // namespace vhdchain
