// Sizes on the command line: "10737418240", "512M", "10G", "1T" (binary units, as Hyper-V's
// New-VHD -SizeBytes 10GB means 10 GiB).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vhdchain::cli {

// Bytes, or an integer followed by K, M, G or T (also KiB, MiB, GiB, TiB; any case): powers of
// 1024. Throws Error(invalid_argument, "<option> \"<text>\": ...") for anything else or overflow.
uint64_t parse_size_argument(std::string_view option, std::string_view text);

}  // namespace vhdchain::cli
