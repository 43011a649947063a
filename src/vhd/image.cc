// VHD image: ties footer, dynamic header, parent locators and BAT together behind DiskImage.
//
// Reads follow the VHD spec ("Block Allocation Table and Data Blocks"; formats.md 3.4, 3.5): a
// fixed disk's data is at the virtual offset; a dynamic disk's unallocated block reads as zeros and
// an allocated one goes by its sector bitmap (bit 1: data in this file; bit 0: never written, so
// zero); a differencing disk's unallocated block, and bit-0 sectors, show the parent. The virtual
// size is the footer's current size (see docs/vhd-notes.md for why not the CHS product).
#include "vhd/image.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "vhdchain/error.h"

namespace vhdchain::vhd {
namespace {

constexpr size_t kBitmapCacheBytes = 4 * 1024 * 1024;
constexpr size_t kMinBitmapCacheEntries = 4;

}  // namespace

Image::Image(std::shared_ptr<const Reader> file) : file_(std::move(file)) {
  footer_ = locate_footer(*file_, info_.notes);
  const Footer& footer = footer_.footer;
  const Location footer_at{file_->name(), footer_.structure, footer_.offset};

  info_.format = DiskFormat::vhd;
  info_.type = footer.type();
  info_.virtual_size = footer.current_size;
  info_.file_size = file_->size();
  info_.block_size = 0;
  info_.logical_sector_size = kSectorSize;
  info_.physical_sector_size = kSectorSize;
  info_.creator = creator_text(footer);
  info_.unique_id = footer.unique_id;
  info_.timestamp = footer.timestamp;
  info_.creator_application = four_cc_text(footer.creator_application);
  info_.creator_version = footer.creator_version;
  info_.creator_host_os = four_cc_text(footer.creator_host_os);
  info_.original_size = footer.original_size;
  info_.geometry = footer.geometry;
  info_.saved_state = footer.saved_state != 0;

  if ((footer.features & kFeatureReserved) == 0)
    info_.notes.push_back({"vhd.features_reserved_bit_clear",
                           fmt::format("{} @{:#x}: features {:#010x} has the reserved bit 1 clear (the spec says "
                                       "it is always set)",
                                       footer_.structure, footer_.offset, footer.features)});
  if (footer.geometry.size() != footer.current_size)
    info_.notes.push_back(
        {"vhd.chs_size_differs",
         fmt::format("{} @{:#x}: disk geometry {}/{}/{} gives {} bytes but current size is {} bytes; the virtual "
                     "size is the current size",
                     footer_.structure, footer_.offset, footer.geometry.cylinders, footer.geometry.heads,
                     footer.geometry.sectors_per_track, footer.geometry.size(), footer.current_size)});

  if (!footer.has_dynamic_header()) {
    // Fixed: the disk's bytes are the file's first current-size bytes (VHD spec "Fixed Hard Disk
    // Image"); the footer follows them.
    if (footer.current_size > footer_.data_end)
      throw FormatError(footer_at, fmt::format("current size {} exceeds the {} bytes in front of the footer: file "
                                               "is truncated",
                                               footer.current_size, footer_.data_end));
    if (footer.current_size < footer_.data_end)
      info_.notes.push_back({"vhd.fixed_size_mismatch",
                             fmt::format("{} @{:#x}: current size {} is less than the {} bytes in front of the "
                                         "footer; the {} bytes after the disk's data are ignored",
                                         footer_.structure, footer_.offset, footer.current_size, footer_.data_end,
                                         footer_.data_end - footer.current_size)});
    return;
  }
  open_dynamic();
}

void Image::open_dynamic() {
  const Footer& footer = footer_.footer;
  const Location footer_at{file_->name(), footer_.structure, footer_.offset};
  const uint64_t data_end = footer_.data_end;

  header_offset_ = footer.data_offset;
  if (header_offset_ < kFooterSize)
    throw FormatError(footer_at, fmt::format("data offset {:#x} overlaps the footer copy @0x0", header_offset_));
  auto header_end = checked_add(header_offset_, kDynamicHeaderSize);
  if (!header_end || *header_end > data_end)
    throw FormatError(footer_at, fmt::format("data offset {:#x}: the 1024-byte dynamic header would end past the end "
                                             "of the file data at {:#x}",
                                             header_offset_, data_end));

  StructureBuffer buffer(*file_, header_offset_, kDynamicHeaderSize, "dynamic header");
  const ByteView view = buffer.view();
  header_ = decode_dynamic_header(view);
  const DynamicHeader& header = *header_;
  check_dynamic_layout(header, view, footer, data_end, info_.notes);

  layout_ = BlockLayout{header.block_size, header.bitmap_size()};
  block_count_ = used_block_count(header, footer);
  info_.block_size = header.block_size;
  cache_capacity_ = std::max(kMinBitmapCacheEntries, kBitmapCacheBytes / layout_.bitmap_size);

  reserved_.push_back({0, kFooterSize, "footer copy @0x0"});
  reserved_.push_back({header_offset_, kDynamicHeaderSize, fmt::format("dynamic header @{:#x}", header_offset_)});
  reserved_.push_back({header.table_offset, uint64_t(header.max_table_entries) * kBatEntrySize,
                       fmt::format("BAT @{:#x}", header.table_offset)});

  if (footer.disk_type != kDiskTypeDifferencing) return;

  ParentLink parent;
  parent.linkage = header.parent_unique_id;
  parent.timestamp = header.parent_timestamp;
  parent.name = header.parent_name.utf8;
  if (!header.parent_name.valid)
    info_.notes.push_back({"vhd.parent_name_invalid",
                           fmt::format("dynamic header @{:#x}: parent unicode name is not valid UTF-16BE; invalid "
                                       "code units are shown as U+FFFD",
                                       header_offset_)});
  const std::vector<Region> structures = reserved_;
  for (size_t i = 0; i < kLocatorCount; ++i) {
    const LocatorSlot& slot = header.locators[i];
    if (slot.empty()) continue;
    const ByteView entry = view.sub(header_field::kParentLocators + i * kLocatorEntrySize, kLocatorEntrySize,
                                    fmt::format("parent locator entry {}", i));
    parent.locators.push_back(read_locator(*file_, entry, slot, structures, data_end, info_.notes));
    if (slot.data_length != 0)
      reserved_.push_back({slot.data_offset, slot.data_length,
                           fmt::format("parent locator entry {} data @{:#x}", i, slot.data_offset)});
  }
  info_.parent = std::move(parent);
}

void Image::load_bat() const {
  const DynamicHeader& header = *header_;
  StructureBuffer buffer(*file_, header.table_offset, block_count_ * kBatEntrySize, "BAT");
  std::vector<uint32_t> entries = decode_bat(buffer.view(), block_count_);
  validate_bat(entries, file_->name(), header.table_offset, layout_, footer_.data_end, reserved_);
  bat_ = std::move(entries);
}

const std::vector<uint32_t>& Image::bat() const {
  bat_once_.run([this] { load_bat(); });
  return bat_;
}

Image::Bitmap Image::bitmap(uint64_t block) const {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(block);
    if (it != cache_.end()) return it->second;
  }
  // Read outside the lock so that threads mapping different blocks do not wait on each other.
  const uint64_t offset = uint64_t(bat()[block]) * kSectorSize;
  StructureBuffer buffer(*file_, offset, layout_.bitmap_size, fmt::format("block {} bitmap", block));
  auto read = std::make_shared<const std::vector<uint8_t>>(std::move(buffer.bytes()));

