// Placeholder: replaced by the VHD parser.
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
namespace vhdchain::vhd {
std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> f) {
  throw Error(ErrorCode::unsupported, f->name() + ": VHD parser not built");
}
}  // namespace vhdchain::vhd
