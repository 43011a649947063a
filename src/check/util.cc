// Small helpers shared by the check files.
#include <fmt/format.h>

#include "check/check_internal.h"

namespace vhdchain::check::detail {

Finding make_finding(std::string_view code, std::string message, std::vector<std::string> paths,
                     std::vector<size_t> disks) {
  const FindingKind& kind = finding_kind(code);
  Finding f;
  f.code = std::string(kind.code);
  f.severity = kind.severity;
  f.inconclusive = kind.inconclusive;
  f.message = std::move(message);
  f.paths = std::move(paths);
  f.hyperv_error = std::string(kind.hyperv_error);
  f.hyperv_error_name = std::string(kind.hyperv_error_name);
  f.disks = std::move(disks);
  return f;
}

std::string human_bytes(uint64_t bytes) {
  constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double value = double(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace vhdchain::check::detail
