// Creating VHD files. (Being written.)
#include "vhdchain/error.h"
#include "write/write_internal.h"

namespace vhdchain::write {

CreateResult create_vhd(const std::string&, const CreateOptions&) {
  throw Error(ErrorCode::unsupported, "creating VHD files is not available yet");
}

}  // namespace vhdchain::write
