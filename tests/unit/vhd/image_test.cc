// VHD Image: open(), info(), map() runs for fixed/dynamic/differencing disks, the lazy BAT, hostile
// values, and the real uncompressed images of the shared testdata.
#include "vhd/image.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/utf16.h"
#include "support/testdata.h"
#include "vhd_bytes.h"
#include "vhdchain/file.h"

namespace vhdchain::vhd {
namespace {

using test::error_of;

void expect_extent(const Extent& e, uint64_t offset, uint64_t length, ExtentSource source, uint64_t file_offset = 0) {
  EXPECT_EQ(e.virtual_offset, offset);
  EXPECT_EQ(e.length, length) << "at " << offset;
  EXPECT_EQ(e.source, source) << "at " << offset;
  if (source == ExtentSource::data) {
    EXPECT_EQ(e.file_offset, file_offset) << "at " << offset;
  }
}

// 22 sectors (11,264 bytes) in 3 blocks of 4 KiB (the last holds 6 sectors). Block 2 is stored
// first (bitmap at 0x800, data at 0xa00, all sectors present), block 0 second (bitmap at 0x1a00,
// data at 0x1c00, sectors 0, 2, 3 present), block 1 is not allocated.
test::FooterFields small_footer(uint32_t type) {
  test::FooterFields f;
  f.disk_type = type;
  f.current_size = 11264;
  f.cylinders = 1;
  f.heads = 2;
  f.sectors = 11;
  return f;
}

test::HeaderFields small_header() {
  test::HeaderFields h;
  h.max_entries = 3;
  return h;
}

const std::vector<test::Block> kSmallBlocks = {{2, 0xFF, 0x40}, {0, 0xB0, 0x10}};

std::unique_ptr<DiskImage> open_bytes(std::vector<uint8_t> bytes) { return open(test::reader(std::move(bytes))); }

TEST(VhdImage, DynamicInfo) {
  auto img = open_bytes(test::dynamic_image(small_footer(3), small_header(), kSmallBlocks).bytes);
  const ImageInfo& i = img->info();
  EXPECT_EQ(i.format, DiskFormat::vhd);
  EXPECT_EQ(i.type, DiskType::dynamic);
  EXPECT_EQ(i.virtual_size, 11264u);
  EXPECT_EQ(i.file_size, 0x2C00u + 512);
  EXPECT_EQ(i.block_size, 4096u);
  EXPECT_EQ(i.logical_sector_size, 512u);
  EXPECT_EQ(i.physical_sector_size, 512u);
  EXPECT_EQ(i.creator, "test 2.1 (Wi2k)");
  EXPECT_EQ(i.creator_application, "test");
  EXPECT_EQ(i.creator_version, 0x00020001u);
  EXPECT_EQ(i.creator_host_os, "Wi2k");
  EXPECT_EQ(i.timestamp, 0x27198E1Bu);
  EXPECT_EQ(i.original_size, 11264u);
  ASSERT_TRUE(i.geometry);
  EXPECT_EQ(i.geometry->size(), 11264u);
  EXPECT_FALSE(i.saved_state);
  ASSERT_TRUE(i.unique_id);
  EXPECT_EQ(i.unique_id->bytes[0], 0x10);
  EXPECT_EQ(i.unique_id->bytes[15], 0x1F);
  EXPECT_EQ(img->identity(), *i.unique_id);
  EXPECT_FALSE(i.parent);
  EXPECT_TRUE(i.notes.empty());
  EXPECT_FALSE(i.virtual_disk_id);
  EXPECT_FALSE(i.log.present);
}

TEST(VhdImage, DynamicMapFollowsBatAndBitmap) {
  auto img = open_bytes(test::dynamic_image(small_footer(3), small_header(), kSmallBlocks).bytes);
  const uint64_t all = UINT64_MAX;
  expect_extent(img->map(0, all), 0, 512, ExtentSource::data, 0x1C00);
  expect_extent(img->map(512, all), 512, 512, ExtentSource::zero);  // bit 0: never written
  expect_extent(img->map(1024, all), 1024, 1024, ExtentSource::data, 0x2000);
  expect_extent(img->map(2048, all), 2048, 2048, ExtentSource::zero);  // up to the block's end
  expect_extent(img->map(4096, all), 4096, 4096, ExtentSource::zero);  // block 1 not allocated
  expect_extent(img->map(8192, all), 8192, 3072, ExtentSource::data, 0xA00);  // ends at the disk's end
  // Unaligned offsets and short maximum lengths.
  expect_extent(img->map(100, 10), 100, 10, ExtentSource::data, 0x1C64);
  expect_extent(img->map(700, all), 700, 324, ExtentSource::zero);
  expect_extent(img->map(1500, all), 1500, 548, ExtentSource::data, 0x21DC);
  expect_extent(img->map(5000, 100), 5000, 100, ExtentSource::zero);
  expect_extent(img->map(11263, all), 11263, 1, ExtentSource::data, 0xA00 + 3071);

  EXPECT_EQ(error_of([&] { img->map(11264, 1); }), "mem.vhd: offset 0x2c00 is at or past the virtual size 0x2c00");
  EXPECT_EQ(error_of([&] { img->map(0, 0); }), "mem.vhd: map at 0x0 with a maximum length of 0");
  try {
    img->map(11264, 1);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
}

TEST(VhdImage, DynamicBlockStats) {
  auto img = open_bytes(test::dynamic_image(small_footer(3), small_header(), kSmallBlocks).bytes);
  const BlockStats stats = img->block_stats();
  EXPECT_EQ(stats.payload.at("allocated"), 2u);
  EXPECT_EQ(stats.payload.at("not_present"), 1u);
  EXPECT_EQ(stats.allocated_bytes, 2u * (512 + 4096));
  // Blocks 0 and 2 are the allocated ones, compared across the hole; block 2 is stored first.
  EXPECT_EQ(stats.fragmentation_percent, 100.0);
}

TEST(VhdImage, DifferencingShowsTheParentAndDescribesIt) {
  test::HeaderFields h = small_header();
  h.parent_seed = 0x50;
  h.parent_timestamp = 0x1234;
  h.parent_name = u"C:\\vms\\base.vhd";
  // Locator data in the 1 KiB after the BAT: W2ku at 0x800, W2ru at 0xa00 (slots 1 and 2).
  std::vector<uint8_t> extra(1024, 0);
  const auto w2ku = utf8_to_utf16("C:\\vms\\base.vhd", Endian::little);
  const auto w2ru = utf8_to_utf16(".\\base.vhd", Endian::little);
  std::copy(w2ku.begin(), w2ku.end(), extra.begin());
  std::copy(w2ru.begin(), w2ru.end(), extra.begin() + 512);
  h.locators[1] = {"W2ku", 512, static_cast<uint32_t>(w2ku.size()), 0x800};
  h.locators[2] = {"W2ru", 512, static_cast<uint32_t>(w2ru.size()), 0xA00};
  const test::ImageBytes image = test::dynamic_image(small_footer(4), h, kSmallBlocks, extra);
  auto img = open_bytes(image.bytes);

  const ImageInfo& i = img->info();
  EXPECT_EQ(i.type, DiskType::differencing);
  ASSERT_TRUE(i.parent);
  const ParentLink& p = *i.parent;
  EXPECT_EQ(p.linkage.bytes[0], 0x50);
  EXPECT_EQ(p.linkage.bytes[15], 0x5F);
  EXPECT_FALSE(p.linkage2);
  EXPECT_EQ(p.timestamp, 0x1234u);
  EXPECT_EQ(p.name, "C:\\vms\\base.vhd");
  ASSERT_EQ(p.locators.size(), 2u);
  EXPECT_EQ(p.locators[0].key, "W2ku");
  EXPECT_EQ(p.locators[0].value, "C:\\vms\\base.vhd");
  EXPECT_TRUE(p.locators[0].value_valid);
  EXPECT_EQ(p.locators[0].data_offset, 0x800u);
  EXPECT_EQ(p.locators[0].data_length, 30u);
  EXPECT_EQ(p.locators[0].data_space, 512u);
  EXPECT_EQ(p.locators[1].key, "W2ru");
  EXPECT_EQ(p.locators[1].value, ".\\base.vhd");
  EXPECT_TRUE(p.accepts(p.linkage));
  EXPECT_TRUE(i.notes.empty());

  // Blocks now start at 0xc00 (block 2) and 0x1e00 (block 0).
  ASSERT_EQ(image.block_offset, (std::vector<uint64_t>{0xC00, 0x1E00}));
  const uint64_t all = UINT64_MAX;
  expect_extent(img->map(0, all), 0, 512, ExtentSource::data, 0x2000);
  expect_extent(img->map(512, all), 512, 512, ExtentSource::parent);
  expect_extent(img->map(1024, all), 1024, 1024, ExtentSource::data, 0x2400);
  expect_extent(img->map(2048, all), 2048, 2048, ExtentSource::parent);
  expect_extent(img->map(4096, all), 4096, 4096, ExtentSource::parent);
  expect_extent(img->map(8192, all), 8192, 3072, ExtentSource::data, 0xE00);
}

TEST(VhdImage, BlocksMayNotOverlapLocatorData) {
  test::HeaderFields h = small_header();
  h.parent_seed = 0x50;
  h.locators[0] = {"Wi2k", 512, 16, 0x1A10};  // inside block 0's bitmap sector (0x1a00)
  auto img = open_bytes(test::dynamic_image(small_footer(4), h, kSmallBlocks).bytes);
  EXPECT_EQ(img->info().parent->locators.size(), 1u);
  EXPECT_EQ(error_of([&] { img->map(0, 1); }),
            "mem.vhd: BAT entry 0 @0x600: block at 0x1a00 (4608 bytes with its bitmap) overlaps the parent locator "
            "entry 0 data @0x1a10");
}

TEST(VhdImage, Fixed) {
  test::FooterFields f;
  f.disk_type = 2;
  f.data_offset = 0xFFFFFFFFFFFFFFFFull;
  f.current_size = 4096;
  f.cylinders = 1;
  f.heads = 1;
  f.sectors = 8;
  std::vector<uint8_t> bytes(4096, 0xAB);
  const auto footer = test::footer_bytes(f);
  test::append(bytes, footer);
  auto img = open_bytes(bytes);
  const ImageInfo& i = img->info();
  EXPECT_EQ(i.type, DiskType::fixed);
  EXPECT_EQ(i.virtual_size, 4096u);
  EXPECT_EQ(i.block_size, 0u);
  EXPECT_FALSE(i.parent);
  EXPECT_TRUE(i.notes.empty());
  expect_extent(img->map(0, UINT64_MAX), 0, 4096, ExtentSource::data, 0);
  expect_extent(img->map(1000, 24), 1000, 24, ExtentSource::data, 1000);
  const BlockStats stats = img->block_stats();
  EXPECT_TRUE(stats.payload.empty());
  EXPECT_EQ(stats.allocated_bytes, 4096u);

  // The footer says 4 KiB but only 3.5 KiB precede it.
  std::vector<uint8_t> truncated(3584, 0);
  test::append(truncated, footer);
  EXPECT_EQ(error_of([&] { open_bytes(truncated); }),
            "mem.vhd: footer @0xe00: current size 4096 exceeds the 3584 bytes in front of the footer: file is "
            "truncated");
  // More bytes than the current size in front of the footer: a note, the disk is the first 4 KiB.
  std::vector<uint8_t> larger(5120, 0);
  test::append(larger, footer);
  auto big = open_bytes(larger);
  ASSERT_EQ(big->info().notes.size(), 1u);
  EXPECT_EQ(big->info().notes[0].code, "vhd.fixed_size_mismatch");
  EXPECT_EQ(big->info().notes[0].message,
            "footer @0x1400: current size 4096 is less than the 5120 bytes in front of the footer; the 1024 bytes "
            "after the disk's data are ignored");
}

TEST(VhdImage, ChsSizeDifferingIsANote) {
  test::FooterFields f = small_footer(3);
  f.cylinders = 65278;
  f.heads = 16;
  f.sectors = 255;
  auto img = open_bytes(test::dynamic_image(f, small_header(), kSmallBlocks).bytes);
  EXPECT_EQ(img->info().virtual_size, 11264u);
  ASSERT_EQ(img->info().notes.size(), 1u);
  EXPECT_EQ(img->info().notes[0].code, "vhd.chs_size_differs");
  EXPECT_EQ(img->info().notes[0].message,
            "footer @0x2c00: disk geometry 65278/16/255 gives 136363130880 bytes but current size is 11264 bytes; "
            "the virtual size is the current size");
}

TEST(VhdImage, FeaturesReservedBitClearIsANote) {
  test::FooterFields f = small_footer(3);
  f.features = 0;
  auto img = open_bytes(test::dynamic_image(f, small_header(), kSmallBlocks).bytes);
  ASSERT_EQ(img->info().notes.size(), 1u);
  EXPECT_EQ(img->info().notes[0].code, "vhd.features_reserved_bit_clear");
  EXPECT_EQ(img->info().notes[0].message,
            "footer @0x2c00: features 0x00000000 has the reserved bit 1 clear (the spec says it is always set)");
}

TEST(VhdImage, DamagedEndFooterUsesTheCopy) {
  std::vector<uint8_t> bytes = test::dynamic_image(small_footer(3), small_header(), kSmallBlocks).bytes;
  bytes[bytes.size() - 512 + 64] ^= 0xFF;  // checksum
  auto img = open_bytes(bytes);
  ASSERT_EQ(img->info().notes.size(), 1u);
  EXPECT_EQ(img->info().notes[0].code, "vhd.footer_at_eof_invalid");
  expect_extent(img->map(8192, UINT64_MAX), 8192, 3072, ExtentSource::data, 0xA00);
}

TEST(VhdImage, BatIsReadLazilyAndItsErrorsRepeat) {
  test::ImageBytes image = test::dynamic_image(small_footer(3), small_header(), kSmallBlocks);
  test::be(image.bytes, 1536 + 4, 0x1, 4);  // block 1 at sector 1: over the dynamic header
  auto img = open_bytes(image.bytes);      // info needs no BAT
  EXPECT_EQ(img->info().virtual_size, 11264u);
  const std::string expected =
      "mem.vhd: BAT entry 1 @0x604: block at 0x200 (4608 bytes with its bitmap) overlaps the dynamic header @0x200";
  EXPECT_EQ(error_of([&] { img->map(8192, 1); }), expected);
  EXPECT_EQ(error_of([&] { img->block_stats(); }), expected);
  EXPECT_EQ(error_of([&] { img->map(0, 1); }), expected);
}

TEST(VhdImage, HostileHeaderValues) {
  test::HeaderFields h = small_header();
  h.max_entries = 0xFFFFFFFF;
  EXPECT_EQ(error_of([&] { open_bytes(test::dynamic_image(small_footer(3), h, {}).bytes); }),
            "mem.vhd: BAT @0x600: 4294967295 entries (17179869180 bytes) end past the end of the file data at 0x800");

  test::FooterFields f = small_footer(3);
  f.data_offset = 0;
  EXPECT_EQ(error_of([&] { open_bytes(test::dynamic_image(f, small_header(), {}).bytes); }),
            "mem.vhd: footer @0x800: data offset 0x0 overlaps the footer copy @0x0");
  f.data_offset = 0xFFFFFFFFFFFFFF00ull;
  EXPECT_EQ(error_of([&] { open_bytes(test::dynamic_image(f, small_header(), {}).bytes); }),
            "mem.vhd: footer @0x800: data offset 0xffffffffffffff00: the 1024-byte dynamic header would end past "
            "the end of the file data at 0x800");

  f = small_footer(3);
  f.current_size = 0xFFFFFFFFFFFFFE00ull;  // needs more BAT entries than the header has
  EXPECT_EQ(error_of([&] { open_bytes(test::dynamic_image(f, small_header(), {}).bytes); }),
            "mem.vhd: dynamic header @0x200: max table entries 3 is less than the 4503599627370496 blocks of 4096 "
            "bytes the current size 18446744073709551104 needs");
}

TEST(VhdImage, ConcurrentMapsAgree) {
  auto img = open_bytes(test::dynamic_image(small_footer(4), small_header(), kSmallBlocks).bytes);
  auto walk = [&] {
    std::vector<std::pair<uint64_t, int>> runs;
    for (uint64_t off = 0; off < 11264;) {
      Extent e = img->map(off, 700);
      runs.emplace_back(e.length, static_cast<int>(e.source));
      off += e.length;
    }
    return runs;
  };
  std::vector<std::vector<std::pair<uint64_t, int>>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) results[t] = walk();
    });
  for (auto& t : threads) t.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(results[t], results[0]);
  EXPECT_EQ(results[0].size(), 18u);  // 7 + 6 + 5 runs of at most 700 bytes
}

