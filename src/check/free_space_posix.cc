#include <sys/statvfs.h>

#include <filesystem>

#include "check/free_space.h"

namespace vhdchain::check::detail {

std::optional<uint64_t> volume_free_bytes(const std::string& path) {
  // The folder holding the file: a missing file still has a volume to grow on.
  std::string folder = std::filesystem::path(path).parent_path().string();
  struct statvfs st {};
  if (::statvfs(folder.empty() ? "." : folder.c_str(), &st) != 0) return std::nullopt;
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

}  // namespace vhdchain::check::detail
