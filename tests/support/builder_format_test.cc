// Self-tests of the image builder's encodings against the worked examples of docs/formats.md
// section 4 (E1-E8) and the spec rules they rest on. They decode with a few lines of local field
// reads, never with the project's parsers, so a builder bug cannot hide behind a parser bug.
#include <gtest/gtest.h>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include "base/crc32c.h"
#include "base/utf16.h"
#include "support/byte_put.h"
#include "support/image_builder.h"
#include "support/testdata.h"
#include "support/vhd_checksum.h"
#include "support/vhdx_plan.h"

namespace vhdchain::test {
namespace {

Guid guid(const char* text) { return *Guid::parse(text); }

uint64_t le(const BuiltImage& img, uint64_t off, size_t width) { return get_le(img.file.read(off, width), 0, width); }
uint64_t be(const BuiltImage& img, uint64_t off, size_t width) { return get_be(img.file.read(off, width), 0, width); }

// E5: header with known GUIDs, sequence 1, 1 MiB log at 1 MiB -> CRC-32C 0xA01CF6D7.
TEST(BuilderVhdx, HeaderMatchesWorkedExampleE5) {
  ImageSpec spec;
  spec.vhdx.file_write_guid = guid("11111111-2222-3333-4444-555555555555");
  spec.vhdx.data_write_guid = guid("66666666-7777-8888-9999-AAAAAAAAAAAA");
  BuiltImage img = build_image(spec);
  const uint64_t h = img.layout.offset("header 1");
  EXPECT_EQ(h, 0x10000u);
  EXPECT_EQ(le(img, h + vhdx_field::kHeaderChecksum, 4), 0xA01CF6D7u);
  EXPECT_EQ(le(img, h + vhdx_field::kHeaderSequenceNumber, 8), 1u);
  EXPECT_EQ(le(img, 0x20000 + vhdx_field::kHeaderSequenceNumber, 8), 2u);
  EXPECT_EQ(le(img, h + vhdx_field::kHeaderVersion, 2), 1u);
}

// E6: BAT at 2 MiB and metadata at 3 MiB, both 1 MiB and required -> CRC-32C 0x24453396.
TEST(BuilderVhdx, RegionTableMatchesWorkedExampleE6) {
  ImageSpec spec;
  spec.vhdx.bat_before_metadata = true;
  BuiltImage img = build_image(spec);
  EXPECT_EQ(img.layout.offset("bat"), 2 * kMiB);
  EXPECT_EQ(img.layout.offset("metadata region"), 3 * kMiB);
  EXPECT_EQ(le(img, 0x30000 + vhdx_field::kRegionChecksum, 4), 0x24453396u);
  EXPECT_EQ(img.file.read(0x30000, 64 * kKiB), img.file.read(0x40000, 64 * kKiB));
}

// E7: BAT arithmetic, including the chunk interleave past 4 GiB.
TEST(BuilderVhdx, BatGeometryMatchesWorkedExampleE7) {
  ImageSpec spec;
  spec.virtual_size = 4 * kMiB;
  VhdxGeometry g = vhdx_geometry(spec);
  EXPECT_EQ(g.chunk_ratio, 2048u);
  EXPECT_EQ(g.payload_blocks, 2u);
  EXPECT_EQ(g.total_entries, 2u);
  spec.type = DiskType::differencing;
  EXPECT_EQ(vhdx_geometry(spec).total_entries, 2049u);
  EXPECT_EQ(vhdx_geometry(spec).bitmap_index(0), 2048u);

  ImageSpec big;
  big.virtual_size = 6 * kGiB;
  big.block_size = 32 * kMiB;
  VhdxGeometry bg = vhdx_geometry(big);
  EXPECT_EQ(bg.chunk_ratio, 128u);
  EXPECT_EQ(bg.payload_index(160), 161u);
  EXPECT_EQ(bg.bitmap_index(1), 257u);
}

// E7: a PARTIALLY/FULLY_PRESENT block at 5 MiB is entry (5 MiB | state); the sector-bitmap entry
// of chunk 0 sits at index CR and is SB_BLOCK_PRESENT; bits are LSB-first (MS-VHDX 2.6.4).
TEST(BuilderVhdx, DifferencingBatEntriesAndLsbFirstBitmap) {
  ImageSpec spec;
  spec.type = DiskType::differencing;
  spec.virtual_size = 4 * kMiB;
  spec.vhdx.parent_locator = {{"parent_linkage", Guid{}.to_braced_string()}, {"relative_path", ".\\p.vhdx"}};
  spec.blocks[1] = BlockSpec::partial({{0, 1}, {9, 2}});
  BuiltImage img = build_image(spec);
  const uint64_t bat = img.layout.offset("bat");
  const uint64_t sb = img.layout.offset("sector bitmap 0");
  EXPECT_EQ(sb, 4 * kMiB);  // log 1-2, metadata 2-3, BAT 3-4 MiB, then the bitmap block
  EXPECT_EQ(img.layout.offset("block 1"), 5 * kMiB);
  EXPECT_EQ(le(img, bat + 8 * 1, 8), 0x500007u);
  EXPECT_EQ(le(img, bat + 8 * 2048, 8), (4 * kMiB) | 6u);
  // Block 1 of the chunk starts at bit 4096 = byte 512: sector 0 -> bit 0, sectors 9, 10 -> byte 513 bits 1, 2.
  EXPECT_EQ(le(img, sb + 512, 1), 0x01u);
  EXPECT_EQ(le(img, sb + 513, 1), 0x06u);
  EXPECT_EQ(le(img, sb + 0, 1), 0x00u);
}

// E3: Hyper-V's parent locator: 5 entries, first KeyOffset 80, "parent_linkage" key 0x1C bytes,
// braced GUID value 0x4C bytes, value right after its key.
TEST(BuilderVhdx, HyperVParentLocatorLayoutMatchesE3) {
  ImageSpec spec;
  spec.type = DiskType::differencing;
  const Guid parent = guid("f88d4d92-6fcc-408d-9bef-9b7c89f15c89");
  spec.vhdx.parent_locator = hyperv_vhdx_locator(parent, "fat-parent.vhdx", "C:\\Projects", guid_from_seed(9, 9));
  BuiltImage img = build_image(spec);
  const uint64_t loc = img.layout.offset("metadata item parent locator");
  EXPECT_EQ(img.file.read(loc, 16), std::vector<uint8_t>({0xb7, 0xef, 0x4a, 0xb0, 0x9e, 0xd1, 0x81, 0x4a, 0xb7, 0x89,
                                                          0x25, 0xb8, 0xe9, 0x44, 0x59, 0x13}));
  EXPECT_EQ(le(img, loc + 18, 2), 5u);
  EXPECT_EQ(le(img, loc + 20, 4), 0x50u);
  EXPECT_EQ(le(img, loc + 24, 4), 0x6Cu);
  EXPECT_EQ(le(img, loc + 28, 2), 0x1Cu);
  EXPECT_EQ(le(img, loc + 30, 2), 0x4Cu);
  auto value = img.file.read(loc + 0x6C, 0x4C);
  EXPECT_EQ(utf16_to_utf8(value, Endian::little).utf8, "{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}");
  // Metadata table entry 5 is the locator, flags IsRequired only (E3: flags 4).
  const uint64_t table = img.layout.offset("metadata table");
  EXPECT_EQ(le(img, table + 32 + 32 * 5 + vhdx_field::kMetadataEntryFlags, 4), 4u);
  EXPECT_EQ(le(img, table + 32 + 32 * 1 + vhdx_field::kMetadataEntryOffset, 4), 0x10008u);  // E3: disk size item
  EXPECT_EQ(le(img, table + 32 + 32 * 5 + vhdx_field::kMetadataEntryOffset, 4), 0x10028u);
}

// Replays the builder's log with a few lines (MS-VHDX 2.3.1 field rules) and checks that the
// on-disk file then equals the replayed file the builder promises; also E8's sector layout.
TEST(BuilderVhdx, PendingLogReplaysToTheFinalFile) {
  ImageSpec spec;
  spec.blocks[0] = BlockSpec::full();
  spec.blocks[5] = BlockSpec::full();
  spec.blocks[6].state = BlockState::fully_present;
  spec.blocks[6].zero_data = true;
  VhdxLogSpec log;
  log.log_guid = guid_from_seed(5, 5);
  log.pending_blocks[5] = BlockState::not_present;
  log.virtual_size_before = 32 * kMiB;
  log.zeroed_blocks = {6};
  log.first_entry_offset = static_cast<uint32_t>(kMiB - 4096);  // the first entry wraps
  log.entry_count = 2;
  log.stale_entries = {{StaleLogEntry::Kind::other_guid, {}}, {StaleLogEntry::Kind::older_sequence, {}}};
  spec.vhdx.log = log;
  BuiltImage img = build_image(spec);
  ASSERT_TRUE(img.replayed.has_value());
  EXPECT_FALSE(img.file == *img.replayed);

  const Extent ring = img.layout.log_region;
  auto ring_read = [&](uint64_t pos, uint64_t len) {
    std::vector<uint8_t> out;
    for (uint64_t i = 0; i < len; ++i) out.push_back(img.file.read(ring.offset + (pos + i) % ring.length, 1)[0]);
    return out;
  };
  SparseFile replayed = img.file;
  for (int i = 0; i < 2; ++i) {
    const Layout::Entry& e = img.layout.entry("log entry " + std::to_string(i));
    const uint64_t pos = e.extent.offset - ring.offset;
    std::vector<uint8_t> entry = ring_read(pos, e.extent.length);
    ASSERT_EQ(std::string(entry.begin(), entry.begin() + 4), "loge");
    EXPECT_EQ(get_le(entry, 4, 4), crc32c_with_zeroed_field(entry, 4));
    EXPECT_EQ(get_le(entry, 12, 4), kMiB - 4096);  // Tail: the first entry
    const uint64_t seq = get_le(entry, 16, 8);
    EXPECT_EQ(seq, 100u + i);
    const uint64_t count = get_le(entry, 24, 4);
    uint64_t data_at = ceil_div(count + 2, 128) * 4096;
    for (uint64_t d = 0; d < count; ++d) {
      const size_t at = 64 + 32 * d;
      const std::string sig(entry.begin() + at, entry.begin() + at + 4);
      const uint64_t target = get_le(entry, at + 16, 8);
      EXPECT_EQ(get_le(entry, at + 24, 8), seq);
      if (sig == "zero") {
        replayed.zero(target, get_le(entry, at + 8, 8));
        continue;
      }
      ASSERT_EQ(sig, "desc");
      // E8: "data", SequenceHigh, bytes 8..4091, SequenceLow; leading/trailing bytes in the descriptor.
      ASSERT_EQ(std::string(entry.begin() + data_at, entry.begin() + data_at + 4), "data");
      EXPECT_EQ(get_le(entry, data_at + 4, 4), seq >> 32);
      EXPECT_EQ(get_le(entry, data_at + 4092, 4), seq & 0xFFFFFFFF);
      std::vector<uint8_t> update(4096);
      std::copy_n(entry.begin() + at + 8, 8, update.begin());
      std::copy_n(entry.begin() + data_at + 8, 4084, update.begin() + 8);
      std::copy_n(entry.begin() + at + 4, 4, update.begin() + 4092);
      replayed.write(target, update);
      data_at += 4096;
    }
  }
  EXPECT_TRUE(replayed == *img.replayed);
  EXPECT_TRUE(img.layout.has("stale log entry 1"));
  // The header announces the log.
  EXPECT_EQ(img.file.read(img.layout.offset("header 1") + vhdx_field::kHeaderLogGuid, 16),
            std::vector<uint8_t>(log.log_guid.bytes.begin(), log.log_guid.bytes.end()));
}

// Corruption-test knobs: raw locator bytes, an unknown required metadata item, an extra region.
TEST(BuilderVhdx, RawLocatorBytesExtraItemsAndRegions) {
  ImageSpec spec;
  spec.type = DiskType::differencing;
  LocatorEntry odd{"relative_path", "", std::nullopt, std::vector<uint8_t>{'a', 0, 'b'}};
  spec.vhdx.parent_locator = {{"parent_linkage", Guid{}.to_braced_string()}, odd};
  spec.vhdx.extra_metadata = {{guid_from_seed(1, 2), 4, {1, 2, 3, 4}}};
  spec.vhdx.extra_regions = {{guid_from_seed(3, 4), false, kMiB, 0xAB}};
  BuiltImage img = build_image(spec);
  const uint64_t loc = img.layout.offset("metadata item parent locator");
  const uint64_t second = loc + 20 + 12;
  EXPECT_EQ(le(img, second + 10, 2), 3u);  // ValueLength: the odd raw length
  EXPECT_EQ(img.file.read(loc + le(img, second + 4, 4), 3), std::vector<uint8_t>({'a', 0, 'b'}));
  EXPECT_EQ(img.file.read(img.layout.offset("metadata item extra 0"), 4), std::vector<uint8_t>({1, 2, 3, 4}));
  EXPECT_EQ(le(img, img.layout.offset("metadata table") + vhdx_field::kMetadataEntryCount, 2), 7u);
  EXPECT_EQ(le(img, 0x30000 + vhdx_field::kRegionEntryCount, 4), 3u);
  EXPECT_EQ(le(img, img.layout.offset("region extra 0"), 1), 0xABu);
}

TEST(BuilderVhdx, RejectsSpecsTheFormatCannotHold) {
  ImageSpec spec;
  spec.blocks[0] = BlockSpec::partial({{0, 1}});  // PARTIALLY_PRESENT outside a differencing disk
  EXPECT_THROW(build_image(spec), std::invalid_argument);
  spec.blocks.clear();
  spec.vhdx.logical_sector_size = 1024;
  EXPECT_THROW(build_image(spec), std::invalid_argument);
}

// E1: a Hyper-V 4 MiB differencing VHD footer: features 2, version 1.0, data offset 512, "win "
// 10.0 "Wi2k", CHS 120/4/17, type 4; the copy at 0 equals the footer at EOF.
TEST(BuilderVhd, FooterFieldsMatchWorkedExampleE1) {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.type = DiskType::differencing;
  spec.virtual_size = 4 * kMiB;
  set_hyperv_vhd_parent(spec.vhd, guid_from_seed(1, 1), "fat-parent.vhd", "C:\\Projects\\dfvfs\\test_data");
  BuiltImage img = build_image(spec);
  const uint64_t f = img.layout.offset("footer");
  EXPECT_EQ(f, img.file.size() - 512);
  EXPECT_EQ(img.file.read(0, 512), img.file.read(f, 512));
  auto footer = img.file.read(f, 512);
  EXPECT_EQ(std::string(footer.begin(), footer.begin() + 8), "conectix");
  EXPECT_EQ(get_be(footer, 8, 4), 2u);
  EXPECT_EQ(get_be(footer, 12, 4), 0x00010000u);
  EXPECT_EQ(get_be(footer, 16, 8), 512u);
  EXPECT_EQ(get_be(footer, 28, 4), 0x77696e20u);
  EXPECT_EQ(get_be(footer, 32, 4), 0x000A0000u);
  EXPECT_EQ(get_be(footer, 36, 4), 0x5769326Bu);
  EXPECT_EQ(get_be(footer, 56, 4), (120u << 16) | (4u << 8) | 17u);
  EXPECT_EQ(get_be(footer, 60, 4), 4u);
  EXPECT_EQ(get_be(footer, 64, 4), vhd_checksum(footer, 64));
}

// E2: dynamic header of that file: cxsparse, all-ones data offset, version 1.0, max entries 2,
// 2 MiB blocks, parent time stamp 0, UTF-16BE name, W2ku (space 4096) then W2ru (space 65536)
// with UTF-16LE data.
TEST(BuilderVhd, DynamicHeaderMatchesWorkedExampleE2) {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.type = DiskType::differencing;
  spec.virtual_size = 4 * kMiB;
  set_hyperv_vhd_parent(spec.vhd, guid_from_seed(1, 1), "fat-parent.vhd", "C:\\Projects\\dfvfs\\test_data");
  BuiltImage img = build_image(spec);
  auto h = img.file.read(512, 1024);
  EXPECT_EQ(std::string(h.begin(), h.begin() + 8), "cxsparse");
  EXPECT_EQ(get_be(h, 8, 8), ~uint64_t{0});
  EXPECT_EQ(get_be(h, 24, 4), 0x00010000u);
  EXPECT_EQ(get_be(h, 28, 4), 2u);
  EXPECT_EQ(get_be(h, 32, 4), 0x00200000u);
  EXPECT_EQ(get_be(h, 36, 4), vhd_checksum(h, 36));
  EXPECT_EQ(get_be(h, 56, 4), 0u);
  EXPECT_EQ(utf16_to_utf8_until_nul(std::span<const uint8_t>(h).subspan(64, 512), Endian::big).utf8,
            "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  EXPECT_EQ(get_be(h, 576, 4), fourcc("W2ku"));
  EXPECT_EQ(get_be(h, 580, 4), 4096u);
  EXPECT_EQ(get_be(h, 584, 4), 84u);  // E2: 42 UTF-16 units
  EXPECT_EQ(get_be(h, 600, 4), fourcc("W2ru"));
  EXPECT_EQ(get_be(h, 604, 4), 65536u);
  EXPECT_EQ(get_be(h, 608, 4), 32u);  // ".\fat-parent.vhd"
  auto rel = img.file.read(get_be(h, 616, 8), 32);
  EXPECT_EQ(utf16_to_utf8(rel, Endian::little).utf8, ".\\fat-parent.vhd");
}

// VHD spec "Block Allocation Table": BAT holds the bitmap's sector number; bits are MSB-first.
TEST(BuilderVhd, BatSectorNumbersAndMsbFirstBitmap) {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.virtual_size = 8 * kMiB;
  spec.blocks[2] = BlockSpec::partial({{0, 1}, {9, 2}});
  BuiltImage img = build_image(spec);
  const uint64_t bitmap = img.layout.offset("block 2 bitmap");
  EXPECT_EQ(be(img, img.layout.offset("bat") + 8, 4), bitmap / 512);
  EXPECT_EQ(be(img, img.layout.offset("bat"), 4), 0xFFFFFFFFu);
  EXPECT_EQ(be(img, bitmap, 1), 0x80u);
  EXPECT_EQ(be(img, bitmap + 1, 1), 0x60u);
}

#ifndef _WIN32
// A 10 GiB fixed VHD and a 10 GiB fixed VHDX cost almost nothing on disk (st_blocks is POSIX).
TEST(BuilderSparse, TenGiBFixedImagesAreSparse) {
  TempDir dir;
  for (Format format : {Format::vhd, Format::vhdx}) {
    ImageSpec spec;
    spec.format = format;
    spec.type = DiskType::fixed;
    spec.virtual_size = 10 * kGiB;
    spec.blocks[4000] = BlockSpec::full();
    BuiltImage img = build_image(spec);
    const auto path = dir / (format == Format::vhd ? "big.vhd" : "big.vhdx");
    img.write(path);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_GE(static_cast<uint64_t>(st.st_size), 10 * kGiB);
    EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 64 * kMiB) << path;
  }
}
#endif

TEST(BuilderMutation, PatchFieldAndFixChecksum) {
  ImageSpec spec;
  BuiltImage img = build_image(spec);
  img.patch_le("header 1", vhdx_field::kHeaderVersion, 2, 2, /*fix_checksum=*/true);
  auto h = img.file.read(img.layout.offset("header 1"), 4096);
  EXPECT_EQ(get_le(h, 66, 2), 2u);
  EXPECT_EQ(get_le(h, 4, 4), crc32c_with_zeroed_field(h, 4));
  img.patch_le("header 2", vhdx_field::kHeaderSequenceNumber, 9, 8);  // checksum now stale
  auto h2 = img.file.read(img.layout.offset("header 2"), 4096);
  EXPECT_NE(get_le(h2, 4, 4), crc32c_with_zeroed_field(h2, 4));
  EXPECT_THROW(img.patch("no such thing", 0, std::vector<uint8_t>{1}), std::out_of_range);
}

}  // namespace
}  // namespace vhdchain::test
