// Converting a disk into a new, standalone one (Convert-VHD's meaning, and more): a VHDX or VHD leaf
// of a differencing chain (flattened: the new disk reads as the leaf does through its chain), a
// standalone VHDX or VHD, or a raw image, into a VHDX, VHD or raw image, fixed or dynamic.
//
// The source is only read. The destination is built under a temporary name beside it
// (".NAME.vhdchain-partial") and published by a rename that never replaces a file, after a flush:
// a crash leaves no destination, or the whole one; the next convert of the same name removes the
// partial file. A dynamic destination stores no block whose content is all zeros (it reads as zeros
// unallocated); a fixed one is allocated on its volume (docs/create.md "Fixed disks are
// allocated") and refused, before anything is written, when the volume lacks the space.
//
// plan_convert is the preflight: it opens every input (each layer of the chain) read-only, checks
// every option against the formats, and refuses what cannot be done, before run_convert writes a
// byte. The library never prints: the plan and the progress are returned.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vhdchain/chain.h"
#include "vhdchain/disk_image.h"

namespace vhdchain {

enum class ConvertFormat { vhdx, vhd, raw };
std::string_view to_string(ConvertFormat format);  // "vhdx" | "vhd" | "raw"

struct ConvertOptions {
  std::string source;       // a VHDX or VHD (a differencing one is flattened), or a raw image
  std::string destination;  // must not exist
  ConvertFormat to = ConvertFormat::vhdx;
  // fixed or dynamic (raw dynamic: a sparse file); nullopt: the source's type (Convert-VHD's
  // default), dynamic for a differencing leaf or a raw image.
  std::optional<DiskType> type;
  uint32_t block_size = 0;             // 0: the format's default (VHDX 32 MiB, VHD 2 MiB)
  uint32_t logical_sector_size = 0;    // 0: the source's (raw: 512); VHD has 512 only
  ChainOptions chain_options;          // how the source's parents are found
  // Payload may be cloned or copied by the kernel where source and destination align (fixed and
  // raw destinations); false: always through our buffers (VHDCHAIN_CONVERT_NO_CLONE=1).
  bool system_copy = true;
  std::optional<uint64_t> free_bytes;  // on the destination's volume (the caller measures); nullopt: not checked
};

struct ConvertPlan {
  std::string source, destination;
  std::optional<DiskFormat> source_format;  // nullopt: a raw image
  std::vector<std::string> source_layers;   // the chain, leaf first (one path for a standalone disk or raw)
  ConvertFormat to = ConvertFormat::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;
  uint32_t block_size = 0;                  // 0: none (raw, fixed VHD)
  uint32_t logical_sector_size = 512;
  uint32_t physical_sector_size = 512;
  uint64_t blocks = 0;                      // destination blocks (raw and fixed VHD: 1 MiB units)
  uint64_t blocks_with_data = 0;            // of those, where some layer of the source holds data
  uint64_t bytes_to_read = 0;               // the source's data in those blocks (what is read and copied)
  uint64_t file_size_at_most = 0;           // dynamic: if no block with data turns out all zero; fixed: exact
  uint64_t allocate_bytes = 0;              // allocated on the volume before the copy (fixed): refused when short
  std::optional<uint64_t> free_bytes;
  std::vector<std::string> refusals;        // why it must not run (no space)
};

// The preflight (read-only): opens the source's chain (or the raw image), validates the options and
// the destination (must not exist, its folder must), and plans. Throws Error(invalid_argument) for
// options the destination format cannot take, what open_chain throws for a broken chain.
ConvertPlan plan_convert(const ConvertOptions& options);

struct ConvertProgress {
  uint64_t bytes_done = 0;   // of bytes_to_read
  uint64_t bytes_total = 0;
};

struct ConvertResult {
  uint64_t blocks_stored = 0;       // blocks written into the destination
  uint64_t blocks_skipped_zero = 0; // blocks with data in the source that were all zeros (dynamic: not stored)
  uint64_t file_size = 0;           // the published file's size
};

// Runs a plan without refusals, made by plan_convert from the same options. Throws
// Error(invalid_argument) for a plan with refusals; IoError for a failed write (the partial file is
// removed, the destination never appears).
ConvertResult run_convert(const ConvertOptions& options, const ConvertPlan& plan,
                          const std::function<void(const ConvertProgress&)>& progress = {});

}  // namespace vhdchain
