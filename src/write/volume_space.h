// Refusing a write that cannot fit, before its first byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vhdchain::write {

// Throws Error(ErrorCode::no_space) naming `path`, `what` and both figures when the volume that
// will hold `path` (which need not exist yet) has fewer than `bytes` free for this user. Does
// nothing when the system cannot tell the free space.
void require_volume_space(const std::string& path, uint64_t bytes, std::string_view what);

}  // namespace vhdchain::write
