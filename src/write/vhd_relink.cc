// Re-pointing a VHD child at its parent, through the journal. (Being written.)
#include "vhdchain/error.h"
#include "write/write_internal.h"

namespace vhdchain::write {

RelinkPlan plan_vhd_relink(const std::string&, const NewParentLink&) {
  throw Error(ErrorCode::unsupported, "re-pointing VHD files is not available yet");
}
void apply_vhd_relink(const RelinkPlan&) {
  throw Error(ErrorCode::unsupported, "re-pointing VHD files is not available yet");
}

}  // namespace vhdchain::write
