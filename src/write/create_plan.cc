// plan_create (write.h): the format's half decides.
#include "vhdchain/error.h"
#include "write/write_internal.h"

namespace vhdchain {

CreatePlan plan_create(const std::string& path, const CreateOptions& options) {
  const WriteLease lease = write::lease_parent_of_new_child(options.parent, options.chain_options);  // a dry run refuses what a run would
  if (options.format == DiskFormat::vhdx) return write::plan_create_vhdx(path, options);
  return write::plan_create_vhd(path, options);
}

}  // namespace vhdchain
