// Text helpers for the human-readable output: sizes, VHD times, version numbers, safe strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vhdchain::cli {

// "10 GiB" / "1.5 MiB" / "512 bytes": binary units, at most two decimals.
std::string binary_size(uint64_t bytes);
// "10 GiB (10737418240 bytes)"; "512 bytes" when below 1 KiB.
std::string size_with_bytes(uint64_t bytes);
// A VHD time stamp (seconds since 2000-01-01 00:00:00 UTC) as "2012-03-04T05:06:07Z".
std::string vhd_time_utc(uint32_t seconds);
// A VHD creator version (major << 16 | minor) as "10.0".
std::string vhd_version(uint32_t version);
// Control characters shown as \xNN: a value read from a disk image must not drive the terminal.
std::string printable(std::string_view text);

}  // namespace vhdchain::cli
