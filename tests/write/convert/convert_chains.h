// The sources the convert tests convert (tests/support/image_builder.h), and how to read a result.
#pragma once

#include <filesystem>
#include <string>

#include "support/image_builder.h"
#include "write/vhdx/write_fixtures.h"  // chain_sha256: what the tests compare

namespace vhdchain::test {

// A 16 MiB VHDX chain of 1 MiB blocks, logical sectors of `sector` bytes. What the leaf shows, by
// block: 0 data (base), 1 data (base, partly the child's sectors), 2 ZERO, 3 UNMAPPED (base),
// 4 zeros stored in the base, 5 zeros the child stores over the base's data, 6 data (child), the
// rest nothing (zeros). Blocks 0, 1, 4, 5, 6 hold data in some layer; 0, 1, 6 are not all zeros.
inline BuiltChain convert_chain(uint32_t sector = 512, Format format = Format::vhdx) {
  ImageSpec b;
  b.format = format;
  b.virtual_size = 16 * kMiB;
  b.block_size = kMiB;
  b.vhdx.logical_sector_size = sector;
  b.blocks[0] = BlockSpec::full();
  // A VHD base may have partial blocks (sectors with their bit clear read as zeros); a VHDX base
  // may not (MS-VHDX 2.5.1.1).
  b.blocks[1] = format == Format::vhd ? BlockSpec::partial({{3, 17}}) : BlockSpec::full();
  if (format == Format::vhdx) {
    b.blocks[2] = BlockSpec::with_state(BlockState::zero);
    b.blocks[3] = BlockSpec::with_state(BlockState::unmapped);
  }
  b.blocks[4] = BlockSpec::full();
  b.blocks[4].zero_data = true;
  b.blocks[5] = BlockSpec::full();
  ImageSpec c;
  c.format = format;
  c.type = DiskType::differencing;
  c.virtual_size = 0;
  c.block_size = kMiB;
  c.seed = 2;
  c.vhdx.logical_sector_size = sector;
  c.vhdx.sector_bitmap_for_every_chunk = true;
  c.blocks[1] = BlockSpec::partial({{100 * 512 / sector, 50 * 512 / sector}});
  c.blocks[5] = BlockSpec::full();
  c.blocks[5].zero_data = true;
  c.blocks[6] = BlockSpec::full();
  const std::string ext = format == Format::vhdx ? ".vhdx" : ".vhd";
  ChainSpec spec;
  spec.layers = {{b, "base" + ext}, {c, "leaf" + (format == Format::vhdx ? std::string(".avhdx") : ext)}};
  return build_chain(spec);
}

}  // namespace vhdchain::test
