#include "vhdchain/error.h"

#include <cerrno>
#include <cstring>
#include <system_error>

#ifdef _WIN32
#include <winerror.h>
#endif

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

#ifdef _WIN32
// On Windows the number is a GetLastError() value (file_win32.cc and the other Win32 files).
// std::system_category() gives its FormatMessage text; the trailing period is dropped to read like
// the strerror texts of the POSIX build ("...: cannot open: The system cannot find the file specified").
std::string describe_errno(int value) {
  std::string text = std::system_category().message(value);
  while (!text.empty() && (text.back() == '.' || text.back() == ' ' || text.back() == '\r' || text.back() == '\n'))
    text.pop_back();
  return text.empty() ? fmt::format("system error {}", value) : text;
}

bool is_no_space(int value) { return value == ERROR_DISK_FULL || value == ERROR_HANDLE_DISK_FULL; }
#else
bool is_no_space(int value) { return value == ENOSPC; }

std::string describe_errno(int value) {
  if (value == 0) return "unexpected end of file";
  return std::strerror(value);
}
#endif

}  // namespace

FormatError::FormatError(Location where, const std::string& detail, ErrorCode code)
    : Error(code, full_message(where, place_of(where, detail))),
      where_(std::move(where)),
      detail_(detail),
      place_(place_of(where_, detail)) {}

IoError::IoError(const std::string& file, const std::string& action, int errno_value, uint64_t offset)
    : Error(is_no_space(errno_value) ? ErrorCode::no_space : ErrorCode::io,
            offset == UINT64_MAX
                ? fmt::format("{}: cannot {}: {}", file, action, describe_errno(errno_value))
                : fmt::format("{}: cannot {} @{:#x}: {}", file, action, offset, describe_errno(errno_value))),
      errno_(errno_value) {}

}  // namespace vhdchain