// Random field damage behind valid checksums: opening and reading either works or throws a
// vhdchain::Error; nothing else escapes (no std::bad_alloc, no out-of-range read), and it is quick.
TEST(VhdImage, RandomDamageOnlyThrowsVhdchainErrors) {
  test::HeaderFields h = small_header();
  h.parent_seed = 0x50;
  h.parent_name = u"base.vhd";
  h.locators[0] = {"W2ru", 512, 16, 0x800};
  h.locators[5] = {"MacX", 512, 8, 0x900};
  const test::ImageBytes base = test::dynamic_image(small_footer(4), h, kSmallBlocks, std::vector<uint8_t>(512, 'a'));
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int opened = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> b = base.bytes;
    const size_t footer_at = b.size() - 512;
    for (int k = 0, n = 1 + int(next() % 4); k < n; ++k) {
      switch (next() % 3) {
        case 0: b[0x200 + next() % 1024] = uint8_t(next()); break;        // dynamic header
        case 1: b[0x600 + next() % 12] = uint8_t(next()); break;          // BAT entries
        default: b[footer_at + next() % 85] = uint8_t(next()); break;     // footer fields
      }
    }
    test::seal(b, 0x200, 1024, 36);
    test::seal(b, footer_at, 512, 64);
    if (next() % 2) std::copy(b.begin() + footer_at, b.end(), b.begin());
    try {
      auto img = open_bytes(b);
      ++opened;
      img->block_stats();
      const uint64_t size = std::min<uint64_t>(img->info().virtual_size, 1 << 20);
      for (uint64_t off = 0; off < size;) off += img->map(off, 4096).length;
    } catch (const Error&) {
    }
  }
  EXPECT_GT(opened, 100);
}

