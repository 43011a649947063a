// Planning the replay of an active log sequence (MS-VHDX 2.3.3, "Log Replay") and the bounds of
// log.h: the one validation every replay goes through, whether into memory (readers) or into the
// file (repair --replay-log and every writable open).
//
// Everything is checked before the plan is returned, so a caller that applies nothing until it has
// the plan never applies half of a log that turns out to be unacceptable.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "io/byte_view.h"
#include "vhdx/layout.h"
#include "vhdx/log.h"

namespace vhdchain::vhdx {
namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) { return checked_add(a, b).value_or(UINT64_MAX); }

// The descriptors of one entry, decoded (the entry was validated by check_log_entry, so signatures,
// alignment and the data sectors' presence are known good).
std::vector<LogUpdate> decode_updates(const ByteView& v, const LogEntryInfo& e) {
  namespace d = descriptor_field;
  const uint64_t descriptor_sectors = ceil_div(uint64_t(e.descriptor_count) + 2, kLogDescriptorsPerSector);
  std::vector<LogUpdate> out;
  out.reserve(e.descriptor_count);
  uint64_t data_index = 0;
  for (uint32_t i = 0; i < e.descriptor_count; ++i) {
    const size_t off = kLogEntryHeaderSize + size_t(i) * kLogDescriptorSize;
    LogUpdate u;
    u.file_offset = v.le64(off + d::file_offset);
    if (v.matches(off + d::signature, kZeroDescriptorSignature)) {
      u.length = v.le64(off + d::zero_length_or_leading);
      out.push_back(std::move(u));
      continue;
    }
    // A data sector carries bytes 8..4091 of the 4 KiB update; its descriptor carries the first 8
    // and the last 4, which the sector's own signature and sequence fields displace (MS-VHDX 2.3.1.3).
    const size_t sector = static_cast<size_t>((descriptor_sectors + data_index++) * kLogSectorSize);
    u.length = kLogSectorSize;
    u.data.resize(kLogSectorSize);
    std::memcpy(u.data.data(), v.bytes(off + d::zero_length_or_leading, 8).data(), 8);
    std::memcpy(u.data.data() + 8, v.bytes(sector + data_sector_field::data, data_sector_field::data_length).data(),
                data_sector_field::data_length);
    std::memcpy(u.data.data() + 4092, v.bytes(off + d::reserved_or_trailing, 4).data(), 4);
    out.push_back(std::move(u));
  }
  return out;
}

// How far past the end of the file the descriptors of an entry can account for (log.h).
uint64_t growth_accounted_for(const std::vector<LogUpdate>& updates) {
  uint64_t growth = 0;
  for (const LogUpdate& u : updates)
    growth = saturating_add(growth, u.data.empty() ? kLogGrowthPerZeroDescriptor : kLogGrowthPerDataSector);
  return growth;
}

}  // namespace

LogReplayPlan plan_log_replay(const LogRing& ring, const LogSequence& sequence, uint64_t base_file_size) {
  const LogEntryInfo& head = sequence.head();
  if (base_file_size < head.flushed_file_offset)
    throw FormatError(ring.entry_location(head.position),
                      fmt::format("flushed file offset {:#x} lies beyond the end of the file ({:#x} bytes): the file "
                                  "is truncated",
                                  head.flushed_file_offset, base_file_size));
  const uint64_t file_end = align_up(base_file_size, kMiB).value_or(UINT64_MAX);
  uint64_t growth_allowed = 0;
  LogReplayPlan plan;
  plan.final_size = base_file_size;
  for (const LogEntryInfo& e : sequence.entries) {
    std::vector<uint8_t> bytes(e.length);
    ring.copy(e.position, bytes);
    const ByteView v(bytes, ring.file(), ring.entry_name(e.position), ring.file_offset() + e.position);
    std::vector<LogUpdate> updates = decode_updates(v, e);

    growth_allowed = saturating_add(growth_allowed, growth_accounted_for(updates));
    if (e.last_file_offset > kMaxLogFileSize)
      v.fail(fmt::format("last file offset {:#x} exceeds {:#x} (128 TiB), the largest file a log may describe",
                         e.last_file_offset, kMaxLogFileSize));
    if (e.last_file_offset > file_end && e.last_file_offset - file_end > growth_allowed)
      v.fail(fmt::format("last file offset {:#x} lies {:#x} bytes past the end of the file ({:#x} bytes), more than "
                         "the {:#x} its sequence's descriptors can account for",
                         e.last_file_offset, e.last_file_offset - file_end, base_file_size, growth_allowed));

    for (size_t i = 0; i < updates.size(); ++i) {
      const uint64_t target = updates[i].file_offset, length = updates[i].length;
      const std::optional<uint64_t> end = checked_add(target, length);
      if (!end) v.fail(fmt::format("descriptor {}: target {:#x}+{:#x} overflows", i, target, length));
      if (*end > e.last_file_offset)
        v.fail(fmt::format("descriptor {}: target {:#x}+{:#x} ends past the entry's last file offset {:#x}", i,
                           target, length, e.last_file_offset));
      if (ranges_overlap(target, length, 0, kLogForbiddenTargetEnd))
        v.fail(fmt::format("descriptor {}: target {:#x}+{:#x} overlaps the file identifier or the headers, which are "
                           "never written through the log",
                           i, target, length));
      if (ranges_overlap(target, length, ring.file_offset(), ring.length()))
        v.fail(fmt::format("descriptor {}: target {:#x}+{:#x} overlaps the log itself", i, target, length));
      plan.final_size = std::max(plan.final_size, *end);
    }
    for (LogUpdate& u : updates) plan.updates.push_back(std::move(u));
  }
  plan.final_size = std::max(plan.final_size, head.last_file_offset);
  return plan;
}

void replay_log(const LogRing& ring, const LogSequence& sequence, uint64_t base_file_size, OverlayReader& overlay) {
  LogReplayPlan plan = plan_log_replay(ring, sequence, base_file_size);
  for (LogUpdate& u : plan.updates) {
    if (u.data.empty()) {
      overlay.write_zeros(u.file_offset, u.length);
      continue;
    }
    overlay.write(u.file_offset, u.data);
    // The overlay keeps its own copy: release the plan's as it goes, so the replayed sectors are
    // held once (kMaxReplayLogLength's memory bound).
    std::vector<uint8_t>().swap(u.data);
  }
  overlay.extend_to(plan.final_size);
}

InPlaceReplayPlan plan_in_place_replay(const OverlayReader& replayed, uint64_t file_size) {
  InPlaceReplayPlan plan;
  plan.new_size = std::max(file_size, replayed.size());
  replayed.for_each_patch([&](uint64_t offset, uint64_t length, const uint8_t* data) {
    if (data) {
      plan.writes.push_back({offset, length, data});
      return;
    }
    // Past the old end the file already reads as zeros once extended: leave holes.
    if (offset >= file_size) return;
    plan.writes.push_back({offset, std::min(length, file_size - offset), nullptr});
  });
  return plan;
}

}  // namespace vhdchain::vhdx
