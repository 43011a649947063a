// Running a VHD merge (merge_vhd.h; the order of writes and why it is crash-safe: docs/merge.md).
//
// Target blocks go in batches (256 MiB of blocks the sources touch). For each batch:
//   1. places for the blocks the target does not hold are taken at the end of the file, and the
//      target's footer (the same 512 bytes) is first written after the last of them, so the file
//      ends in a valid footer at every instant and the new space is unreferenced (and reads as
//      zeros: it is past the old end of the file);
//   2. payload, by the PayloadCopier (payload_copier.h: coalesced, reads overlapping writes,
//      kernel copies or clones where the file system allows): in place where the target holds the
//      block (sectors sources define are written; where the target's bit is clear the bytes stay
//      invisible until step 4), else what the sources define of the new block (the rest of it is
//      zeros already);
//   3. one flush;
//   4. one VHD journal: the new blocks' sector bitmaps, the bits of held blocks, the BAT entries,
//      the footer at the new end. Bitmaps come before the BAT entries, so a block is never
//      referenced before its bitmap is right, whichever record a crash stops at.
// The sources are never written, so a batch copied again gives the same bytes. A fixed target has
// no metadata: its data area is written in place and flushed.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "merge/merge_coverage.h"
#include "write/merge_marker.h"
#include "write/payload_copier.h"
#include "merge/merge_repoint.h"
#include "merge/merge_vhd.h"
#include "write/vhd_journal.h"

namespace vhdchain::write {
namespace {

// A batch ends at this much of the virtual disk (128 blocks of Hyper-V's 2 MiB): each batch costs
// a payload flush and a journal (four more flushes), which 32-block batches made a quarter of a
// 4 GiB merge's time; a quarter of a second between progress reports at 1 GB/s is still fine.
constexpr uint64_t kBatchBytes = uint64_t{256} << 20;
// and at this many blocks, whatever their size, so a journal stays below a MiB of bitmaps.
constexpr size_t kMaxBlocksPerBatch = 1024;

// One target unit the sources write to, with what covers it.
struct Touched {
  uint64_t unit = 0;
  std::vector<CoveredRun> runs;
  uint64_t new_offset = 0;  // of its sector bitmap, when the target does not hold it
};

class VhdTargetWriter {
 public:
  VhdTargetWriter(File& file, const MergeChain& chain, bool system_copy)
      : file_(file),
        sources_(chain.source_images()),
        units_(vhd_target_units(chain)),
        copier_(sources_, file_, system_copy) {
    if (units_.fixed()) return;
    const vhd::FooterLocation& at = units_.image->footer_location();
    // Blocks are appended where the footer is and the footer moves behind them: that needs the
    // footer of a well-formed file (512 bytes, sector-aligned, at the end).
    if (at.offset == 0 || at.footer_511 || at.data_end % vhd::kSectorSize != 0 ||
        at.data_end + vhd::kFooterSize != file_.size())
      throw Error(ErrorCode::unsupported,
                  fmt::format("{}: footer @{:#x}: the end of the file is not one 512-byte footer ({} bytes, {}); "
                              "merging needs a well-formed target (repair it first)",
                              file_.name(), at.data_end, file_.size(), at.structure));
    footer_.resize(vhd::kFooterSize);
    file_.read_at(at.offset, footer_);
    bat_ = units_.image->bat_entries();
    table_offset_ = units_.image->dynamic_header()->table_offset;
    next_free_ = at.data_end;
  }

  uint64_t units() const { return units_.count; }
  uint64_t unit_length(uint64_t u) const { return units_.length(u); }

  // What the sources hold in unit u; nullopt when they hold nothing there.
  std::optional<Touched> touched(uint64_t u) const {
    Touched t{u, covered_runs(sources_, units_.start(u), units_.length(u)), 0};
    if (std::none_of(t.runs.begin(), t.runs.end(), [](const CoveredRun& r) { return r.source >= 0; }))
      return std::nullopt;
    return t;
  }

  // Writes a batch and makes it part of the target; returns the payload bytes written.
  uint64_t write_batch(std::vector<Touched>& batch) {
    std::vector<PayloadPiece> pieces;
    uint64_t written = 0;
    if (units_.fixed()) {
      // The data area is the virtual disk, at offset 0.
      for (const Touched& t : batch)
        for (const CoveredRun& r : t.runs)
          if (r.source >= 0) {
            pieces.push_back(piece_for(r.offset, r));
            written += r.length;
          }
      copier_.copy(std::move(pieces));
      file_.flush();
      return written;
    }
    const uint64_t end_before = next_free_;
    for (Touched& t : batch)
      if (bat_[t.unit] == vhd::kBatUnallocated) {
        t.new_offset = next_free_;
        next_free_ += units_.new_block_bytes();
      }
    if (next_free_ != end_before) file_.write_at(next_free_, footer_);

    std::vector<Patch> new_bitmaps, held_bitmaps;
    std::map<uint64_t, uint32_t> bat_changes;
    for (const Touched& t : batch) {
      if (t.new_offset != 0) {
        written += plan_new_block(t, pieces, new_bitmaps);
        bat_changes[t.unit] = static_cast<uint32_t>(t.new_offset / vhd::kSectorSize);
      } else {
        written += plan_held_block(t, pieces, held_bitmaps);
      }
    }
    copier_.copy(std::move(pieces));
    file_.flush();
    commit(new_bitmaps, held_bitmaps, bat_changes);
    return written;
  }

 private:
  const vhd::BlockLayout& layout() const { return units_.image->block_layout(); }

