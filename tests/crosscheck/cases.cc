// The crosscheck corpus: each case exercises one family of read rules, small enough that the
// whole set builds and reads in seconds. Seeds are fixed, so the manifest is reproducible.
//
// Sector ranges in VHD children end on a multiple of 8 sectors unless a case is about libvhdi's
// unmasked bit test (docs/peers.md 5): only then does a present sector share its bitmap byte with
// later absent ones, which is what that bug misreads.
#include "crosscheck/cases.h"

namespace vhdchain::test {
namespace {

ImageSpec image(Format format, DiskType type, uint64_t size, uint32_t block_size, uint64_t seed) {
  ImageSpec s;
  s.format = format;
  s.type = type;
  s.virtual_size = size;
  s.block_size = block_size;
  s.seed = seed;
  return s;
}

ImageSpec child_of(Format format, uint32_t block_size, uint64_t seed) {
  return image(format, DiskType::differencing, 0, block_size, seed);
}

void full_blocks(ImageSpec& s, uint64_t first, uint64_t last) {
  for (uint64_t b = first; b <= last; ++b) s.blocks[b] = BlockSpec::full();
}

BlockSpec stale(BlockState state) {
  BlockSpec b = BlockSpec::with_state(state);
  b.stale_allocation = true;
  return b;
}

BlockSpec zero_filled() {
  BlockSpec b = BlockSpec::full();
  b.zero_data = true;
  return b;
}

CrosscheckCase single(std::string name, std::string description, ImageSpec spec, std::string file) {
  CrosscheckCase c{std::move(name), std::move(description), {}, false};
  c.chain.layers = {{std::move(spec), std::move(file)}};
  return c;
}

// --- VHDX -----------------------------------------------------------------------------------

CrosscheckCase vhdx_dynamic_512() {
  // 31.5 MiB: the last 2 MiB block is half outside the disk.
  ImageSpec s = image(Format::vhdx, DiskType::dynamic, 31 * kMiB + 512 * kKiB, 2 * kMiB, 101);
  s.blocks[0] = BlockSpec::full();
  s.blocks[1] = BlockSpec::with_state(BlockState::zero);
  s.blocks[2] = stale(BlockState::unmapped);
  s.blocks[3] = stale(BlockState::undefined);
  s.blocks[4] = BlockSpec::with_state(BlockState::unmapped);
  s.blocks[5] = zero_filled();
  s.blocks[10] = BlockSpec::full(777);
  s.blocks[15] = BlockSpec::full();
  s.vhdx.place_blocks_descending = true;
  return single("vhdx-dynamic-512", "dynamic VHDX, 512-byte sectors, every dynamic block state, blocks stored backwards",
                s, "dynamic.vhdx");
}

CrosscheckCase vhdx_fixed_512() {
  ImageSpec s = image(Format::vhdx, DiskType::fixed, 16 * kMiB, kMiB, 102);
  s.blocks[0] = BlockSpec::full();
  s.blocks[3] = BlockSpec::full();
  s.blocks[15] = BlockSpec::full();
  return single("vhdx-fixed-512", "fixed VHDX, 512-byte sectors, 1 MiB blocks", s, "fixed.vhdx");
}

CrosscheckCase vhdx_dynamic_4k() {
  ImageSpec s = image(Format::vhdx, DiskType::dynamic, 30 * kMiB, kMiB, 103);
  s.vhdx.logical_sector_size = 4096;
  s.blocks[0] = BlockSpec::full();
  s.blocks[2] = BlockSpec::full();
  s.blocks[5] = BlockSpec::with_state(BlockState::zero);
  s.blocks[29] = BlockSpec::full();
  return single("vhdx-dynamic-4k", "dynamic VHDX, 4096-byte logical sectors", s, "dynamic4k.vhdx");
}

CrosscheckCase vhdx_chain3_512() {
  CrosscheckCase c{"vhdx-chain3-512", "3-level VHDX chain, 512-byte sectors, partial blocks, child with 1 MiB blocks",
                   {}, false};
  ImageSpec base = image(Format::vhdx, DiskType::dynamic, 48 * kMiB, 2 * kMiB, 401);
  full_blocks(base, 0, 6);
  base.blocks[20] = BlockSpec::full();
  ImageSpec c1 = child_of(Format::vhdx, 2 * kMiB, 402);
  c1.blocks[1] = BlockSpec::partial({{0, 1}, {7, 9}, {100, 300}, {4000, 96}});
  c1.blocks[2] = BlockSpec::full();
  c1.blocks[3] = BlockSpec::partial({{4095, 1}});
  c1.blocks[5] = BlockSpec::partial({{10, 10}});
  c1.blocks[22] = BlockSpec::full();  // over a block the base never wrote
  ImageSpec c2 = child_of(Format::vhdx, kMiB, 403);
  c2.blocks[2] = BlockSpec::partial({{0, 8}, {2040, 8}});
  c2.blocks[3] = BlockSpec::full();
  c2.blocks[6] = BlockSpec::partial({{1, 1}});
  c2.blocks[11] = BlockSpec::partial({{2047, 1}});  // 1 MiB block 11 = second half of c1's block 5
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child1.avhdx"}, {c2, "child2.avhdx"}};
  return c;
}

CrosscheckCase vhdx_chain3_4k() {
  CrosscheckCase c{"vhdx-chain3-4k", "3-level VHDX chain, 4096-byte logical sectors, partial blocks", {}, false};
  ImageSpec base = image(Format::vhdx, DiskType::dynamic, 32 * kMiB, 2 * kMiB, 501);
  base.vhdx.logical_sector_size = 4096;
  full_blocks(base, 0, 5);
  base.blocks[10] = BlockSpec::full();
  ImageSpec c1 = child_of(Format::vhdx, 2 * kMiB, 502);
  c1.blocks[1] = BlockSpec::partial({{0, 1}, {3, 5}, {511, 1}});
  c1.blocks[4] = BlockSpec::full();
  c1.blocks[13] = BlockSpec::partial({{100, 12}});
  ImageSpec c2 = child_of(Format::vhdx, 2 * kMiB, 503);
  c2.blocks[1] = BlockSpec::partial({{2, 2}});
  c2.blocks[4] = BlockSpec::partial({{0, 256}});
  c2.blocks[12] = BlockSpec::full();
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child1.avhdx"}, {c2, "child2.avhdx"}};
  return c;
}

CrosscheckCase vhdx_fixed_base_chain() {
  CrosscheckCase c{"vhdx-chain3-fixed-base", "fixed VHDX base with two differencing children", {}, false};
  ImageSpec base = image(Format::vhdx, DiskType::fixed, 16 * kMiB, kMiB, 601);
  full_blocks(base, 0, 9);
  ImageSpec c1 = child_of(Format::vhdx, kMiB, 602);
  c1.blocks[0] = BlockSpec::partial({{0, 4}, {1000, 48}});
  c1.blocks[7] = BlockSpec::full();
  ImageSpec c2 = child_of(Format::vhdx, kMiB, 603);
  c2.blocks[0] = BlockSpec::partial({{2, 4}});
  c2.blocks[8] = BlockSpec::partial({{0, 2048}});  // all bits set, still PARTIALLY_PRESENT
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child1.avhdx"}, {c2, "child2.avhdx"}};
  return c;
}

CrosscheckCase vhdx_child_zero_unmapped() {
  CrosscheckCase c{"vhdx-child-zero-unmapped",
                   "VHDX child with ZERO, UNMAPPED and UNDEFINED blocks over a full parent (they read as zeros)", {},
                   false};
  ImageSpec base = image(Format::vhdx, DiskType::dynamic, 8 * kMiB, kMiB, 701);
  full_blocks(base, 0, 7);
  ImageSpec c1 = child_of(Format::vhdx, kMiB, 702);
  c1.blocks[1] = BlockSpec::with_state(BlockState::zero);
  c1.blocks[2] = stale(BlockState::unmapped);
  c1.blocks[3] = stale(BlockState::undefined);
  c1.blocks[4] = BlockSpec::with_state(BlockState::unmapped);
  c1.blocks[5] = BlockSpec::partial({{0, 16}});  // gives the chunk a sector-bitmap block
  c1.blocks[6] = BlockSpec::full();
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child.avhdx"}};
  return c;
}

CrosscheckCase vhdx_child_without_bitmap() {
  CrosscheckCase c{"vhdx-child-no-bitmap",
                   "VHDX child without a sector-bitmap block: FULLY_PRESENT, ZERO and NOT_PRESENT blocks only", {},
                   false};
  ImageSpec base = image(Format::vhdx, DiskType::dynamic, 8 * kMiB, kMiB, 801);
  full_blocks(base, 0, 7);
  ImageSpec c1 = child_of(Format::vhdx, kMiB, 802);
  // A long creator puts set bits into the "bitmap" libvhdi reads from file offset 0 for blocks 0
  // and 1, so its reading of raw file bytes for those sectors shows (docs/peers.md 5).
  c1.vhdx.creator = std::string(250, 'g');
  c1.blocks[1] = BlockSpec::with_state(BlockState::zero);
  c1.blocks[2] = BlockSpec::full();
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child.avhdx"}};
  return c;
}

CrosscheckCase vhdx_pending_log() {
  ImageSpec s = image(Format::vhdx, DiskType::dynamic, 32 * kMiB, kMiB, 901);
  full_blocks(s, 0, 3);
  s.blocks[8] = BlockSpec::full();
  s.blocks[9] = zero_filled();
  VhdxLogSpec log;
  log.log_guid = guid_from_seed(901, 0x10);
  log.pending_blocks = {{2, BlockState::not_present}, {3, BlockState::zero}};
  log.virtual_size_before = 24 * kMiB;
  log.zeroed_blocks = {9};
  log.first_entry_offset = static_cast<uint32_t>(kMiB - 4 * kKiB);  // the active sequence wraps
  log.entry_count = 2;
  log.stale_entries = {{StaleLogEntry::Kind::other_guid, {}},
                       {StaleLogEntry::Kind::older_sequence, {}},
                       {StaleLogEntry::Kind::bad_checksum, {}}};
  s.vhdx.log = log;
  return single("vhdx-log-pending",
                "dynamic VHDX whose pending log adds two BAT entries, grows the disk from 24 to 32 MiB and zeroes a "
                "block; wraps; stale entries after it",
                s, "pending-log.vhdx");
}

CrosscheckCase vhdx_multichunk() {
  CrosscheckCase c{"vhdx-multichunk", "VHDX chain past 4 GiB: sector bitmaps and BAT interleave of two chunks", {},
                   true};
  ImageSpec base = image(Format::vhdx, DiskType::dynamic, 4 * kGiB + 64 * kMiB, 32 * kMiB, 1001);
  base.blocks[0] = BlockSpec::full();
  base.blocks[127] = BlockSpec::full();
  base.blocks[128] = BlockSpec::full();
  ImageSpec c1 = child_of(Format::vhdx, 32 * kMiB, 1002);
  c1.blocks[0] = BlockSpec::partial({{5, 11}});
  c1.blocks[127] = BlockSpec::partial({{65535, 1}});
  c1.blocks[128] = BlockSpec::partial({{0, 8}, {32768, 8}});
  c1.blocks[129] = BlockSpec::full();
  c.chain.layers = {{base, "base.vhdx"}, {c1, "child.avhdx"}};
  return c;
}

// --- VHD ------------------------------------------------------------------------------------

CrosscheckCase vhd_fixed() {
  ImageSpec s = image(Format::vhd, DiskType::fixed, 16 * kMiB - 1536, 2 * kMiB, 1101);
  s.blocks[0] = BlockSpec::full();
  s.blocks[3] = BlockSpec::partial({{3, 5}, {100, 1}});  // content only: fixed disks have no bitmap
  s.blocks[7] = BlockSpec::full();                       // the last block ends 1536 bytes early
  return single("vhd-fixed", "fixed VHD whose size is not a block multiple", s, "fixed.vhd");
}

CrosscheckCase vhd_dynamic() {
  ImageSpec s = image(Format::vhd, DiskType::dynamic, 20 * kMiB + 1536, 2 * kMiB, 1201);
  s.blocks[0] = BlockSpec::full();
  s.blocks[1] = BlockSpec::partial({{0, 8}, {16, 8}});
  s.blocks[4] = zero_filled();
  s.blocks[5] = BlockSpec::partial({{4, 4}});
  s.blocks[10] = BlockSpec::full();  // 3 sectors inside the disk
  return single("vhd-dynamic", "dynamic VHD: full, partial and zero-filled blocks, size not a block multiple", s,
                "dynamic.vhd");
}

CrosscheckCase vhd_chain3() {
  CrosscheckCase c{"vhd-chain3", "3-level VHD chain, 512 KiB blocks, partial blocks", {}, false};
  ImageSpec base = image(Format::vhd, DiskType::dynamic, 24 * kMiB, 512 * kKiB, 1301);
  full_blocks(base, 0, 6);
  base.blocks[30] = BlockSpec::full();
  ImageSpec c1 = child_of(Format::vhd, 512 * kKiB, 1302);
  c1.blocks[0] = BlockSpec::partial({{0, 8}, {64, 64}, {1000, 24}});
  c1.blocks[5] = BlockSpec::full();
  c1.blocks[40] = BlockSpec::partial({{8, 8}});  // over a block the base never wrote
  ImageSpec c2 = child_of(Format::vhd, 512 * kKiB, 1303);
  c2.blocks[0] = BlockSpec::partial({{3, 5}});
  c2.blocks[2] = BlockSpec::full();
  c2.blocks[5] = BlockSpec::partial({{1016, 8}});
  c.chain.layers = {{base, "base.vhd"}, {c1, "child1.avhd"}, {c2, "child2.avhd"}};
  return c;
}

CrosscheckCase vhd_single_sector() {
  CrosscheckCase c{"vhd-single-sector", "VHD child with single-sector writes inside bitmap bytes", {}, false};
  ImageSpec base = image(Format::vhd, DiskType::dynamic, 8 * kMiB, 2 * kMiB, 1401);
  full_blocks(base, 0, 3);
  ImageSpec c1 = child_of(Format::vhd, 2 * kMiB, 1402);
  c1.blocks[0] = BlockSpec::partial({{9, 1}});
  c1.blocks[1] = BlockSpec::partial({{100, 1}, {200, 3}});
  c1.blocks[2] = BlockSpec::partial({{0, 1}});
  c.chain.layers = {{base, "base.vhd"}, {c1, "child.avhd"}};
  return c;
}

CrosscheckCase vhd_fixed_base_chain() {
  CrosscheckCase c{"vhd-chain3-fixed-base", "fixed VHD base with two differencing children", {}, false};
  ImageSpec base = image(Format::vhd, DiskType::fixed, 8 * kMiB, 2 * kMiB, 1501);
  full_blocks(base, 0, 3);
  ImageSpec c1 = child_of(Format::vhd, 2 * kMiB, 1502);
  c1.blocks[1] = BlockSpec::partial({{0, 16}, {4088, 8}});
  c1.blocks[3] = BlockSpec::full();
  ImageSpec c2 = child_of(Format::vhd, 2 * kMiB, 1503);
  c2.blocks[1] = BlockSpec::partial({{8, 8}});
  c.chain.layers = {{base, "base.vhd"}, {c1, "child1.avhd"}, {c2, "child2.avhd"}};
  return c;
}

}  // namespace

std::vector<CrosscheckCase> crosscheck_cases() {
  return {vhdx_dynamic_512(),      vhdx_fixed_512(),         vhdx_dynamic_4k(),      vhdx_chain3_512(),
          vhdx_chain3_4k(),        vhdx_fixed_base_chain(),  vhdx_child_zero_unmapped(),
          vhdx_child_without_bitmap(), vhdx_pending_log(),   vhdx_multichunk(),      vhd_fixed(),
          vhd_dynamic(),           vhd_chain3(),             vhd_single_sector(),    vhd_fixed_base_chain()};
}

}  // namespace vhdchain::test
