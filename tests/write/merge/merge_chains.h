// Layers of the chains the merge tests build (tests/support/image_builder.h).
#pragma once

#include "support/image_builder.h"

namespace vhdchain::test {

// A dynamic base of `virtual_size` with `block_size` blocks, block 0 holding data.
inline ImageSpec base_layer(uint64_t virtual_size, uint32_t block_size, DiskType type = DiskType::dynamic) {
  ImageSpec s;
  s.type = type;
  s.virtual_size = virtual_size;
  s.block_size = block_size;
  s.blocks[0] = BlockSpec::full();
  return s;
}

// A differencing layer for build_chain (the parent's size), no blocks yet; a sector-bitmap block
// for every chunk, as Hyper-V writes them (and as libvhdi needs).
inline ImageSpec child_layer(uint64_t seed, uint32_t block_size) {
  ImageSpec s;
  s.virtual_size = 0;
  s.block_size = block_size;
  s.seed = seed;
  s.vhdx.sector_bitmap_for_every_chunk = true;
  return s;
}

}  // namespace vhdchain::test
