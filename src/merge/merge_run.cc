// Running a VHDX merge (merge.h has the order of steps and why it is crash-safe).
//
// Target blocks are merged in batches (32 blocks, or fewer when that much payload is reached, so
// progress keeps coming with large blocks): the batch is planned first (what each target range
// receives, and the BAT entries and sector-bitmap bits that make it reachable), then its payload is
// written (in place where the target already holds the block, else in new space appended at the end
// of the file, 1 MiB aligned) by the PayloadCopier (payload_copier.h: coalesced large I/O,
// reads overlapping writes, clones or kernel copies where the file system allows), one flush, then
// one log entry with the BAT and bitmap changes. A crash inside a batch leaves at most unreferenced
// space at the end of the file (the next run allocates anew); the sources are not written, so the
// copy gives the same bytes again.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "vhdchain/error.h"
#include "vhdchain/merge.h"
#include "vhdchain/write.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"
#include "merge/merge_chain.h"
#include "merge/merge_preflight.h"
#include "merge/merge_repoint.h"
#include "write/write_failure.h"
#include "merge/merge_coverage.h"
#include "merge/merge_record.h"
#include "write/payload_copier.h"
#include "merge/merge_vhd.h"
#include "write/vhdx_session.h"
#include "write/write_internal.h"

namespace vhdchain {
namespace {

using write::CoveredRun;
using write::Patch;
using write::PayloadPiece;

constexpr size_t kBlocksPerBatch = 32;
// A batch also ends once it holds this much payload: with 32 MiB blocks (Hyper-V's), 32 blocks
// would be a gigabyte between two progress reports.
constexpr uint64_t kBatchPayloadBytes = uint64_t{256} << 20;

uint64_t round_up(uint64_t value, uint64_t unit) { return (value + unit - 1) / unit * unit; }

class TargetWriter {
 public:
  TargetWriter(write::VhdxSession& session, const write::MergeChain& chain, bool system_copy)
      : session_(session),
        sources_(chain.source_images()),
        copier_(sources_, session.writable_file(), system_copy) {}

  // Plans what the sources hold in block b into the batch; returns the payload bytes it makes.
  uint64_t merge_block(uint64_t b) {
    const auto& image = session_.image();
    const vhdx::BatLayout& layout = image.layout();
    const uint64_t start = b * layout.block_size;
    const uint64_t length = std::min(layout.block_size, image.info().virtual_size - start);
    const std::vector<CoveredRun> runs = write::covered_runs(sources_, start, length);
    if (std::none_of(runs.begin(), runs.end(), [](const CoveredRun& r) { return r.source >= 0; })) return 0;

    const vhdx::BatEntry entry = image.bat_table().payload(b);
    const bool held = entry.state == vhdx::kPayloadFullyPresent || entry.state == vhdx::kPayloadPartiallyPresent;
    const uint64_t sector = layout.logical_sector_size;
    std::vector<bool> present(static_cast<size_t>(layout.sectors_per_block()), false);
    uint64_t written = 0;
    if (held) {
      for (const CoveredRun& r : runs) {
        if (r.source < 0) continue;
        pieces_.push_back(write::piece_for(entry.file_offset + (r.offset - start), r));
        mark(present, r.offset - start, r.length, sector);
        written += r.length;
      }
      if (entry.state == vhdx::kPayloadPartiallyPresent) set_bits(b, present);
      return written;
    }
    // A new block: new space past the end of the file, which reads as zeros, so only the sources'
    // data is written; their zero ranges and what the target showed as zeros are zeros already.
    const uint64_t offset = allocate(layout.block_size);
    for (const CoveredRun& r : runs) {
      if (r.source >= 0) {
        if (!r.zero) pieces_.push_back(write::piece_for(offset + (r.offset - start), r));
        mark(present, r.offset - start, r.length, sector);
        continue;
      }
      // Not merged: a differencing target keeps showing its parent there (bits stay clear), but a
      // range it defines as zeros must stay zeros (present, zero-filled).
      for (uint64_t at = r.offset; at < r.offset + r.length;) {
        const Extent e = image.map(at, r.offset + r.length - at);
        if (e.source != ExtentSource::parent) mark(present, at - start, e.length, sector);
        at += e.length;
      }
    }
    const bool full = layout.differencing ? std::all_of(present.begin(), present.end(), [](bool p) { return p; })
                                          : true;
    bat_patch(layout.payload_index(b), offset, full ? vhdx::kPayloadFullyPresent : vhdx::kPayloadPartiallyPresent);
    if (!full) set_bits(b, present);
    return length;
  }

