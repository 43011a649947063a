// The block allocation table (MS-VHDX 2.5): entry decoding, the chunk-ratio interleave of payload
// and sector-bitmap entries, and whole-table validation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/reader.h"

namespace vhdchain::vhdx {

// Sizes derived from the metadata (MS-VHDX 2.5, formulas verified in formats.md 2.10).
struct BatLayout {
  uint64_t virtual_size = 0;
  uint64_t block_size = 0;
  uint64_t logical_sector_size = 0;
  bool differencing = false;
  uint64_t chunk_ratio = 0;     // payload blocks per sector-bitmap block: 2^23 * sector size / block size
  uint64_t payload_blocks = 0;  // ceil(virtual size / block size)
  uint64_t bitmap_blocks = 0;   // ceil(payload blocks / chunk ratio)
  uint64_t total_entries = 0;   // PB + floor((PB-1)/CR), or SB * (CR+1) for a differencing disk

  // BAT index of payload block b, and of chunk k's sector-bitmap entry.
  uint64_t payload_index(uint64_t block) const { return block + block / chunk_ratio; }
  uint64_t bitmap_index(uint64_t chunk) const { return chunk * (chunk_ratio + 1) + chunk_ratio; }
  bool is_bitmap_index(uint64_t index) const { return index % (chunk_ratio + 1) == chunk_ratio; }
  uint64_t sectors_per_block() const { return block_size / logical_sector_size; }
};

// Inputs must already be valid (block size a power of 2 in [1, 256] MiB, sector size 512|4096,
// 0 < virtual size <= 64 TiB), which keeps every product below 2^64.
BatLayout compute_bat_layout(uint64_t virtual_size, uint32_t block_size, uint32_t logical_sector_size,
                             bool differencing);

struct BatEntry {
  uint8_t state = 0;         // bits 0-2
  uint64_t reserved = 0;     // bits 3-19, must be 0
  uint64_t file_offset = 0;  // bits 20-63 are FileOffsetMB, so masking gives the byte offset
};
BatEntry decode_bat_entry(uint64_t raw);

// Names used in BlockStats ("fully_present", ...; "present" for sector bitmaps).
std::string_view payload_state_name(uint8_t state);
std::string_view bitmap_state_name(uint8_t state);

// A file range that no block may overlap.
struct ReservedRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string what;  // "the log", "the BAT region", ...
};

// The validated table.
//
// Held in memory by kind: the sector-bitmap entries (one per chunk) in full, the payload entries
// in pages of 4096 of which only those holding a non-zero entry are kept. A 64 TiB differencing
// disk with 2 MiB blocks has a 256 MiB table; holding it whole broke a merge's 128 MiB bound
// (issue 5), while its checkpoint's few written blocks need a few pages. Memory now grows with
// the allocated part of the disk, not its virtual size. Accessors decode on demand.
class Bat {
 public:
  // Reads the table (layout.total_entries entries at file_offset of `data`) in pieces and
  // validates it (structure "BAT"): the table must fit in the file (else "file is truncated");
  // reserved bits, states per disk type, PARTIALLY_PRESENT only with its chunk's bitmap present,
  // allocated blocks inside the file (file_size bytes), at or after 1 MiB, clear of `reserved` and
  // of each other. Appends a Note when v0.95 UNMAPPED (5) entries were read as UNMAPPED.
  Bat(const Reader& data, uint64_t file_offset, const BatLayout& layout, uint64_t file_size,
      const std::vector<ReservedRange>& reserved, std::vector<Note>& notes);
  // The same from a table already in memory (at least total_entries * 8 bytes), named `file`.
  Bat(const std::vector<uint8_t>& table, const std::string& file, uint64_t file_offset, const BatLayout& layout,
      uint64_t file_size, const std::vector<ReservedRange>& reserved, std::vector<Note>& notes);

  BatEntry payload(uint64_t block) const { return decode_bat_entry(payload_raw(block)); }
  BatEntry bitmap(uint64_t chunk) const {
    return decode_bat_entry(chunk < bitmaps_.size() ? bitmaps_[chunk] : 0);  // a non-differencing disk's last chunk has none
  }
  BatEntry entry(uint64_t index) const;
  const BlockStats& stats() const { return stats_; }
  // Pages of 4096 payload entries held in memory (the others are all zero), of how many.
  size_t payload_pages_held() const;
  size_t payload_pages() const { return payload_pages_.size(); }

 private:
  static constexpr uint64_t kPageEntries = 4096;
  // Reads entries [first, first + out.size() / 8) of the table into out.
  using ReadTable = std::function<void(uint64_t first, std::span<uint8_t> out)>;

  void load(const ReadTable& read);
  void validate(const std::string& file, uint64_t file_offset, uint64_t file_size,
                const std::vector<ReservedRange>& reserved, std::vector<Note>& notes);

  // validate()'s steps (bat.cc). A failure names "BAT entry <i>" at the entry's own offset.
  struct EntryFailure {
    const std::string& file;
    uint64_t table_offset;
    [[noreturn]] void operator()(uint64_t index, const std::string& detail) const;
  };
  struct EntryScan {
    std::vector<uint32_t> allocated;  // entries owning a block, in table order: block, or kBitmapTag | chunk
    uint64_t v095_unmapped = 0;       // payload entries in the v0.95 draft's UNMAPPED state (5)
  };
  EntryScan check_entries(const EntryFailure& fail, uint64_t file_size, const std::vector<ReservedRange>& reserved);
  uint64_t bitmap_block_bytes(const EntryFailure& fail, uint64_t index, const BatEntry& e) const;
  uint64_t payload_block_bytes(const EntryFailure& fail, uint64_t index, const BatEntry& e, uint64_t chunk) const;
  void check_block_placement(const EntryFailure& fail, uint64_t index, uint64_t offset, uint64_t length,
                             uint64_t file_size, const std::vector<ReservedRange>& reserved) const;
  void check_blocks_apart(const EntryFailure& fail, const std::vector<uint32_t>& allocated) const;
  double fragmentation_percent(const std::vector<uint32_t>& allocated) const;
  // The raw entry of payload slot s: the s-th payload entry of the table (slot = block number).
  uint64_t payload_raw(uint64_t slot) const {
    const std::unique_ptr<uint64_t[]>& page = payload_pages_[slot / kPageEntries];
    return page ? page[slot % kPageEntries] : 0;
  }

  BatLayout layout_;
  std::vector<std::unique_ptr<uint64_t[]>> payload_pages_;  // null: 4096 zero entries
  std::vector<uint64_t> bitmaps_;                           // by chunk
  BlockStats stats_;
};

}  // namespace vhdchain::vhdx
