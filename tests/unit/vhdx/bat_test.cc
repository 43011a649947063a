// BAT arithmetic (E7, formats.md section 4) and whole-table validation.
#include "vhdx/bat.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;

TEST(VhdxBatLayout, E7SmallDisk) {
  // 4 MiB virtual, 2 MiB blocks, 512-byte sectors.
  BatLayout dyn = compute_bat_layout(4 * kMiB, 2 * kMiB, 512, false);
  EXPECT_EQ(dyn.chunk_ratio, 2048u);
  EXPECT_EQ(dyn.payload_blocks, 2u);
  EXPECT_EQ(dyn.bitmap_blocks, 1u);
  EXPECT_EQ(dyn.total_entries, 2u);  // 2 + floor(1 / 2048)
  BatLayout diff = compute_bat_layout(4 * kMiB, 2 * kMiB, 512, true);
  EXPECT_EQ(diff.total_entries, 2049u);  // 1 * (2048 + 1)
  EXPECT_EQ(diff.total_entries * 8, 16392u);
  EXPECT_EQ(diff.bitmap_index(0), 2048u);
  EXPECT_TRUE(diff.is_bitmap_index(2048));
  EXPECT_FALSE(diff.is_bitmap_index(2047));
}

TEST(VhdxBatLayout, E7InterleaveAt5GiB) {
  // 32 MiB blocks, 512-byte sectors: chunk ratio 128.
  BatLayout l = compute_bat_layout(8 * kGiB, 32 * kMiB, 512, true);
  EXPECT_EQ(l.chunk_ratio, 128u);
  const uint64_t v = 5 * kGiB;
  const uint64_t b = v / l.block_size;
  EXPECT_EQ(b, 160u);
  EXPECT_EQ(l.payload_index(b), 161u);
  EXPECT_EQ(l.bitmap_index(b / l.chunk_ratio), 257u);
  // Logical sector 10485760 is chunk-relative sector 2097152: byte 262144, bit 0 of chunk 1's bitmap.
  const uint64_t sector = v / 512;
  EXPECT_EQ(sector, 10485760u);
  const uint64_t in_chunk = sector - (b / l.chunk_ratio) * kSectorsPerChunk;
  EXPECT_EQ(in_chunk, 2097152u);
  EXPECT_EQ(in_chunk / 8, 262144u);
  EXPECT_EQ(in_chunk % 8, 0u);
  EXPECT_EQ((b % l.chunk_ratio) * l.sectors_per_block(), in_chunk);
}

TEST(VhdxBatLayout, ChunkRatiosAndTotals) {
  EXPECT_EQ(compute_bat_layout(kGiB, kMiB, 512, false).chunk_ratio, 4096u);
  EXPECT_EQ(compute_bat_layout(kGiB, 256 * kMiB, 512, false).chunk_ratio, 16u);
  EXPECT_EQ(compute_bat_layout(kGiB, kMiB, 4096, false).chunk_ratio, 32768u);
  EXPECT_EQ(compute_bat_layout(kGiB, 256 * kMiB, 4096, false).chunk_ratio, 128u);
  // 10 GiB, 32 MiB blocks: 320 payload blocks, CR 128 -> 320 + floor(319/128) = 322; differencing 3 * 129.
  EXPECT_EQ(compute_bat_layout(10 * kGiB, 32 * kMiB, 512, false).total_entries, 322u);
  EXPECT_EQ(compute_bat_layout(10 * kGiB, 32 * kMiB, 512, true).total_entries, 387u);
  // Exactly one chunk of payload: the sector-bitmap entry after it is not counted for dynamic disks.
  EXPECT_EQ(compute_bat_layout(4 * kGiB, 32 * kMiB, 512, false).total_entries, 128u);
  // A partial last block counts.
  EXPECT_EQ(compute_bat_layout(kMiB + 512, kMiB, 512, false).payload_blocks, 2u);
}

TEST(VhdxBatEntry, E7FullyPresentAt5MiB) {
  const uint8_t stored[8] = {0x06, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00};
  uint64_t raw = 0;
  for (int i = 7; i >= 0; --i) raw = raw << 8 | stored[i];
  EXPECT_EQ(raw, 0x0000000000500006u);
  BatEntry e = decode_bat_entry(raw);
  EXPECT_EQ(e.state, kPayloadFullyPresent);
  EXPECT_EQ(e.file_offset, 5 * kMiB);
  EXPECT_EQ(e.reserved, 0u);
  EXPECT_EQ(decode_bat_entry(0x0000000000500016u).reserved, 0x10u);
  EXPECT_EQ(decode_bat_entry(0xFFFFFFFFFFF00007u).file_offset, 0xFFFFFFFFFFF00000u);
}

