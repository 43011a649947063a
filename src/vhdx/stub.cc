// Placeholder: replaced by the VHDX parser.
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
namespace vhdchain::vhdx {
std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> f) {
  throw Error(ErrorCode::unsupported, f->name() + ": VHDX parser not built");
}
}  // namespace vhdchain::vhdx
