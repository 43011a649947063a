// Internal to the builder: where a VHDX image's structures and blocks go, decided once and shared
// by the structure writer (vhdx_builder.cc), which may encode the file twice (after and before log
// replay), and the log writer (vhdx_log_builder.cc).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "support/image_builder.h"

namespace vhdchain::test {

// MS-VHDX 2.4 / 2.5 arithmetic.
struct VhdxGeometry {
  uint64_t virtual_size = 0;
  uint64_t block_size = 0;
  uint64_t logical_sector_size = 0;
  uint64_t sectors_per_block = 0;
  uint64_t chunk_ratio = 0;     // CR = 2^23 * LogicalSectorSize / BlockSize
  uint64_t payload_blocks = 0;  // PB = ceil(VirtualDiskSize / BlockSize)
  uint64_t bitmap_blocks = 0;   // SB = ceil(PB / CR)
  uint64_t total_entries = 0;   // PB + floor((PB-1)/CR), or SB * (CR+1) when differencing

  uint64_t payload_index(uint64_t block) const { return block + block / chunk_ratio; }
  uint64_t bitmap_index(uint64_t chunk) const { return chunk * (chunk_ratio + 1) + chunk_ratio; }
};

VhdxGeometry vhdx_geometry(const ImageSpec& spec);

struct VhdxPlan {
  VhdxGeometry geometry;
  uint64_t log_offset = 0, log_length = 0;
  uint64_t metadata_offset = 0, metadata_length = 0;
  uint64_t bat_offset = 0, bat_length = 0;
  std::vector<uint64_t> extra_region_offsets;
  std::map<uint64_t, uint64_t> block_offsets;   // payload block -> file offset (allocated blocks)
  std::map<uint64_t, uint64_t> bitmap_offsets;  // chunk -> file offset of its sector-bitmap block
  uint64_t file_size = 0;
};

// Decides placement; throws std::invalid_argument for a spec that cannot be encoded.
VhdxPlan plan_vhdx(const ImageSpec& spec);

// Which of the two encodings of an image with a pending log is being written.
enum class VhdxSide { after_replay, before_replay };

// The BAT state of a block on the given side.
BlockState vhdx_block_state(const ImageSpec& spec, uint64_t block, VhdxSide side);

// Writes the whole file (everything but log entries) for one side.
void write_vhdx_file(SparseFile& out, const ImageSpec& spec, const VhdxPlan& plan, VhdxSide side);

// Writes the log entries of spec.vhdx.log into both files (identical bytes in the log region)
// and records them in the layout. `before` is the on-disk file, `after` the replayed one.
void write_vhdx_log(SparseFile& before, SparseFile& after, const ImageSpec& spec, const VhdxPlan& plan,
                    Layout& layout);

}  // namespace vhdchain::test
