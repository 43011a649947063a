// Creating VHD files: fixed, dynamic and differencing (VHD spec 1.0; formats.md 3.1-3.4, 3.6).
//
// Layouts (docs/vhd-writes.md "Layouts"):
//   fixed         data area (allocated on the volume, never written: it reads as zeros), footer
//   dynamic       footer copy @0, dynamic header @512, BAT @1536 (all 0xFFFFFFFF, padded to 512),
//                 footer
//   differencing  as dynamic, then the locator data (W2ku, W2ru) after the BAT, then the footer
// The file is built under a temporary name and published whole (write::NewFile).
#include <ctime>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/checked_math.h"
#include "io/fs_ops.h"
#include "io/preallocate.h"
#include "vhd/encode.h"
#include "vhdchain/error.h"
#include "write/new_file.h"
#include "write/vhd_parent_fields.h"
#include "write/volume_space.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

// Seconds from the Unix epoch to the VHD epoch, 2000-01-01 00:00:00 UTC.
constexpr int64_t kVhdEpoch = 946684800;
constexpr uint32_t kDefaultBlockSize = 2 * 1024 * 1024;
// The largest VHD Hyper-V and Virtual PC make (formats.md 3.4).
constexpr uint64_t kMaxVirtualSize = 2040ull * 1024 * 1024 * 1024;
constexpr uint64_t kHeaderOffset = vhd::kFooterSize;
constexpr uint64_t kBatOffset = kHeaderOffset + vhd::kDynamicHeaderSize;
// The creator fields say "Hyper-V-compatible, size by Current Size": QEMU before 10.0 sizes any
// other creator application by CHS, which rounds most sizes down (docs/vhd-writes.md "Creator").
constexpr std::array<uint8_t, 4> kCreatorApplication = {'w', 'i', 'n', ' '};
constexpr uint32_t kCreatorVersion = 0x000A0000;
constexpr std::array<uint8_t, 4> kCreatorHostOs = {'W', 'i', '2', 'k'};

uint32_t vhd_now() {
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) - kVhdEpoch;
  return now < 0 ? 0 : static_cast<uint32_t>(now);
}

uint64_t round_up_sector(uint64_t n) { return (n + vhd::kSectorSize - 1) / vhd::kSectorSize * vhd::kSectorSize; }

vhd::Footer new_footer(uint32_t disk_type, uint64_t size, const Geometry& geometry) {
  vhd::Footer f;
  f.features = vhd::kFeatureReserved;
  f.format_version = vhd::kFormatVersion;
  f.data_offset = disk_type == vhd::kDiskTypeFixed ? vhd::kNoDataOffset64 : kHeaderOffset;
  f.timestamp = vhd_now();
  f.creator_application = kCreatorApplication;
  f.creator_version = kCreatorVersion;
  f.creator_host_os = kCreatorHostOs;
  f.original_size = size;
  f.current_size = size;
  f.geometry = geometry;
  f.disk_type = disk_type;
  f.unique_id = Guid::random();
  return f;
}

void check_options(const std::string& path, const CreateOptions& o) {
  auto refuse = [&](const std::string& what) { throw Error(ErrorCode::invalid_argument, path + ": " + what); };
  if (o.logical_sector_size != 0 && o.logical_sector_size != 512)
    refuse(fmt::format("VHD has 512-byte sectors only, not {}", o.logical_sector_size));
  if (o.physical_sector_size != 0 && o.physical_sector_size != 512)
    refuse(fmt::format("VHD has 512-byte sectors only, not {} (physical)", o.physical_sector_size));
  if (o.type == DiskType::fixed && o.block_size != 0) refuse("a fixed VHD has no block size");
  if (o.block_size != 0 && (!is_power_of_two(o.block_size) || o.block_size < vhd::kSectorSize ||
                            o.block_size > 256u * 1024 * 1024))
    refuse(fmt::format("block size {} is not a power of two from 512 bytes to 256 MiB", o.block_size));
  if (o.type != DiskType::differencing) {
    if (o.virtual_size == 0 || o.virtual_size % vhd::kSectorSize != 0)
      refuse(fmt::format("virtual size {} is not a positive multiple of 512", o.virtual_size));
    if (o.virtual_size > kMaxVirtualSize)
      refuse(fmt::format("virtual size {} is more than the 2040 GiB a VHD can hold", o.virtual_size));
    if (!o.parent.empty()) refuse("only a differencing disk has a parent");
  } else if (o.parent.empty()) {
    refuse("a differencing disk needs a parent");
  }
}

// The parent's identity and geometry; a VHD child can only have a VHD parent.
struct ParentFacts {
  Guid unique_id;
  uint64_t virtual_size = 0;
  Geometry geometry;
};

ParentFacts read_parent(const std::string& parent) {
  if (io::path_exists(vhd_journal_path(parent)))
    throw Error(ErrorCode::invalid_argument,
                parent + ": has a pending change (" + vhd_journal_path(parent) +
                    "); replay it first (vhdchain repair --replay-log)");
  auto image = open_image_file(parent);
  const ImageInfo& info = image->info();
  if (info.format != DiskFormat::vhd)
    throw Error(ErrorCode::invalid_argument,
                parent + ": is a VHDX; a VHD child cannot have a VHDX parent (create a VHDX child instead)");
  return ParentFacts{*info.unique_id, info.virtual_size, info.geometry.value_or(Geometry{})};
}

