// plan_convert: the preflight of convert (convert.h). Everything that can refuse is decided here,
// from the inputs opened read-only, before run_convert creates the destination's partial file.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "convert/convert_output.h"
#include "convert/convert_source.h"
#include "io/fs_ops.h"
#include "vhd/layout.h"
#include "vhdchain/convert.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"

namespace vhdchain {
namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, path + ": " + why);
}

void check_destination(const ConvertOptions& o) {
  if (o.destination.empty()) refuse("convert", "no destination given");
  if (io::path_exists(o.destination)) refuse(o.destination, "exists; convert never replaces a file");
  const size_t slash = o.destination.find_last_of("/\\");
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : o.destination.substr(0, slash);
  if (!std::filesystem::is_directory(std::filesystem::u8path(folder)))
    refuse(o.destination, fmt::format("its folder {} does not exist", folder));
  if (o.type == DiskType::differencing) refuse(o.destination, "convert makes fixed or dynamic disks, not differencing ones");
}

// The destination's geometry: the options where given, else the source's (what Convert-VHD keeps).
void choose_geometry(ConvertPlan& plan, const ConvertOptions& o, const convert::ConvertSource& source) {
  const ImageInfo* leaf = source.leaf_info();
  const uint32_t source_logical = leaf ? leaf->logical_sector_size : 512;
  if (plan.to == ConvertFormat::raw) {
    if (o.block_size != 0) refuse(o.destination, "a raw image has no block size");
    if (o.logical_sector_size != 0) refuse(o.destination, "a raw image stores no sector size");
    plan.logical_sector_size = source_logical;
    plan.physical_sector_size = leaf ? leaf->physical_sector_size : 512;
    return;
  }
  plan.logical_sector_size = o.logical_sector_size ? o.logical_sector_size : source_logical;
  if (plan.to == ConvertFormat::vhd && plan.logical_sector_size != vhd::kSectorSize)
    refuse(o.destination, fmt::format("a VHD has 512-byte sectors only; {} has {}-byte logical sectors{}", o.source,
                                      plan.logical_sector_size,
                                      o.logical_sector_size ? " asked" : " (convert it to a VHDX instead)"));
  // A VHDX keeps a VHDX source's physical sector size; from VHD or raw it takes create's default.
  plan.physical_sector_size = plan.to == ConvertFormat::vhdx && leaf && leaf->format == DiskFormat::vhdx
                                  ? leaf->physical_sector_size
                                  : 0;
  CreateOptions c;
  c.format = plan.to == ConvertFormat::vhd ? DiskFormat::vhd : DiskFormat::vhdx;
  c.type = plan.type;
  c.virtual_size = plan.virtual_size;
  c.block_size = o.block_size;
  c.logical_sector_size = plan.logical_sector_size;
  c.physical_sector_size = plan.physical_sector_size;
  // create's own checks and defaults (sizes, block sizes, sector sizes): the same rules, one place.
  const CreatePlan created = plan_create(o.destination, c);
  plan.block_size = created.block_size;
  plan.physical_sector_size = created.physical_sector_size;
  plan.file_size_at_most = created.file_size;
}

// Units with data, bytes of data, from the maps only (BATs and sector bitmaps; no payload read).
void measure(ConvertPlan& plan, const convert::ConvertSource& source) {
  const uint64_t unit = convert::unit_of(plan);
  plan.blocks = (plan.virtual_size + unit - 1) / unit;
  for (uint64_t u = 0; u < plan.blocks; ++u) {
    const uint64_t start = u * unit;
    uint64_t data = 0;
    for (const write::CoveredRun& r : source.runs(start, std::min(unit, plan.virtual_size - start)))
      if (r.source >= 0 && !r.zero) data += r.length;
    if (data == 0) continue;
    ++plan.blocks_with_data;
    plan.bytes_to_read += data;
  }
}

uint64_t vhd_bitmap_bytes(uint32_t block_size) {
  return (uint64_t{block_size} / vhd::kSectorSize / 8 + vhd::kSectorSize - 1) / vhd::kSectorSize * vhd::kSectorSize;
}

void size_the_file(ConvertPlan& plan) {
  const bool fixed = plan.type == DiskType::fixed;
  switch (plan.to) {
    case ConvertFormat::raw: plan.file_size_at_most = plan.virtual_size; break;
    case ConvertFormat::vhdx:
      if (!fixed)
        plan.file_size_at_most = (plan.file_size_at_most + (uint64_t{1} << 20) - 1) / (uint64_t{1} << 20) * (uint64_t{1} << 20) +
                                 plan.blocks_with_data * plan.block_size;
      break;
    case ConvertFormat::vhd:
      if (!fixed) plan.file_size_at_most += plan.blocks_with_data * (vhd_bitmap_bytes(plan.block_size) + plan.block_size);
      break;
  }
  plan.allocate_bytes = fixed ? plan.file_size_at_most : 0;
  if (plan.free_bytes && plan.allocate_bytes > *plan.free_bytes)
    plan.refusals.push_back(fmt::format("{}: a fixed disk needs {} bytes on its volume, which has {} free",
                                        plan.destination, plan.allocate_bytes, *plan.free_bytes));
}

}  // namespace

std::string_view to_string(ConvertFormat format) {
  switch (format) {
    case ConvertFormat::vhdx: return "vhdx";
    case ConvertFormat::vhd: return "vhd";
    case ConvertFormat::raw: return "raw";
  }
  return "?";
}

ConvertPlan plan_convert(const ConvertOptions& o) {
  check_destination(o);
  const convert::ConvertSource source = convert::ConvertSource::open(o.source, o.chain_options);
  ConvertPlan plan;
  plan.source = o.source;
  plan.destination = o.destination;
  plan.source_format = source.format();
  plan.source_layers = source.layer_paths();
  plan.to = o.to;
  const ImageInfo* leaf = source.leaf_info();
  plan.type = o.type ? *o.type : leaf && leaf->type == DiskType::fixed ? DiskType::fixed : DiskType::dynamic;
  plan.virtual_size = source.virtual_size();
  plan.free_bytes = o.free_bytes;
  choose_geometry(plan, o, source);
  measure(plan, source);
  size_the_file(plan);
  return plan;
}

}  // namespace vhdchain
