// Re-pointing a VHDX child at its parent, through the log. (Being written.)
#include "vhdchain/error.h"
#include "write/write_internal.h"

namespace vhdchain::write {

RelinkPlan plan_vhdx_relink(const std::string&, const NewParentLink&) {
  throw Error(ErrorCode::unsupported, "re-pointing VHDX files is not available yet");
}
void apply_vhdx_relink(const RelinkPlan&) {
  throw Error(ErrorCode::unsupported, "re-pointing VHDX files is not available yet");
}
ReplayResult replay_vhdx_log(const std::string&) {
  throw Error(ErrorCode::unsupported, "replaying VHDX logs is not available yet");
}

}  // namespace vhdchain::write
