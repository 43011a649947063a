#include "vhdchain/disk_image.h"

namespace vhdchain {

std::string_view to_string(DiskFormat format) { return format == DiskFormat::vhdx ? "vhdx" : "vhd"; }

std::string_view to_string(DiskType type) {
  switch (type) {
    case DiskType::fixed: return "fixed";
    case DiskType::dynamic: return "dynamic";
    case DiskType::differencing: return "differencing";
  }
  return "unknown";
}

// The walk of check --deep, shared by every write's preflight: block_stats() reads the whole BAT,
// and mapping every run makes the reader validate each entry and sector bitmap it passes.
void validate_image_deeply(const DiskImage& image) {
  image.block_stats();
  const uint64_t size = image.info().virtual_size;
  for (uint64_t offset = 0; offset < size;) offset += image.map(offset, size - offset).length;
}

}  // namespace vhdchain
