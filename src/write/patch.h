// Bytes to put at an offset of a file: what every writer's change is made of, whether a VHDX log
// entry carries it (vhdx_session.h: any alignment, the session completes partial sectors) or the
// VHD journal does (vhd_journal.h: written as given, at an absolute offset).
#pragma once

#include <cstdint>
#include <vector>

namespace vhdchain::write {

struct Patch {
  uint64_t offset = 0;
  std::vector<uint8_t> bytes;
};

}  // namespace vhdchain::write
