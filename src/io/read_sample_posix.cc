#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "io/read_sample.h"
#include "io/read_sample_common.h"

namespace vhdchain::io {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool read_piece(int fd, uint64_t offset, uint8_t* buffer) {
  uint64_t done = 0;
  while (done < kSamplePieceBytes) {
    const ssize_t n = ::pread(fd, buffer + done, kSamplePieceBytes - done, static_cast<off_t>(offset + done));
    if (n > 0) {
      done += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
  return true;
}

}  // namespace

std::optional<ReadSample> sample_read_rate(const std::string& path, uint64_t budget) {
  Fd cached{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (cached.fd < 0) return std::nullopt;
  const off_t size = ::lseek(cached.fd, 0, SEEK_END);
  if (size < 0) return std::nullopt;
  const std::vector<uint64_t> offsets = sample_offsets(static_cast<uint64_t>(size), budget);
  if (offsets.empty()) return std::nullopt;
  // 4 KiB alignment satisfies O_DIRECT on 512-byte and 4K-native devices alike.
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  const std::unique_ptr<uint8_t, FreeDeleter> buffer(static_cast<uint8_t*>(std::aligned_alloc(4096, kSamplePieceBytes)));
  if (!buffer) return std::nullopt;
  const uint64_t bytes = offsets.size() * kSamplePieceBytes;

#ifdef O_DIRECT
  // Some file systems refuse O_DIRECT at open (tmpfs before Linux 6.6), some at the first read.
  if (Fd direct{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT)}; direct.fd >= 0)
    if (const std::optional<double> seconds =
            time_reads(offsets, [&](uint64_t offset) { return read_piece(direct.fd, offset, buffer.get()); }))
      return ReadSample{bytes, *seconds, true};
#endif
  if (const std::optional<double> seconds =
          time_reads(offsets, [&](uint64_t offset) { return read_piece(cached.fd, offset, buffer.get()); }))
    return ReadSample{bytes, *seconds, false};
  return std::nullopt;
}

}  // namespace vhdchain::io
