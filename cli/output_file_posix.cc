#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "output_file.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

void write_all(int fd, const std::string& text, const std::string& name) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(name, "write", errno);
    done += size_t(n);
  }
}

}  // namespace

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // A dot-name in the same folder: node_exporter reads only *.prom, so it never sees the temp file.
  std::filesystem::path target(path);
  std::filesystem::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()));
  const std::string temp_name = temp.string();
  int fd = ::open(temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(temp_name, "create", errno);
  try {
    write_all(fd, text, temp_name);
    if (::fsync(fd) != 0) throw IoError(temp_name, "fsync", errno);
    if (::close(fd) != 0) {
      fd = -1;
      throw IoError(temp_name, "close", errno);
    }
    fd = -1;
    if (::rename(temp_name.c_str(), path.c_str()) != 0) throw IoError(path, "rename into place", errno);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp_name.c_str());
    throw;
  }
}

}  // namespace vhdchain::cli
