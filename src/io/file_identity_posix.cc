// File identity on POSIX: stat() gives (st_dev, st_ino), which bind mounts and second mounts of one
// filesystem share, so equal pairs mean one file whatever path reached it. stat follows symlinks on
// purpose: a locator naming a symlink opens the file behind it.
#include <cerrno>
#include <sys/stat.h>

#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/file_identity.h"

namespace vhdchain {
namespace {

FileIdentity identity_of(const struct stat& st) {
  return FileIdentity{static_cast<uint64_t>(st.st_dev), 0, static_cast<uint64_t>(st.st_ino)};
}

}  // namespace

AccessStatus classify_access_error(int error) {
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
    r.status = classify_access_error(r.error);
    return r;
  }
  r.identity = identity_of(st);
  return r;
}

FileIdentity file_identity(const File& file) {
  struct stat st {};
  if (::fstat(static_cast<int>(file.native_handle()), &st) != 0) throw IoError(file.name(), "stat", errno);
  return identity_of(st);
}

}  // namespace vhdchain
