// File identity on POSIX: stat() gives (st_dev, st_ino), which bind mounts and second mounts of one
// filesystem share, so equal pairs mean one file whatever path reached it. stat follows symlinks on
// purpose: a locator naming a symlink opens the file behind it.
#include <cerrno>
#include <sys/stat.h>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {

AccessStatus classify_error(int error) {
  switch (error) {
    case 0: return AccessStatus::ok;
    case ENOENT:
    case ENOTDIR: return AccessStatus::not_found;
    case EACCES:
    case EPERM: return AccessStatus::access_denied;
    default: return AccessStatus::other;
  }
}

FileIdentityResult file_identity(const std::string& path) {
  FileIdentityResult r;
  struct stat st {};
  int rc;
  do {
    rc = ::stat(path.c_str(), &st);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    r.error = errno;
    r.status = classify_error(r.error);
    return r;
  }
  r.identity.volume_id = static_cast<uint64_t>(st.st_dev);
  r.identity.file_id_low = static_cast<uint64_t>(st.st_ino);
  return r;
}

}  // namespace vhdchain::hostpath
