// VHD encoder (Virtual Hard Disk Image Format Specification 1.0): fixed, dynamic and differencing
// disks written from an ImageSpec.
//
// Dynamic and differencing files are laid out the way common writers do: footer copy at 0,
// dynamic header at 512, BAT (big-endian sector numbers, padded to 512 bytes with 0xFF), parent
// locator data, then blocks (sector bitmap + data) in block order, footer at EOF. Everything is
// big-endian; the sector bitmap is MSB-first (docs/formats.md 3.4), the opposite of VHDX. Hyper-V's
// specifics that a reader must accept (locator space as a byte count, W2ku/W2ru UTF-16LE while the
// parent name is UTF-16BE, parent time stamp 0) are the defaults; see set_hyperv_vhd_parent().
#include <algorithm>
#include <stdexcept>
#include <string>

#include "base/utf16.h"
#include "support/byte_put.h"
#include "support/data_pattern.h"
#include "support/format_builders.h"
#include "support/image_builder.h"
#include "support/vhd_checksum.h"

namespace vhdchain::test {
namespace {

constexpr uint64_t kSector = 512;

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("VHD image spec: " + what);
}

// VHD spec appendix "CHS calculation" (docs/formats.md 3.2).
uint32_t chs_geometry(uint64_t total_sectors) {
  uint64_t ts = std::min<uint64_t>(total_sectors, 65535ull * 16 * 255);
  uint64_t spt, heads, cth;
  if (ts >= 65535ull * 16 * 63) {
    spt = 255;
    heads = 16;
    cth = ts / spt;
  } else {
    spt = 17;
    cth = ts / spt;
    heads = std::max<uint64_t>((cth + 1023) / 1024, 4);
    if (cth >= heads * 1024 || heads > 16) {
      spt = 31;
      heads = 16;
      cth = ts / spt;
    }
    if (cth >= heads * 1024) {
      spt = 63;
      heads = 16;
      cth = ts / spt;
    }
  }
  return static_cast<uint32_t>(((cth / heads) << 16) | (heads << 8) | spt);
}

uint32_t ascii4(const char (&s)[5]) {
  return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) | (uint32_t(uint8_t(s[2])) << 8) |
         uint32_t(uint8_t(s[3]));
}

std::vector<uint8_t> encode_footer(const ImageSpec& spec) {
  const VhdOptions& o = spec.vhd;
  std::vector<uint8_t> f(512, 0);
  put_ascii(f, 0, "conectix");
  put_be32(f, 8, 2);  // Features: bit 1 "reserved, must be 1"
  put_be32(f, 12, 0x00010000);
  // Data offset: fixed disks hold all ones in 64 bits, as real files do (docs/formats.md pitfall 25).
  put_be64(f, 16, spec.type == DiskType::fixed ? ~uint64_t{0} : 512);
  put_be32(f, 24, o.timestamp);
  put_be32(f, 28, ascii4(o.creator_app));
  put_be32(f, 32, o.creator_version);
  put_be32(f, 36, ascii4(o.creator_host_os));
  put_be64(f, 40, spec.virtual_size);
  put_be64(f, 48, spec.virtual_size);
  put_be32(f, 56, chs_geometry(spec.virtual_size / kSector));
  put_be32(f, 60, spec.type == DiskType::fixed ? 2 : spec.type == DiskType::dynamic ? 3 : 4);
  put_guid(f, 68, *o.unique_id);
  put_be32(f, 64, vhd_checksum(f, 64));
  return f;
}

struct VhdPlan {
  uint64_t bat_bytes = 0;
  uint32_t max_entries = 0;
  std::vector<uint64_t> locator_offsets;
  std::vector<uint32_t> locator_spaces;
  std::map<uint64_t, uint64_t> block_offsets;  // block -> file offset of its bitmap
  uint64_t bitmap_bytes = 0;
  uint64_t footer_offset = 0;
};

