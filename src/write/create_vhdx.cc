// Creating VHDX files: fixed, dynamic and differencing, shaped like Hyper-V's (create_vhdx_layout.h).
//
// Everything is decided first (plan_create_vhdx, also what --dry-run prints), then the file is
// written under a temporary name and published by a rename (NewFile): no reader ever sees a
// half-written disk under the asked-for name, whatever the order of the writes below.
#include <algorithm>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/checked_math.h"
#include "io/fs_ops.h"
#include "io/preallocate.h"
#include "vhdchain/error.h"
#include "vhdx/encode.h"
#include "vhdx/layout.h"
#include "write/create_vhdx_layout.h"
#include "write/new_file.h"
#include "write/volume_space.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

// Hyper-V's defaults (New-VHD): 32 MiB blocks for base disks, 2 MiB for differencing ones,
// 512-byte logical and 4096-byte physical sectors.
constexpr uint32_t kDefaultBlockSize = 32 * kMiB;
constexpr uint32_t kDefaultChildBlockSize = 2 * kMiB;
constexpr uint32_t kDefaultLogicalSectorSize = 512;
constexpr uint32_t kDefaultPhysicalSectorSize = 4096;
constexpr uint64_t kBatWriteChunk = kMiB;  // BAT bytes per write

// A value a child takes from its parent: an explicit one must agree.
template <typename T>
T from_parent(const std::string& path, std::string_view what, T asked, T parents) {
  if (asked != 0 && asked != parents)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} {} conflicts with the parent's {} (a differencing disk takes it from its parent)",
                            path, what, asked, parents));
  return parents;
}

void check_sector_size(const std::string& path, std::string_view what, uint32_t value) {
  if (value != 512 && value != 4096)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: {} {}: VHDX allows 512 or 4096", path, what, value));
}

void check_values(const CreatePlan& plan) {
  const std::string& path = plan.path;
  check_sector_size(path, "logical sector size", plan.logical_sector_size);
  check_sector_size(path, "physical sector size", plan.physical_sector_size);
  if (plan.virtual_size == 0)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: virtual size 0: give the size of the disk", path));
  if (plan.virtual_size % plan.logical_sector_size != 0)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: virtual size {} is not a multiple of the logical sector size {}", path,
                            plan.virtual_size, plan.logical_sector_size));
  if (plan.virtual_size > vhdx::kMaxVirtualDiskSize)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: virtual size {} is larger than the VHDX maximum, 64 TiB ({})", path,
                            plan.virtual_size, vhdx::kMaxVirtualDiskSize));
  if (!is_power_of_two(plan.block_size) || plan.block_size < vhdx::kMinBlockSize || plan.block_size > vhdx::kMaxBlockSize)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: block size {} is not a power of two from 1 MiB to 256 MiB", path, plan.block_size));
}

// The locator as Hyper-V writes it: parent_linkage, absolute_win32_path, relative_path,
// volume_path, then parent_linkage2 as the all-zero GUID (docs/create.md says why we keep it).
std::vector<LocatorEntry> hyperv_locator(const std::string& path, const Guid& linkage, const ParentPaths& paths) {
  std::vector<LocatorEntry> out;
  out.push_back({.key = "parent_linkage", .value = linkage.to_braced_string()});
  if (paths.absolute_win32_path) out.push_back({.key = "absolute_win32_path", .value = *paths.absolute_win32_path});
  if (!paths.relative_path.empty()) out.push_back({.key = "relative_path", .value = paths.relative_path});
  if (paths.volume_path) out.push_back({.key = "volume_path", .value = *paths.volume_path});
  if (out.size() == 1)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: no path to the parent to store (no relative form, no Windows path known)", path));
  out.push_back({.key = "parent_linkage2", .value = Guid{}.to_braced_string()});
  return out;
}

void plan_parent(CreatePlan& plan, const CreateOptions& options) {
  const std::string& path = plan.path;
  if (!io::path_exists(options.parent))
    throw Error(ErrorCode::parent_missing, fmt::format("{}: the parent does not exist", options.parent));
  const std::unique_ptr<DiskImage> parent = open_image_file(options.parent);
  const ImageInfo& p = parent->info();
  if (p.format != DiskFormat::vhdx)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the parent {} is a VHD; Hyper-V never makes a VHDX child of a VHD (create a .vhd child)",
                            path, options.parent));
  plan.virtual_size = from_parent<uint64_t>(path, "virtual size", options.virtual_size, p.virtual_size);
  plan.logical_sector_size =
      from_parent(path, "logical sector size", options.logical_sector_size, p.logical_sector_size);
  plan.physical_sector_size =
      from_parent(path, "physical sector size", options.physical_sector_size, p.physical_sector_size);
  plan.virtual_disk_id = p.virtual_disk_id;
  plan.parent = options.parent;
  plan.parent_identity = parent->identity();
  const ParentPaths& given = options.parent_paths;
  const bool none_given = given.relative_path.empty() && !given.absolute_win32_path && !given.volume_path;
  plan.parent_locator = hyperv_locator(path, *plan.parent_identity,
                                       none_given ? compose_parent_paths(path, options.parent) : given);
}

