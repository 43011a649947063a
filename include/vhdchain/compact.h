// Compacting a disk in place (Optimize-VHD's Prezeroed and Pretrimmed modes, offline): blocks whose
// payload is all zeros and blocks the guest unmapped stop occupying space, blocks from the end of
// the file move into the holes, and the file is truncated (docs/compact-convert.md).
//
// Every virtual byte and the disk's identity (DataWriteGuid) stay as they were, so children of the
// disk stay valid: they link by that identity and read through to the same bytes.
//
// Crash safety (MS-VHDX 2.3, through write::VhdxSession): every BAT change goes through the log;
// a moved block is copied into space no entry references and flushed before its entry changes;
// the file is truncated only after every move is committed. A compact killed at any point leaves a
// disk that reads the same, and a rerun finishes the job.
//
// Implemented: dynamic and differencing VHDX. A VHD, a fixed VHDX and a corrupt disk are refused
// before anything is written. A pending log is replayed first (MS-VHDX 2.3.3), as Hyper-V does on
// open: a compact killed between writing a log entry and clearing it leaves one, and the rerun
// must finish.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vhdchain/disk_image.h"

namespace vhdchain {

struct CompactPlan {
  std::string disk;
  DiskFormat format = DiskFormat::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;
  uint32_t block_size = 0;
  uint64_t blocks = 0;                  // payload blocks of the virtual disk
  uint64_t blocks_zero = 0;             // fully present, all zeros: become ZERO (no space)
  uint64_t blocks_unmapped = 0;         // UNMAPPED/UNDEFINED still holding space: become ZERO
  uint64_t blocks_partial_kept = 0;     // partially present (differencing): kept as they are
  uint64_t blocks_moved = 0;            // payload and sector-bitmap blocks moved into holes
  uint64_t bytes_read = 0;              // payload read to find the all-zero blocks
  uint64_t file_size = 0;               // now
  uint64_t file_size_after = 0;
  uint64_t bytes_reclaimed = 0;         // file_size - file_size_after
  bool log_replayed_first = false;      // the log holds changes: the run applies them first
  std::vector<std::string> refusals;    // why it must not run
};

// The preflight (read-only, one pass over the present payload): validates the disk and plans.
// Throws what the reader throws for a corrupt disk.
CompactPlan plan_compact(const std::string& disk);

struct CompactProgress {
  uint64_t bytes_done = 0;  // payload read and moved
  uint64_t bytes_total = 0;
};

struct CompactResult {
  uint64_t blocks_zero = 0, blocks_unmapped = 0, blocks_moved = 0;
  uint64_t file_size = 0;
};

// Runs the compact: locks the disk (exclusive), plans again from what it holds under the lock,
// then writes. Throws Error(invalid_argument) when the plan has refusals.
CompactResult run_compact(const CompactPlan& plan, const std::function<void(const CompactProgress&)>& progress = {});

}  // namespace vhdchain
