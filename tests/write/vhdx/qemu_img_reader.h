// qemu-img (Debian qemu-utils) as an independent reader of a VHDX the write commands changed.
#pragma once

#include <optional>
#include <string>

namespace vhdchain::test {

// SHA-256 of `qemu-img convert -f vhdx -O raw PATH` (qemu-img reads fixed and dynamic VHDX, not
// differencing ones). nullopt when /usr/bin/qemu-img is missing (the caller skips, or fails under
// VHDCHAIN_REQUIRE_SHARED=1 / CI=true: see independent_readers_required()). A refusal is returned
// as "error: <qemu-img's stderr>" so the test shows it.
std::optional<std::string> qemu_img_raw_sha256(const std::string& path);

}  // namespace vhdchain::test
