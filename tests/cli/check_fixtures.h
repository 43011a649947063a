// Disks for the check tests: small synthetic VHDX/VHD images and chains linked the way a test needs
// (wrong identity, wrong size, stale or disagreeing locators, cycles), written into a temp folder.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "support/image_builder.h"

namespace vhdchain::test {

// A dynamic VHDX, 64 MiB, 2 MiB blocks, block 0 holding data.
inline ImageSpec vhdx_base_spec(uint64_t seed, uint64_t virtual_size = 64 * kMiB) {
  ImageSpec s;
  s.format = Format::vhdx;
  s.type = DiskType::dynamic;
  s.virtual_size = virtual_size;
  s.seed = seed;
  s.blocks[0] = BlockSpec::full();
  return s;
}

inline Guid data_write_guid(const BuiltImage& image) { return image.spec.vhdx.data_write_guid.value(); }

// A differencing VHDX over `parent` (same size and sector size, block 1 holding data) whose parent
// locator holds parent_linkage = `linkage` (default: the parent's DataWriteGuid), then `paths`.
inline BuiltImage vhdx_child(const BuiltImage& parent, uint64_t seed, std::vector<LocatorEntry> paths,
                             std::optional<Guid> linkage = std::nullopt) {
  ImageSpec s;
  s.format = Format::vhdx;
  s.type = DiskType::differencing;
  s.virtual_size = parent.spec.virtual_size;
  s.block_size = parent.spec.block_size;
  s.seed = seed;
  s.vhdx.logical_sector_size = parent.spec.vhdx.logical_sector_size;
  s.vhdx.virtual_disk_id = parent.spec.vhdx.virtual_disk_id;
  s.blocks[1] = BlockSpec::full();
  s.vhdx.parent_locator.push_back({"parent_linkage", linkage.value_or(data_write_guid(parent)).to_braced_string()});
  for (LocatorEntry& e : paths) s.vhdx.parent_locator.push_back(std::move(e));
  return build_image(s);
}

inline std::string path_of(const std::filesystem::path& p) { return p.lexically_normal().string(); }

}  // namespace vhdchain::test
