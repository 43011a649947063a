// plan_compact and run_compact (compact.h) for VHDX.
//
// The run, in three steps, each crash-safe on its own (MS-VHDX 2.3 through write::VhdxSession):
//   1. reclaim: the BAT entries of all-zero and unmapped blocks become ZERO, through the log, in
//      batches; their space is then referenced by nothing;
//   2. moves, in batches: each block is copied into a hole (space nothing references), the copies
//      are flushed, then one log entry points the BAT entries at them. A crash before the log entry
//      leaves the old entries and the old blocks untouched; after it, the new ones complete;
//   3. truncation, once every move is committed: nothing references the space cut off.
// A rerun plans again from the file as it is and does what is left.
#include <algorithm>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "compact/compact_layout.h"
#include "vhdchain/compact.h"
#include "vhdchain/error.h"
#include "vhdchain/preflight.h"
#include "vhdchain/file.h"
#include "vhdx/layout.h"
#include "write/vhdx_session.h"

namespace vhdchain {
namespace {

// Entries per log entry: each may dirty its own 4 KiB sector, and the log of a Hyper-V disk is
// 1 MiB (MS-VHDX 2.3); 64 sectors leave ample room.
constexpr size_t kPatchesPerLogEntry = 64;
// Bytes copied per batch of moves before the flush and the log entry (progress comes this often).
constexpr uint64_t kMoveBatchBytes = uint64_t{64} << 20;
constexpr size_t kCopyChunk = size_t{1} << 20;

void fill_from(CompactPlan& plan, const vhdx::VhdxImage& image, const compact::VhdxCompactLayout& layout) {
  plan.virtual_size = image.info().virtual_size;
  plan.block_size = image.info().block_size;
  plan.blocks = image.layout().payload_blocks;
  for (const compact::Reclaim& r : layout.reclaims) ++(r.was_unmapped ? plan.blocks_unmapped : plan.blocks_zero);
  plan.blocks_partial_kept = layout.blocks_partial_kept;
  plan.blocks_moved = layout.moves.size();
  plan.bytes_read = layout.bytes_read;
  plan.file_size = image.info().file_size;
  plan.file_size_after = layout.file_size_after;
  plan.bytes_reclaimed = plan.file_size - plan.file_size_after;
}

write::Patch entry_patch(const vhdx::VhdxImage& image, uint64_t bat_index, uint64_t value) {
  std::vector<uint8_t> bytes(8, 0);
  store_le64(bytes, 0, value);
  return {image.bat_region().file_offset + bat_index * 8, std::move(bytes)};
}

void log_in_batches(write::VhdxSession& session, std::vector<write::Patch> patches) {
  for (size_t at = 0; at < patches.size(); at += kPatchesPerLogEntry) {
    const size_t end = std::min(patches.size(), at + kPatchesPerLogEntry);
    session.write_through_log({std::make_move_iterator(patches.begin() + static_cast<std::ptrdiff_t>(at)),
                               std::make_move_iterator(patches.begin() + static_cast<std::ptrdiff_t>(end))});
  }
}

void copy_block(File& file, const compact::Move& m, std::vector<uint8_t>& buffer) {
  for (uint64_t done = 0; done < m.length;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kCopyChunk, m.length - done));
    buffer.resize(n);
    file.read_at(m.from + done, buffer);
    file.write_at(m.to + done, buffer);
    done += n;
  }
}

}  // namespace

CompactPlan plan_compact(const std::string& disk) {
  CompactPlan plan;
  plan.disk = disk;
  const std::unique_ptr<DiskImage> image = open_image_file(disk);
  const ImageInfo& info = image->info();
  plan.format = info.format;
  plan.type = info.type;
  plan.file_size = plan.file_size_after = info.file_size;
  if (info.format != DiskFormat::vhdx) {
    plan.refusals.push_back("compact of a VHD is not implemented yet (VHDX only)");
    return plan;
  }
  // A pending log is replayed first, as every VHDX writer must (MS-VHDX 2.3.3; the session does
  // it): this is also how a rerun finishes a compact killed between its log write and its header
  // update. The plan is made from the replayed view, which is what the disk shows.
  plan.log_replayed_first = info.log.pending;
  if (info.type == DiskType::fixed) {
    plan.refusals.push_back("a fixed disk keeps every block allocated (LeaveBlockAllocated); nothing to compact");
    return plan;
  }
  const auto& vhdx_image = static_cast<const vhdx::VhdxImage&>(*image);
  fill_from(plan, vhdx_image, compact::plan_vhdx_layout(vhdx_image));
  return plan;
}

CompactResult run_compact(const CompactPlan& plan, const std::function<void(const CompactProgress&)>& progress) {
  if (!plan.refusals.empty())
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: the compact is refused: {}", plan.disk, plan.refusals.front()));
  // The write preflight (vhdchain/preflight.h): the disk locked and validated as check --deep
  // validates it (a pending log replayed in memory), the lock held through the run.
  PreflightRequest request;
  request.writes = {plan.disk};
  const WriteLease lease = preflight_write(request);
  lease.require_cleared();
  // Locks (reusing the lease's lock), validates, and replays a pending log (MS-VHDX 2.3.3).
  write::VhdxSession session(plan.disk);
  CompactProgress done{0, plan.bytes_read};
  uint64_t reported = 0;
  const compact::VhdxCompactLayout layout = compact::plan_vhdx_layout(session.image(), [&](uint64_t read) {
    done.bytes_done = read;
    if (progress && read - reported >= kMoveBatchBytes) {
      reported = read;
      progress(done);
    }
  });
  CompactResult result;
  for (const compact::Reclaim& r : layout.reclaims) ++(r.was_unmapped ? result.blocks_unmapped : result.blocks_zero);
  result.blocks_moved = layout.moves.size();
  done.bytes_total = layout.bytes_read;
  for (const compact::Move& m : layout.moves) done.bytes_total += m.length;

  // Step 1.
  std::vector<write::Patch> patches;
  for (const compact::Reclaim& r : layout.reclaims)
    patches.push_back(entry_patch(session.image(), r.bat_index, compact::bat_entry_value(0, vhdx::kPayloadZero)));
  log_in_batches(session, std::move(patches));
  patches.clear();

  // Step 2.
  File& file = session.writable_file();
  std::vector<uint8_t> buffer;
  uint64_t batch_bytes = 0;
  auto commit = [&] {
    if (patches.empty()) return;
    session.flush_payload();
    log_in_batches(session, std::move(patches));
    patches.clear();
    batch_bytes = 0;
    if (progress) progress(done);
  };
  for (const compact::Move& m : layout.moves) {
    copy_block(file, m, buffer);
    patches.push_back(entry_patch(session.image(), m.bat_index, compact::bat_entry_value(m.to, m.state)));
    done.bytes_done += m.length;
    batch_bytes += m.length;
    if (batch_bytes >= kMoveBatchBytes || patches.size() == kPatchesPerLogEntry) commit();
  }
  commit();

  // Step 3.
  if (layout.file_size_after < file.size()) {
    file.resize(layout.file_size_after);
    file.flush();
  }
  result.file_size = file.size();
  if (progress) progress(done);
  return result;
}

}  // namespace vhdchain