std::vector<uint8_t> encode_dynamic_header(const ImageSpec& spec, const VhdPlan& p) {
  const VhdOptions& o = spec.vhd;
  std::vector<uint8_t> h(1024, 0);
  put_ascii(h, 0, "cxsparse");
  put_be64(h, 8, ~uint64_t{0});
  put_be64(h, 16, o.bat_offset);
  put_be32(h, 24, 0x00010000);
  put_be32(h, 28, p.max_entries);
  put_be32(h, 32, spec.block_size);
  if (spec.type == DiskType::differencing) {
    put_guid(h, 40, o.parent_unique_id);
    put_be32(h, 56, o.parent_timestamp);
    std::vector<uint8_t> name =
        o.parent_unicode_name_raw ? *o.parent_unicode_name_raw : utf8_to_utf16(o.parent_unicode_name, Endian::big);
    check(name.size() <= 512, "parent unicode name longer than 256 UTF-16 units");
    put_bytes(h, 64, name);
  }
  check(o.locators.size() <= 8, "at most 8 parent locators");
  for (size_t i = 0; i < o.locators.size(); ++i) {
    const VhdLocator& l = o.locators[i];
    const size_t at = 576 + 24 * i;
    put_be32(h, at, l.platform_code);
    put_be32(h, at + 4, l.space_in_sectors ? p.locator_spaces[i] / 512 : p.locator_spaces[i]);
    put_be32(h, at + 8, static_cast<uint32_t>(l.data.size()));
    put_be64(h, at + 16, p.locator_offsets[i]);
  }
  put_be32(h, 36, vhd_checksum(h, 36));
  return h;
}

BlockSpec block_or_default(const ImageSpec& spec, uint64_t b) {
  auto it = spec.blocks.find(b);
  return it == spec.blocks.end() ? BlockSpec::with_state(BlockState::not_present) : it->second;
}

// The data area of a block (block_size bytes) for the present sectors of `b`.
std::vector<uint8_t> block_data(const ImageSpec& spec, uint64_t block, const BlockSpec& b) {
  const uint64_t virtual_offset = block * spec.block_size;
  const uint64_t in_disk = std::min<uint64_t>(spec.block_size, spec.virtual_size - virtual_offset);
  const uint64_t seed = b.seed.value_or(spec.seed);
  std::vector<uint8_t> data(spec.block_size, 0);
  if (b.state == BlockState::fully_present) {
    if (!b.zero_data) fill_pattern(seed, virtual_offset, std::span<uint8_t>(data).first(in_disk));
    return data;
  }
  if (b.garbage_in_absent) fill_pattern(garbage_seed(seed), virtual_offset, std::span<uint8_t>(data).first(in_disk));
  for (const SectorRange& r : b.sectors) {
    std::span<uint8_t> part(data.data() + r.first * kSector, r.count * kSector);
    if (b.zero_data)
      std::fill(part.begin(), part.end(), 0);
    else
      fill_pattern(seed, virtual_offset + r.first * kSector, part);
  }
  return data;
}

void validate(const ImageSpec& spec) {
  check(spec.virtual_size > 0 && spec.virtual_size % kSector == 0, "virtual size must be a non-zero multiple of 512");
  check(is_power_of_two(spec.block_size) && spec.block_size >= kSector, "block size must be a power-of-two number of sectors");
  const uint64_t spb = spec.block_size / kSector;
  for (const auto& [b, block] : spec.blocks) {
    check(b < spec.block_count(), "block " + std::to_string(b) + " is past the end of the disk");
    check(block.state == BlockState::not_present || block.state == BlockState::fully_present ||
              block.state == BlockState::partially_present,
          "VHD blocks are not_present, fully_present or partially_present");
    for (const SectorRange& r : block.sectors)
      check(r.first + r.count <= spb, "sector range past the end of block " + std::to_string(b));
  }
  check(spec.vhd.bat_offset >= 1536 && spec.vhd.bat_offset % kSector == 0,
        "BAT offset must be sector aligned and after the dynamic header");
  check(is_power_of_two(spec.vhd.block_alignment) && spec.vhd.block_alignment >= kSector,
        "block alignment must be a power of two of at least 512");
}

BuiltImage build_fixed(BuiltImage img) {
  const ImageSpec& spec = img.spec;
  for (const auto& [b, block] : spec.blocks) {
    if (block.state == BlockState::not_present) continue;
    std::vector<uint8_t> data = block_data(spec, b, block);
    const uint64_t at = b * spec.block_size;
    img.file.write(at, std::span<const uint8_t>(data).first(std::min<uint64_t>(data.size(), spec.virtual_size - at)));
  }
  img.file.resize(spec.virtual_size);
  img.file.write(spec.virtual_size, encode_footer(spec));
  img.layout.add("data", {0, spec.virtual_size});
  img.layout.add("footer", {spec.virtual_size, 512}, ChecksumKind::vhd_sum_at_64);
  return img;
}

}  // namespace

