// The live side of host path location on Linux: the kernel's mount table, symlink resolution, and
// the facts alias analysis works on. Everything after the system calls is the pure code in
// mount_table.cc, so what the tests prove on fixture tables is what runs here.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

constexpr const char* kMountInfo = "/proc/self/mountinfo";

std::optional<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

std::string current_directory() {
  std::vector<char> buf(PATH_MAX);
  while (::getcwd(buf.data(), buf.size()) == nullptr) {
    if (errno != ERANGE) throw IoError(".", "get the working directory of", errno);
    buf.resize(buf.size() * 2);
  }
  return std::string(buf.data());
}

}  // namespace

MountTable read_mount_table() {
  // procfs reports size 0, so read until EOF instead of trusting stat.
  int fd = ::open(kMountInfo, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(kMountInfo, "open", errno);
  std::string text;
  char chunk[16384];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw IoError(kMountInfo, "read", e);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return parse_mountinfo(text, kMountInfo);
}

std::string resolve_host_path(const std::string& path) {
  if (path.empty()) return path;
  std::string absolute = path.front() == '/' ? path : current_directory() + "/" + path;
  if (auto whole = real_path(absolute)) return *whole;
  // A missing file (a parent that was moved away) still has a place: resolve the longest prefix that
  // exists and append the rest lexically, so the location names the directory it would be in.
  std::vector<std::string> parts;
  for (size_t i = 0; i <= absolute.size();) {
    size_t j = absolute.find('/', i);
    if (j == std::string::npos) j = absolute.size();
    if (j > i) parts.push_back(absolute.substr(i, j - i));
    i = j + 1;
  }
  for (size_t keep = parts.size(); keep-- > 0;) {
    std::string prefix(1, '/');
    for (size_t k = 0; k < keep; ++k) {
      if (k > 0) prefix.push_back('/');
      prefix += parts[k];
    }
    if (auto base = real_path(prefix)) {
      std::string out = *base;
      for (size_t k = keep; k < parts.size(); ++k) out += "/" + parts[k];
      return normalize_host_path(out);
    }
  }
  return normalize_host_path(absolute);
}

PathFacts probe_host_path(const MountTable& table, const std::string& path) {
  PathFacts facts;
  facts.path = path;
  facts.identity = file_identity(path);
  if (!path.empty()) facts.location = locate_host_path(table, resolve_host_path(path));
  return facts;
}

}  // namespace vhdchain::hostpath
