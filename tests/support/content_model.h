// What every layer of a synthetic chain must read as, computed from the specs alone.
//
// The model applies the specifications' read rules to ImageSpecs, never to image bytes:
//  * VHDX (MS-VHDX 2.5.1.1, 2.6.4): NOT_PRESENT reads from the parent in a differencing disk and as
//    zeros otherwise; ZERO, UNMAPPED and UNDEFINED read as zeros, in a child too; FULLY_PRESENT
//    reads the block; PARTIALLY_PRESENT reads sectors whose bit is 1 from the block and the others
//    from the parent.
//  * VHD (spec "Block Allocation Table and Data Blocks"): an unallocated block reads as zeros
//    (dynamic) or from the parent (differencing); in an allocated block a sector whose bit is 0
//    reads as zeros (dynamic) or from the parent (differencing).
// ReaderQuirks emulate documented bugs of other readers (docs/peers.md 5) so crosschecks can
// assert that a reader deviates exactly as documented; the default is the specifications.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "support/image_builder.h"

namespace vhdchain::test {

struct ReaderQuirks {
  // libvhdi: in a differencing VHDX every block not FULLY_PRESENT is read through the sector
  // bitmap, whatever its state. The builder never sets bits for ZERO/UNMAPPED/UNDEFINED blocks,
  // so those show the parent instead of zeros.
  bool vhdx_child_state_ignored = false;
  // libvhdi: in a differencing VHDX chunk without a sector-bitmap block (SB entry NOT_PRESENT,
  // offset 0), the bitmap is read from file offset 0 (the file type identifier, MS-VHDX 2.2.1,
  // then the headers...), and for a block that is not FULLY_PRESENT a sector whose "bit" is 1 is
  // read from the block's file offset, which is 0 for NOT_PRESENT/ZERO: raw file bytes at the
  // sector's offset inside the block. Needs layer_files. Measured with libvhdi 20210425.
  bool vhdx_missing_bitmap_at_file_start = false;
  // libvhdi: a VHD bitmap bit is tested without masking, so a sector counts as present when any
  // sector at or before it in the same bitmap byte (MSB-first) is present. Such sectors are read
  // from the child's data area (zeros as the builder writes them, or garbage_in_absent).
  bool vhd_unmasked_bitmap = false;
  // qemu-img: a differencing VHD is read as a dynamic one: no parent, bitmap ignored, allocated
  // blocks read whole from the data area.
  bool vhd_parent_ignored = false;

  // The built files, base first, for emulations that read raw file bytes.
  const std::vector<const SparseFile*>* layer_files = nullptr;

  bool any() const {
    return vhdx_child_state_ignored || vhdx_missing_bitmap_at_file_start || vhd_unmasked_bitmap || vhd_parent_ignored;
  }
};

// Fills out with what layer `level` of `chain` (base first; level 0 = the base alone) reads at
// virtual byte `offset`. Throws std::out_of_range past the layer's virtual size.
void read_expected(std::span<const ImageSpec> chain, size_t level, uint64_t offset, std::span<uint8_t> out,
                   const ReaderQuirks& quirks = {});

// The whole virtual disk of a layer (throws std::length_error above 1 GiB).
std::vector<uint8_t> expected_content(std::span<const ImageSpec> chain, size_t level,
                                      const ReaderQuirks& quirks = {});

struct ContentDigest {
  uint64_t size = 0;
  std::string sha256;                       // of the whole virtual disk
  uint64_t segment_size = 0;                // 0: no segment digests
  std::vector<std::string> segment_sha256;  // one per segment_size bytes (the last may be short)
};

// SHA-256 of a layer's virtual disk, streamed (works for multi-GiB disks), plus per-segment
// digests when segment_size is non-zero, to locate a difference.
ContentDigest expected_digest(std::span<const ImageSpec> chain, size_t level, uint64_t segment_size,
                              const ReaderQuirks& quirks = {});

}  // namespace vhdchain::test