// ---- real images (shared/testdata, stored uncompressed) --------------------------------------

std::unique_ptr<DiskImage> open_path(const std::filesystem::path& path) {
  return open(std::shared_ptr<const Reader>(File::open(path.string(), OpenMode::read_only)));
}

TEST(VhdRealImages, HyperVDifferencing) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  auto img = open_path(shared / "dfvfs" / "fat-differential.vhd");
  const ImageInfo& i = img->info();
  EXPECT_EQ(i.type, DiskType::differencing);
  EXPECT_EQ(i.virtual_size, 4194304u);
  EXPECT_EQ(i.file_size, 2183168u);
  EXPECT_EQ(i.block_size, 2097152u);
  EXPECT_EQ(i.creator, "win 10.0 (Wi2k)");
  EXPECT_EQ(i.timestamp, 0x27198E1Bu);
  ASSERT_EQ(i.notes.size(), 1u);
  EXPECT_EQ(i.notes[0].code, "vhd.chs_size_differs");
  EXPECT_EQ(i.notes[0].message,
            "footer @0x214e00: disk geometry 120/4/17 gives 4177920 bytes but current size is 4194304 bytes; the "
            "virtual size is the current size");
  ASSERT_TRUE(i.parent);
  const Guid parent{{0x5f, 0xa2, 0x1a, 0x55, 0xf3, 0x94, 0xaa, 0x4d, 0x99, 0x58, 0x19, 0x51, 0xa6, 0x7d, 0x55, 0x40}};
  EXPECT_EQ(i.parent->linkage, parent);
  EXPECT_EQ(i.parent->timestamp, 0u);
  EXPECT_EQ(i.parent->name, "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  ASSERT_EQ(i.parent->locators.size(), 2u);
  EXPECT_EQ(i.parent->locators[0].key, "W2ku");
  EXPECT_EQ(i.parent->locators[0].value, "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd");
  EXPECT_EQ(i.parent->locators[0].data_offset, 0x1000u);
  EXPECT_EQ(i.parent->locators[0].data_length, 84u);
  EXPECT_EQ(i.parent->locators[0].data_space, 4096u);
  EXPECT_EQ(i.parent->locators[1].key, "W2ru");
  EXPECT_EQ(i.parent->locators[1].value, ".\\fat-parent.vhd");
  EXPECT_EQ(i.parent->locators[1].data_offset, 0x3000u);
  EXPECT_EQ(i.parent->locators[1].data_length, 32u);
  EXPECT_EQ(i.parent->locators[1].data_space, 65536u);

  const BlockStats stats = img->block_stats();
  EXPECT_EQ(stats.payload.at("allocated"), 1u);
  EXPECT_EQ(stats.payload.at("not_present"), 1u);
  EXPECT_EQ(stats.allocated_bytes, 2097664u);

  // Block 0's bitmap is at sector 0x9f: 18 single sectors and short runs present (see bat_test).
  const uint64_t data = 0x9F * 512 + 512;
  expect_extent(img->map(0, UINT64_MAX), 0, 134 * 512, ExtentSource::parent);
  expect_extent(img->map(134 * 512, UINT64_MAX), 134 * 512, 512, ExtentSource::data, data + 134 * 512);
  expect_extent(img->map(152 * 512, UINT64_MAX), 152 * 512, 8 * 512, ExtentSource::data, data + 152 * 512);
  expect_extent(img->map(197 * 512, UINT64_MAX), 197 * 512, (4096 - 197) * 512, ExtentSource::parent);
  expect_extent(img->map(2097152, UINT64_MAX), 2097152, 2097152, ExtentSource::parent);
  uint64_t runs = 0, present = 0;
  for (uint64_t off = 0; off < i.virtual_size; ++runs) {
    Extent e = img->map(off, UINT64_MAX);
    if (e.source == ExtentSource::data) present += e.length;
    off += e.length;
  }
  EXPECT_EQ(runs, 18u);
  EXPECT_EQ(present, 18u * 512);
}

