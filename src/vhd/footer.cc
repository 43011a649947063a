// VHD hard disk footer (VHD spec "Hard Disk Footer Format"; formats.md 3.2, pitfalls 16, 17, 20, 25).
//
// The footer is decoded field by field from a ByteView. Locating it follows the order Virtual PC
// and XenServer use: end of file (512 bytes), end of file minus 511 (pre-2004 images), and, only
// for dynamic/differencing disks, the copy at offset 0. Reading the copy at 0 first (as one reader
// does) would misparse a fixed disk whose data happens to start with "conectix".
#include "vhd/footer.h"

#include <cstring>

#include <fmt/format.h>

#include "vhd/text.h"
#include "vhdchain/error.h"

namespace vhdchain::vhd {
namespace {

namespace f = footer_field;

bool cookie_at(const Reader& file, uint64_t offset) {
  if (offset > file.size() || file.size() - offset < kFooterCookie.size()) return false;
  uint8_t buf[8];
  file.read_at(offset, buf);
  return std::memcmp(buf, kFooterCookie.data(), kFooterCookie.size()) == 0;
}

// The footer's bytes as a 512-byte buffer; a 511-byte footer is padded with the missing 0.
std::vector<uint8_t> read_footer_bytes(const Reader& file, uint64_t offset, size_t length) {
  std::vector<uint8_t> bytes(kFooterSize, 0);
  file.read_at(offset, std::span<uint8_t>(bytes.data(), length));
  return bytes;
}

// Field names of the byte ranges in which two footer copies differ.
std::string differing_fields(std::span<const uint8_t> a, std::span<const uint8_t> b, size_t length) {
  struct Field {
    size_t offset;
    size_t size;
    const char* name;
  };
  static constexpr Field kFields[] = {
      {f::kCookie, 8, "cookie"},
      {f::kFeatures, 4, "features"},
      {f::kFormatVersion, 4, "file format version"},
      {f::kDataOffset, 8, "data offset"},
      {f::kTimeStamp, 4, "time stamp"},
      {f::kCreatorApplication, 4, "creator application"},
      {f::kCreatorVersion, 4, "creator version"},
      {f::kCreatorHostOs, 4, "creator host os"},
      {f::kOriginalSize, 8, "original size"},
      {f::kCurrentSize, 8, "current size"},
      {f::kCylinders, 4, "disk geometry"},
      {f::kDiskType, 4, "disk type"},
      {f::kChecksum, 4, "checksum"},
      {f::kUniqueId, 16, "unique id"},
      {f::kSavedState, 1, "saved state"},
      {f::kSavedState + 1, kFooterSize - f::kSavedState - 1, "reserved"},
  };
  std::string out;
  for (const Field& field : kFields) {
    size_t size = field.offset >= length ? 0 : std::min(field.size, length - field.offset);
    if (size == 0 || std::memcmp(a.data() + field.offset, b.data() + field.offset, size) == 0) continue;
    if (!out.empty()) out += ", ";
    out += field.name;
  }
  return out;
}

}  // namespace

DiskType Footer::type() const {
  switch (disk_type) {
    case kDiskTypeFixed: return DiskType::fixed;
    case kDiskTypeDynamic: return DiskType::dynamic;
    default: return DiskType::differencing;
  }
}

uint32_t vhd_checksum(std::span<const uint8_t> bytes, size_t checksum_offset) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i >= checksum_offset && i < checksum_offset + 4) continue;
    sum += bytes[i];
  }
  return ~sum;
}

Footer decode_footer(const ByteView& view) {
  if (view.size() != kFooterSize)
    view.fail(fmt::format("footer is {} bytes, not {}", view.size(), kFooterSize));
  if (!view.matches(f::kCookie, kFooterCookie))
    view.fail(fmt::format("cookie \"{}\" is not \"conectix\"", printable_bytes(view.bytes(f::kCookie, 8))));

  Footer footer;
  footer.checksum = view.be32(f::kChecksum);
  const uint32_t computed = vhd_checksum(view.all(), f::kChecksum);
  if (footer.checksum != computed)
    view.fail(fmt::format("checksum {:#x} does not match computed {:#x}", footer.checksum, computed));

  footer.features = view.be32(f::kFeatures);
  footer.format_version = view.be32(f::kFormatVersion);
  if (footer.format_version >> 16 != kFormatVersion >> 16)
    view.fail(fmt::format("file format version {:#010x} is not 1.x", footer.format_version));
  footer.data_offset = view.be64(f::kDataOffset);
  footer.timestamp = view.be32(f::kTimeStamp);
  std::memcpy(footer.creator_application.data(), view.bytes(f::kCreatorApplication, 4).data(), 4);
  footer.creator_version = view.be32(f::kCreatorVersion);
  std::memcpy(footer.creator_host_os.data(), view.bytes(f::kCreatorHostOs, 4).data(), 4);
  footer.original_size = view.be64(f::kOriginalSize);
  footer.current_size = view.be64(f::kCurrentSize);
  footer.geometry.cylinders = view.be16(f::kCylinders);
  footer.geometry.heads = view.u8(f::kHeads);
  footer.geometry.sectors_per_track = view.u8(f::kSectorsPerTrack);
  footer.disk_type = view.be32(f::kDiskType);
  footer.unique_id = view.guid(f::kUniqueId);
  footer.saved_state = view.u8(f::kSavedState);

  if (footer.disk_type != kDiskTypeFixed && footer.disk_type != kDiskTypeDynamic &&
      footer.disk_type != kDiskTypeDifferencing)
    view.fail(fmt::format("disk type {} is not fixed (2), dynamic (3) or differencing (4)", footer.disk_type));
  if (footer.current_size % kSectorSize != 0)
    view.fail(fmt::format("current size {} is not a multiple of 512", footer.current_size));
  if (footer.disk_type == kDiskTypeFixed && footer.data_offset != kNoDataOffset32 &&
      footer.data_offset != kNoDataOffset64)
    view.fail(fmt::format("data offset {:#x} of a fixed disk is not all ones (0xffffffff or 0xffffffffffffffff)",
                          footer.data_offset));
  return footer;
}

