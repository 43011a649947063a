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
constexpr uint64_t kMaxChunk = 15 * kPage;  // the sparse encoding's u16 length (0xFFFF ends an image)

void append_le(std::vector<uint8_t>& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

bool all_zero(const std::vector<uint8_t>& v) {
  for (uint8_t b : v)
    if (b) return false;
  return true;
}

// The bytes [from, from + length) of `file` as one sparse image: u64 size, then (u64 offset,
// u16 length, bytes) for each run of non-zero pages, offsets relative to `from`.
std::vector<uint8_t> encode_sparse(const SparseFile& file, uint64_t from, uint64_t length) {
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
    const std::vector<uint8_t> bytes = file.read(pages[i], end - pages[i]);
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

std::vector<uint8_t> image_seed(BuiltImage img) {
  trim_blocks(img);
  return encode_sparse(img.file, 0, img.file.size());
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
  return 0;
}
