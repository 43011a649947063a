// POSIX locks for file_lock.h: flock (what another vhdchain takes) and, where the kernel has them,
// an open-file-description byte-range lock over the whole file (what QEMU takes), as File::open.
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "io/file_lock_registry.h"
#include "vhdchain/error.h"

namespace vhdchain::io::detail {
namespace {

[[noreturn]] void throw_locked(const std::string& path, int fd) {
  ::close(fd);
  throw Error(ErrorCode::locked, fmt::format("{}: is locked by another process", path));
}

}  // namespace

LockKey key_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw IoError(path, "open", errno);
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

NativeLock open_locked(const std::string& path, LockKind kind) {
  const bool exclusive = kind == LockKind::exclusive;
  const int fd = ::open(path.c_str(), (exclusive ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw IoError(path, exclusive ? "open for writing" : "open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw IoError(path, "stat", e);
  }
  if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    const int e = errno;
    if (e == EWOULDBLOCK) throw_locked(path, fd);
    ::close(fd);
    throw IoError(path, "lock", e);
  }
#ifdef F_OFD_SETLK
  struct flock whole {};
  whole.l_type = exclusive ? F_WRLCK : F_RDLCK;
  whole.l_whence = SEEK_SET;
  if (::fcntl(fd, F_OFD_SETLK, &whole) != 0) {
    const int e = errno;
    if (e == EAGAIN || e == EACCES) {
      ::close(fd);
      throw Error(ErrorCode::locked,
                  fmt::format("{}: is in use by another process (it holds a byte-range lock, as QEMU does)", path));
    }
    if (e != EINVAL && e != ENOLCK) {  // file systems without such locks
      ::close(fd);
      throw IoError(path, "lock", e);
    }
  }
#endif
  return {fd, {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}};
}

void close_native(intptr_t handle) { ::close(static_cast<int>(handle)); }

}  // namespace vhdchain::io::detail
