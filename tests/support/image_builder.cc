// build_image() dispatch, derived identities, and Hyper-V's parent-link conventions.
#include "support/image_builder.h"

#include <stdexcept>

#include "base/utf16.h"
#include "support/byte_put.h"
#include "support/data_pattern.h"
#include "support/format_builders.h"

namespace vhdchain::test {

std::string_view to_string(Format f) { return f == Format::vhdx ? "vhdx" : "vhd"; }

std::string_view to_string(DiskType t) {
  switch (t) {
    case DiskType::fixed: return "fixed";
    case DiskType::dynamic: return "dynamic";
    case DiskType::differencing: return "differencing";
  }
  return "?";
}

std::string_view to_string(BlockState s) {
  switch (s) {
    case BlockState::not_present: return "not_present";
    case BlockState::undefined: return "undefined";
    case BlockState::zero: return "zero";
    case BlockState::unmapped: return "unmapped";
    case BlockState::fully_present: return "fully_present";
    case BlockState::partially_present: return "partially_present";
  }
  return "?";
}

Guid guid_from_seed(uint64_t seed, uint64_t salt) {
  Guid g;
  uint64_t a = mix64(seed * 0x100000001B3ull ^ salt);
  uint64_t b = mix64(a ^ 0x6775696400000000ull);
  for (int i = 0; i < 8; ++i) {
    g.bytes[i] = static_cast<uint8_t>(a >> (8 * i));
    g.bytes[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  g.bytes[7] = static_cast<uint8_t>((g.bytes[7] & 0x0F) | 0x40);  // looks like a version-4 GUID
  g.bytes[8] = static_cast<uint8_t>((g.bytes[8] & 0x3F) | 0x80);
  return g;
}

BuiltImage build_image(const ImageSpec& spec) {
  return spec.format == Format::vhdx ? build_vhdx(spec) : build_vhd(spec);
}

ImageSpec before_log_replay(const ImageSpec& spec) {
  ImageSpec out = spec;
  if (spec.format != Format::vhdx || !spec.vhdx.log) return out;
  const VhdxLogSpec& log = *spec.vhdx.log;
  for (const auto& [b, state] : log.pending_blocks) {
    BlockSpec& block = out.blocks[b];
    block.state = state;
  }
  if (log.virtual_size_before) out.virtual_size = *log.virtual_size_before;
  for (uint64_t b : log.zeroed_blocks) out.blocks[b].zero_data = false;
  out.vhdx.log.reset();
  return out;
}

std::vector<LocatorEntry> hyperv_vhdx_locator(const Guid& parent_data_write_guid, std::string_view parent_file_name,
                                              std::string_view windows_dir, const Guid& volume_guid) {
  // Windows dir "C:\a\b" -> volume path "\\?\Volume{guid}\a\b\name" (the part after the drive).
  std::string dir(windows_dir);
  std::string after_drive = dir.size() >= 2 && dir[1] == ':' ? dir.substr(2) : dir;
  std::string name(parent_file_name);
  return {
      {"parent_linkage", parent_data_write_guid.to_braced_string()},
      {"absolute_win32_path", dir + "\\" + name},
      {"relative_path", ".\\" + name},
      {"volume_path", "\\\\?\\Volume" + volume_guid.to_braced_string() + after_drive + "\\" + name},
      {"parent_linkage2", Guid{}.to_braced_string()},
  };
}

void set_hyperv_vhd_parent(VhdOptions& vhd, const Guid& parent_unique_id, std::string_view parent_file_name,
                           std::string_view windows_dir) {
  const std::string absolute = std::string(windows_dir) + "\\" + std::string(parent_file_name);
  vhd.parent_unique_id = parent_unique_id;
  vhd.parent_timestamp = 0;
  vhd.parent_unicode_name = absolute;
  vhd.locators = {
      {fourcc("W2ku"), utf8_to_utf16(absolute, Endian::little), 4096, false},
      {fourcc("W2ru"), utf8_to_utf16(".\\" + std::string(parent_file_name), Endian::little), 65536, false},
  };
}

}  // namespace vhdchain::test
