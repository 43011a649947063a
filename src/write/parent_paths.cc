// Composing the locator paths of a parent. (Being written.)
#include "vhdchain/error.h"
#include "vhdchain/write.h"

namespace vhdchain {

ParentPaths compose_parent_paths(const std::string&, const std::string&, const ParentPathContext&) {
  throw Error(ErrorCode::unsupported, "composing parent paths is not available yet");
}

}  // namespace vhdchain