BuiltImage build_vhd(const ImageSpec& input) {
  BuiltImage img;
  img.spec = input;
  ImageSpec& spec = img.spec;
  if (!spec.vhd.unique_id) spec.vhd.unique_id = guid_from_seed(spec.seed, 4);
  validate(spec);
  if (spec.type == DiskType::fixed) return build_fixed(std::move(img));

  VhdPlan p;
  p.max_entries = spec.vhd.max_table_entries.value_or(static_cast<uint32_t>(spec.block_count()));
  p.bat_bytes = *align_up(uint64_t{p.max_entries} * 4, kSector);
  uint64_t cursor = spec.vhd.bat_offset + p.bat_bytes;
  for (const VhdLocator& l : spec.vhd.locators) {
    const uint32_t space = l.space ? l.space : static_cast<uint32_t>(*align_up(l.data.size(), kSector));
    check(space >= l.data.size(), "locator space smaller than its data");
    p.locator_offsets.push_back(cursor);
    p.locator_spaces.push_back(space);
    cursor = *align_up(cursor + space, kSector);
  }
  // VHD spec "Block Allocation Table": bitmap padded to a 512-byte boundary.
  p.bitmap_bytes = *align_up(ceil_div(spec.block_size / kSector, 8), kSector);
  std::vector<uint64_t> order;
  for (const auto& [b, block] : spec.blocks)
    if (block.state != BlockState::not_present) order.push_back(b);
  for (uint64_t b : order) {
    cursor = *align_up(cursor, spec.vhd.block_alignment);
    p.block_offsets[b] = cursor;
    cursor += p.bitmap_bytes + spec.block_size;
  }
  check(order.empty() || order.back() < p.max_entries, "block past max table entries");
  p.footer_offset = cursor;

  SparseFile& f = img.file;
  std::vector<uint8_t> footer = encode_footer(spec);
  f.write(0, footer);  // the copy at offset 0 (dynamic and differencing only)
  f.write(512, encode_dynamic_header(spec, p));
  std::vector<uint8_t> bat(p.bat_bytes, 0xFF);  // 0xFFFFFFFF = unallocated; padding likewise
  for (const auto& [b, off] : p.block_offsets) put_be32(bat, 4 * b, static_cast<uint32_t>(off / kSector));
  f.write(spec.vhd.bat_offset, bat);
  for (size_t i = 0; i < spec.vhd.locators.size(); ++i) f.write(p.locator_offsets[i], spec.vhd.locators[i].data);

  const uint64_t spb = spec.block_size / kSector;
  const uint64_t disk_sectors = spec.virtual_size / kSector;
  for (const auto& [b, off] : p.block_offsets) {
    const BlockSpec block = block_or_default(spec, b);
    std::vector<uint8_t> bitmap(p.bitmap_bytes, 0);
    const uint64_t first_sector = b * spb;  // a lambda may not capture the binding b before clang 16
    auto set_bits = [&](uint64_t first, uint64_t count) {
      for (uint64_t s = first; s < first + count && first_sector + s < disk_sectors; ++s)
        bitmap[s / 8] |= static_cast<uint8_t>(0x80u >> (s % 8));  // MSB-first
    };
    if (block.state == BlockState::fully_present)
      set_bits(0, spb);
    else
      for (const SectorRange& r : block.sectors) set_bits(r.first, r.count);
    f.write(off, bitmap);
    f.write(off + p.bitmap_bytes, block_data(spec, b, block));
  }
  f.resize(p.footer_offset);
  f.write(p.footer_offset, footer);

  Layout& l = img.layout;
  l.add("footer copy", {0, 512}, ChecksumKind::vhd_sum_at_64);
  l.add("dynamic header", {512, 1024}, ChecksumKind::vhd_sum_at_36);
  l.add("bat", {spec.vhd.bat_offset, p.bat_bytes});
  for (size_t i = 0; i < p.locator_offsets.size(); ++i)
    l.add("locator " + std::to_string(i), {p.locator_offsets[i], p.locator_spaces[i]});
  for (const auto& [b, off] : p.block_offsets) {
    l.add("block " + std::to_string(b) + " bitmap", {off, p.bitmap_bytes});
    l.add("block " + std::to_string(b) + " data", {off + p.bitmap_bytes, spec.block_size});
  }
  l.add("footer", {p.footer_offset, 512}, ChecksumKind::vhd_sum_at_64);
  return img;
}

}  // namespace vhdchain::test