  // Writes the batch's payload, makes it durable, then reachable.
  void commit() {
    if (pieces_.empty() && patches_.empty()) return;
    File& file = session_.writable_file();
    if (file.size() < next_free_) file.resize(next_free_);  // the new space, read as zeros
    copier_.copy(std::move(pieces_));
    pieces_.clear();
    session_.flush_payload();
    if (patches_.empty()) return;  // in place only: nothing to make reachable
    std::vector<Patch> patches;
    for (auto& [offset, bytes] : patches_) patches.push_back({offset, std::move(bytes)});
    patches_.clear();
    session_.write_through_log(patches);
  }

 private:
  static void mark(std::vector<bool>& present, uint64_t from, uint64_t length, uint64_t sector) {
    for (uint64_t s = from / sector; s < (from + length) / sector; ++s) present[static_cast<size_t>(s)] = true;
  }

  // Space past the end of the file; commit() grows the file over it once per batch.
  uint64_t allocate(uint64_t length) {
    if (next_free_ == 0) next_free_ = round_up(session_.file().size(), vhdx::kRegionAlignment);
    const uint64_t at = next_free_;
    next_free_ += round_up(length, vhdx::kRegionAlignment);
    return at;
  }

  void bat_patch(uint64_t index, uint64_t offset, uint8_t state) {
    std::vector<uint8_t> bytes(8, 0);
    store_le64(bytes, 0, offset | state);
    patches_[session_.image().bat_region().file_offset + index * 8] = std::move(bytes);
  }

  // The block's bits in its chunk's sector bitmap (LSB first, MS-VHDX 2.6.4), set for `present`
  // sectors and never cleared (a set bit is data the target already shows).
  void set_bits(uint64_t b, const std::vector<bool>& present) {
    const auto& image = session_.image();
    const vhdx::BatLayout& layout = image.layout();
    const uint64_t chunk = b / layout.chunk_ratio;
    uint64_t bitmap = 0;
    if (auto it = new_bitmaps_.find(chunk); it != new_bitmaps_.end()) {
      bitmap = it->second;
    } else if (const vhdx::BatEntry e = image.bat_table().bitmap(chunk); e.state == vhdx::kBitmapPresent) {
      bitmap = e.file_offset;
    } else {
      bitmap = allocate(vhdx::kSectorBitmapBlockSize);  // zeros: a resize past the end
      new_bitmaps_[chunk] = bitmap;
      bat_patch(layout.bitmap_index(chunk), bitmap, vhdx::kBitmapPresent);
    }
    const uint64_t first_bit = (b % layout.chunk_ratio) * layout.sectors_per_block();
    const uint64_t at = bitmap + first_bit / 8;
    const size_t bytes_needed = static_cast<size_t>((present.size() + 7) / 8);
    auto [it, fresh] = patches_.try_emplace(at, bytes_needed, uint8_t{0});
    // A bitmap allocated in this batch lies past the end of the file until commit(): zeros.
    if (fresh && at + bytes_needed <= session_.file().size()) session_.file().read_at(at, it->second);
    for (size_t s = 0; s < present.size(); ++s)
      if (present[s]) it->second[s / 8] = static_cast<uint8_t>(it->second[s / 8] | (1u << (s % 8)));
  }

