// Byte-level builders for VHDX structures, written from the spec (MS-VHDX 2.2-2.6) for the unit
// tests in this folder: headers, region tables, metadata, parent locators, log entries, and a small
// whole image. Every checksum is computed, so tests start from a valid structure and change one
// thing.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/checked_math.h"
#include "base/crc32c.h"
#include "base/utf16.h"
#include "vhdchain/guid.h"
#include "vhdchain/memory_reader.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, size_t off, uint16_t v) {
  for (int i = 0; i < 2; ++i) b.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
}
inline void put32(Bytes& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
}
inline void put64(Bytes& b, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_guid(Bytes& b, size_t off, const Guid& g) { std::memcpy(&b.at(off), g.bytes.data(), 16); }
inline void put_ascii(Bytes& b, size_t off, std::string_view s) { std::memcpy(&b.at(off), s.data(), s.size()); }
inline void put_bytes(Bytes& b, size_t off, const Bytes& src) { std::memcpy(&b.at(off), src.data(), src.size()); }
inline Guid guid(std::string_view text) { return *Guid::parse(text); }
inline void seal(Bytes& b, size_t checksum_offset = 4) {
  put32(b, checksum_offset, 0);
  put32(b, checksum_offset, crc32c_with_zeroed_field(b, checksum_offset));
}

struct HeaderSpec {
  uint64_t sequence = 1;
  Guid file_write = guid("11111111-2222-3333-4444-555555555555");
  Guid data_write = guid("66666666-7777-8888-9999-aaaaaaaaaaaa");
  Guid log_guid{};
  uint16_t log_version = 0;
  uint16_t version = 1;
  uint32_t log_length = 0x100000;
  uint64_t log_offset = 0x100000;
};

inline Bytes make_header(const HeaderSpec& s) {
  Bytes b(kHeaderSize, 0);
  put_ascii(b, 0, "head");
  put64(b, 8, s.sequence);
  put_guid(b, 16, s.file_write);
  put_guid(b, 32, s.data_write);
  put_guid(b, 48, s.log_guid);
  put16(b, 64, s.log_version);
  put16(b, 66, s.version);
  put32(b, 68, s.log_length);
  put64(b, 72, s.log_offset);
  seal(b);
  return b;
}

struct RegionSpec {
  Guid guid;
  uint64_t offset = 0;
  uint32_t length = 0;
  uint32_t required = 1;
};

inline Bytes make_region_table(const std::vector<RegionSpec>& entries) {
  Bytes b(kRegionTableSize, 0);
  put_ascii(b, 0, "regi");
  put32(b, 8, static_cast<uint32_t>(entries.size()));
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t off = 16 + 32 * i;
    put_guid(b, off, entries[i].guid);
    put64(b, off + 16, entries[i].offset);
    put32(b, off + 24, entries[i].length);
    put32(b, off + 28, entries[i].required);
  }
  seal(b);
  return b;
}

inline Bytes utf16(std::string_view s) { return utf8_to_utf16(s, Endian::little); }

// A parent locator item with the given keys and values, strings packed after the entries.
inline Bytes make_locator(const std::vector<std::pair<std::string, std::string>>& kv) {
  Bytes b(kLocatorHeaderSize + kLocatorEntrySize * kv.size(), 0);
  put_guid(b, 0, known_guid(kVhdxParentLocatorTypeGuid));
  put16(b, 18, static_cast<uint16_t>(kv.size()));
  for (size_t i = 0; i < kv.size(); ++i) {
    Bytes k = utf16(kv[i].first), v = utf16(kv[i].second);
    const size_t e = kLocatorHeaderSize + kLocatorEntrySize * i;
    put32(b, e, static_cast<uint32_t>(b.size()));
    put16(b, e + 8, static_cast<uint16_t>(k.size()));
    b.insert(b.end(), k.begin(), k.end());
    put32(b, e + 4, static_cast<uint32_t>(b.size()));
    put16(b, e + 10, static_cast<uint16_t>(v.size()));
    b.insert(b.end(), v.begin(), v.end());
  }
  return b;
}