void write_fixed(File& file, uint64_t size) {
  const vhd::Footer footer = new_footer(vhd::kDiskTypeFixed, size, vhd::chs_geometry_for(size));
  file.resize(size + vhd::kFooterSize);
  io::preallocate(file, size + vhd::kFooterSize);  // reads as zeros, but occupies its space now
  file.write_at(size, vhd::encode_footer(footer));
}

void write_dynamic(File& file, vhd::Footer footer, vhd::DynamicHeader header,
                   const std::vector<VhdLocatorData>& locators) {
  const uint64_t entries = ceil_div(footer.current_size, header.block_size);
  header.data_offset = vhd::kNoDataOffset64;
  header.table_offset = kBatOffset;
  header.max_table_entries = static_cast<uint32_t>(entries);
  const uint64_t bat_bytes = round_up_sector(entries * vhd::kBatEntrySize);

  uint64_t at = kBatOffset + bat_bytes;
  std::vector<uint64_t> data_offsets;
  for (size_t i = 0; i < locators.size(); ++i) {
    header.locators[i] = vhd::LocatorSlot{locators[i].platform_code, locators[i].space,
                                          static_cast<uint32_t>(locators[i].data.size()), 0, at};
    data_offsets.push_back(at);
    at += locators[i].space;
  }
  std::vector<uint8_t> bytes(at + vhd::kFooterSize, 0);
  std::span<uint8_t> b(bytes);
  const auto footer_bytes = vhd::encode_footer(footer);
  store_bytes(b, 0, footer_bytes);
  store_bytes(b, kHeaderOffset, vhd::encode_dynamic_header(header));
  std::fill(bytes.begin() + kBatOffset, bytes.begin() + static_cast<ptrdiff_t>(kBatOffset + entries * 4), 0xFF);
  for (size_t i = 0; i < locators.size(); ++i) store_bytes(b, data_offsets[i], locators[i].data);
  store_bytes(b, at, footer_bytes);
  file.write_at(0, bytes);
}

// Everything create_vhd decides before writing, shared with plan_create_vhd (--dry-run).
struct VhdCreateDecision {
  uint64_t size = 0;
  uint32_t block_size = 0;  // 0 for fixed
  std::optional<ParentFacts> parent;
  std::vector<VhdLocatorData> locators;
  std::string parent_name;
  uint64_t file_size = 0;
};

VhdCreateDecision decide(const std::string& path, const CreateOptions& options) {
  check_options(path, options);
  if (io::path_exists(path)) throw Error(ErrorCode::invalid_argument, path + ": exists; create never replaces a file");
  VhdCreateDecision d;
  if (options.type == DiskType::differencing) d.parent = read_parent(options.parent);
  d.size = d.parent ? d.parent->virtual_size : options.virtual_size;
  if (options.type == DiskType::fixed) {
    d.file_size = d.size + vhd::kFooterSize;
    return d;
  }
  d.block_size = options.block_size != 0 ? options.block_size : kDefaultBlockSize;
  d.file_size = kBatOffset + round_up_sector(ceil_div(d.size, d.block_size) * vhd::kBatEntrySize) + vhd::kFooterSize;
  if (d.parent) {
    const bool none_given = options.parent_paths.relative_path.empty() && !options.parent_paths.absolute_win32_path &&
                            !options.parent_paths.volume_path;
    const ParentPaths paths = none_given ? compose_parent_paths(path, options.parent) : options.parent_paths;
    d.locators = vhd_locators_for(paths);
    d.parent_name = vhd_parent_name_for(paths);
    for (const VhdLocatorData& l : d.locators) d.file_size += l.space;
  }
  return d;
}

}  // namespace

CreatePlan plan_create_vhd(const std::string& path, const CreateOptions& options) {
  const VhdCreateDecision d = decide(path, options);
  CreatePlan plan;
  plan.path = path;
  plan.format = DiskFormat::vhd;
  plan.type = options.type;
  plan.virtual_size = d.size;
  plan.block_size = d.block_size;
  plan.logical_sector_size = 512;
  plan.physical_sector_size = 512;
  plan.file_size = d.file_size;
  if (d.parent) {
    plan.parent = options.parent;
    plan.parent_identity = d.parent->unique_id;
    // VHD keys as info shows them: the parent unicode name, then the platform codes.
    plan.parent_locator.push_back({"parent_unicode_name", d.parent_name});
    for (const VhdLocatorData& l : d.locators) plan.parent_locator.push_back({vhd::four_cc_text(l.platform_code), l.text});
  }
  return plan;
}

CreateResult create_vhd(const std::string& path, const CreateOptions& options) {
  const VhdCreateDecision d = decide(path, options);
  if (options.type == DiskType::fixed) require_volume_space(path, d.file_size, "a fixed disk");  // nothing written
  NewFile target(path);
  if (options.type == DiskType::fixed) {
    write_fixed(target.file(), d.size);
  } else {
    vhd::DynamicHeader header;
    header.block_size = d.block_size;
    vhd::Footer footer;
    if (d.parent) {
      // Hyper-V's choices (formats.md 3.6): the parent's footer unique id, parent time stamp 0
      // (so readers that compare it skip the comparison), the parent's geometry and size.
      footer = new_footer(vhd::kDiskTypeDifferencing, d.size, d.parent->geometry);
      header.parent_unique_id = d.parent->unique_id;
      header.parent_timestamp = 0;
      header.parent_name.utf8 = d.parent_name;
    } else {
      footer = new_footer(vhd::kDiskTypeDynamic, d.size, vhd::chs_geometry_for(d.size));
    }
    write_dynamic(target.file(), footer, header, d.locators);
  }
  target.publish();
  return CreateResult{open_image_file(path)->info()};
}

}  // namespace vhdchain::write
