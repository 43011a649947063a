#include "write/merge_chain.h"

#include <fmt/format.h>

#include "vhdchain/error.h"

namespace vhdchain::write {

std::vector<const DiskImage*> MergeChain::source_images() const {
  std::vector<const DiskImage*> out;
  for (size_t i = 0; i < target_index; ++i) out.push_back(layers[i].image.get());
  return out;
}

MergeChain open_merge_chain(const MergeOptions& options) {
  const Chain chain = open_chain(options.child, options.chain_options);
  MergeChain out;
  out.layers = chain.layers();
  if (out.layers.size() < 2)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: is not a differencing disk; there is nothing to merge it into", options.child));
  out.target_index = 1;
  if (options.into) {
    const OpenedImage into = open_host_image(*options.into);
    size_t found = 0;
    for (size_t i = 1; i < out.layers.size() && found == 0; ++i)
      if (out.layers[i].key == into.key) found = i;
    if (found == 0)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: is not an ancestor of {} (its chain: {} layers)", *options.into, options.child,
                              out.layers.size()));
    out.target_index = found;
  }
  out.layers.resize(out.target_index + 1);
  for (const ChainLayer& l : out.layers)
    if (l.image->info().format != DiskFormat::vhdx)
      throw Error(ErrorCode::unsupported, fmt::format("{}: merging VHD chains is not available yet", l.path));

  const ImageInfo& above = out.above_target().image->info();
  const Guid target_identity = out.target().image->identity();
  out.resuming = above.parent && above.parent->linkage != target_identity && above.parent->linkage2 &&
                 *above.parent->linkage2 == target_identity;
  return out;
}

}  // namespace vhdchain::write