TEST(VhdxBatEntry, StateNames) {
  EXPECT_EQ(payload_state_name(0), "not_present");
  EXPECT_EQ(payload_state_name(1), "undefined");
  EXPECT_EQ(payload_state_name(2), "zero");
  EXPECT_EQ(payload_state_name(3), "unmapped");
  EXPECT_EQ(payload_state_name(5), "unmapped");
  EXPECT_EQ(payload_state_name(6), "fully_present");
  EXPECT_EQ(payload_state_name(7), "partially_present");
  EXPECT_EQ(bitmap_state_name(0), "not_present");
  EXPECT_EQ(bitmap_state_name(6), "present");
}

// A BAT at 2 MiB of a 16 MiB file with the log at 1 MiB and metadata at 3 MiB.
struct BatFixture {
  BatLayout layout;
  Bytes table;
  std::vector<ReservedRange> reserved = {
      {kMiB, kMiB, "the log"}, {2 * kMiB, kMiB, "the BAT region"}, {3 * kMiB, kMiB, "the metadata region"}};
  std::vector<Note> notes;
  explicit BatFixture(BatLayout l) : layout(l), table(l.total_entries * 8, 0) {}
  void set(uint64_t index, uint64_t raw) { test::put64(table, index * 8, raw); }
  Bat load(uint64_t file_size = 16 * kMiB) { return Bat(table, "t.vhdx", 2 * kMiB, layout, file_size, reserved, notes); }
  std::string error(uint64_t file_size = 16 * kMiB) {
    try {
      load(file_size);
    } catch (const FormatError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST(VhdxBat, CountsAndFragmentation) {
  BatFixture f(compute_bat_layout(8 * kMiB, kMiB, 512, false));  // 8 payload entries
  f.set(0, 4 * kMiB | 6);
  f.set(1, 5 * kMiB | 6);  // follows block 0 directly
  f.set(2, 2);             // zero
  f.set(3, 9 * kMiB | 6);  // a gap after block 1
  f.set(4, 3);
  f.set(5, 5);  // v0.95 unmapped
  f.set(6, 1);
  Bat bat = f.load();
  const BlockStats& s = bat.stats();
  EXPECT_EQ(s.payload.at("fully_present"), 3u);
  EXPECT_EQ(s.payload.at("zero"), 1u);
  EXPECT_EQ(s.payload.at("unmapped"), 2u);
  EXPECT_EQ(s.payload.at("undefined"), 1u);
  EXPECT_EQ(s.payload.at("not_present"), 1u);
  EXPECT_EQ(s.payload.at("partially_present"), 0u);
  EXPECT_EQ(s.sector_bitmap.at("not_present"), 0u);
  EXPECT_EQ(s.sector_bitmap.at("present"), 0u);
  EXPECT_EQ(s.allocated_bytes, 3 * kMiB);
  EXPECT_DOUBLE_EQ(s.fragmentation_percent, 50.0);  // pairs (0,1) adjacent, (1,3) not
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_EQ(f.notes[0].code, "vhdx.unmapped_v095_state");
  EXPECT_EQ(f.notes[0].message,
            "BAT @0x200000: 1 payload entries have state 5 (UNMAPPED in the v0.95 draft); read as UNMAPPED (3)");
  EXPECT_EQ(bat.payload(3).file_offset, 9 * kMiB);
}

// A 64 TiB differencing disk with 2 MiB blocks has a 256 MiB table; with a sector bitmap in every
// chunk (as Hyper-V writes them) and three blocks written, memory holds the 16384 bitmap entries
// and the three pages of payload entries that are not all zero.
TEST(VhdxBat, OnlyPagesWithPayloadEntriesAreHeld) {
  const BatLayout l = compute_bat_layout(64ull << 40, 2 * kMiB, 512, true);
  ASSERT_EQ(l.chunk_ratio, 2048u);
  ASSERT_EQ(l.total_entries, 16384u * 2049);
  Bytes table(l.total_entries * 8, 0);
  const uint64_t file_size = 20ull << 30;
  uint64_t next = 4 * kMiB;
  for (uint64_t chunk = 0; chunk < l.bitmap_blocks; ++chunk, next += kMiB) test::put64(table, l.bitmap_index(chunk) * 8, next | 6);
  const uint64_t blocks[] = {0, 5000, l.payload_blocks - 1};
  for (uint64_t b : blocks) {
    test::put64(table, l.payload_index(b) * 8, next | 6);
    next += 2 * kMiB;
  }
  std::vector<ReservedRange> reserved = {{kMiB, kMiB, "the log"}};
  std::vector<Note> notes;
  const Bat bat(table, "big.avhdx", 2 * kMiB, l, file_size, reserved, notes);
  EXPECT_EQ(bat.payload_pages(), l.payload_blocks / 4096);  // 8192
  EXPECT_EQ(bat.payload_pages_held(), 3u);
  EXPECT_EQ(bat.payload(5000).file_offset, 4 * kMiB + 16384 * kMiB + 2 * kMiB);
  EXPECT_EQ(bat.payload(5001).state, kPayloadNotPresent);
  EXPECT_EQ(bat.bitmap(16383).file_offset, 4 * kMiB + 16383 * kMiB);
  EXPECT_EQ(bat.entry(l.payload_index(l.payload_blocks - 1)).file_offset, 4 * kMiB + 16384 * kMiB + 4 * kMiB);
  EXPECT_EQ(bat.stats().payload.at("fully_present"), 3u);
  EXPECT_EQ(bat.stats().sector_bitmap.at("present"), 16384u);
}

TEST(VhdxBat, EntryErrors) {
  auto dyn = [] { return BatFixture(compute_bat_layout(8 * kMiB, kMiB, 512, false)); };
  {
    BatFixture f = dyn();
    f.set(1, 4 * kMiB | 0x10 | 6);
    EXPECT_EQ(f.error(), "t.vhdx: BAT entry 1 @0x200008: reserved bits 3-19 are not zero (entry 0x0000000000400016)");
  }
  {
    BatFixture f = dyn();
    f.set(2, 4);
    EXPECT_EQ(f.error(), "t.vhdx: BAT entry 2 @0x200010: payload state 4 is reserved");
  }
  {
    BatFixture f = dyn();
    f.set(0, 4 * kMiB | 7);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 0 @0x200000: payload state 7 (partially present) is only valid in a differencing disk");
  }
  {
    BatFixture f = dyn();
    f.set(0, 6);
    EXPECT_EQ(f.error(), "t.vhdx: BAT entry 0 @0x200000: file offset 0x0 lies inside the 1 MiB header section");
  }
  {
    BatFixture f = dyn();
    f.set(0, 15 * kMiB | 6);
    EXPECT_EQ(f.error(15 * kMiB + 4096),
              "t.vhdx: BAT entry 0 @0x200000: block 0xf00000+0x100000 extends past the end of the file (0xf01000 "
              "bytes)");
  }
  {
    BatFixture f = dyn();
    f.set(0, 3 * kMiB | 6);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 0 @0x200000: block 0x300000+0x100000 overlaps the metadata region (0x300000+0x100000)");
  }
  {
    BatFixture f = dyn();
    f.set(0, 7 * kMiB | 6);
    f.set(5, 7 * kMiB | 6);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 5 @0x200028: block 0x700000+0x100000 overlaps the block of BAT entry 0 "
              "(0x700000+0x100000)");
  }
}

TEST(VhdxBat, SectorBitmapRules) {
  // 8 MiB with 4 MiB blocks, 512-byte sectors: CR 1024, 2 payload blocks, SB entry at index 1024.
  const BatLayout diff = compute_bat_layout(8 * kMiB, 4 * kMiB, 512, true);
  ASSERT_EQ(diff.total_entries, 1025u);
  {
    BatFixture f(diff);
    f.set(0, 4 * kMiB | 7);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 0 @0x200000: payload state 7 (partially present) needs the sector bitmap of chunk 0 "
              "(BAT entry 1024) to be present, but its state is 0");
  }
  {
    BatFixture f(diff);
    f.set(0, 4 * kMiB | 7);
    f.set(1, 8 * kMiB | 6);
    f.set(1024, 12 * kMiB | 6);
    Bat bat = f.load();
    EXPECT_EQ(bat.stats().payload.at("partially_present"), 1u);
    EXPECT_EQ(bat.stats().payload.at("fully_present"), 1u);
    EXPECT_EQ(bat.stats().sector_bitmap.at("present"), 1u);
    EXPECT_EQ(bat.stats().allocated_bytes, 9 * kMiB);
    EXPECT_DOUBLE_EQ(bat.stats().fragmentation_percent, 0.0);  // 4 MiB block at 4 MiB, next at 8 MiB
    EXPECT_EQ(bat.bitmap(0).file_offset, 12 * kMiB);
  }
  {
    BatFixture f(diff);
    f.set(1024, 12 * kMiB | 3);
    EXPECT_EQ(f.error(), "t.vhdx: BAT entry 1024 @0x202000: sector bitmap state 3 is reserved (must be 0 or 6)");
  }
  {
    BatFixture f(diff);
    f.set(1024, 12 * kMiB | 6);
    f.set(1, 12 * kMiB | 6);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 1024 @0x202000: block 0xc00000+0x100000 overlaps the block of BAT entry 1 "
              "(0xc00000+0x400000)");
  }
  {
    // A dynamic disk whose table reaches a sector-bitmap slot (2 chunks of payload).
    BatFixture f(compute_bat_layout(8 * kGiB, 256 * kMiB, 512, false));
    ASSERT_EQ(f.layout.chunk_ratio, 16u);
    f.set(16, 4 * kMiB | 6);
    EXPECT_EQ(f.error(),
              "t.vhdx: BAT entry 16 @0x200080: sector bitmap state 6 (present) is only valid in a differencing disk");
  }
}

}  // namespace
}  // namespace vhdchain::vhdx
