// create_disk for VHDX: every structure at Hyper-V's place with exactly the expected bytes, for
// each kind and both logical sector sizes, and what the project's reader makes of the result.
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "vhdchain/write.h"
#include "vhdx/layout.h"
#include "write/create_vhdx_layout.h"

namespace vhdchain {
namespace {

using test::TempDir;

std::vector<uint8_t> read_bytes(const std::filesystem::path& path, uint64_t offset, size_t length) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<uint8_t> out(length);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(length));
  EXPECT_EQ(static_cast<size_t>(in.gcount()), length) << path << " @" << offset;
  return out;
}

uint64_t le(const std::vector<uint8_t>& b, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t(b[at + i]) << (8 * i);
  return v;
}

std::vector<uint8_t> guid_bytes(std::string_view text) {
  const Guid g = *Guid::parse(text);
  return {g.bytes.begin(), g.bytes.end()};
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& b, size_t at, size_t length) {
  return {b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + length)};
}

struct Kind {
  DiskType type;
  uint32_t logical;
};

class CreateVhdxStructure : public ::testing::TestWithParam<Kind> {};

TEST_P(CreateVhdxStructure, EveryStructureAtHyperVsPlace) {
  const Kind kind = GetParam();
  TempDir dir;
  const std::filesystem::path path = dir / (kind.type == DiskType::differencing ? "child.avhdx" : "disk.vhdx");
  std::optional<ImageInfo> parent;
  CreateOptions o;
  o.type = kind.type;
  o.logical_sector_size = kind.logical;
  if (kind.type == DiskType::differencing) {
    CreateOptions base;
    base.virtual_size = 100 * kMiB;
    base.logical_sector_size = kind.logical;
    parent = create_disk((dir / "base.vhdx").string(), base).info;
    o.parent = (dir / "base.vhdx").string();
    o.logical_sector_size = 0;  // from the parent
  } else {
    o.virtual_size = 100 * kMiB;
  }
  const ImageInfo info = create_disk(path.string(), o).info;
  const bool child = kind.type == DiskType::differencing;
  const uint32_t block = child ? 2 * kMiB : 32 * kMiB;
  // Fixed: 4 payload blocks; differencing: one (zeroed) sector bitmap block for its one chunk.
  const uint64_t file_size = 4 * kMiB + (kind.type == DiskType::fixed ? 4 * 32 * kMiB : child ? kMiB : 0);

  // What the reader sees.
  EXPECT_EQ(info.format, DiskFormat::vhdx);
  EXPECT_EQ(info.type, kind.type);
  EXPECT_EQ(info.virtual_size, 100 * kMiB);
  EXPECT_EQ(info.block_size, block);
  EXPECT_EQ(info.logical_sector_size, kind.logical);
  EXPECT_EQ(info.physical_sector_size, 4096u);
  EXPECT_EQ(info.file_size, file_size);
  EXPECT_EQ(info.creator, "vhdchain");
  EXPECT_EQ(info.header_sequence, 2u);
  EXPECT_EQ(info.current_header, 2);
  EXPECT_EQ(info.leave_blocks_allocated, kind.type == DiskType::fixed);
  EXPECT_FALSE(info.log.pending);
  EXPECT_TRUE(info.notes.empty()) << info.notes.front().code;
  EXPECT_EQ(std::filesystem::file_size(path), file_size);

  // File identifier: signature, creator in UTF-16LE, zeros after it.
  const std::vector<uint8_t> head = read_bytes(path, 0, 4 * kMiB);
  const std::vector<uint8_t> creator = {'v', 0, 'h', 0, 'd', 0, 'c', 0, 'h', 0, 'a', 0, 'i', 0, 'n', 0, 0, 0};
  EXPECT_EQ(slice(head, 0, 8), (std::vector<uint8_t>{'v', 'h', 'd', 'x', 'f', 'i', 'l', 'e'}));
  EXPECT_EQ(slice(head, 8, creator.size()), creator);

  // Headers: sequence 1 and 2, same GUIDs, LogGuid zero, log 1 MiB at 1 MiB, version 1.
  for (int h = 0; h < 2; ++h) {
    const size_t at = vhdx::kHeaderOffsets[h];
    EXPECT_EQ(slice(head, at, 4), (std::vector<uint8_t>{'h', 'e', 'a', 'd'}));
    EXPECT_EQ(le(head, at + 8, 8), uint64_t(h + 1));
    EXPECT_EQ(slice(head, at + 16, 16), (std::vector<uint8_t>(info.file_write_guid->bytes.begin(), info.file_write_guid->bytes.end())));
    EXPECT_EQ(slice(head, at + 32, 16), (std::vector<uint8_t>(info.data_write_guid->bytes.begin(), info.data_write_guid->bytes.end())));
    EXPECT_EQ(slice(head, at + 48, 16), std::vector<uint8_t>(16, 0));
    EXPECT_EQ(le(head, at + 64, 2), 0u);
    EXPECT_EQ(le(head, at + 66, 2), 1u);
    EXPECT_EQ(le(head, at + 68, 4), kMiB);
    EXPECT_EQ(le(head, at + 72, 8), kMiB);
  }
  EXPECT_NE(*info.file_write_guid, *info.data_write_guid);

  // Region tables: identical, BAT (3 MiB) then metadata (2 MiB), both required.
  EXPECT_EQ(slice(head, 0x30000, 0x10000), slice(head, 0x40000, 0x10000));
  EXPECT_EQ(slice(head, 0x30000, 4), (std::vector<uint8_t>{'r', 'e', 'g', 'i'}));
  EXPECT_EQ(le(head, 0x30008, 4), 2u);
  EXPECT_EQ(slice(head, 0x30010, 16), guid_bytes(vhdx::kBatRegionGuid));
  EXPECT_EQ(le(head, 0x30020, 8), 3 * kMiB);
  EXPECT_EQ(le(head, 0x30028, 4), kMiB);
  EXPECT_EQ(le(head, 0x3002C, 4), 1u);
  EXPECT_EQ(slice(head, 0x30030, 16), guid_bytes(vhdx::kMetadataRegionGuid));
  EXPECT_EQ(le(head, 0x30040, 8), 2 * kMiB);
  EXPECT_EQ(le(head, 0x30048, 4), kMiB);
  EXPECT_EQ(le(head, 0x3004C, 4), 1u);

  // Metadata: the items packed from 64 KiB in Hyper-V's order, with Hyper-V's flags.
  const size_t m = 2 * kMiB;
  EXPECT_EQ(slice(head, m, 8), (std::vector<uint8_t>{'m', 'e', 't', 'a', 'd', 'a', 't', 'a'}));
  EXPECT_EQ(le(head, m + 10, 2), child ? 6u : 5u);
  struct Entry {
    std::string_view guid;
    uint32_t offset, length, flags;
  };
  std::vector<Entry> entries = {{vhdx::kFileParametersGuid, 0x10000, 8, 4},
                                {vhdx::kVirtualDiskSizeGuid, 0x10008, 8, 6},
                                {vhdx::kLogicalSectorSizeGuid, 0x10010, 4, 6},
                                {vhdx::kPhysicalSectorSizeGuid, 0x10014, 4, 6},
                                {vhdx::kVirtualDiskIdGuid, 0x10018, 16, 6}};
  // 20-byte header, 3 entries of 12, then 129 UTF-16 characters of keys and values.
  if (child) entries.push_back({vhdx::kParentLocatorGuid, 0x10028, 20 + 3 * 12 + 129 * 2, 4});
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t e = m + 32 + 32 * i;
    EXPECT_EQ(slice(head, e, 16), guid_bytes(entries[i].guid)) << i;
    EXPECT_EQ(le(head, e + 16, 4), entries[i].offset) << i;
    EXPECT_EQ(le(head, e + 20, 4), entries[i].length) << i;
    EXPECT_EQ(le(head, e + 24, 4), entries[i].flags) << i;
  }
  const uint32_t parameter_flags = kind.type == DiskType::fixed ? 1 : child ? 2 : 0;
  EXPECT_EQ(le(head, m + 0x10000, 4), block);
  EXPECT_EQ(le(head, m + 0x10004, 4), parameter_flags);
  EXPECT_EQ(le(head, m + 0x10008, 8), 100 * kMiB);
  EXPECT_EQ(le(head, m + 0x10010, 4), kind.logical);
  EXPECT_EQ(le(head, m + 0x10014, 4), 4096u);
  EXPECT_EQ(slice(head, m + 0x10018, 16),
            (std::vector<uint8_t>(info.virtual_disk_id->bytes.begin(), info.virtual_disk_id->bytes.end())));

  // BAT: a fixed disk's blocks contiguous after the BAT, FULLY_PRESENT; nothing else allocated.
  for (uint64_t i = 0; i < 8; ++i) {
    const uint64_t want = kind.type == DiskType::fixed && i < 4 ? (4 * kMiB + i * 32 * kMiB) | 6 : 0;
    EXPECT_EQ(le(head, 3 * kMiB + i * 8, 8), want) << "BAT entry " << i;
  }
  // The chunk's sector bitmap entry: PRESENT at 4 MiB (all zero: every sector from the parent)
  // for a child, NOT_PRESENT otherwise.
  const uint64_t chunk_ratio = (uint64_t(1) << 23) * kind.logical / block;
  EXPECT_EQ(le(read_bytes(path, 3 * kMiB + chunk_ratio * 8, 8), 0, 8), child ? (4 * kMiB) | 6 : 0);
  if (child) {
    EXPECT_EQ(read_bytes(path, 4 * kMiB, kMiB), std::vector<uint8_t>(kMiB, 0));
  }

  if (child) {
    // A child copies the parent's Virtual Disk ID and links to its DataWriteGuid (Hyper-V does both).
    EXPECT_EQ(info.virtual_disk_id, parent->virtual_disk_id);
    ASSERT_TRUE(info.parent);
    EXPECT_EQ(info.parent->linkage, *parent->data_write_guid);
    EXPECT_TRUE(info.parent->accepts(*parent->data_write_guid));
    ASSERT_EQ(info.parent->locators.size(), 3u);
    EXPECT_EQ(info.parent->locators[0].key, "parent_linkage");
    EXPECT_EQ(info.parent->locators[0].value, parent->data_write_guid->to_braced_string());
    EXPECT_EQ(info.parent->locators[1].key, "relative_path");
    EXPECT_EQ(info.parent->locators[1].value, ".\\base.vhdx");
    EXPECT_EQ(info.parent->locators[2].key, "parent_linkage2");
    EXPECT_EQ(info.parent->locators[2].value, "{00000000-0000-0000-0000-000000000000}");
    EXPECT_EQ(info.parent->linkage2, Guid{});
  } else {
    EXPECT_FALSE(info.parent);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, CreateVhdxStructure,
                         ::testing::Values(Kind{DiskType::fixed, 512}, Kind{DiskType::fixed, 4096},
                                           Kind{DiskType::dynamic, 512}, Kind{DiskType::dynamic, 4096},
                                           Kind{DiskType::differencing, 512}, Kind{DiskType::differencing, 4096}),
                         [](const auto& p) {
                           return std::string(to_string(p.param.type)) + "_" + std::to_string(p.param.logical);
                         });

