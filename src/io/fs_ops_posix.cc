// POSIX side of fs_ops.h.
#include "io/fs_ops.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io_event_hook.h"
#include "vhdchain/error.h"

namespace vhdchain::io {
namespace {

}  // namespace

void sync_parent_directory(const std::string& path) {
  const std::string dir = folder_of(path);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(dir, "open directory", errno);
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  // Some file systems (older FUSE, 9p) cannot fsync a directory; the rename itself happened.
  if (rc != 0 && e != EINVAL && e != ENOTSUP) throw IoError(dir, "flush directory", e);
}

void rename_no_replace(const std::string& from, const std::string& to) {
  // link() fails with EEXIST instead of replacing; then the old name goes. A crash between the two
  // leaves both names on one inode, which the caller's temp-file clean-up removes.
  if (::link(from.c_str(), to.c_str()) != 0) {
    const int e = errno;
    if (e == EEXIST) throw IoError(to, "create (a file of that name exists)", e);
    // File systems without hard links (vfat, some FUSE): fall back to a checked rename.
    if (e != EPERM && e != ENOTSUP && e != EXDEV && e != EMLINK) throw IoError(to, "create", e);
    if (path_exists(to)) throw IoError(to, "create (a file of that name exists)", EEXIST);
    if (::rename(from.c_str(), to.c_str()) != 0) throw IoError(to, "rename", errno);
  } else if (::unlink(from.c_str()) != 0) {
    throw IoError(from, "remove", errno);
  }
  sync_parent_directory(to);
  notify_io_event(IoEvent::rename, to);
}

void rename_replace(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw IoError(to, "rename", errno);
  sync_parent_directory(to);
  notify_io_event(IoEvent::rename, to);
}

void remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw IoError(path, "remove", errno);
  }
  sync_parent_directory(path);
  notify_io_event(IoEvent::remove, path);
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace vhdchain::io
