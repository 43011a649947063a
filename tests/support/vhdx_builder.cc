// VHDX encoder (MS-VHDX v8.0 section 2): header section, regions, metadata, BAT, sector bitmaps
// and payload blocks, written from an ImageSpec.
//
// The file follows Hyper-V's arrangement: header section in the first MiB (2.2), log at 1 MiB,
// metadata region then BAT region (each 1 MiB aligned), then sector-bitmap and payload blocks in
// the order they are first needed. The BAT region is sized for SB * (CR + 1) entries even for a
// dynamic disk (docs/formats.md 2.10), as writers do, so only the entry count the reader computes
// differs between types. Nothing here reads an image back: placement is decided up front
// (plan_vhdx) and every structure is encoded from the spec, twice when a pending log needs an
// on-disk "before" state.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "base/crc32c.h"
#include "base/utf16.h"
#include "support/byte_put.h"
#include "support/data_pattern.h"
#include "support/format_builders.h"
#include "support/image_builder.h"
#include "support/vhdx_plan.h"

namespace vhdchain::test {
namespace {

Guid known(const char* text) { return *Guid::parse(text); }

// Region GUIDs (MS-VHDX 2.2.3.1) and metadata item GUIDs (2.6.2).
const Guid kBatRegion = known("2DC27766-F623-4200-9D64-115E9BFD4A08");
const Guid kMetadataRegion = known("8B7CA206-4790-4B9A-B8FE-575F050F886E");
const Guid kFileParameters = known("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
const Guid kVirtualDiskSize = known("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
const Guid kVirtualDiskId = known("BECA12AB-B2E6-4523-93EF-C309E000C746");
const Guid kLogicalSectorSize = known("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
const Guid kPhysicalSectorSize = known("CDA348C7-445D-4471-9CC9-E9885251C556");
const Guid kParentLocator = known("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");
const Guid kVhdxParentLocatorType = known("B04AEFB7-D19E-4A81-B789-25B8E9445913");

constexpr uint64_t kHeaderSectionSize = kMiB;
constexpr uint64_t kBitmapBlockSize = kMiB;  // 2.4: one sector-bitmap block covers a chunk
constexpr uint64_t kMetadataTableSize = 64 * kKiB;
constexpr uint32_t kFlagIsVirtualDisk = 2, kFlagIsRequired = 4;

bool is_data_state(BlockState s) {
  return s == BlockState::fully_present || s == BlockState::partially_present;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("VHDX image spec: " + what);
}

void validate(const ImageSpec& spec, const VhdxGeometry& g) {
  const VhdxOptions& o = spec.vhdx;
  check(o.logical_sector_size == 512 || o.logical_sector_size == 4096, "logical sector size must be 512 or 4096");
  check(o.physical_sector_size == 512 || o.physical_sector_size == 4096, "physical sector size must be 512 or 4096");
  check(is_power_of_two(spec.block_size) && spec.block_size >= kMiB && spec.block_size <= 256 * kMiB,
        "block size must be a power of two from 1 MiB to 256 MiB");
  check(spec.virtual_size > 0 && spec.virtual_size % o.logical_sector_size == 0 && spec.virtual_size <= 64 * kTiB,
        "virtual size must be a non-zero multiple of the logical sector size, at most 64 TiB");
  check(o.log_length % kMiB == 0, "log length must be a multiple of 1 MiB");
  for (const auto& [b, block] : spec.blocks) {
    check(b < g.payload_blocks, "block " + std::to_string(b) + " is past the end of the disk");
    check(block.state != BlockState::partially_present || spec.type == DiskType::differencing,
          "partially_present is valid only in a differencing disk (MS-VHDX 2.5.1.1)");
    for (const SectorRange& r : block.sectors)
      check(r.first + r.count <= g.sectors_per_block, "sector range past the end of block " + std::to_string(b));
  }
  if (o.log) {
    for (uint64_t b : o.log->zeroed_blocks) {
      auto it = spec.blocks.find(b);
      check(it != spec.blocks.end() && it->second.state == BlockState::fully_present && it->second.zero_data,
            "log zeroed block " + std::to_string(b) + " must be fully_present with zero_data");
    }
    check(!o.log->file_size_before || *o.log->file_size_before % kMiB == 0,
          "log file_size_before must be a multiple of 1 MiB");
  }
}

// Content written into an allocated payload block. A block that holds data on either side of a
// pending log gets that data; other allocations (stale UNMAPPED/UNDEFINED) get garbage.
void write_block_data(SparseFile& out, const ImageSpec& spec, const VhdxGeometry& g, uint64_t block,
                      uint64_t file_offset, VhdxSide side) {
  BlockSpec b;
  if (auto it = spec.blocks.find(block); it != spec.blocks.end()) b = it->second;
  else b.state = spec.type == DiskType::fixed ? BlockState::fully_present : BlockState::not_present;
  const uint64_t seed = b.seed.value_or(spec.seed);
  const uint64_t virtual_offset = block * g.block_size;
  const uint64_t in_disk = std::min<uint64_t>(g.block_size, g.virtual_size - virtual_offset);

  BlockState content = b.state;
  if (!is_data_state(content) && spec.vhdx.log) {
    auto p = spec.vhdx.log->pending_blocks.find(block);
    if (p != spec.vhdx.log->pending_blocks.end() && is_data_state(p->second)) content = p->second;
  }
  bool zeroed_by_log = false;
  if (spec.vhdx.log) {
    const auto& z = spec.vhdx.log->zeroed_blocks;
    zeroed_by_log = std::find(z.begin(), z.end(), block) != z.end();
  }

  std::vector<uint8_t> data(g.block_size, 0);
  if (!is_data_state(content)) {
    fill_pattern(garbage_seed(seed), virtual_offset, data);
  } else if (content == BlockState::fully_present) {
    // Zero data stays zero, except that a block the log zeroes still holds its pattern before replay.
    if (!b.zero_data || (zeroed_by_log && side == VhdxSide::before_replay))
      fill_pattern(seed, virtual_offset, std::span<uint8_t>(data).first(in_disk));
  } else {
    if (b.garbage_in_absent) fill_pattern(garbage_seed(seed), virtual_offset, data);
    for (const SectorRange& r : b.sectors) {
      std::span<uint8_t> part(data.data() + r.first * g.logical_sector_size, r.count * g.logical_sector_size);
      if (b.zero_data)
        std::fill(part.begin(), part.end(), 0);
      else
        fill_pattern(seed, virtual_offset + r.first * g.logical_sector_size, part);
    }
  }
  out.write(file_offset, data);
}

}  // namespace

VhdxGeometry vhdx_geometry(const ImageSpec& spec) {
  VhdxGeometry g;
  g.virtual_size = spec.virtual_size;
  g.block_size = spec.block_size;
  g.logical_sector_size = spec.vhdx.logical_sector_size;
  g.sectors_per_block = g.block_size / std::max<uint64_t>(g.logical_sector_size, 1);
  g.chunk_ratio = (uint64_t{1} << 23) * g.logical_sector_size / std::max<uint64_t>(g.block_size, 1);
  g.payload_blocks = ceil_div(g.virtual_size, std::max<uint64_t>(g.block_size, 1));
  g.bitmap_blocks = ceil_div(g.payload_blocks, std::max<uint64_t>(g.chunk_ratio, 1));
  g.total_entries = spec.type == DiskType::differencing ? g.bitmap_blocks * (g.chunk_ratio + 1)
                                                        : g.payload_blocks + (g.payload_blocks - 1) / g.chunk_ratio;
  return g;
}

BlockState vhdx_block_state(const ImageSpec& spec, uint64_t block, VhdxSide side) {
  if (side == VhdxSide::before_replay && spec.vhdx.log) {
    auto p = spec.vhdx.log->pending_blocks.find(block);
    if (p != spec.vhdx.log->pending_blocks.end()) return p->second;
  }
  if (auto it = spec.blocks.find(block); it != spec.blocks.end()) return it->second.state;
  return spec.type == DiskType::fixed ? BlockState::fully_present : BlockState::not_present;
}

namespace {

bool needs_allocation(const ImageSpec& spec, uint64_t block) {
  auto it = spec.blocks.find(block);
  const BlockState after = vhdx_block_state(spec, block, VhdxSide::after_replay);
  const BlockState before = vhdx_block_state(spec, block, VhdxSide::before_replay);
  return is_data_state(after) || is_data_state(before) || (it != spec.blocks.end() && it->second.stale_allocation);
}

}  // namespace

VhdxPlan plan_vhdx(const ImageSpec& spec) {
  VhdxPlan p;
  p.geometry = vhdx_geometry(spec);
  validate(spec, p.geometry);
  const VhdxGeometry& g = p.geometry;

  p.log_offset = kHeaderSectionSize;
  p.log_length = spec.vhdx.log_length;
  // Metadata region: 64 KiB table, then items; grows past 1 MiB only for large custom items.
  uint64_t items = 8 + 8 + 16 + 4 + 4 + 20 + 12 * spec.vhdx.parent_locator.size();
  for (const LocatorEntry& kv : spec.vhdx.parent_locator)
    items += 2 * (kv.key.size() + kv.value.size()) + 8 + (kv.raw_key ? kv.raw_key->size() : 0) +
             (kv.raw_value ? kv.raw_value->size() : 0);
  for (const ExtraMetadataItem& m : spec.vhdx.extra_metadata) items += m.data.size();
  p.metadata_length = *align_up(kMetadataTableSize + items, kMiB);
  // Room for SB * (CR + 1) entries whatever the type (see file comment).
  p.bat_length = *align_up(g.bitmap_blocks * (g.chunk_ratio + 1) * 8, kMiB);

  uint64_t cursor = p.log_offset + p.log_length;
  if (spec.vhdx.bat_before_metadata) {
    p.bat_offset = cursor;
    p.metadata_offset = cursor + p.bat_length;
  } else {
    p.metadata_offset = cursor;
    p.bat_offset = cursor + p.metadata_length;
  }
  cursor += p.bat_length + p.metadata_length;
  for (const ExtraRegion& r : spec.vhdx.extra_regions) {
    check(r.length % kMiB == 0 && r.length > 0, "extra region length must be a non-zero multiple of 1 MiB");
    p.extra_region_offsets.push_back(cursor);
    cursor += r.length;
  }

  // Which chunks need a sector-bitmap block: MS-VHDX 2.5.1.2 requires one where a block is
  // PARTIALLY_PRESENT (on either side of a pending log).
  std::vector<bool> chunk_needs_bitmap(g.bitmap_blocks, false);
  if (spec.type == DiskType::differencing) {
    for (uint64_t k = 0; k < g.bitmap_blocks; ++k) chunk_needs_bitmap[k] = spec.vhdx.sector_bitmap_for_every_chunk;
    for (const auto& [b, block] : spec.blocks) {
      if (vhdx_block_state(spec, b, VhdxSide::after_replay) == BlockState::partially_present ||
          vhdx_block_state(spec, b, VhdxSide::before_replay) == BlockState::partially_present)
        chunk_needs_bitmap[b / g.chunk_ratio] = true;
    }
  }

  std::vector<uint64_t> order;
  if (spec.type == DiskType::fixed) {
    for (uint64_t b = 0; b < g.payload_blocks; ++b)
      if (needs_allocation(spec, b) || vhdx_block_state(spec, b, VhdxSide::after_replay) != BlockState::zero)
        order.push_back(b);
  } else {
    for (const auto& entry : spec.blocks)
      if (needs_allocation(spec, entry.first)) order.push_back(entry.first);
    if (spec.vhdx.log)
      for (const auto& entry : spec.vhdx.log->pending_blocks)
        if (needs_allocation(spec, entry.first) && !spec.blocks.count(entry.first)) order.push_back(entry.first);
    std::sort(order.begin(), order.end());
  }
  if (spec.vhdx.place_blocks_descending) std::reverse(order.begin(), order.end());
  for (uint64_t b : order) {
    const uint64_t chunk = b / g.chunk_ratio;
    if (chunk_needs_bitmap[chunk] && !p.bitmap_offsets.count(chunk)) {
      p.bitmap_offsets[chunk] = cursor;
      cursor += kBitmapBlockSize;
    }
    // Fixed disks with UNDEFINED/UNMAPPED blocks still keep their space (LeaveBlockAllocated).
    const BlockState s = vhdx_block_state(spec, b, VhdxSide::after_replay);
    if (spec.type == DiskType::fixed || needs_allocation(spec, b) || s == BlockState::fully_present) {
      p.block_offsets[b] = cursor;
      cursor += g.block_size;
    }
  }
  for (uint64_t k = 0; k < g.bitmap_blocks; ++k) {
    if (chunk_needs_bitmap[k] && !p.bitmap_offsets.count(k)) {
      p.bitmap_offsets[k] = cursor;
      cursor += kBitmapBlockSize;
    }
  }
  p.file_size = cursor;
  return p;
}

namespace {

void write_file_identifier(SparseFile& out, const ImageSpec& spec) {
  std::vector<uint8_t> id(64 * kKiB, 0);
  put_ascii(id, 0, "vhdxfile");
  std::vector<uint8_t> creator = utf8_to_utf16(spec.vhdx.creator, Endian::little);
  check(creator.size() <= 512, "creator string longer than 256 UTF-16 units");
  put_bytes(id, 8, creator);
  out.write(0, id);
}

void write_header(SparseFile& out, const ImageSpec& spec, const VhdxPlan& p, uint64_t offset, uint64_t sequence) {
  std::vector<uint8_t> h(4 * kKiB, 0);  // 2.2.2: 4 KiB structure; the rest of its 64 KiB stays zero
  put_ascii(h, 0, "head");
  put_le64(h, 8, sequence);
  put_guid(h, 16, *spec.vhdx.file_write_guid);
  put_guid(h, 32, *spec.vhdx.data_write_guid);
  if (spec.vhdx.log) put_guid(h, 48, spec.vhdx.log->log_guid);
  put_le16(h, 64, 0);  // LogVersion
  put_le16(h, 66, 1);  // Version
  put_le32(h, 68, static_cast<uint32_t>(p.log_length));
  put_le64(h, 72, p.log_offset);
  put_le32(h, 4, crc32c_with_zeroed_field(h, 4));
  out.write(offset, h);
}

void write_region_table(SparseFile& out, const ImageSpec& spec, const VhdxPlan& p, uint64_t offset) {
  std::vector<uint8_t> t(64 * kKiB, 0);
  put_ascii(t, 0, "regi");
  auto entry = [&](uint32_t i, const Guid& id, uint64_t file_offset, uint64_t length, bool required) {
    const size_t e = 16 + 32 * i;
    put_guid(t, e, id);
    put_le64(t, e + 16, file_offset);
    put_le32(t, e + 24, static_cast<uint32_t>(length));
    put_le32(t, e + 28, required ? 1 : 0);
  };
  entry(0, kBatRegion, p.bat_offset, p.bat_length, true);
  entry(1, kMetadataRegion, p.metadata_offset, p.metadata_length, true);
  uint32_t count = 2;
  for (size_t i = 0; i < spec.vhdx.extra_regions.size(); ++i, ++count) {
    const ExtraRegion& r = spec.vhdx.extra_regions[i];
    entry(count, r.region_id, p.extra_region_offsets[i], r.length, r.required);
  }
  put_le32(t, 8, count);
  put_le32(t, 4, crc32c_with_zeroed_field(t, 4));  // 2.2.3: over the whole 64 KiB
  out.write(offset, t);
}

std::vector<uint8_t> encode_parent_locator(const VhdxOptions& o) {
  const Guid type = o.parent_locator_type.is_zero() ? kVhdxParentLocatorType : o.parent_locator_type;
  const size_t n = o.parent_locator.size();
  std::vector<uint8_t> item(20 + 12 * n, 0);
  put_guid(item, 0, type);
  put_le16(item, 18, static_cast<uint16_t>(n));
  for (size_t i = 0; i < n; ++i) {
    // 2.6.2.6.2: offsets from the start of the item; strings UTF-16LE without terminator.
    const LocatorEntry& kv = o.parent_locator[i];
    std::vector<uint8_t> key = kv.raw_key ? *kv.raw_key : utf8_to_utf16(kv.key, Endian::little);
    std::vector<uint8_t> value = kv.raw_value ? *kv.raw_value : utf8_to_utf16(kv.value, Endian::little);
    const size_t e = 20 + 12 * i;
    put_le32(item, e, static_cast<uint32_t>(item.size()));
    put_le32(item, e + 4, static_cast<uint32_t>(item.size() + key.size()));
    put_le16(item, e + 8, static_cast<uint16_t>(key.size()));
    put_le16(item, e + 10, static_cast<uint16_t>(value.size()));
    item.insert(item.end(), key.begin(), key.end());
    item.insert(item.end(), value.begin(), value.end());
  }
  return item;
}

void write_metadata(SparseFile& out, const ImageSpec& spec, const VhdxPlan& p, VhdxSide side) {
  struct Item {
    Guid id;
    uint32_t flags;
    std::vector<uint8_t> data;
  };
  std::vector<Item> items;
  std::vector<uint8_t> v(8, 0);
  // 2.6.2.1: LeaveBlockAllocated for fixed disks, HasParent for differencing ones.
  const uint32_t fp_flags = spec.type == DiskType::fixed ? 1u : spec.type == DiskType::differencing ? 2u : 0u;
  put_le32(v, 0, spec.block_size);
  put_le32(v, 4, fp_flags);
  items.push_back({kFileParameters, kFlagIsRequired, v});
  uint64_t size = spec.virtual_size;
  if (side == VhdxSide::before_replay && spec.vhdx.log && spec.vhdx.log->virtual_size_before)
    size = *spec.vhdx.log->virtual_size_before;
  put_le64(v, 0, size);
  items.push_back({kVirtualDiskSize, kFlagIsVirtualDisk | kFlagIsRequired, v});
  items.push_back({kVirtualDiskId, kFlagIsVirtualDisk | kFlagIsRequired,
                   {spec.vhdx.virtual_disk_id->bytes.begin(), spec.vhdx.virtual_disk_id->bytes.end()}});
  v.assign(4, 0);
  put_le32(v, 0, spec.vhdx.logical_sector_size);
  items.push_back({kLogicalSectorSize, kFlagIsVirtualDisk | kFlagIsRequired, v});
  put_le32(v, 0, spec.vhdx.physical_sector_size);
  items.push_back({kPhysicalSectorSize, kFlagIsVirtualDisk | kFlagIsRequired, v});
  if (spec.type == DiskType::differencing || !spec.vhdx.parent_locator.empty())
    items.push_back({kParentLocator, kFlagIsRequired, encode_parent_locator(spec.vhdx)});
  for (const ExtraMetadataItem& m : spec.vhdx.extra_metadata) items.push_back({m.item_id, m.flags, m.data});

  std::vector<uint8_t> region(p.metadata_length, 0);
  put_ascii(region, 0, "metadata");
  put_le16(region, 10, static_cast<uint16_t>(items.size()));
  uint64_t item_offset = kMetadataTableSize;  // 2.6.1.2: items at or after 64 KiB
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t e = 32 + 32 * i;
    put_guid(region, e, items[i].id);
    // 2.6.1.2: a zero-length item has offset 0.
    put_le32(region, e + 16, items[i].data.empty() ? 0 : static_cast<uint32_t>(item_offset));
    put_le32(region, e + 20, static_cast<uint32_t>(items[i].data.size()));
    put_le32(region, e + 24, items[i].flags);
    put_bytes(region, item_offset, items[i].data);
    item_offset += items[i].data.size();
  }
  out.write(p.metadata_offset, region);
}

void write_bat_and_bitmaps(SparseFile& out, const ImageSpec& spec, const VhdxPlan& p, VhdxSide side) {
  const VhdxGeometry& g = p.geometry;
  std::vector<uint8_t> entry(8);
  auto put_entry = [&](uint64_t index, BlockState state, uint64_t file_offset) {
    put_le64(entry, 0, file_offset | static_cast<uint64_t>(state));  // 2.5: FileOffsetMB in bits 20-63
    out.write(p.bat_offset + 8 * index, entry);
  };
  std::map<uint64_t, std::vector<uint8_t>> bitmaps;
  for (const auto& [k, off] : p.bitmap_offsets) bitmaps[k].assign(kBitmapBlockSize, 0);

  auto each_block = [&](auto&& fn) {
    if (spec.type == DiskType::fixed) {
      for (uint64_t b = 0; b < g.payload_blocks; ++b) fn(b);
    } else {
      std::vector<uint64_t> blocks;
      for (const auto& e : spec.blocks) blocks.push_back(e.first);
      if (spec.vhdx.log)
        for (const auto& e : spec.vhdx.log->pending_blocks) blocks.push_back(e.first);
      std::sort(blocks.begin(), blocks.end());
      blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
      for (uint64_t b : blocks) fn(b);
    }
  };
  each_block([&](uint64_t b) {
    const BlockState s = vhdx_block_state(spec, b, side);
    auto off = p.block_offsets.find(b);
    // 2.5.1.1: NOT_PRESENT and ZERO carry no offset (Hyper-V rejects one for ZERO, docs/formats.md
    // pitfall 15); UNDEFINED/UNMAPPED may keep the old one.
    uint64_t file_offset = 0;
    if (off != p.block_offsets.end() && s != BlockState::not_present && s != BlockState::zero)
      file_offset = off->second;
    if (s != BlockState::not_present || file_offset != 0) put_entry(g.payload_index(b), s, file_offset);

    // 2.6.4: LSB-first bits, one per logical sector of the chunk; block j of the chunk starts at
    // bit j * sectors_per_block. Full blocks get their bits too, partial ones their sector set.
    auto bm = bitmaps.find(b / g.chunk_ratio);
    if (bm == bitmaps.end() || !(s == BlockState::fully_present || s == BlockState::partially_present)) return;
    const uint64_t first_bit = (b % g.chunk_ratio) * g.sectors_per_block;
    auto set_bits = [&](uint64_t first, uint64_t count) {
      const uint64_t disk_sectors = g.virtual_size / g.logical_sector_size;
      for (uint64_t i = first; i < first + count; ++i) {
        if (b * g.sectors_per_block + i >= disk_sectors) break;  // bits past the disk end stay clear
        const uint64_t bit = first_bit + i;
        bm->second[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
      }
    };
    if (s == BlockState::fully_present) {
      set_bits(0, g.sectors_per_block);
    } else if (auto it = spec.blocks.find(b); it != spec.blocks.end()) {
      for (const SectorRange& r : it->second.sectors) set_bits(r.first, r.count);
    }
  });
  for (const auto& [k, off] : p.bitmap_offsets) {
    put_entry(g.bitmap_index(k), static_cast<BlockState>(6), off);  // SB_BLOCK_PRESENT = 6
    out.write(off, bitmaps[k]);
  }
}

}  // namespace

void write_vhdx_file(SparseFile& out, const ImageSpec& spec, const VhdxPlan& p, VhdxSide side) {
  write_file_identifier(out, spec);
  write_header(out, spec, p, 64 * kKiB, spec.vhdx.header1_sequence);
  write_header(out, spec, p, 128 * kKiB, spec.vhdx.header2_sequence);
  write_region_table(out, spec, p, 192 * kKiB);
  write_region_table(out, spec, p, 256 * kKiB);
  write_metadata(out, spec, p, side);
  write_bat_and_bitmaps(out, spec, p, side);
  for (size_t i = 0; i < spec.vhdx.extra_regions.size(); ++i) {
    const ExtraRegion& r = spec.vhdx.extra_regions[i];
    if (r.fill != 0) out.write(p.extra_region_offsets[i], std::vector<uint8_t>(r.length, r.fill));
  }
  for (const auto& [b, off] : p.block_offsets) {
    // Zero content in fixed disks stays a hole (a 10 GiB fixed disk costs nothing).
    auto it = spec.blocks.find(b);
    if (spec.type == DiskType::fixed && it == spec.blocks.end()) continue;
    write_block_data(out, spec, p.geometry, b, off, side);
  }
  out.resize(std::max(out.size(), p.file_size));
}

namespace {

void add_vhdx_layout(Layout& layout, const ImageSpec& spec, const VhdxPlan& p) {
  layout.add("file identifier", {0, 64 * kKiB});
  layout.add("header 1", {64 * kKiB, 4 * kKiB}, ChecksumKind::crc32c_at_4);
  layout.add("header 2", {128 * kKiB, 4 * kKiB}, ChecksumKind::crc32c_at_4);
  layout.add("region table 1", {192 * kKiB, 64 * kKiB}, ChecksumKind::crc32c_at_4);
  layout.add("region table 2", {256 * kKiB, 64 * kKiB}, ChecksumKind::crc32c_at_4);
  layout.add("log", {p.log_offset, p.log_length});
  layout.log_region = {p.log_offset, p.log_length};
  layout.add("metadata region", {p.metadata_offset, p.metadata_length});
  layout.add("metadata table", {p.metadata_offset, kMetadataTableSize});
  // Item offsets mirror write_metadata's packing.
  std::vector<std::pair<std::string, uint64_t>> items = {{"file parameters", 8},     {"virtual disk size", 8},
                                                         {"virtual disk id", 16},    {"logical sector size", 4},
                                                         {"physical sector size", 4}};
  if (spec.type == DiskType::differencing || !spec.vhdx.parent_locator.empty())
    items.emplace_back("parent locator", encode_parent_locator(spec.vhdx).size());
  for (size_t i = 0; i < spec.vhdx.extra_metadata.size(); ++i)
    items.emplace_back("extra " + std::to_string(i), spec.vhdx.extra_metadata[i].data.size());
  uint64_t at = p.metadata_offset + kMetadataTableSize;
  for (const auto& [name, len] : items) {
    layout.add("metadata item " + name, {at, len});
    at += len;
  }
  layout.add("bat", {p.bat_offset, p.bat_length});
  for (size_t i = 0; i < p.extra_region_offsets.size(); ++i)
    layout.add("region extra " + std::to_string(i), {p.extra_region_offsets[i], spec.vhdx.extra_regions[i].length});
  for (const auto& [b, off] : p.block_offsets) layout.add("block " + std::to_string(b), {off, spec.block_size});
  for (const auto& [k, off] : p.bitmap_offsets) layout.add("sector bitmap " + std::to_string(k), {off, kBitmapBlockSize});
}

ImageSpec with_vhdx_defaults(ImageSpec spec) {
  VhdxOptions& o = spec.vhdx;
  if (!o.file_write_guid) o.file_write_guid = guid_from_seed(spec.seed, 1);
  if (!o.data_write_guid) o.data_write_guid = guid_from_seed(spec.seed, 2);
  if (!o.virtual_disk_id) o.virtual_disk_id = guid_from_seed(spec.seed, 3);
  return spec;
}

}  // namespace

BuiltImage build_vhdx(const ImageSpec& input) {
  BuiltImage img;
  img.spec = with_vhdx_defaults(input);
  const ImageSpec& spec = img.spec;
  const VhdxPlan plan = plan_vhdx(spec);
  add_vhdx_layout(img.layout, spec, plan);
  if (!spec.vhdx.log) {
    write_vhdx_file(img.file, spec, plan, VhdxSide::after_replay);
    return img;
  }
  SparseFile after;
  write_vhdx_file(after, spec, plan, VhdxSide::after_replay);
  write_vhdx_file(img.file, spec, plan, VhdxSide::before_replay);
  if (spec.vhdx.log->file_size_before) img.file.resize(*spec.vhdx.log->file_size_before);
  write_vhdx_log(img.file, after, spec, plan, img.layout);
  img.replayed = std::move(after);
  return img;
}

}  // namespace vhdchain::test
