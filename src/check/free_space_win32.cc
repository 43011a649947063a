#include <filesystem>

#include "check/free_space.h"
#include "io/win32.h"

namespace vhdchain::check::detail {

std::optional<uint64_t> volume_free_bytes(const std::string& path) {
  // GetDiskFreeSpaceExW takes any folder on the volume (mount points included) and answers for it.
  std::wstring folder = std::filesystem::path(win32::widen(path)).parent_path().wstring();
  if (folder.empty()) folder = L".";
  ULARGE_INTEGER available{};
  if (!::GetDiskFreeSpaceExW(folder.c_str(), &available, nullptr, nullptr)) return std::nullopt;
  return uint64_t(available.QuadPart);
}

}  // namespace vhdchain::check::detail