struct MetadataItemSpec {
  Guid id;
  uint32_t flags = kMetadataFlagIsRequired;
  Bytes data;
};

inline Bytes le_bytes(uint64_t v, size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

// The six system items of a disk (the locator only when `locator` is non-empty).
inline std::vector<MetadataItemSpec> standard_items(uint32_t block_size, uint32_t flags, uint64_t virtual_size,
                                                    uint32_t lss, uint32_t pss, const Bytes& locator = {}) {
  Bytes fp = le_bytes(block_size, 4), f = le_bytes(flags, 4);
  fp.insert(fp.end(), f.begin(), f.end());
  Guid id = guid("0f0e0d0c-0b0a-0908-0706-050403020100");
  std::vector<MetadataItemSpec> items = {
      {known_guid(kFileParametersGuid), kMetadataFlagIsRequired, fp},
      {known_guid(kVirtualDiskSizeGuid), kMetadataFlagIsRequired | kMetadataFlagIsVirtualDisk,
       le_bytes(virtual_size, 8)},
      {known_guid(kVirtualDiskIdGuid), kMetadataFlagIsRequired | kMetadataFlagIsVirtualDisk,
       Bytes(id.bytes.begin(), id.bytes.end())},
      {known_guid(kLogicalSectorSizeGuid), kMetadataFlagIsRequired | kMetadataFlagIsVirtualDisk, le_bytes(lss, 4)},
      {known_guid(kPhysicalSectorSizeGuid), kMetadataFlagIsRequired | kMetadataFlagIsVirtualDisk, le_bytes(pss, 4)},
  };
  if (!locator.empty()) items.push_back({known_guid(kParentLocatorGuid), kMetadataFlagIsRequired, locator});
  return items;
}

// A metadata region of region_length bytes: the table, then the items from 64 KiB on.
inline Bytes make_metadata_region(const std::vector<MetadataItemSpec>& items, size_t region_length = kMiB) {
  Bytes b(region_length, 0);
  put_ascii(b, 0, "metadata");
  put16(b, 10, static_cast<uint16_t>(items.size()));
  size_t at = kMetadataTableSize;
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t e = 32 + 32 * i;
    put_guid(b, e, items[i].id);
    put32(b, e + 16, items[i].data.empty() ? 0 : static_cast<uint32_t>(at));
    put32(b, e + 20, static_cast<uint32_t>(items[i].data.size()));
    put32(b, e + 24, items[i].flags);
    if (!items[i].data.empty()) put_bytes(b, at, items[i].data);
    at += items[i].data.size();
  }
  return b;
}

// One log update: a 4 KiB data sector image (data.size() == 4096) or a zero range.
struct LogWrite {
  uint64_t file_offset = 0;
  Bytes data;                // empty: zero descriptor
  uint64_t zero_length = 0;  // for zero descriptors
};

struct LogEntrySpec {
  uint64_t sequence = 1;
  uint32_t tail = 0;
  Guid log_guid{};
  uint64_t flushed_file_offset = 0;
  uint64_t last_file_offset = 0;
  std::vector<LogWrite> writes;
};

