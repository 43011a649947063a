// The VHD sidecar journal. (Being written.)
#include "vhdchain/error.h"
#include "write/write_internal.h"

namespace vhdchain::write {

ReplayResult replay_vhd_journal(const std::string&) {
  throw Error(ErrorCode::unsupported, "VHD journals are not available yet");
}

}  // namespace vhdchain::write
