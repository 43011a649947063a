#include "unit/hostpath/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

namespace vhdchain::hostpath::test {
namespace {

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

ChildResult run_in_child(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) return {ChildResult::failed, errno_text("pipe")};
  pid_t pid = ::fork();
  if (pid < 0) return {ChildResult::failed, errno_text("fork")};
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = "O" + fn();
    } catch (const ChildSkip& e) {
      out = std::string("S") + e.what();
    } catch (const std::exception& e) {
      out = std::string("F") + e.what();
    }
    write_all(fds[1], out);
    ::close(fds[1]);
    ::_exit(0);  // no atexit handlers, no gtest teardown in the child
  }
  ::close(fds[1]);
  std::string got;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got.empty()) return {ChildResult::failed, "the child died without an answer (status " + std::to_string(status) + ")"};
  ChildResult::Kind kind = got[0] == 'O' ? ChildResult::ok : got[0] == 'S' ? ChildResult::skipped : ChildResult::failed;
  return {kind, got.substr(1)};
}

void become_nobody_if_root() {
  if (::geteuid() != 0) return;
  if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
    throw std::runtime_error(errno_text("dropping to uid 65534"));
}

void require_access(const std::string& dir) {
  if (::access(dir.c_str(), X_OK) != 0)
    throw ChildSkip("the temp folder " + dir + " cannot be entered as uid " + std::to_string(::geteuid()));
}

void enter_private_mount_namespace() {
  if (::unshare(CLONE_NEWNS) != 0) {
    int e = errno;
    // Not root: a user namespace grants the mount capability over a mount namespace of our own.
    if ((e != EPERM && e != EACCES) || ::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
      throw ChildSkip(std::string("cannot create a private mount namespace (needs root or unprivileged user "
                                  "namespaces): unshare: ") + std::strerror(e));
  }
  // Keep our mounts out of the parent namespace, whatever the host's propagation is.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    throw ChildSkip(errno_text("making / private in the new mount namespace"));
}

void bind_in_private_namespace(const std::string& source, const std::string& target) {
  enter_private_mount_namespace();
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    throw ChildSkip(errno_text("mount --bind"));
}

void tmpfs_in_private_namespace(const std::string& target, uint64_t bytes) {
  enter_private_mount_namespace();
  const std::string options = "size=" + std::to_string(bytes);
  if (::mount("vhdchain-test", target.c_str(), "tmpfs", 0, options.c_str()) != 0)
    throw ChildSkip(errno_text("mount -t tmpfs"));
}

}  // namespace vhdchain::hostpath::test
