// Where a new VHDX's structures go and their bytes (MS-VHDX 2.2-2.6), for create_vhdx.
//
// The placement copies what Hyper-V writes (measured on the dissect and DiscUtils images, every
// Windows version from 8.1 to Server 2022): log 1 MiB at 1 MiB, metadata region 1 MiB at 2 MiB,
// BAT at 3 MiB, payload blocks after the BAT, everything 1 MiB aligned; region table entries BAT
// first; metadata items packed from 64 KiB into the region in the order File Parameters, Virtual
// Disk Size, Logical Sector Size, Physical Sector Size, Virtual Disk ID, Parent Locator. Tools
// and people who compare a vhdchain disk with a Hyper-V one then see the same shape.
//
// Everything here is pure (no I/O) so tests can check the bytes without a file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"

namespace vhdchain::write {

// A fully decided new VHDX: every default resolved, every value validated.
struct VhdxCreateSpec {
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;
  uint32_t block_size = 0;
  uint32_t logical_sector_size = 512;
  uint32_t physical_sector_size = 4096;
  Guid virtual_disk_id;
  Guid file_write_guid;
  Guid data_write_guid;
  std::vector<LocatorEntry> parent_locator;  // differencing only, in the order written
  std::string creator = "vhdchain";
};

struct VhdxCreateLayout {
  uint64_t log_offset = 0, log_length = 0;
  uint64_t metadata_offset = 0, metadata_length = 0;
  uint64_t bat_offset = 0, bat_length = 0;
  // Differencing: one zeroed sector bitmap block per chunk, right after the BAT (see
  // new_bat_entry); none for other types.
  uint64_t bitmap_offset = 0, bitmap_blocks = 0;
  uint64_t payload_offset = 0;   // the first payload block (fixed disks)
  uint64_t chunk_ratio = 0;      // payload blocks per sector bitmap block
  uint64_t payload_blocks = 0;
  uint64_t bat_entries = 0;      // entries a reader uses (MS-VHDX 2.5: dynamic/fixed vs differencing)
  uint64_t file_size = 0;
};

VhdxCreateLayout plan_vhdx_layout(const VhdxCreateSpec& spec);

// The 64 KiB file type identifier: "vhdxfile" and the creator in UTF-16LE.
std::vector<uint8_t> encode_file_identifier(const std::string& creator);
// One 64 KiB region table (both copies are identical) with its CRC-32C.
std::vector<uint8_t> encode_region_table(const VhdxCreateLayout& layout);
// The used part of the metadata region: the 64 KiB table followed by the items.
std::vector<uint8_t> encode_metadata(const VhdxCreateSpec& spec);
// The BAT entry at `index` (payload or sector bitmap) for a new disk: FULLY_PRESENT at its
// contiguous place for a fixed disk's payload entries; PRESENT at its zeroed block for a
// differencing disk's sector bitmap entries; 0 (NOT_PRESENT) for everything else.
//
// Why a new child has bitmaps: all-zero bitmaps say what NOT_PRESENT already says (every sector
// from the parent), but libvhdi reads a chunk without a bitmap block from file offset 0, the file
// identifier, and shows zeros instead of the parent wherever a "bit" is set there (docs/create.md).
// A zeroed 1 MiB hole per 4 GiB (512-byte sectors) or 32 GiB (4096) of disk avoids that.
uint64_t new_bat_entry(const VhdxCreateSpec& spec, const VhdxCreateLayout& layout, uint64_t index);

}  // namespace vhdchain::write
