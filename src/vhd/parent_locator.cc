// VHD parent locator entries (VHD spec "Dynamic Disk Header Format", parent locator entries and
// platform codes; formats.md 3.3 and pitfalls 21, 24).
//
// Encodings differ by code and from the parent unicode name: W2ku/W2ru are UTF-16 *little*-endian
// while the name is big-endian. The platform data space is a byte count in every file seen from
// Microsoft tools although the spec calls it sectors, so the length is what is read and the space
// is only an upper bound, accepted in either unit.
#include "vhd/parent_locator.h"

#include <fmt/format.h>

#include "base/checked_math.h"
#include "base/utf16.h"
#include "vhd/footer.h"
#include "vhd/text.h"

namespace vhdchain::vhd {
namespace {

namespace l = locator_field;

// The bytes before the first NUL code unit (unit_size 1 or 2); `rest_nonzero` says whether any
// non-zero byte follows it.
std::span<const uint8_t> until_nul(std::span<const uint8_t> data, size_t unit_size, bool& rest_nonzero) {
  rest_nonzero = false;
  size_t end = 0;
  while (end + unit_size <= data.size()) {
    bool nul = true;
    for (size_t k = 0; k < unit_size; ++k) nul = nul && data[end + k] == 0;
    if (nul) break;
    end += unit_size;
  }
  if (end + unit_size > data.size()) return data;  // no NUL unit (an odd trailing byte stays)
  for (size_t k = end; k < data.size(); ++k) rest_nonzero = rest_nonzero || data[k] != 0;
  return data.first(end);
}

std::string latin1_to_utf8(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) {
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

}  // namespace

LocatorSlot decode_locator_slot(const ByteView& entry) {
  LocatorSlot slot;
  slot.platform_code = entry.be32(l::kPlatformCode);
  slot.data_space = entry.be32(l::kPlatformDataSpace);
  slot.data_length = entry.be32(l::kPlatformDataLength);
  slot.reserved = entry.be32(l::kReserved);
  slot.data_offset = entry.be64(l::kPlatformDataOffset);
  return slot;
}

bool is_utf16_platform(uint32_t code) { return code == kPlatformW2ku || code == kPlatformW2ru; }

bool is_known_platform(uint32_t code) {
  return code == kPlatformWi2r || code == kPlatformWi2k || code == kPlatformW2ru || code == kPlatformW2ku ||
         code == kPlatformMac || code == kPlatformMacX;
}

LocatorValue decode_locator_data(uint32_t code, std::span<const uint8_t> data) {
  LocatorValue value;
  bool rest_nonzero = false;
  if (is_utf16_platform(code)) {
    Utf16Text text = utf16_to_utf8(until_nul(data, 2, rest_nonzero), Endian::little);
    value.text = std::move(text.utf8);
    value.valid = text.valid && !rest_nonzero;
  } else if (code == kPlatformWi2k || code == kPlatformWi2r) {
    value.text = latin1_to_utf8(until_nul(data, 1, rest_nonzero));
    value.valid = !rest_nonzero;
  } else if (code == kPlatformMacX) {
    std::span<const uint8_t> url = until_nul(data, 1, rest_nonzero);
    std::string_view raw(reinterpret_cast<const char*>(url.data()), url.size());
    value.text = sanitize_utf8(raw);
    value.valid = value.text == raw && !rest_nonzero;
  } else {
    value.text = hex_bytes(data);  // Mac OS alias blob, or a code this reader does not know
  }
  return value;
}

LocatorEntry read_locator(const Reader& file, const ByteView& entry, const LocatorSlot& slot,
                          std::span<const Region> reserved, uint64_t data_end, std::vector<Note>& notes) {
  const std::string code = four_cc_text(slot.platform_code);
  LocatorEntry out;
  out.key = code;
  out.data_offset = slot.data_offset;
  out.data_length = slot.data_length;
  out.data_space = slot.data_space;

  if (slot.data_length > kMaxLocatorDataLength)
    entry.fail(fmt::format("platform data length {} exceeds the {} bytes this reader accepts", slot.data_length,
                           kMaxLocatorDataLength));
  if (slot.data_length > slot.data_space) {
    if (uint64_t(slot.data_space) * kSectorSize < slot.data_length)
      entry.fail(fmt::format("platform data length {} exceeds platform data space {} (read as bytes or as "
                             "512-byte sectors)",
                             slot.data_length, slot.data_space));
    notes.push_back({"vhd.locator_space_in_sectors",
                     fmt::format("{} @{:#x}: platform data space {} is smaller than platform data length {} as "
                                 "bytes; read as 512-byte sectors as the spec says",
                                 entry.structure(), entry.file_offset(), slot.data_space, slot.data_length)});
  }
  if (is_utf16_platform(slot.platform_code) && slot.data_length % 2 != 0)
    entry.fail(fmt::format("platform data length {} is odd for UTF-16 platform code {}", slot.data_length, code));
  if (!is_known_platform(slot.platform_code))
    notes.push_back({"vhd.locator_unknown_platform",
                     fmt::format("{} @{:#x}: platform code {:#010x} (\"{}\") is not one the VHD spec defines; its "
                                 "data is shown as hex",
                                 entry.structure(), entry.file_offset(), slot.platform_code, code)});

  if (slot.data_length != 0) {
    auto end = checked_add(slot.data_offset, slot.data_length);
    if (!end || *end > data_end)
      entry.fail(fmt::format("platform data offset {:#x} + length {} lies past the end of the file data at {:#x}",
                             slot.data_offset, slot.data_length, data_end));
    for (const Region& region : reserved) {
      if (ranges_overlap(slot.data_offset, slot.data_length, region.offset, region.length))
        entry.fail(fmt::format("platform data at {:#x} ({} bytes) overlaps the {}", slot.data_offset,
                               slot.data_length, region.name));
    }
    std::vector<uint8_t> data(slot.data_length);
    file.read_at(slot.data_offset, data);
    LocatorValue value = decode_locator_data(slot.platform_code, data);
    out.value = std::move(value.text);
    out.value_valid = value.valid;
  }
  return out;
}

}  // namespace vhdchain::vhd
