// The platform-independent part of RawTarget (raw_target.h): how zeros and holes become writes.
// The system calls are in raw_target_posix.cc and raw_target_win32.cc.
#include "raw_target.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace vhdchain::cli {

RawTarget::RawTarget(Kind kind, int fd, std::string out, std::string temp, uint64_t size, bool force)
    : kind_(kind), fd_(fd), out_(std::move(out)), temp_(std::move(temp)), size_(size), force_(force) {}

void RawTarget::write(std::span<const uint8_t> bytes) { write_at_position(bytes.data(), bytes.size()); }

void RawTarget::write_zeros(uint64_t length) {
  // One buffer for every zero run of a stream: no memset per run.
  static const std::vector<uint8_t> zeros(4 << 20, 0);
  while (length > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(length, zeros.size()));
    write_at_position(zeros.data(), n);
    length -= n;
  }
}

void RawTarget::skip(uint64_t length) {
  if (!holes_allowed()) return write_zeros(length);
  position_ += length;
}

}  // namespace vhdchain::cli
