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

}  // namespace vhdchain
