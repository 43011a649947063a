// A VHD file opened read-only as a DiskImage.
//
// Opening reads the footer (and its copy), the dynamic header and the parent locators: that is
// all info() needs. The BAT is read and validated once, on the first map() or block_stats()
// (LoadOnce), and block bitmaps are read on demand through a small mutex-protected cache, so
// `check` over many files costs only the headers and concurrent map() calls are safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/load_once.h"
#include "vhd/bat.h"
#include "vhd/dynamic_header.h"
#include "vhd/footer.h"
#include "vhdchain/disk_image.h"

namespace vhdchain::vhd {

class Image final : public DiskImage {
 public:
  explicit Image(std::shared_ptr<const Reader> file);

  const ImageInfo& info() const override { return info_; }
  Extent map(uint64_t virtual_offset, uint64_t max_length) const override;
  BlockStats block_stats() const override;
  const Reader& data() const override { return *file_; }

  // The structures behind map(), for the writers (merge appends blocks and sets bitmap bits).
  // dynamic_header() is empty for a fixed disk; bat_entries() needs one (loads the BAT once).
  const FooterLocation& footer_location() const { return footer_; }
  const std::optional<DynamicHeader>& dynamic_header() const { return header_; }
  const BlockLayout& block_layout() const { return layout_; }
  const std::vector<uint32_t>& bat_entries() const { return bat(); }

 private:
  using Bitmap = std::shared_ptr<const std::vector<uint8_t>>;

  void open_dynamic();
  const std::vector<uint32_t>& bat() const;  // loads it on first use
  void load_bat() const;
  Bitmap bitmap(uint64_t block) const;

  std::shared_ptr<const Reader> file_;
  ImageInfo info_;
  FooterLocation footer_;
  std::optional<DynamicHeader> header_;
  uint64_t header_offset_ = 0;
  BlockLayout layout_;
  uint64_t block_count_ = 0;        // BAT entries the virtual disk uses
  std::vector<Region> reserved_;    // structures blocks must not overlap

  mutable LoadOnce bat_once_;
  mutable std::vector<uint32_t> bat_;

  mutable std::mutex cache_mutex_;
  mutable std::map<uint64_t, Bitmap> cache_;
  mutable std::deque<uint64_t> cache_order_;  // insertion order, oldest first
  size_t cache_capacity_ = 1;
};

}  // namespace vhdchain::vhd