// A fixed disk larger than one chunk: the sector bitmap entry sits between the chunks' payload
// entries and the payload continues after it (MS-VHDX 2.5 interleaving).
TEST(CreateVhdxLayout, FixedDiskInterleavesSectorBitmapEntries) {
  write::VhdxCreateSpec spec;
  spec.type = DiskType::fixed;
  spec.virtual_size = 4 * kGiB + 3 * kMiB;
  spec.block_size = kMiB;
  const write::VhdxCreateLayout l = write::plan_vhdx_layout(spec);
  EXPECT_EQ(l.chunk_ratio, 4096u);
  EXPECT_EQ(l.payload_blocks, 4099u);
  EXPECT_EQ(l.bat_entries, 4099u + 1);
  EXPECT_EQ(l.bat_length, kMiB);
  EXPECT_EQ(l.payload_offset, 4 * kMiB);
  EXPECT_EQ(l.file_size, 4 * kMiB + 4099 * kMiB);
  EXPECT_EQ(write::new_bat_entry(spec, l, 0), 4 * kMiB | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 4095), (4 * kMiB + 4095 * kMiB) | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 4096), 0u);  // chunk 0's sector bitmap
  EXPECT_EQ(write::new_bat_entry(spec, l, 4097), (4 * kMiB + 4096 * kMiB) | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 4099), (4 * kMiB + 4098 * kMiB) | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 4100), 0u);  // past the last block
}

