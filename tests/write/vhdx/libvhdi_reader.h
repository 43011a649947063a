// libvhdi (Debian python3-libvhdi) as an independent reader of chains the write commands changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vhdchain::test {

// SHA-256 of the virtual disk of `chain` (base first, leaf last) as pyvhdi reads it, each layer
// attached to the one before with set_parent(). nullopt when /usr/bin/python3 or pyvhdi is missing
// (the caller skips, or fails under VHDCHAIN_REQUIRE_SHARED=1 / CI=true). A failure to read is
// returned as "error: ..." so the test shows it.
std::optional<std::string> libvhdi_sha256(const std::vector<std::string>& chain);

// True when missing independent readers must fail tests instead of skipping them.
bool independent_readers_required();

}  // namespace vhdchain::test