TEST(VhdRealImages, QemuDynamic) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  auto img = open_path(shared / "dfvfs" / "ext2.vhd");
  const ImageInfo& i = img->info();
  EXPECT_EQ(i.type, DiskType::dynamic);
  EXPECT_EQ(i.virtual_size, 4212736u);
  EXPECT_EQ(i.creator, "qemu 5.3 (Wi2k)");
  EXPECT_TRUE(i.notes.empty());  // CHS 121/4/17 is exactly the current size
  const BlockStats stats = img->block_stats();
  EXPECT_EQ(stats.payload.at("allocated"), 1u);
  EXPECT_EQ(stats.payload.at("not_present"), 2u);
  expect_extent(img->map(0, UINT64_MAX), 0, 2097152, ExtentSource::data, 4 * 512 + 512);
  expect_extent(img->map(2097152, UINT64_MAX), 2097152, 2097152, ExtentSource::zero);
  expect_extent(img->map(4194304, UINT64_MAX), 4194304, 18432, ExtentSource::zero);

  auto sk = open_path(shared / "sleuthkit" / "image.vhd");
  EXPECT_EQ(sk->info().virtual_size, 104448u);
  expect_extent(sk->map(0, UINT64_MAX), 0, 104448, ExtentSource::data, 4 * 512 + 512);
}

// dfvfs image.vhd was edited by hand: both footer copies carry a stale checksum, so no footer is
// trustworthy and the file is refused (PROVENANCE 2.7).
TEST(VhdRealImages, BothFooterCopiesBadIsRefused) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  const std::string path = (shared / "dfvfs" / "image.vhd").string();
  EXPECT_EQ(error_of([&] { open_path(path); }),
            path + ": footer @0x200a00: checksum 0xfffff683 does not match computed 0xffffef25; footer copy @0x0: "
                   "checksum 0xfffff683 does not match computed 0xffffef25");
  const std::string child = (shared / "dfvfs" / "image-differential.vhd").string();
  EXPECT_EQ(error_of([&] { open_path(child); }),
            child + ": footer @0x200a00: checksum 0xfffff683 does not match computed 0xffffeeb6; footer copy @0x0: "
                    "checksum 0xfffff683 does not match computed 0xffffeeb6");
}

}  // namespace
}  // namespace vhdchain::vhd
