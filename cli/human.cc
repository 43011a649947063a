// Sizes, times and safe strings for the text output (see human.h).
#include "human.h"

#include <chrono>

#include <fmt/format.h>

namespace vhdchain::cli {

std::string binary_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t unit = 0;
  uint64_t scale = 1;
  while (unit + 1 < std::size(kUnits) && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  if (bytes % scale == 0) return fmt::format("{} {}", bytes / scale, kUnits[unit]);
  std::string value = fmt::format("{:.2f}", static_cast<double>(bytes) / static_cast<double>(scale));
  while (value.back() == '0') value.pop_back();
  if (value.back() == '.') value.pop_back();
  return fmt::format("{} {}", value, kUnits[unit]);
}

std::string size_with_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  return fmt::format("{} ({} bytes)", binary_size(bytes), bytes);
}

std::string vhd_time_utc(uint32_t seconds) {
  // Calendar arithmetic with <chrono> instead of gmtime_r: the same code on POSIX and Windows
  // (which only has gmtime_s, with its arguments the other way round), and no 32-bit time_t limits.
  using namespace std::chrono;
  const sys_seconds t = sys_days{year{2000} / January / 1} + std::chrono::seconds{seconds};
  const sys_days day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss<std::chrono::seconds> time{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count());
}

std::string vhd_version(uint32_t version) { return fmt::format("{}.{}", version >> 16, version & 0xFFFF); }

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace vhdchain::cli
