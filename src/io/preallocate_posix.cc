// POSIX preallocate (preallocate.h): fallocate where the file system has it, else posix_fallocate
// (glibc's emulation writes a zero into every block, which allocates it just the same).
#include <fcntl.h>

#include <cerrno>

#include "io/preallocate.h"
#include "vhdchain/error.h"

namespace vhdchain::io {

void preallocate(File& file, uint64_t length) {
  if (length == 0) return;
  const int fd = static_cast<int>(file.native_handle());
#ifdef __linux__
  // Mode 0 allocates and, the file being long enough already, never changes its size.
  int rc = 0;
  do {
    rc = ::fallocate(fd, 0, 0, static_cast<off_t>(length));
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return;
  if (errno != EOPNOTSUPP && errno != ENOSYS) throw IoError(file.name(), "allocate", errno, 0);
#endif
  int e = 0;
  do {
    e = ::posix_fallocate(fd, 0, static_cast<off_t>(length));
  } while (e == EINTR);
  if (e != 0) throw IoError(file.name(), "allocate", e, 0);
}

}  // namespace vhdchain::io
