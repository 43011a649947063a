// POSIX implementation of RawTarget (mkostemp, renameat2, signal cleanup); see raw_target.h.
#include "raw_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

// The temp file to remove if a signal ends the process. A fixed buffer, since a signal handler may
// only call async-signal-safe functions (unlink, signal, raise).
char g_cleanup_path[4096];
volatile std::sig_atomic_t g_cleanup_armed = 0;

extern "C" void remove_temp_and_die(int sig) {
  if (g_cleanup_armed) ::unlink(g_cleanup_path);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void arm_cleanup(const std::string& temp) {
  if (temp.size() >= sizeof(g_cleanup_path)) return;  // the destructor still removes it on errors
  std::memcpy(g_cleanup_path, temp.c_str(), temp.size() + 1);
  g_cleanup_armed = 1;
  struct sigaction action {};
  action.sa_handler = remove_temp_and_die;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &action, nullptr);
}

void disarm_cleanup() { g_cleanup_armed = 0; }

Error refuse(const std::string& message) { return Error(ErrorCode::invalid_argument, message); }

void check_not_an_input(const std::string& out, const struct stat& st, const std::vector<FileIdentity>& inputs) {
  FileIdentity key{static_cast<uint64_t>(st.st_dev), 0, static_cast<uint64_t>(st.st_ino)};
  for (const FileIdentity& input : inputs)
    if (input == key) throw refuse(fmt::format("{}: is one of the chain's own files; refusing to overwrite an input", out));
}

}  // namespace

std::unique_ptr<RawTarget> RawTarget::open(const std::string& out, bool force, uint64_t size,
                                           const std::vector<FileIdentity>& inputs) {
  if (out == "-") {
    if (::isatty(STDOUT_FILENO))
      throw refuse("refusing to write a raw disk image to a terminal; redirect stdout or give a file name");
    return std::unique_ptr<RawTarget>(new RawTarget(Kind::stream, STDOUT_FILENO, "<stdout>", "", size, force));
  }

  struct stat st {};
  if (::stat(out.c_str(), &st) == 0) {
    check_not_an_input(out, st, inputs);
    if (S_ISDIR(st.st_mode)) throw refuse(fmt::format("{}: is a folder; give the file name to write", out));
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) throw IoError(out, "open", errno);
      return std::unique_ptr<RawTarget>(new RawTarget(Kind::stream, fd, out, "", size, force));
    }
    if (!force) throw refuse(fmt::format("{}: already exists; use --force to replace it", out));
    if (S_ISBLK(st.st_mode)) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) throw IoError(out, "open", errno);
      off_t device_size = ::lseek(fd, 0, SEEK_END);
      if (device_size >= 0 && static_cast<uint64_t>(device_size) < size) {
        ::close(fd);
        throw refuse(fmt::format("{}: the device holds {} bytes, the virtual disk needs {}", out, device_size, size));
      }
      return std::unique_ptr<RawTarget>(new RawTarget(Kind::device, fd, out, "", size, force));
    }
  } else if (errno != ENOENT) {
    throw IoError(out, "stat", errno);
  }

  // A dot name in the same folder: invisible in a plain `ls`, and the rename stays on one file system.
  std::string pattern = fmt::format("{}/.{}.vhdchain-XXXXXX", io::folder_of(out), io::file_name_of(out));
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) throw IoError(out, "create", errno);
  std::string temp(name.data());
  arm_cleanup(temp);
  return std::unique_ptr<RawTarget>(new RawTarget(Kind::new_file, fd, out, std::move(temp), size, force));
}

RawTarget::~RawTarget() {
  if (fd_ != STDOUT_FILENO) ::close(fd_);
  if (kind_ == Kind::new_file && !committed_) {
    ::unlink(temp_.c_str());
    disarm_cleanup();
  }
}

void RawTarget::write_at_position(const uint8_t* data, size_t length) {
  const std::string& name = kind_ == Kind::new_file ? temp_ : out_;
  size_t done = 0;
  while (done < length) {
    ssize_t n = kind_ == Kind::stream ? ::write(fd_, data + done, length - done)
                                      : ::pwrite(fd_, data + done, length - done, static_cast<off_t>(position_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(name, "write", errno, position_ + done);
    }
    done += static_cast<size_t>(n);
  }
  position_ += length;
}

void RawTarget::rename_into_place() {
  // Without --force, OUT must still not exist: it may have appeared while we were writing.
  if (!force_) {
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, out_.c_str(), RENAME_NOREPLACE) == 0) return;
    if (errno == EEXIST) throw refuse(fmt::format("{}: appeared while exporting; use --force to replace it", out_));
    if (errno != EINVAL && errno != ENOSYS) throw IoError(out_, "rename the finished temp file to", errno);
    // The file system cannot refuse to replace: fall back to a plain rename.
  }
  if (::rename(temp_.c_str(), out_.c_str()) != 0) throw IoError(out_, "rename the finished temp file to", errno);
}

void RawTarget::commit() {
  if (position_ != size_)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: {} bytes written, {} expected", out_, position_, size_));
  if (kind_ == Kind::stream) return;
  const std::string& name = kind_ == Kind::new_file ? temp_ : out_;
  if (kind_ == Kind::new_file) {
    // Trailing zero runs were skipped: the size makes them a hole at the end.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) throw IoError(name, "resize", errno);
    // mkostemp made it 0600; a new file normally gets 0666 minus the umask.
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd_, 0666 & ~mask) != 0) throw IoError(name, "set the mode of", errno);
  }
  if (::fsync(fd_) != 0) throw IoError(name, "flush", errno);
  if (kind_ != Kind::new_file) return;
  rename_into_place();
  committed_ = true;
  disarm_cleanup();
  // The rename itself is durable once the folder is synced.
  int dir = ::open(io::folder_of(out_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace vhdchain::cli
