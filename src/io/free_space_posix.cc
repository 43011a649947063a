#include <sys/statvfs.h>

#include "io/free_space.h"
#include "io/fs_ops.h"

namespace vhdchain::io {

std::optional<uint64_t> volume_free_bytes(const std::string& path) {
  const std::string folder = folder_of(path);
  struct statvfs st {};
  if (::statvfs(folder.c_str(), &st) != 0) return std::nullopt;
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

}  // namespace vhdchain::io
