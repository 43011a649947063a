// Linux side of range_copy_system.h: FICLONERANGE (XFS, Btrfs: the target shares the source's
// extents) and copy_file_range (the kernel copies; on XFS and Btrfs it may clone by itself). Other
// POSIX systems get neither and always take the buffer.
#include <cerrno>
#include <sys/ioctl.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/fs.h>
#endif

#include "io/range_copy_system.h"
#include "vhdchain/error.h"

namespace vhdchain::io {
namespace {

int fd_of(const File& file) { return static_cast<int>(file.native_handle()); }

// Failures that copying through a buffer would meet as well: report them instead of falling back.
bool is_real_failure(int e) { return e == EIO || e == ENOSPC || e == EDQUOT || e == EFBIG || e == EROFS; }

}  // namespace

SystemCopy clone_range(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                       uint64_t length) {
#ifdef FICLONERANGE
  file_clone_range arg{};
  arg.src_fd = fd_of(source);
  arg.src_offset = source_offset;
  arg.src_length = length;
  arg.dest_offset = target_offset;
  for (;;) {
    if (::ioctl(fd_of(target), FICLONERANGE, &arg) == 0) return SystemCopy::done;
    const int e = errno;
    if (e == EINTR) continue;
    if (is_real_failure(e)) throw IoError(target.name(), "clone", e, target_offset);
    // EINVAL: this range (alignment, a limit); EOPNOTSUPP, EXDEV, ENOTTY, EBADF, EPERM...: these files.
    return e == EINVAL ? SystemCopy::refused_for_range : SystemCopy::refused_for_files;
  }
#else
  (void)source, (void)source_offset, (void)target, (void)target_offset, (void)length;
  return SystemCopy::refused_for_files;
#endif
}

SystemCopy kernel_copy(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                       uint64_t length, uint64_t& copied) {
  copied = 0;
#ifdef __linux__
  while (copied < length) {
    off64_t in = static_cast<off64_t>(source_offset + copied);
    off64_t out = static_cast<off64_t>(target_offset + copied);
    const ssize_t n = ::copy_file_range(fd_of(source), &in, fd_of(target), &out, length - copied, 0);
    if (n > 0) {
      copied += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return SystemCopy::refused_for_range;  // the source ended early: the buffer path reports it
    const int e = errno;
    if (e == EINTR) continue;
    if (is_real_failure(e)) throw IoError(target.name(), "copy", e, target_offset + copied);
    return SystemCopy::refused_for_files;  // EXDEV, EOPNOTSUPP, ENOSYS, EINVAL, EBADF...
  }
  return SystemCopy::done;
#else
  (void)source, (void)source_offset, (void)target, (void)target_offset, (void)length;
  return SystemCopy::refused_for_files;
#endif
}

}  // namespace vhdchain::io
