// A VHDX file as a DiskImage: opening (headers, log replay, region tables, metadata) and reading
// (BAT, sector bitmaps) put together from the decoders in this folder.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "base/load_once.h"
#include "vhdchain/disk_image.h"
#include "vhdx/bat.h"
#include "vhdx/region_table.h"
#include "vhdx/sector_bitmap.h"

namespace vhdchain::vhdx {

class VhdxImage final : public DiskImage {
 public:
  // Opens and validates everything but the BAT. Use vhdx::open().
  explicit VhdxImage(std::shared_ptr<const Reader> file);

  const ImageInfo& info() const override { return info_; }
  Extent map(uint64_t virtual_offset, uint64_t max_length) const override;
  BlockStats block_stats() const override { return bat().stats(); }
  const Reader& data() const override { return *data_; }

  const BatLayout& layout() const { return layout_; }
  // Where the regions are (from the region table in use); the writers change them in place.
  const RegionEntry& bat_region() const { return bat_region_; }
  const RegionEntry& metadata_region() const { return metadata_region_; }
  // The validated BAT (loaded on first use); the merge reads entries to write the target.
  const Bat& bat_table() const { return bat(); }
  // The BAT read and validated afresh and not kept by the image: check reads the maps of thousands
  // of disks whose images it keeps, one at a time (issue 14). Notes found there go to `notes`.
  std::unique_ptr<const Bat> read_bat(std::vector<Note>& notes) const;
  // What no payload or sector-bitmap block may overlap (the log and every region); compact plans around them.
  const std::vector<ReservedRange>& reserved_ranges() const { return reserved_; }

 private:
  // Loads and validates the BAT on first use (thread-safe). Notes found there (v0.95 UNMAPPED
  // states) are appended to info().notes at that moment.
  const Bat& bat() const;

  std::shared_ptr<const Reader> file_;
  std::shared_ptr<const Reader> data_;  // file_, or an overlay holding the replayed log
  mutable ImageInfo info_;
  BatLayout layout_;
  RegionEntry bat_region_;
  RegionEntry metadata_region_;
  std::vector<ReservedRange> reserved_;
  mutable LoadOnce bat_once_;
  mutable std::unique_ptr<const Bat> bat_;
  SectorBitmapCache bitmaps_;
};

}  // namespace vhdchain::vhdx
