// Free space of the volume holding a path: check's capacity figures and merge's space refusal ask
// the same question, so they ask it here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vhdchain::io {

// Bytes an unprivileged writer can still use on the volume holding `path` (asked of the folder
// that holds it, io::folder_of, so a file not written yet still has a volume): statvfs f_bavail *
// f_frsize; GetDiskFreeSpaceExW's caller-available bytes. nullopt when the system cannot tell.
std::optional<uint64_t> volume_free_bytes(const std::string& path);

}  // namespace vhdchain::io