VhdxCreateSpec spec_of(const CreatePlan& plan) {
  VhdxCreateSpec spec;
  spec.type = plan.type;
  spec.virtual_size = plan.virtual_size;
  spec.block_size = plan.block_size;
  spec.logical_sector_size = plan.logical_sector_size;
  spec.physical_sector_size = plan.physical_sector_size;
  spec.virtual_disk_id = plan.virtual_disk_id.value_or(Guid::random());
  spec.file_write_guid = Guid::random();
  spec.data_write_guid = Guid::random();
  spec.parent_locator = plan.parent_locator;
  return spec;
}

void write_bat(File& file, const VhdxCreateSpec& spec, const VhdxCreateLayout& layout) {
  const uint64_t per_write = kBatWriteChunk / 8;
  for (uint64_t first = 0; first < layout.bat_entries; first += per_write) {
    const uint64_t count = std::min(per_write, layout.bat_entries - first);
    std::vector<uint8_t> bytes(count * 8);
    bool any = false;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t entry = new_bat_entry(spec, layout, first + i);
      store_le64(bytes, i * 8, entry);
      any = any || entry != 0;
    }
    if (any) file.write_at(layout.bat_offset + first * 8, bytes);  // the rest is a hole already
  }
}

}  // namespace

CreatePlan plan_create_vhdx(const std::string& path, const CreateOptions& options) {
  CreatePlan plan;
  plan.path = path;
  plan.format = DiskFormat::vhdx;
  plan.type = options.type;
  if (io::path_exists(path)) throw Error(ErrorCode::invalid_argument, path + ": exists; create never replaces a file");
  const bool child = options.type == DiskType::differencing;
  if (child && options.parent.empty())
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: a differencing disk needs a parent", path));
  if (!child && !options.parent.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: a parent was given for a {} disk (only differencing disks have one)", path,
                            to_string(options.type)));
  if (child) {
    plan_parent(plan, options);
  } else {
    plan.virtual_size = options.virtual_size;
    plan.logical_sector_size = options.logical_sector_size ? options.logical_sector_size : kDefaultLogicalSectorSize;
    plan.physical_sector_size = options.physical_sector_size ? options.physical_sector_size : kDefaultPhysicalSectorSize;
  }
  plan.block_size = options.block_size ? options.block_size : child ? kDefaultChildBlockSize : kDefaultBlockSize;
  check_values(plan);
  VhdxCreateSpec spec = spec_of(plan);
  plan.file_size = plan_vhdx_layout(spec).file_size;
  return plan;
}

CreateResult create_vhdx(const std::string& path, const CreateOptions& options) {
  const CreatePlan plan = plan_create_vhdx(path, options);
  const VhdxCreateSpec spec = spec_of(plan);
  const VhdxCreateLayout layout = plan_vhdx_layout(spec);

  const bool fixed = spec.type == DiskType::fixed;
  if (fixed) require_volume_space(path, layout.file_size, "a fixed disk");  // refused: nothing written

  NewFile out(path);
  File& file = out.file();
  // A child's sector bitmaps stay holes: the file system reads zeros. A fixed disk's payload reads
  // as zeros too, but is allocated on the volume now, so the guest's writes never need space.
  file.resize(layout.file_size);
  if (fixed) io::preallocate(file, layout.file_size);
  file.write_at(vhdx::kFileIdentifierOffset, encode_file_identifier(spec.creator));
  vhdx::Header header;
  header.file_write_guid = spec.file_write_guid;
  header.data_write_guid = spec.data_write_guid;
  header.log_length = static_cast<uint32_t>(layout.log_length);
  header.log_offset = layout.log_offset;
  for (size_t i = 0; i < vhdx::kHeaderOffsets.size(); ++i) {
    header.sequence_number = i + 1;
    file.write_at(vhdx::kHeaderOffsets[i], vhdx::encode_header(header));
  }
  const std::vector<uint8_t> regions = encode_region_table(layout);
  for (uint64_t offset : vhdx::kRegionTableOffsets) file.write_at(offset, regions);
  file.write_at(layout.metadata_offset, encode_metadata(spec));
  if (spec.type != DiskType::dynamic) write_bat(file, spec, layout);  // a dynamic BAT is all zero
  out.publish();

  return CreateResult{open_image_file(path)->info()};
}

}  // namespace vhdchain::write