  std::lock_guard<std::mutex> lock(cache_mutex_);
  auto [it, inserted] = cache_.emplace(block, read);
  if (inserted) {
    cache_order_.push_back(block);
    while (cache_order_.size() > cache_capacity_) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }
  return it->second;
}

Extent Image::map(uint64_t virtual_offset, uint64_t max_length) const {
  const uint64_t size = info_.virtual_size;
  if (virtual_offset >= size)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: offset {:#x} is at or past the virtual size {:#x}",
                                                         file_->name(), virtual_offset, size));
  if (max_length == 0)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: map at {:#x} with a maximum length of 0", file_->name(), virtual_offset));
  const uint64_t length = std::min(max_length, size - virtual_offset);
  if (!header_) return Extent{virtual_offset, length, ExtentSource::data, virtual_offset};

  const ExtentSource absent =
      footer_.footer.disk_type == kDiskTypeDifferencing ? ExtentSource::parent : ExtentSource::zero;
  const uint64_t block = virtual_offset / layout_.block_size;
  const uint64_t block_start = block * layout_.block_size;
  const uint64_t end = std::min(virtual_offset + length, block_start + layout_.block_size);
  const uint32_t entry = bat()[block];
  if (entry == kBatUnallocated) return Extent{virtual_offset, end - virtual_offset, absent, 0};

  const Bitmap bits = bitmap(block);
  const uint64_t within = virtual_offset - block_start;
  const uint64_t first = within / kSectorSize;
  const uint64_t last = ceil_div(end - block_start, kSectorSize);
  const uint64_t run = bitmap_run_length(*bits, first, last);
  const uint64_t run_end = std::min(block_start + (first + run) * kSectorSize, end);
  if (!bitmap_bit(*bits, first)) return Extent{virtual_offset, run_end - virtual_offset, absent, 0};
  const uint64_t file_offset = uint64_t(entry) * kSectorSize + layout_.bitmap_size + within;
  return Extent{virtual_offset, run_end - virtual_offset, ExtentSource::data, file_offset};
}

BlockStats Image::block_stats() const {
  if (!header_) {
    // A fixed disk has no BAT: its whole current size is stored.
    BlockStats stats;
    stats.allocated_bytes = info_.virtual_size;
    return stats;
  }
  return count_blocks(bat(), layout_);
}

std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> file) {
  return std::make_unique<Image>(std::move(file));
}

}  // namespace vhdchain::vhd
