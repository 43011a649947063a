#include "io/free_space.h"
#include "io/fs_ops.h"
#include "io/win32.h"

namespace vhdchain::io {

std::optional<uint64_t> volume_free_bytes(const std::string& path) {
  // GetDiskFreeSpaceExW takes any folder on the volume (mount points included) and answers for it.
  const std::wstring folder = win32::widen(folder_of(path));
  ULARGE_INTEGER available{};
  if (!::GetDiskFreeSpaceExW(folder.c_str(), &available, nullptr, nullptr)) return std::nullopt;
  return uint64_t(available.QuadPart);
}

}  // namespace vhdchain::io