inline Bytes make_log_entry(const LogEntrySpec& s) {
  const uint64_t count = s.writes.size();
  const uint64_t descriptor_sectors = ceil_div(count + 2, 128);
  uint64_t data_sectors = 0;
  for (const LogWrite& w : s.writes) data_sectors += !w.data.empty();
  Bytes b((descriptor_sectors + data_sectors) * 4096, 0);
  put_ascii(b, 0, "loge");
  put32(b, 8, static_cast<uint32_t>(b.size()));
  put32(b, 12, s.tail);
  put64(b, 16, s.sequence);
  put32(b, 24, static_cast<uint32_t>(count));
  put_guid(b, 32, s.log_guid);
  put64(b, 48, s.flushed_file_offset);
  put64(b, 56, s.last_file_offset);
  uint64_t data_index = 0;
  for (size_t i = 0; i < count; ++i) {
    const LogWrite& w = s.writes[i];
    const size_t d = 64 + 32 * i;
    if (w.data.empty()) {
      put_ascii(b, d, "zero");
      put64(b, d + 8, w.zero_length);
    } else {
      put_ascii(b, d, "desc");
      std::memcpy(&b[d + 4], &w.data[4092], 4);
      std::memcpy(&b[d + 8], &w.data[0], 8);
      const size_t sector = static_cast<size_t>((descriptor_sectors + data_index++) * 4096);
      put_ascii(b, sector, "data");
      put32(b, sector + 4, static_cast<uint32_t>(s.sequence >> 32));
      std::memcpy(&b[sector + 8], &w.data[8], 4084);
      put32(b, sector + 4092, static_cast<uint32_t>(s.sequence));
    }
    put64(b, d + 16, w.file_offset);
    put64(b, d + 24, s.sequence);
  }
  seal(b);
  return b;
}

// Writes an entry into a ring at `position`, wrapping at the end.
inline void put_in_ring(Bytes& ring, uint64_t position, const Bytes& entry) {
  for (size_t i = 0; i < entry.size(); ++i) ring[(position + i) % ring.size()] = entry[i];
}

// A small, valid VHDX in memory. Layout: header section, log @1 MiB (1 MiB), BAT @2 MiB (1 MiB),
// metadata @3 MiB (1 MiB); blocks are appended from 4 MiB on.
struct SyntheticVhdx {
  static constexpr uint64_t kLogOffset = 1 * kMiB, kBatOffset = 2 * kMiB, kMetadataOffset = 3 * kMiB;

  uint64_t virtual_size = 4 * kMiB;
  uint32_t block_size = kMiB;
  uint32_t logical_sector_size = 512;
  uint32_t physical_sector_size = 4096;
  uint32_t file_parameter_flags = 0;
  Bytes locator;  // non-empty: differencing (set file_parameter_flags |= HasParent too)
  HeaderSpec header;
  Bytes file;

  SyntheticVhdx& build() {
    file.assign(4 * kMiB, 0);
    put_ascii(file, 0, "vhdxfile");
    put_bytes(file, 8, utf16("vhdchain unit test"));
    write_headers();
    Bytes regions = make_region_table({{known_guid(kBatRegionGuid), kBatOffset, kMiB, 1},
                                       {known_guid(kMetadataRegionGuid), kMetadataOffset, kMiB, 1}});
    put_bytes(file, kRegionTableOffsets[0], regions);
    put_bytes(file, kRegionTableOffsets[1], regions);
    put_bytes(file, kMetadataOffset,
              make_metadata_region(standard_items(block_size, file_parameter_flags, virtual_size,
                                                  logical_sector_size, physical_sector_size, locator)));
    return *this;
  }
  void write_headers() {
    HeaderSpec h1 = header, h2 = header;
    h2.sequence = header.sequence + 1;
    put_bytes(file, kHeaderOffsets[0], make_header(h1));
    put_bytes(file, kHeaderOffsets[1], make_header(h2));
  }
  void set_bat(uint64_t index, uint64_t raw) { put64(file, kBatOffset + 8 * index, raw); }
  // Appends a block of `length` bytes filled with `fill`; returns its file offset.
  uint64_t append_block(uint64_t length, uint8_t fill) {
    const uint64_t at = file.size();
    file.resize(at + length, fill);
    return at;
  }
  std::shared_ptr<MemoryReader> reader(std::string name = "t.vhdx") const {
    return std::make_shared<MemoryReader>(file, std::move(name));
  }
};

}  // namespace vhdchain::vhdx::test
