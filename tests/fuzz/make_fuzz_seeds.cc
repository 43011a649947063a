// Writes the committed seed corpus (tests/fuzz/corpus/<target>/seed-*) from synthetic builder
// images, so the seeds can be regenerated whenever the builder or an input encoding changes:
//
//   ./build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// Seeds use the sparse encoding of sparse_input.h, written straight from the builder's SparseFile
// pages (only non-zero 4 KiB pages are kept, like make_seed.py does for image files). Payload blocks
// are cut to their first 4 KiB of data: the fuzzer needs the structures, not megabytes of pattern,
// and each seed stays a few KiB. Files named crash-* in the corpus are regression inputs and are
// never touched here.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/utf16.h"
#include "support/byte_put.h"
#include "support/image_builder.h"

namespace vhdchain::test {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxChunk = 15 * kPage;  // whole pages within the sparse encoding's u16 length

void append_le(std::vector<uint8_t>& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

bool all_zero(const std::vector<uint8_t>& v) {
  for (uint8_t b : v)
    if (b) return false;
  return true;
}

// The bytes [from, from + length) of `file` as one sparse image: u64 size, then (u64 offset,
// u16 length, bytes) for each run of non-zero pages, offsets relative to `from`. With trim_tails,
// each run leaves out its trailing zero bytes (headers fill a few hundred bytes of their page).
std::vector<uint8_t> encode_sparse(const SparseFile& file, uint64_t from, uint64_t length, bool trim_tails = false) {
  std::vector<uint8_t> out;
  append_le(out, length, 8);
  std::vector<uint64_t> pages;  // non-zero 4 KiB pages inside the range, ascending
  for (uint64_t page : file.page_offsets())
    for (uint64_t p = page; p < page + SparseFile::kPageSize && p < file.size(); p += kPage)
      if (p >= from && p < from + length && !all_zero(file.read(p, std::min(kPage, file.size() - p))))
        pages.push_back(p);
  for (size_t i = 0; i < pages.size();) {
    size_t j = i + 1;
    while (j < pages.size() && pages[j] == pages[j - 1] + kPage && (j - i + 1) * kPage <= kMaxChunk) ++j;
    const uint64_t end = std::min<uint64_t>({pages[j - 1] + kPage, file.size(), from + length});
    std::vector<uint8_t> bytes = file.read(pages[i], end - pages[i]);
    if (trim_tails)
      while (bytes.back() == 0) bytes.pop_back();  // the run's last page is not all zero
    append_le(out, pages[i] - from, 8);
    append_le(out, bytes.size(), 2);
    out.insert(out.end(), bytes.begin(), bytes.end());
    i = j;
  }
  return out;
}

// Keeps the first 4 KiB of every payload block (VHDX "block N", VHD "block N data", the blocks of
// a fixed VHD's data area).
void trim_blocks(BuiltImage& img) {
  if (img.spec.format == Format::vhd && img.spec.type == DiskType::fixed) {
    for (const auto& [b, block] : img.spec.blocks) {
      const uint64_t start = b * img.spec.block_size + kPage;
      const uint64_t end = std::min<uint64_t>((b + 1) * img.spec.block_size, img.spec.virtual_size);
      if (start < end) img.file.zero(start, end - start);
    }
    return;
  }
  for (const auto& [name, entry] : img.layout.entries()) {
    const bool vhdx_block = img.spec.format == Format::vhdx && name.rfind("block ", 0) == 0;
    const bool vhd_block = img.spec.format == Format::vhd && name.size() > 5 && name.ends_with(" data");
    if ((vhdx_block || vhd_block) && entry.extent.length > kPage)
      img.file.zero(entry.extent.offset + kPage, entry.extent.length - kPage);
  }
}

std::vector<uint8_t> image_seed(BuiltImage img, bool trim_tails = false) {
  trim_blocks(img);
  return encode_sparse(img.file, 0, img.file.size(), trim_tails);
}

void write_seed(const std::filesystem::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  std::printf("%s/seed-%s: %zu bytes\n", dir.string().c_str(), name.c_str(), bytes.size());
}

// ---- vhdx_open --------------------------------------------------------------------------------

ImageSpec vhdx_dynamic(uint32_t logical_sector_size) {
  ImageSpec s;
  s.virtual_size = 16 * kMiB;
  s.block_size = 2 * kMiB;
  s.vhdx.logical_sector_size = logical_sector_size;
  s.blocks[0] = BlockSpec::full();
  s.blocks[2] = BlockSpec::with_state(BlockState::zero);
  s.blocks[3] = BlockSpec::with_state(BlockState::unmapped);
  s.blocks[4] = BlockSpec::with_state(BlockState::undefined);
  s.blocks[4].stale_allocation = true;
  s.blocks[6] = BlockSpec::full();
  return s;
}

BuiltImage vhdx_differencing() {
  ImageSpec base;
  base.virtual_size = 16 * kMiB;
  base.block_size = kMiB;
  ImageSpec child;
  child.virtual_size = 0;
  child.block_size = kMiB;
  child.seed = 2;
  child.blocks[0] = BlockSpec::partial({{0, 8}, {100, 1}, {2040, 8}});
  child.blocks[1] = BlockSpec::full();
  child.blocks[3] = BlockSpec::with_state(BlockState::zero);
  child.blocks[5] = BlockSpec::partial({{1, 1}});
  child.blocks[9] = BlockSpec::with_state(BlockState::unmapped);
  return build_chain({{{base, "base.vhdx"}, {child, "base_1.avhdx"}}}).layers[1];
}

ImageSpec vhdx_pending_log() {
  ImageSpec s;
  s.virtual_size = 16 * kMiB;
  s.block_size = kMiB;
  s.blocks[0] = BlockSpec::full();
  s.blocks[1] = BlockSpec::full();
  s.blocks[1].zero_data = true;
  s.blocks[2] = BlockSpec::full();
  VhdxLogSpec log;
  log.log_guid = guid_from_seed(0x6c6f67, 1);
  log.pending_blocks[2] = BlockState::not_present;
  log.virtual_size_before = 8 * kMiB;
  log.zeroed_blocks = {1};
  log.first_entry_offset = kMiB - 4 * 4096;  // the sequence wraps around the end of the ring
  log.entry_count = 3;
  for (auto kind : {StaleLogEntry::Kind::other_guid, StaleLogEntry::Kind::older_sequence,
                    StaleLogEntry::Kind::bad_checksum}) {
    StaleLogEntry stale;
    stale.kind = kind;
    log.stale_entries.push_back(stale);
  }
  s.vhdx.log = log;
  return s;
}

void vhdx_open_seeds(const std::filesystem::path& dir) {
  write_seed(dir, "dynamic-512", image_seed(build_image(vhdx_dynamic(512))));
  write_seed(dir, "dynamic-4096", image_seed(build_image(vhdx_dynamic(4096))));

  ImageSpec fixed;
  fixed.type = DiskType::fixed;
  fixed.virtual_size = 8 * kMiB;
  fixed.block_size = 2 * kMiB;
  fixed.blocks[1] = BlockSpec::full();
  write_seed(dir, "fixed", image_seed(build_image(fixed)));

  write_seed(dir, "differencing-5-keys-partial", image_seed(vhdx_differencing()));
  write_seed(dir, "pending-log-wrap-stale", image_seed(build_image(vhdx_pending_log())));

  ImageSpec equal = vhdx_dynamic(512);
  equal.vhdx.header1_sequence = equal.vhdx.header2_sequence = 9;
  write_seed(dir, "equal-header-sequence", image_seed(build_image(equal)));

  // 256 MiB blocks: chunk ratio 16, so sector-bitmap entries are interleaved with payload entries.
  ImageSpec chunks;
  chunks.virtual_size = 40 * 256 * kMiB;
  chunks.block_size = 256 * kMiB;
  chunks.blocks[0] = BlockSpec::full();
  chunks.blocks[17] = BlockSpec::full();
  chunks.blocks[33] = BlockSpec::with_state(BlockState::zero);
  write_seed(dir, "dynamic-three-chunks", image_seed(build_image(chunks)));
}

// ---- vhd_open ---------------------------------------------------------------------------------

ImageSpec vhd_dynamic() {
  ImageSpec s;
  s.format = Format::vhd;
  s.virtual_size = 240 * 4 * 17 * 512;
  s.block_size = 2 * kMiB;
  s.blocks[0] = BlockSpec::full();
  s.blocks[2] = BlockSpec::partial({{0, 8}, {100, 1}});
  return s;
}

void vhd_open_seeds(const std::filesystem::path& dir) {
  ImageSpec fixed = vhd_dynamic();
  fixed.type = DiskType::fixed;
  write_seed(dir, "fixed", image_seed(build_image(fixed)));
  write_seed(dir, "dynamic", image_seed(build_image(vhd_dynamic())));

  ImageSpec base = vhd_dynamic();
  base.blocks.clear();
  ImageSpec child = vhd_dynamic();
  child.virtual_size = 0;
  child.seed = 2;
  write_seed(dir, "differencing-w2ku-w2ru",
             image_seed(build_chain({{{base, "base.vhd"}, {child, "base_1.avhd"}}}).layers[1]));

  BuiltImage old = build_image(vhd_dynamic());
  old.file.resize(old.file.size() - 1);  // 511-byte footer (before Virtual PC 2004)
  write_seed(dir, "footer-511", image_seed(old));

  // Every locator encoding, one slot with its space given in sectors, small blocks (many entries).
  ImageSpec other = vhd_dynamic();
  other.type = DiskType::differencing;
  other.block_size = 64 * 1024;
  other.blocks = {{0, BlockSpec::full()}, {5, BlockSpec::partial({{3, 2}})}, {40, BlockSpec::full()}};
  other.vhd.parent_unicode_name = "D:\\disks\\parent.vhd";
  other.vhd.locators = {
      {fourcc("Wi2r"), {'.', '\\', 'p', 'a', 'r', 'e', 'n', 't', '.', 'v', 'h', 'd'}, 512, true},
      {fourcc("W2ku"), utf8_to_utf16("D:\\disks\\parent.vhd", Endian::little)},
      {fourcc("MacX"), {'f', 'i', 'l', 'e', ':', '/', '/', '/', 'p', '.', 'v', 'h', 'd'}},
  };
  write_seed(dir, "differencing-wi2r-macx-small-blocks", image_seed(build_image(other)));
}

// ---- log_replay -------------------------------------------------------------------------------

// The log_replay input (log_replay_fuzzer.cc): LogGuid, file size before replay, the log region.
std::vector<uint8_t> log_seed(const ImageSpec& spec) {
  const BuiltImage img = build_image(spec);
  std::vector<uint8_t> out(spec.vhdx.log->log_guid.bytes.begin(), spec.vhdx.log->log_guid.bytes.end());
  append_le(out, img.file.size(), 8);
  const std::vector<uint8_t> region =
      encode_sparse(img.file, img.layout.offset("log"), img.layout.length("log"));
  out.insert(out.end(), region.begin(), region.end());
  return out;
}

void log_replay_seeds(const std::filesystem::path& dir) {
  ImageSpec one;
  one.virtual_size = 8 * kMiB;
  one.block_size = kMiB;
  one.blocks[2] = BlockSpec::full();
  VhdxLogSpec log;
  log.log_guid = guid_from_seed(0x6c6f67, 2);
  log.pending_blocks[2] = BlockState::not_present;
  one.vhdx.log = log;
  write_seed(dir, "one-entry", log_seed(one));

  write_seed(dir, "wrap-stale-entries", log_seed(vhdx_pending_log()));

  // The file was cut before the log was flushed (LastFileOffset lies past its end), and two
  // neighbouring blocks are zeroed by one 2 MiB zero descriptor; two entries.
  ImageSpec cut = one;
  for (uint64_t b : {4, 6, 7}) {
    cut.blocks[b] = BlockSpec::full();
    cut.blocks[b].zero_data = true;
  }
  cut.vhdx.log->zeroed_blocks = {4, 6};
  cut.vhdx.log->file_size_before = 7 * kMiB;
  cut.vhdx.log->entry_count = 2;
  write_seed(dir, "truncated-file-zero-descriptors", log_seed(cut));

  // The bounds of vhdx/log.h (issue 13). Within them: LastFileOffset 32 MiB past the end and a
  // zero descriptor past the old end, where the in-place plan must leave a hole. Past them: a zero
  // descriptor of 0x3fffffff00000000 bytes at the end, and a data descriptor at 1<<50.
  const uint64_t end = build_image(one).file.size();
  ImageSpec grow = one;
  grow.vhdx.log->extra_descriptors = {{true, end + 2 * kMiB, 2 * kMiB, {}}};
  grow.vhdx.log->last_file_offset = end + 32 * kMiB;
  write_seed(dir, "growth-zero-past-end", log_seed(grow));
  ImageSpec unbounded = one;
  unbounded.vhdx.log->extra_descriptors = {{true, end, 0x3fffffff00000000, {}}};
  write_seed(dir, "unbounded-zero-descriptor", log_seed(unbounded));
  ImageSpec far = one;
  far.vhdx.log->extra_descriptors = {{false, uint64_t(1) << 50, 0, std::vector<uint8_t>(4096, 0xab)}};
  far.vhdx.log->last_file_offset = (uint64_t(1) << 50) + kMiB;
  write_seed(dir, "data-descriptor-at-1-pib", log_seed(far));
}

// ---- chain_read -------------------------------------------------------------------------------

// One read operation of the chain_read input (chain_read_fuzzer.cc): op, offset, length.
struct ReadOp {
  uint8_t op;  // 0 read_at, 1 next_extent walk, 2 run_at walk
  uint64_t offset;
  uint32_t length;
};

// The chain_read input: flags, then per image (leaf first) its name and its sparse encoding, each
// length-prefixed, then the read operations.
std::vector<uint8_t> chain_seed(const BuiltChain& chain, const std::vector<size_t>& order, bool direct,
                                const std::vector<ReadOp>& ops) {
  std::vector<uint8_t> out;
  append_le(out, (order.size() - 1) | (direct ? 4u : 0u), 1);
  for (size_t i : order) {
    const std::string& name = chain.file_names[i];
    append_le(out, name.size(), 1);
    out.insert(out.end(), name.begin(), name.end());
    const std::vector<uint8_t> image = image_seed(chain.layers[i], true);
    append_le(out, image.size(), 4);
    out.insert(out.end(), image.begin(), image.end());
  }
  for (const ReadOp& op : ops) {
    append_le(out, op.op, 1);
    append_le(out, op.offset, 8);
    append_le(out, op.length, 4);
  }
  return out;
}

// Leaf first: the order open_chain meets the layers.
std::vector<size_t> leaf_first(const BuiltChain& chain) {
  std::vector<size_t> order;
  for (size_t i = chain.layers.size(); i-- > 0;) order.push_back(i);
  return order;
}

// Reads and walks around the block boundaries of a chain with `block`-byte blocks and `sector`-byte
// logical sectors: inside partial blocks, across block ends, and from an unaligned offset.
std::vector<ReadOp> ops_for(uint64_t block, uint64_t sector) {
  return {
      {0, block - 3 * sector, static_cast<uint32_t>(6 * sector)},
      {0, 100 * sector - 1, static_cast<uint32_t>(3 * sector)},
      {1, block / 2 + 7, 0},
      {2, 0, static_cast<uint32_t>(block / 4)},
      {0, 5 * block - sector, static_cast<uint32_t>(block + 2 * sector)},
      {1, 3 * block, static_cast<uint32_t>(block)},
  };
}

ChainSpec vhdx_chain(uint32_t logical_sector_size, int levels) {
  ImageSpec base;
  base.virtual_size = 12 * kMiB;
  base.block_size = kMiB;
  base.vhdx.logical_sector_size = logical_sector_size;
  base.blocks[0] = BlockSpec::full();
  base.blocks[1] = BlockSpec::full();
  base.blocks[4] = BlockSpec::full();
  base.blocks[6] = BlockSpec::with_state(BlockState::zero);
  ImageSpec middle;
  middle.virtual_size = 0;
  middle.block_size = kMiB;
  middle.seed = 2;
  middle.blocks[0] = BlockSpec::partial({{0, 2}, {100, 1}, {250, 6}});
  middle.blocks[1] = BlockSpec::with_state(BlockState::zero);
  middle.blocks[4] = BlockSpec::partial({{1, 3}});
  middle.blocks[5] = BlockSpec::full();
  middle.blocks[7] = BlockSpec::with_state(BlockState::unmapped);
  ImageSpec leaf = middle;
  leaf.seed = 3;
  leaf.blocks.clear();
  leaf.blocks[0] = BlockSpec::partial({{1, 1}, {99, 3}});
  leaf.blocks[4] = BlockSpec::partial({{0, 1}});
  leaf.blocks[5] = BlockSpec::partial({{2, 2}});
  leaf.blocks[8] = BlockSpec::full();
  ChainSpec chain;
  chain.layers.push_back({base, "base.vhdx"});
  chain.layers.push_back({middle, "base_A1.avhdx"});
  if (levels == 3) chain.layers.push_back({leaf, "base_B2.avhdx"});
  return chain;
}

ChainSpec vhd_chain(bool fixed_base, int levels) {
  ImageSpec base;
  base.format = Format::vhd;
  base.type = fixed_base ? DiskType::fixed : DiskType::dynamic;
  base.virtual_size = 120 * 4 * 17 * 512;  // 4080 KiB: the last block is partial (CHS size)
  base.block_size = 512 * 1024;
  base.blocks[0] = BlockSpec::full();
  base.blocks[2] = BlockSpec::full();
  base.blocks[7] = BlockSpec::full();
  ImageSpec middle = base;
  middle.type = DiskType::differencing;
  middle.virtual_size = 0;
  middle.seed = 2;
  middle.blocks.clear();
  middle.blocks[0] = BlockSpec::partial({{0, 2}, {100, 1}, {1020, 4}});
  middle.blocks[2] = BlockSpec::partial({{5, 9}});
  middle.blocks[3] = BlockSpec::full();
  middle.blocks[7] = BlockSpec::partial({{0, 1}, {150, 10}});  // block 7 ends past the disk's end
  ImageSpec leaf = middle;
  leaf.seed = 3;
  leaf.blocks.clear();
  leaf.blocks[0] = BlockSpec::partial({{1, 1}, {99, 3}});
  leaf.blocks[3] = BlockSpec::partial({{0, 1}});
  leaf.blocks[4] = BlockSpec::full();
  ChainSpec chain;
  chain.layers.push_back({base, "base.vhd"});
  chain.layers.push_back({middle, "base_A1.avhd"});
  if (levels == 3) chain.layers.push_back({leaf, "base_B2.avhd"});
  return chain;
}

void chain_read_seeds(const std::filesystem::path& dir) {
  const BuiltChain vhdx512 = build_chain(vhdx_chain(512, 3));
  write_seed(dir, "vhdx-3-levels-512", chain_seed(vhdx512, leaf_first(vhdx512), false, ops_for(kMiB, 512)));
  const BuiltChain vhdx4k = build_chain(vhdx_chain(4096, 2));
  write_seed(dir, "vhdx-2-levels-4096", chain_seed(vhdx4k, leaf_first(vhdx4k), false, ops_for(kMiB, 4096)));
  const BuiltChain vhd = build_chain(vhd_chain(false, 3));
  write_seed(dir, "vhd-3-levels", chain_seed(vhd, leaf_first(vhd), false, ops_for(512 * 1024, 512)));
  const BuiltChain vhd_fixed = build_chain(vhd_chain(true, 2));
  write_seed(dir, "vhd-2-levels-fixed-base", chain_seed(vhd_fixed, leaf_first(vhd_fixed), false, ops_for(512 * 1024, 512)));

  // The middle layer is missing, and a stale copy of the base sits where the leaf's locator points
  // (identity mismatch); the direct reader layers leaf over base anyway, across the gap.
  const BuiltChain gap = build_chain(vhdx_chain(512, 3));
  BuiltChain broken;
  broken.layers = {gap.layers[0], gap.layers[2]};
  broken.file_names = {"base_A1.avhdx", "base_B2.avhdx"};
  write_seed(dir, "vhdx-missing-middle-direct", chain_seed(broken, {1, 0}, true, ops_for(kMiB, 512)));
}

// ---- relink_plan ------------------------------------------------------------------------------

// The relink_plan input (relink_plan_fuzzer.cc): flags, the child's length, the child, the parent.
std::vector<uint8_t> relink_seed(uint8_t flags, const std::vector<uint8_t>& child, const std::vector<uint8_t>& parent) {
  std::vector<uint8_t> out{flags};
  append_le(out, child.size(), 4);
  out.insert(out.end(), child.begin(), child.end());
  out.insert(out.end(), parent.begin(), parent.end());
  return out;
}

void relink_plan_seeds(const std::filesystem::path& dir) {
  const BuiltChain vhdx = build_chain(vhdx_chain(512, 2));
  const std::vector<uint8_t> base = image_seed(vhdx.layers[0]), child = image_seed(vhdx.layers[1]);
  write_seed(dir, "vhdx-pair", relink_seed(0, child, base));
  write_seed(dir, "vhdx-cycle", relink_seed(3, child, base));
  ImageSpec other = vhdx_chain(512, 2).layers[0].spec;  // same shape, other identities
  other.seed = 77;
  write_seed(dir, "vhdx-other-parent-ignored", relink_seed(1, child, image_seed(build_image(other))));
  BuiltImage cut = vhdx.layers[1];
  trim_blocks(cut);
  const uint64_t block = cut.layout.offset("block 0");
  write_seed(dir, "vhdx-truncated-child", relink_seed(0, encode_sparse(cut.file, 0, block + kPage / 2), base));
  const BuiltChain vhd = build_chain(vhd_chain(false, 2));
  write_seed(dir, "vhd-pair", relink_seed(0, image_seed(vhd.layers[1]), image_seed(vhd.layers[0])));
}

}  // namespace
}  // namespace vhdchain::test

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR   (e.g. tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::filesystem::path corpus(argv[1]);
  vhdchain::test::vhdx_open_seeds(corpus / "vhdx_open");
  vhdchain::test::vhd_open_seeds(corpus / "vhd_open");
  vhdchain::test::log_replay_seeds(corpus / "log_replay");
  vhdchain::test::chain_read_seeds(corpus / "chain_read");
  vhdchain::test::relink_plan_seeds(corpus / "relink_plan");
  return 0;
}