std::string four_cc_text(std::span<const uint8_t, 4> bytes) {
  size_t n = 4;
  while (n > 0 && bytes[n - 1] == 0) --n;
  return printable_bytes(bytes.first(n));
}

std::string four_cc_text(uint32_t big_endian_code) {
  const std::array<uint8_t, 4> bytes = {
      static_cast<uint8_t>(big_endian_code >> 24), static_cast<uint8_t>(big_endian_code >> 16),
      static_cast<uint8_t>(big_endian_code >> 8), static_cast<uint8_t>(big_endian_code)};
  return four_cc_text(std::span<const uint8_t, 4>(bytes));
}

std::string creator_text(const Footer& footer) {
  auto trimmed = [](std::span<const uint8_t, 4> bytes) {
    std::string text = four_cc_text(bytes);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text.empty() ? std::string("-") : text;
  };
  return fmt::format("{} {}.{} ({})", trimmed(footer.creator_application), footer.creator_version >> 16,
                     footer.creator_version & 0xFFFF, trimmed(footer.creator_host_os));
}

FooterLocation locate_footer(const Reader& file, std::vector<Note>& notes) {
  const std::string& name = file.name();
  const uint64_t size = file.size();

  // The footer at the end: 512 bytes, or the 511-byte form of images made before Virtual PC 2004.
  FooterLocation eof;
  eof.structure = "footer";
  eof.data_end = size;
  size_t eof_length = 0;
  if (size >= kFooterSize && cookie_at(file, size - kFooterSize)) {
    eof_length = kFooterSize;
  } else if (size >= kOldFooterSize && cookie_at(file, size - kOldFooterSize)) {
    eof_length = kOldFooterSize;
    eof.footer_511 = true;
  }
  eof.offset = size >= kFooterSize ? size - kFooterSize : 0;

  std::vector<uint8_t> eof_bytes;
  std::string eof_problem;  // detail of why the end-of-file footer is not usable
  bool eof_valid = false;
  if (eof_length != 0) {
    eof.offset = size - eof_length;
    eof.data_end = eof.offset;
    eof_bytes = read_footer_bytes(file, eof.offset, eof_length);
    try {
      eof.footer = decode_footer(ByteView(eof_bytes, name, "footer", eof.offset));
      eof_valid = true;
    } catch (const FormatError& e) {
      eof_problem = e.detail();
    }
  } else if (size < kOldFooterSize) {
    eof_problem = fmt::format("file of {} bytes is too small for a footer", size);
  } else {
    eof_problem = "cookie \"conectix\" not found at the end of the file (512- or 511-byte footer)";
  }

  // The copy at offset 0 (dynamic and differencing disks only).
  std::vector<uint8_t> copy_bytes;
  std::optional<Footer> copy;
  std::string copy_problem;  // "footer copy @0x0: ..."
  auto read_copy = [&] {
    if (size < kFooterSize) {
      copy_problem = fmt::format("footer copy @0x0: file of {} bytes is too small for a footer copy", size);
      return;
    }
    copy_bytes = read_footer_bytes(file, 0, kFooterSize);
    try {
      copy = decode_footer(ByteView(copy_bytes, name, "footer copy", 0));
    } catch (const FormatError& e) {
      copy_problem = e.detail_with_place();
    }
  };

  if (eof_valid) {
    if (eof.footer_511)
      notes.push_back({"vhd.footer_511", fmt::format("footer @{:#x}: 511-byte footer of an image made before "
                                                     "Virtual PC 2004; its missing last byte is read as 0",
                                                     eof.offset)});
    if (!eof.footer.has_dynamic_header()) return eof;
    read_copy();
    if (!copy) {
      notes.push_back({"vhd.footer_copy_invalid",
                       fmt::format("{}; the footer @{:#x} at the end of the file is used", copy_problem, eof.offset)});
    } else if (std::memcmp(copy_bytes.data(), eof_bytes.data(), eof_length) != 0) {
      notes.push_back({"vhd.footer_copy_mismatch",
                       fmt::format("footer copy @0x0 differs from the footer @{:#x} in: {}; the footer at the end "
                                   "of the file is used",
                                   eof.offset, differing_fields(copy_bytes, eof_bytes, eof_length))});
    }
    return eof;
  }

  read_copy();
  if (copy && !copy->has_dynamic_header())
    copy_problem = "footer copy @0x0: disk type 2 (fixed) has no footer copy at offset 0";
  if (!copy || !copy->has_dynamic_header())
    throw FormatError(Location{name, "footer", eof.offset}, eof_problem + "; " + copy_problem);

  notes.push_back({"vhd.footer_at_eof_invalid",
                   fmt::format("footer @{:#x}: {}; the footer copy @0x0 is used", eof.offset, eof_problem)});
  FooterLocation used;
  used.footer = *copy;
  used.offset = 0;
  used.structure = "footer copy";
  used.data_end = eof.data_end;
  used.footer_511 = false;
  return used;
}

}  // namespace vhdchain::vhd