// A differencing disk has a zeroed sector bitmap block for every chunk, after the BAT.
TEST(CreateVhdxLayout, ChildHasASectorBitmapBlockPerChunk) {
  write::VhdxCreateSpec spec;
  spec.type = DiskType::differencing;
  spec.virtual_size = 9 * kGiB;
  spec.block_size = 2 * kMiB;
  const write::VhdxCreateLayout l = write::plan_vhdx_layout(spec);
  EXPECT_EQ(l.chunk_ratio, 2048u);
  EXPECT_EQ(l.bat_entries, 3u * 2049);
  EXPECT_EQ(l.bitmap_offset, 4 * kMiB);
  EXPECT_EQ(l.bitmap_blocks, 3u);
  EXPECT_EQ(l.file_size, 7 * kMiB);
  EXPECT_EQ(write::new_bat_entry(spec, l, 0), 0u);
  EXPECT_EQ(write::new_bat_entry(spec, l, 2047), 0u);
  EXPECT_EQ(write::new_bat_entry(spec, l, 2048), 4 * kMiB | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 2049 + 2048), 5 * kMiB | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 2 * 2049 + 2048), 6 * kMiB | 6);
  EXPECT_EQ(write::new_bat_entry(spec, l, 2 * 2049 + 2047), 0u);
}

