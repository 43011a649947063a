// A DiskImage for chain tests, described one 512-byte sector at a time.
//
// The real parsers and the synthetic image builder are separate modules; the chain only depends on
// the DiskImage interface, so its tests describe each layer as a string ('D' data held here, 'Z'
// zeros, 'P' left to the parent) and check what the chain makes of it. Data sectors hold a pattern
// that names the layer and the sector, so a test can tell which layer a byte came from.
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/memory_reader.h"

namespace vhdchain::test {

constexpr uint64_t kSector = 512;

// Byte i of virtual sector s as stored by the layer tagged `tag`.
inline uint8_t pattern_byte(uint8_t tag, uint64_t sector, uint64_t i) {
  return static_cast<uint8_t>(tag * 31 + sector * 7 + i * 13 + (i >> 8));
}

// A Reader that counts read_at calls, to check that contiguous runs become one read.
class CountingReader final : public Reader {
 public:
  explicit CountingReader(std::shared_ptr<const Reader> base) : base_(std::move(base)) {}
  uint64_t size() const override { return base_->size(); }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    ++reads;
    base_->read_at(offset, out);
  }
  const std::string& name() const override { return base_->name(); }
  mutable std::atomic<int> reads{0};

 private:
  std::shared_ptr<const Reader> base_;
};

struct FakeSpec {
  std::string name = "fake.vhdx";
  std::string sectors;              // one of 'D', 'Z', 'P' per sector
  uint64_t block_sectors = 4;       // map() runs never cross a block boundary
  uint8_t tag = 1;                  // data pattern
  bool reverse_blocks = false;      // store blocks in reverse file order (no two blocks contiguous)
  DiskFormat format = DiskFormat::vhdx;
  DiskType type = DiskType::dynamic;
  Guid identity;
  std::optional<ParentLink> parent;  // set: differencing
  uint32_t logical_sector_size = 512;
  std::optional<uint64_t> virtual_size;  // default: sectors.size() * 512
};

class FakeImage final : public DiskImage {
 public:
  explicit FakeImage(FakeSpec spec) : spec_(std::move(spec)) {
    const uint64_t n = spec_.sectors.size();
    info_.format = spec_.format;
    info_.type = spec_.parent ? DiskType::differencing : spec_.type;
    info_.virtual_size = spec_.virtual_size.value_or(n * kSector);
    info_.block_size = static_cast<uint32_t>(spec_.block_sectors * kSector);
    info_.logical_sector_size = spec_.logical_sector_size;
    if (spec_.format == DiskFormat::vhdx)
      info_.data_write_guid = spec_.identity;
    else
      info_.unique_id = spec_.identity;
    info_.parent = spec_.parent;
    const uint64_t blocks = (n + spec_.block_sectors - 1) / spec_.block_sectors;
    std::vector<uint8_t> bytes(blocks * spec_.block_sectors * kSector);
    for (uint64_t s = 0; s < n; ++s)
      for (uint64_t i = 0; i < kSector; ++i) bytes[file_offset_of(s) + i] = pattern_byte(spec_.tag, s, i);
    info_.file_size = bytes.size();
    data_ = std::make_shared<CountingReader>(std::make_shared<MemoryReader>(std::move(bytes), spec_.name));
  }

  const ImageInfo& info() const override { return info_; }
  const Reader& data() const override { return *data_; }
  BlockStats block_stats() const override { return {}; }

  Extent map(uint64_t offset, uint64_t max_length) const override {
    if (offset >= info_.virtual_size)
      throw Error(ErrorCode::invalid_argument, spec_.name + ": map past the virtual size");
    const uint64_t sector = offset / kSector;
    const char kind = spec_.sectors[sector];
    const uint64_t block_end = (sector / spec_.block_sectors + 1) * spec_.block_sectors;
    uint64_t end_sector = sector + 1;
    while (end_sector < block_end && end_sector < spec_.sectors.size() && spec_.sectors[end_sector] == kind) ++end_sector;
    const uint64_t length = std::min(end_sector * kSector - offset, max_length);
    Extent e{.virtual_offset = offset, .length = length};
    if (kind == 'D') {
      e.source = ExtentSource::data;
      e.file_offset = file_offset_of(sector) + offset % kSector;
    } else {
      e.source = kind == 'Z' ? ExtentSource::zero : ExtentSource::parent;
    }
    ++maps;
    return e;
  }

  int data_reads() const { return data_->reads; }
  mutable std::atomic<int> maps{0};

 private:
  uint64_t file_offset_of(uint64_t sector) const {
    if (!spec_.reverse_blocks) return sector * kSector;
    const uint64_t blocks = (spec_.sectors.size() + spec_.block_sectors - 1) / spec_.block_sectors;
    const uint64_t block = sector / spec_.block_sectors;
    return ((blocks - 1 - block) * spec_.block_sectors + sector % spec_.block_sectors) * kSector;
  }

  FakeSpec spec_;
  ImageInfo info_;
  std::shared_ptr<CountingReader> data_;
};

inline std::shared_ptr<FakeImage> fake(FakeSpec spec) { return std::make_shared<FakeImage>(std::move(spec)); }

}  // namespace vhdchain::test