  write::VhdxSession& session_;
  std::vector<const DiskImage*> sources_;
  write::PayloadCopier copier_;
  std::vector<PayloadPiece> pieces_;                  // the batch's payload
  std::map<uint64_t, std::vector<uint8_t>> patches_;  // file offset -> bytes, for the next log entry
  std::map<uint64_t, uint64_t> new_bitmaps_;          // chunk -> offset of a bitmap allocated in this batch
  uint64_t next_free_ = 0;
};

MergeRunResult run_vhdx_merge(const MergeOptions& options, const write::MergeChain& chain, const MergePlan& plan,
                              const std::function<void(const MergeProgress&)>& progress);

}  // namespace

MergeRunResult run_merge(const MergeOptions& options, const MergePlan& plan,
                         const std::function<void(const MergeProgress&)>& progress) {
  if (!plan.refusals.empty())
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: the merge is refused: {}", plan.child, plan.refusals.front()));
  // The preflight's locks (every file written, grandchildren included, and every source) are taken
  // before the first byte and held to the last (issue 13, case 6).
  const write::MergeChain chain = write::open_merge_chain(options);
  const WriteLease lease = write::merge_preflight(write::surveyed(options, chain), chain, plan);
  lease.require_cleared();
  const std::string aftermath = fmt::format(
      "the merge of {} into {} stopped part way: the chain reads as before (check reports merge.interrupted); run "
      "the same merge again to finish it",
      plan.child, plan.target);
  const MergeRunResult result = write::with_aftermath(aftermath, [&] {
    if (plan.format == DiskFormat::vhd) return write::run_vhd_merge(options, plan, progress);
    return run_vhdx_merge(options, chain, plan, progress);
  });
  // After step 5 (VHD: the marker's removal): the merge is complete whatever happens to the record.
  if (result.completed && options.record_kept_sources) write::record_merged_sources(plan);
  return result;
}

namespace {

MergeRunResult run_vhdx_merge(const MergeOptions& options, const write::MergeChain& chain, const MergePlan& plan,
                              const std::function<void(const MergeProgress&)>& progress) {
  write::VhdxSession target(chain.target().path);

  // Steps 1 and 2: the source above the target accepts the new identity before the target takes it.
  if (!chain.resuming) {
    const Guid next = Guid::random();
    write::apply_relink_unchecked(write::plan_vhdx_set_linkages(chain.above_target().path, std::nullopt, next));
    target.set_data_write_guid(next);
  }

  // Step 3: the blocks.
  TargetWriter writer(target, chain, options.system_copy);
  MergeProgress done{0, plan.bytes_to_copy};
  const uint64_t blocks = target.image().layout().payload_blocks;
  size_t in_batch = 0;
  uint64_t batch_bytes = 0;
  for (uint64_t b = 0; b < blocks; ++b) {
    const uint64_t written = writer.merge_block(b);
    if (written == 0) continue;
    done.bytes_done += written;
    batch_bytes += written;
    if (++in_batch == kBlocksPerBatch || batch_bytes >= kBatchPayloadBytes) {
      writer.commit();
      in_batch = 0;
      batch_bytes = 0;
      if (progress) progress(done);
      if (options.stop_requested && options.stop_requested()) return {false, done};  // a batch boundary: safe
    }
  }
  writer.commit();  // flushes every batch's payload, in-place only ones too (a fixed target): durable before step 5
  if (progress) progress(done);

  // Step 4: CHILD's children now read through the target.
  const Guid identity = target.image().identity();
  write::repoint_children(plan.children_to_repoint, chain.target().path, identity);

  // Step 5: the merge is complete. The disk above the target links to it by its new identity
  // alone: still a valid child (it reads the same over the merged target), no longer an
  // interrupted merge for check, and a rerun starts afresh instead of resuming.
  write::apply_relink_unchecked(write::plan_vhdx_set_linkages(chain.above_target().path, identity, Guid{}));
  return {true, done};
}

}  // namespace
}  // namespace vhdchain