// The BAT region has room for the differencing entry count in every type, rounded to 1 MiB.
TEST(CreateVhdxLayout, BatRegionSizedForDifferencingCount) {
  write::VhdxCreateSpec spec;
  spec.type = DiskType::dynamic;
  spec.virtual_size = 64 * kTiB;
  spec.block_size = kMiB;
  const write::VhdxCreateLayout l = write::plan_vhdx_layout(spec);
  // 64 Mi blocks, 16384 chunks of 4096 + 1 entries: 536 870 912 + 131 072 bytes -> 513 MiB.
  EXPECT_EQ(l.bat_entries, 64 * kMiB + (64 * kMiB - 1) / 4096);
  EXPECT_EQ(l.bat_length, 513 * kMiB);
  EXPECT_EQ(l.file_size, 3 * kMiB + 513 * kMiB);
}

// A 64 TiB fixed disk is planned without writing its payload (the hole reads as zeros); here
// only the plan, a real one would need 64 TiB of apparent size.
TEST(CreateVhdxLayout, LargestFixedDiskPlan) {
  CreateOptions o;
  o.type = DiskType::fixed;
  o.virtual_size = 64 * kTiB;
  TempDir dir;
  const CreatePlan plan = plan_create((dir / "big.vhdx").string(), o);
  EXPECT_EQ(plan.block_size, 32 * kMiB);
  // 2 Mi blocks, 16384 chunks of 128 + 1 entries: 16.1 MiB of BAT -> 17 MiB, payload from 20 MiB.
  EXPECT_EQ(plan.file_size, 20 * kMiB + 64 * kTiB);
  EXPECT_FALSE(std::filesystem::exists(dir / "big.vhdx"));
}

}  // namespace
}  // namespace vhdchain