  static void set_bits(std::vector<uint8_t>& bitmap, uint64_t from, uint64_t length) {
    for (uint64_t s = from / vhd::kSectorSize; s < (from + length + vhd::kSectorSize - 1) / vhd::kSectorSize; ++s)
      bitmap[static_cast<size_t>(s / 8)] = static_cast<uint8_t>(bitmap[static_cast<size_t>(s / 8)] | (0x80u >> (s % 8)));
  }

  // Sectors the sources define, written in place; their bits set (a bit already set stays set).
  uint64_t plan_held_block(const Touched& t, std::vector<PayloadPiece>& pieces, std::vector<Patch>& records) {
    const uint64_t start = units_.start(t.unit);
    const uint64_t bitmap_at = uint64_t(bat_[t.unit]) * vhd::kSectorSize;
    std::vector<uint8_t> bitmap(layout().bitmap_size);
    file_.read_at(bitmap_at, bitmap);
    const std::vector<uint8_t> before = bitmap;
    uint64_t written = 0;
    for (const CoveredRun& r : t.runs) {
      if (r.source < 0) continue;
      pieces.push_back(piece_for(bitmap_at + layout().bitmap_size + (r.offset - start), r));
      written += r.length;
      set_bits(bitmap, r.offset - start, r.length);
    }
    if (bitmap != before) records.push_back({bitmap_at, std::move(bitmap)});
    return written;
  }

  // A block the target does not hold: what the sources define; the rest of its new space reads as
  // zeros. A dynamic target defines the whole block (its absent sectors read as zeros anyway); a
  // differencing one keeps showing its parent where no source defines data (bits clear).
  uint64_t plan_new_block(const Touched& t, std::vector<PayloadPiece>& pieces, std::vector<Patch>& records) {
    const uint64_t start = units_.start(t.unit);
    const uint64_t length = units_.length(t.unit);
    const uint64_t data_at = t.new_offset + layout().bitmap_size;
    std::vector<uint8_t> bitmap(layout().bitmap_size, 0);
    for (const CoveredRun& r : t.runs) {
      if (r.source < 0) continue;
      if (!r.zero) pieces.push_back(piece_for(data_at + (r.offset - start), r));
      set_bits(bitmap, r.offset - start, r.length);
    }
    if (!units_.differencing()) set_bits(bitmap, 0, length);
    records.push_back({t.new_offset, std::move(bitmap)});
    return length;
  }

  void commit(std::vector<Patch>& new_bitmaps, std::vector<Patch>& held_bitmaps,
              const std::map<uint64_t, uint32_t>& bat_changes) {
    VhdJournal journal;
    journal.records = std::move(new_bitmaps);
    for (Patch& r : held_bitmaps) journal.records.push_back(std::move(r));
    for (auto it = bat_changes.begin(); it != bat_changes.end();) {
      // Runs of consecutive entries, one record each.
      const uint64_t first = it->first;
      std::vector<uint8_t> bytes;
      for (uint64_t next = first; it != bat_changes.end() && it->first == next; ++it, ++next) {
        bytes.resize(bytes.size() + vhd::kBatEntrySize);
        store_be32(bytes, bytes.size() - vhd::kBatEntrySize, it->second);
        bat_[it->first] = it->second;
      }
      journal.records.push_back({table_offset_ + first * vhd::kBatEntrySize, std::move(bytes)});
    }
    if (journal.records.empty()) return;
    if (!bat_changes.empty()) journal.records.push_back({next_free_, footer_});
    journal.unique_id = units_.image->identity();
    journal.size_before = journal.size_after = file_.size();
    commit_vhd_change(file_, journal);
  }

  File& file_;
  std::vector<const DiskImage*> sources_;
  VhdTargetUnits units_;
  PayloadCopier copier_;
  std::vector<uint8_t> footer_;
  std::vector<uint32_t> bat_;   // as the journals so far left it
  uint64_t table_offset_ = 0;
  uint64_t next_free_ = 0;      // where the footer is: the next block goes there
};

}  // namespace

MergeRunResult run_vhd_merge(const MergeOptions& options, const MergePlan& plan,
                             const std::function<void(const MergeProgress&)>& progress) {
  // A journal a killed batch left is finished before the chain is read, so the blocks it made
  // reachable are part of the target now and are written in place below.
  std::unique_ptr<File> file = open_vhd_for_writing(plan.target);
  const MergeChain chain = open_merge_chain(options);
  const Guid identity = chain.target().image->identity();
  if (!chain.resuming)
    publish_merge_marker({chain.layers.front().path, chain.target().path, chain.layers.front().image->identity(),
                          identity});

  VhdTargetWriter writer(*file, chain, options.system_copy);
  MergeProgress done{0, plan.bytes_to_copy};
  std::vector<Touched> batch;
  uint64_t batch_bytes = 0;
  for (uint64_t u = 0; u < writer.units(); ++u) {
    if (std::optional<Touched> t = writer.touched(u)) {
      batch.push_back(std::move(*t));
      batch_bytes += writer.unit_length(u);
    }
    const bool full = batch_bytes >= kBatchBytes || batch.size() == kMaxBlocksPerBatch;
    if (full || (u + 1 == writer.units() && !batch.empty())) {
      done.bytes_done += writer.write_batch(batch);
      batch.clear();
      batch_bytes = 0;
      if (progress) progress(done);
      // The batch's journal is finished and the marker stays: a safe point. The last batch is not
      // one to stop at (what is left is the re-pointing and the marker's removal).
      if (u + 1 < writer.units() && options.stop_requested && options.stop_requested()) return {false, done};
    }
  }
  file.reset();

  // CHILD's children now read through the target, by its (unchanged) unique id.
  repoint_children(plan.children_to_repoint, chain.target().path, identity);
  remove_merge_marker(chain.target().path);
  return {true, done};
}

}  // namespace vhdchain::write
