// POSIX implementation of vhdchain::File (Linux; the Windows one is file_win32.cc).
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "io/file_lock.h"
#include "io/io_event_hook.h"

namespace vhdchain {

std::unique_ptr<File> File::open(const std::string& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::read_only: flags |= O_RDONLY; break;
    case OpenMode::read_write: flags |= O_RDWR; break;
    case OpenMode::create_new: flags |= O_RDWR | O_CREAT | O_EXCL; break;
  }
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw IoError(path, "open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw IoError(path, "stat", e);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw IoError(path, "open", EISDIR);
  }
  // The lock is already ours when this process's write preflight holds it (io/file_lock.h).
  const bool ours = mode != OpenMode::read_only &&
                    io::held_exclusively_here({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)});
  if (mode != OpenMode::read_only && !ours && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) throw Error(ErrorCode::locked, fmt::format("{}: is locked by another process", path));
    throw IoError(path, "lock", e);
  }
#ifdef F_OFD_SETLK
  // QEMU (and so a running VM, qemu-img, qemu-nbd) holds open-file-description byte-range locks on
  // its images, which flock() does not see. A write lock over the whole file conflicts with any of
  // them, and keeps them out while we write.
  if (mode != OpenMode::read_only && !ours) {
    struct flock whole {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(fd, F_OFD_SETLK, &whole) != 0) {
      int e = errno;
      ::close(fd);
      if (e == EAGAIN || e == EACCES)
        throw Error(ErrorCode::locked,
                    fmt::format("{}: is in use by another process (it holds a byte-range lock, as QEMU does)", path));
      if (e != EINVAL && e != ENOLCK) throw IoError(path, "lock", e);  // file systems without such locks
    }
  }
#endif
  return std::unique_ptr<File>(new File(path, fd, mode, static_cast<uint64_t>(st.st_size)));
}

File::File(std::string path, intptr_t handle, OpenMode mode, uint64_t size)
    : path_(std::move(path)), handle_(handle), mode_(mode), size_(size) {}

File::~File() { ::close(static_cast<int>(handle_)); }

void File::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: read of {} bytes @{:#x} is past the end of the file ({:#x} bytes)", path_,
                            out.size(), offset, size_));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(static_cast<int>(handle_), out.data() + done, out.size() - done,
                        static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_, "read", errno, offset + done);
    }
    if (n == 0) throw IoError(path_, "read", 0, offset + done);  // shrank under us
    done += static_cast<size_t>(n);
  }
}

void File::write_at(uint64_t offset, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(static_cast<int>(handle_), data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_, "write", errno, offset + done);
    }
    done += static_cast<size_t>(n);
  }
  if (offset + data.size() > size_) size_ = offset + data.size();
  io::notify_io_event(IoEvent::write, path_);
}

void File::flush() {
  if (::fsync(static_cast<int>(handle_)) != 0) throw IoError(path_, "flush", errno);
  io::notify_io_event(IoEvent::flush, path_);
}

void File::resize(uint64_t new_size) {
  if (::ftruncate(static_cast<int>(handle_), static_cast<off_t>(new_size)) != 0)
    throw IoError(path_, "resize", errno);
  size_ = new_size;
  io::notify_io_event(IoEvent::resize, path_);
}

uint64_t File::allocated_bytes() const {
  struct stat st {};
  if (::fstat(static_cast<int>(handle_), &st) != 0) throw IoError(path_, "stat", errno);
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

}  // namespace vhdchain
