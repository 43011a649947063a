#include "vhdchain/error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace vhdchain {
namespace {

std::string place_of(const Location& where, const std::string& detail) {
  return fmt::format("{} @{:#x}: {}", where.structure, where.offset, detail);
}

std::string full_message(const Location& where, const std::string& place) {
  if (where.file.empty()) return place;
  return fmt::format("{}: {}", where.file, place);
}

std::string describe_errno(int value) {
#ifdef _WIN32
  return fmt::format("system error {}", value);
#else
  if (value == 0) return "unexpected end of file";
  return std::strerror(value);
#endif
}

}  // namespace

FormatError::FormatError(Location where, const std::string& detail, ErrorCode code)
    : Error(code, full_message(where, place_of(where, detail))),
      where_(std::move(where)),
      detail_(detail),
      place_(place_of(where_, detail)) {}

IoError::IoError(const std::string& file, const std::string& action, int errno_value, uint64_t offset)
    : Error(errno_value == ENOSPC ? ErrorCode::no_space : ErrorCode::io,
            offset == UINT64_MAX
                ? fmt::format("{}: cannot {}: {}", file, action, describe_errno(errno_value))
                : fmt::format("{}: cannot {} @{:#x}: {}", file, action, offset, describe_errno(errno_value))),
      errno_(errno_value) {}

}  // namespace vhdchain
