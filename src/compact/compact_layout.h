// What a compact does to one VHDX, decided from the file as it is (compact.h): the blocks to
// reclaim, the blocks to move and where, and the file size after. The same decision is made by the
// preflight (read-only) and again by the run under the lock, and again by a rerun after a crash:
// it depends only on the file's current state, which is why an interrupted compact finishes.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "vhdx/image.h"

namespace vhdchain::compact {

// A BAT entry whose space is given up: it becomes ZERO (MS-VHDX 2.5.1.1: reads as zeros, in a
// differencing disk too, so an all-zero block keeps hiding its parent).
struct Reclaim {
  uint64_t bat_index = 0;
  bool was_unmapped = false;  // UNMAPPED/UNDEFINED with space; else fully present, all zeros
};

// A payload or sector-bitmap block copied from `from` to `to` (a hole no entry references).
struct Move {
  uint64_t bat_index = 0;
  uint8_t state = 0;  // the entry's state, kept
  uint64_t from = 0, to = 0, length = 0;
};

struct VhdxCompactLayout {
  std::vector<Reclaim> reclaims;
  std::vector<Move> moves;            // highest `from` first
  uint64_t blocks_partial_kept = 0;
  uint64_t bytes_read = 0;
  uint64_t file_size_after = 0;
};

// Reads every fully present block once (progress: bytes read so far) and plans.
VhdxCompactLayout plan_vhdx_layout(const vhdx::VhdxImage& image,
                                   const std::function<void(uint64_t bytes_read)>& progress = {});

// The bytes of a BAT entry: offset (MiB aligned) | state (MS-VHDX 2.5.1).
uint64_t bat_entry_value(uint64_t file_offset, uint8_t state);

}  // namespace vhdchain::compact
