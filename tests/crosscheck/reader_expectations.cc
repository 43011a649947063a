// Reader expectations (see reader_expectations.h). A bug id is reported for a view only when the
// bug's condition is present in the view's layers AND emulating that bug alone changes the bytes,
// so "deviation" always names exactly the bugs that explain it.
#include "crosscheck/reader_expectations.h"

#include <functional>
#include <set>

namespace vhdchain::test {
namespace {

using Transform = std::function<void(std::vector<ImageSpec>&, ReaderQuirks&)>;

struct Bug {
  const char* id;
  std::function<bool(const ImageSpec&)> applies;  // to any layer of the view
  Transform emulate;
};

bool any_block(const ImageSpec& s, std::function<bool(const BlockSpec&)> pred) {
  for (const auto& [b, block] : s.blocks)
    if (pred(block)) return true;
  return false;
}

const std::vector<Bug>& libvhdi_bugs() {
  static const std::vector<Bug> bugs = {
      {"libvhdi-vhdx-log-ignored",
       [](const ImageSpec& s) { return s.format == Format::vhdx && s.vhdx.log && !s.vhdx.log->log_guid.is_zero(); },
       [](std::vector<ImageSpec>& chain, ReaderQuirks&) {
         for (ImageSpec& s : chain) s = before_log_replay(s);
       }},
      {"libvhdi-vhdx-child-state-ignored",
       [](const ImageSpec& s) {
         return s.format == Format::vhdx && s.type == DiskType::differencing && any_block(s, [](const BlockSpec& b) {
                  return b.state == BlockState::zero || b.state == BlockState::unmapped ||
                         b.state == BlockState::undefined;
                });
       },
       [](std::vector<ImageSpec>&, ReaderQuirks& q) { q.vhdx_child_state_ignored = true; }},
      {"libvhdi-vhdx-child-without-sector-bitmap",
       [](const ImageSpec& s) {
         if (s.format != Format::vhdx || s.type != DiskType::differencing || s.vhdx.sector_bitmap_for_every_chunk)
           return false;
         // Some chunk has no PARTIALLY_PRESENT block, hence no sector-bitmap block.
         const uint64_t chunk_ratio = (uint64_t{1} << 23) * s.vhdx.logical_sector_size / s.block_size;
         std::set<uint64_t> with_bitmap;
         for (const auto& [b, block] : s.blocks)
           if (block.state == BlockState::partially_present) with_bitmap.insert(b / chunk_ratio);
         return with_bitmap.size() < ceil_div(s.block_count(), chunk_ratio);
       },
       [](std::vector<ImageSpec>&, ReaderQuirks& q) { q.vhdx_missing_bitmap_at_file_start = true; }},
      {"libvhdi-vhd-unmasked-bitmap",
       [](const ImageSpec& s) {
         return s.format == Format::vhd && s.type == DiskType::differencing &&
                any_block(s, [](const BlockSpec& b) { return b.state == BlockState::partially_present; });
       },
       [](std::vector<ImageSpec>&, ReaderQuirks& q) { q.vhd_unmasked_bitmap = true; }},
  };
  return bugs;
}

ReaderExpectation evaluate(std::span<const ImageSpec> chain, const std::vector<const SparseFile*>* files, size_t level,
                           const ContentDigest& spec, uint64_t segment_size, const std::vector<Bug>& bugs) {
  const std::vector<ImageSpec> view(chain.begin(), chain.begin() + level + 1);
  std::vector<const Bug*> present;
  for (const Bug& bug : bugs)
    for (const ImageSpec& s : view)
      if (bug.applies(s)) {
        present.push_back(&bug);
        break;
      }
  ReaderExpectation out;
  if (present.empty()) return out;

  std::vector<ImageSpec> all = view;
  ReaderQuirks all_quirks;
  all_quirks.layer_files = files;
  for (const Bug* bug : present) bug->emulate(all, all_quirks);
  out.digest = expected_digest(all, level, segment_size, all_quirks);
  for (const Bug* bug : present) {
    // With one bug present, the combined emulation is that bug alone.
    std::string alone_sha = out.digest.sha256;
    if (present.size() > 1) {
      std::vector<ImageSpec> alone = view;
      ReaderQuirks q;
      q.layer_files = files;
      bug->emulate(alone, q);
      alone_sha = expected_digest(alone, level, 0, q).sha256;
    }
    if (alone_sha != spec.sha256) out.bugs.push_back(bug->id);
  }
  if (out.digest.sha256 != spec.sha256) out.kind = ReaderExpectation::Kind::deviation;
  return out;
}

}  // namespace

ReaderExpectation libvhdi_expectation(std::span<const ImageSpec> chain, const std::vector<const SparseFile*>& files,
                                      size_t level, const ContentDigest& spec, uint64_t segment_size) {
  return evaluate(chain, &files, level, spec, segment_size, libvhdi_bugs());
}

ReaderExpectation qemu_expectation(std::span<const ImageSpec> chain, size_t level, const ContentDigest& spec,
                                   uint64_t segment_size) {
  const ImageSpec& top = chain[level];
  ReaderExpectation out;
  if (top.format == Format::vhdx) {
    // qemu-img 7.2 refuses these outright (docs/peers.md 5, docs/formats.md pitfalls 1-3).
    if (top.type == DiskType::differencing) out.bugs.push_back("qemu-vhdx-differencing-refused");
    if (top.vhdx.logical_sector_size != 512) out.bugs.push_back("qemu-vhdx-4k-sectors-refused");
    if (top.vhdx.log && !top.vhdx.log->log_guid.is_zero()) out.bugs.push_back("qemu-vhdx-pending-log-refused");
    if (!out.bugs.empty()) out.kind = ReaderExpectation::Kind::refuse;
    return out;
  }
  if (top.type != DiskType::differencing) return out;
  static const std::vector<Bug> bugs = {
      {"qemu-vhd-parent-ignored",
       [](const ImageSpec& s) { return s.format == Format::vhd && s.type == DiskType::differencing; },
       [](std::vector<ImageSpec>&, ReaderQuirks& q) { q.vhd_parent_ignored = true; }},
  };
  return evaluate(chain, nullptr, level, spec, segment_size, bugs);
}

}  // namespace vhdchain::test
