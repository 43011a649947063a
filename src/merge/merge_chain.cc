#include "merge/merge_chain.h"

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "write/merge_marker.h"

namespace vhdchain::write {
namespace {

// A VHD merge is being finished when the target's marker names this child. A marker naming another
// child is another merge into the same target, stopped half way: the target holds part of that
// merge's data, so this one must wait until that one is finished.
bool vhd_merge_resumes(const MergeChain& chain, const std::string& child) {
  const std::optional<MergeMarker> marker = read_merge_marker(chain.target().path);
  if (!marker) return false;
  const Guid target_id = chain.target().image->identity();
  const Guid child_id = chain.layers.front().image->identity();
  if (marker->target_unique_id != target_id)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: belongs to a VHD with unique id {}, not to {} (unique id {}); it was left by a merge "
                            "into a copy of this file. Remove it once you are sure no merge into {} is unfinished",
                            merge_marker_path(chain.target().path), marker->target_unique_id.to_string(),
                            chain.target().path, target_id.to_string(), chain.target().path));
  if (marker->child_unique_id != child_id)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: a merge of {} into it was interrupted ({}); finish it first (vhdchain merge {} "
                            "--into {}) before merging {}",
                            chain.target().path, marker->child, merge_marker_path(chain.target().path), marker->child,
                            chain.target().path, child));
  return true;
}

}  // namespace

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
  const DiskFormat format = out.target().image->info().format;
  for (const ChainLayer& l : out.layers)
    if (l.image->info().format != format)
      throw Error(ErrorCode::unsupported,
                  fmt::format("{}: is a {} in a chain merged into the {} {}; mixed chains are not merged", l.path,
                              to_string(l.image->info().format), to_string(format), out.target().path));
  if (format == DiskFormat::vhd) {
    out.resuming = vhd_merge_resumes(out, options.child);
    return out;
  }

  const ImageInfo& above = out.above_target().image->info();
  const Guid target_identity = out.target().image->identity();
  out.resuming = above.parent && above.parent->linkage != target_identity && above.parent->linkage2 &&
                 *above.parent->linkage2 == target_identity;
  return out;
}

}  // namespace vhdchain::write
