#include "write/volume_space.h"

#include <fmt/format.h>

#include "io/free_space.h"
#include "vhdchain/error.h"

namespace vhdchain::write {

void require_volume_space(const std::string& path, uint64_t bytes, std::string_view what) {
  const std::optional<uint64_t> free = io::volume_free_bytes(path);
  if (!free || *free >= bytes) return;
  throw Error(ErrorCode::no_space,
              fmt::format("{}: {} needs {} bytes on its volume, which has {} free; nothing written", path, what,
                          bytes, *free));
}

}  // namespace vhdchain::write
