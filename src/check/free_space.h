// Free space of the volume holding a path (the platform part of capacity checks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vhdchain::check::detail {

// Bytes an unprivileged writer can still use on the volume holding `path` (statvfs f_bavail;
// GetDiskFreeSpaceExW's caller-available bytes). nullopt when the system cannot tell.
std::optional<uint64_t> volume_free_bytes(const std::string& path);

}  // namespace vhdchain::check::detail
