// The expected-content model (see content_model.h): classify runs of a layer's virtual disk as
// data, zeros, garbage or "from the parent", and fill them from the seeded pattern.
#include "support/content_model.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "support/data_pattern.h"
#include "support/sha256.h"

namespace vhdchain::test {
namespace {

enum class Source { data, zero, garbage, parent, file };

struct Run {
  Source source = Source::zero;
  uint64_t length = 0;  // bytes
  uint64_t seed = 0;
  uint64_t file_offset = 0;  // Source::file: raw bytes of the layer's file
};

// The range holding sector s, or the first range after it.
struct RangeHit {
  bool inside = false;
  uint64_t end = 0;  // sector where this classification ends
};

RangeHit find_range(const std::vector<SectorRange>& ranges, uint64_t s, uint64_t block_sectors) {
  RangeHit hit{false, block_sectors};
  for (const SectorRange& r : ranges) {
    if (r.count == 0) continue;
    if (s >= r.first && s < r.first + r.count) {
      // Adjacent or overlapping ranges extend the run.
      uint64_t end = r.first + r.count;
      for (bool grew = true; grew;) {
        grew = false;
        for (const SectorRange& q : ranges)
          if (q.count && q.first <= end && q.first + q.count > end) {
            end = q.first + q.count;
            grew = true;
          }
      }
      return {true, end};
    }
    if (r.first > s) hit.end = std::min(hit.end, r.first);
  }
  return hit;
}

bool sector_present(const std::vector<SectorRange>& ranges, uint64_t s) {
  for (const SectorRange& r : ranges)
    if (s >= r.first && s < r.first + r.count) return true;
  return false;
}

// Whether the builder gives chunk k a sector-bitmap block (vhdx_builder.cc plan_vhdx: a
// differencing disk, and a PARTIALLY_PRESENT block in the chunk on either side of a pending log).
bool chunk_has_bitmap(const ImageSpec& spec, uint64_t chunk, uint64_t chunk_ratio) {
  if (spec.type != DiskType::differencing) return false;
  if (spec.vhdx.sector_bitmap_for_every_chunk) return true;
  auto partial_in_chunk = [&](uint64_t b, BlockState s) {
    return b / chunk_ratio == chunk && s == BlockState::partially_present;
  };
  for (const auto& [b, block] : spec.blocks)
    if (partial_in_chunk(b, block.state)) return true;
  if (spec.vhdx.log)
    for (const auto& [b, state] : spec.vhdx.log->pending_blocks)
      if (partial_in_chunk(b, state)) return true;
  return false;
}

Run classify(const ImageSpec& spec, size_t level, uint64_t offset, uint64_t max_len, const ReaderQuirks& q) {
  const uint64_t bs = spec.block_size;
  const uint64_t b = offset / bs;
  const uint64_t in_block = offset % bs;
  const uint64_t block_left = std::min(bs - in_block, max_len);
  const bool diff = spec.type == DiskType::differencing;
  const bool fixed = spec.type == DiskType::fixed;
  const auto it = spec.blocks.find(b);
  const BlockSpec* block = it == spec.blocks.end() ? nullptr : &it->second;
  const BlockState state = block ? block->state : fixed ? BlockState::fully_present : BlockState::not_present;
  const uint64_t seed = block && block->seed ? *block->seed : spec.seed;
  const Source present = block && block->zero_data ? Source::zero : Source::data;
  const uint64_t ss = spec.logical_sector_size();

  if (!block && fixed) return {Source::zero, block_left, seed};
  if (q.vhdx_missing_bitmap_at_file_start && diff && spec.format == Format::vhdx &&
      state != BlockState::fully_present) {
    const uint64_t spb = bs / ss;
    const uint64_t chunk_ratio = (uint64_t{1} << 23) * ss / bs;
    if (!chunk_has_bitmap(spec, b / chunk_ratio, chunk_ratio)) {
      if (!q.layer_files) throw std::logic_error("vhdx_missing_bitmap_at_file_start needs layer_files");
      const SparseFile& file = *(*q.layer_files)[level];
      const uint64_t s = in_block / ss;
      const uint64_t len = std::min(ss - in_block % ss, block_left);
      const uint64_t bit = (b % chunk_ratio) * spb + s;
      const bool set = bit / 8 < file.size() && ((file.read(bit / 8, 1)[0] >> (bit % 8)) & 1);
      if (!set) return {Source::parent, len, seed};
      if (block && block->stale_allocation) return {Source::garbage, len, seed};
      return {Source::file, len, seed, in_block};
    }
  }
  switch (state) {
    case BlockState::not_present:
      return {diff && !q.vhd_parent_ignored ? Source::parent : Source::zero, block_left, seed};
    case BlockState::undefined:
    case BlockState::zero:
    case BlockState::unmapped:
      if (diff && q.vhdx_child_state_ignored) return {Source::parent, block_left, seed};
      return {Source::zero, block_left, seed};
    case BlockState::fully_present:
      return {present, block_left, seed};
    case BlockState::partially_present:
      break;
  }

  // Partially present: per sector. An absent sector reads from the parent (differencing), as
  // zeros (VHD dynamic, VHD fixed content), or, for readers that look at the data area, whatever
  // the builder wrote there.
  const uint64_t s = in_block / ss;
  const Source area = block->garbage_in_absent ? Source::garbage : Source::zero;
  Source absent = diff ? Source::parent : Source::zero;
  if (spec.format == Format::vhd && diff && q.vhd_parent_ignored) absent = area;

  if (spec.format == Format::vhd && diff && q.vhd_unmasked_bitmap && !q.vhd_parent_ignored) {
    // One sector at a time: the buggy test looks at the earlier bits of the same byte.
    uint64_t len = std::min(ss - in_block % ss, block_left);
    if (sector_present(block->sectors, s)) return {present, len, seed};
    for (uint64_t t = s & ~uint64_t{7}; t < s; ++t)
      if (sector_present(block->sectors, t)) return {area, len, seed};
    return {absent, len, seed};
  }
  const RangeHit hit = find_range(block->sectors, s, bs / ss);
  const uint64_t len = std::min(hit.end * ss - in_block, block_left);
  return {hit.inside ? present : absent, len, seed};
}

}  // namespace

void read_expected(std::span<const ImageSpec> chain, size_t level, uint64_t offset, std::span<uint8_t> out,
                   const ReaderQuirks& quirks) {
  const ImageSpec& spec = chain[level];
  if (offset > spec.virtual_size || out.size() > spec.virtual_size - offset)
    throw std::out_of_range("read_expected past the end of layer " + std::to_string(level));
  while (!out.empty()) {
    const Run r = classify(spec, level, offset, out.size(), quirks);
    std::span<uint8_t> part = out.first(r.length);
    switch (r.source) {
      case Source::data:
        fill_pattern(r.seed, offset, part);
        break;
      case Source::garbage:
        fill_pattern(garbage_seed(r.seed), offset, part);
        break;
      case Source::zero:
        std::memset(part.data(), 0, part.size());
        break;
      case Source::file: {
        const SparseFile& file = *(*quirks.layer_files)[level];
        const uint64_t inside = r.file_offset >= file.size() ? 0 : std::min<uint64_t>(part.size(), file.size() - r.file_offset);
        if (inside) file.read(r.file_offset, part.first(inside));
        std::memset(part.data() + inside, 0, part.size() - inside);
        break;
      }
      case Source::parent: {
        if (level == 0) throw std::logic_error("a base layer cannot read from a parent");
        // A parent smaller than the child reads as zeros past its end.
        const uint64_t parent_size = chain[level - 1].virtual_size;
        const uint64_t inside = offset >= parent_size ? 0 : std::min<uint64_t>(part.size(), parent_size - offset);
        if (inside) read_expected(chain, level - 1, offset, part.first(inside), quirks);
        std::memset(part.data() + inside, 0, part.size() - inside);
        break;
      }
    }
    offset += r.length;
    out = out.subspan(r.length);
  }
}

std::vector<uint8_t> expected_content(std::span<const ImageSpec> chain, size_t level, const ReaderQuirks& quirks) {
  const uint64_t size = chain[level].virtual_size;
  if (size > (uint64_t{1} << 30)) throw std::length_error("expected_content: disk larger than 1 GiB");
  std::vector<uint8_t> out(size);
  read_expected(chain, level, 0, out, quirks);
  return out;
}

ContentDigest expected_digest(std::span<const ImageSpec> chain, size_t level, uint64_t segment_size,
                              const ReaderQuirks& quirks) {
  ContentDigest d;
  d.size = chain[level].virtual_size;
  d.segment_size = segment_size;
  const uint64_t step = segment_size ? segment_size : 4 * kMiB;
  std::vector<uint8_t> buf;
  Sha256 total;
  for (uint64_t off = 0; off < d.size; off += step) {
    buf.resize(std::min(step, d.size - off));
    read_expected(chain, level, off, buf, quirks);
    total.update(buf);
    if (segment_size) d.segment_sha256.push_back(sha256_hex(buf));
  }
  d.sha256 = total.finish_hex();
  return d;
}

}  // namespace vhdchain::test
