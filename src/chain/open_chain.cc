// Walking from a leaf to its base: one resolve_parent per differencing layer.
//
// The walk stops at the first layer that is not differencing. A depth limit bounds the work when
// something unforeseen (a loop through renamed copies with fresh identities) keeps producing
// parents; real Hyper-V chains stay far below it.
#include <fmt/format.h>

#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain {

Chain::Chain(std::vector<ChainLayer> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw Error(ErrorCode::invalid_argument, "a chain needs at least one layer");
}

std::unique_ptr<ChainReader> Chain::reader() const {
  std::vector<std::shared_ptr<const DiskImage>> images;
  images.reserve(layers_.size());
  for (const ChainLayer& layer : layers_) images.push_back(layer.image);
  return std::make_unique<ChainReader>(std::move(images));
}

Chain open_chain(const std::string& leaf_path, const ChainOptions& options) {
  ChainOptions effective = options;
  if (!effective.opener) effective.opener = open_host_image;

  std::vector<ChainLayer> layers;
  OpenedImage leaf = effective.opener(leaf_path);
  layers.push_back(ChainLayer{.path = leaf_path, .image = std::move(leaf.image), .key = leaf.key});

  while (layers.back().image->info().type == DiskType::differencing) {
    ChainLayer& child = layers.back();
    if (!child.image->info().parent)
      throw Error(ErrorCode::format, fmt::format("{}: a differencing disk without parent information", child.path));
    if (layers.size() >= effective.max_depth)
      throw Error(ErrorCode::unsupported, fmt::format("{}: the chain is deeper than {} layers (stopped at {})", leaf_path,
                                                      effective.max_depth, child.path));
    ResolvedParent resolved = resolve_parent(layers, effective);
    child.parent = std::move(resolved.resolution);
    if (!resolved.parent.image) throw parent_resolution_error(child);
    std::string parent_path = child.parent.accepted_candidate()->path;
    layers.push_back(ChainLayer{.path = std::move(parent_path), .image = std::move(resolved.parent.image), .key = resolved.parent.key});
  }
  return Chain(std::move(layers));
}

}  // namespace vhdchain
