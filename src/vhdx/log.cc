// Log entries and the search for the active sequence (MS-VHDX 2.3.1, 2.3.3).
//
// The search is the spec's procedure: start a run at the current tail, extend it with entries whose
// sequence numbers follow one another, accept it when the head's Tail points at one of its entries,
// keep the run with the greatest head sequence number, then move the tail on (past a valid run, or
// by 4 KiB) until it wraps. Entries of other sequences (a different LogGuid, as after a previous
// session; formats.md 2.7) are simply not part of any run.
//
// Cost bounds for hostile rings: each 4 KiB position is validated at most once (memo), the bytes
// checksummed are capped at a few passes over the log, and entries of a run already known to be
// invalid are not used as run starts again (they would end at the same head with the same Tail).
#include "vhdx/log.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "base/crc32c.h"
#include "io/byte_view.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

void LogRing::copy(uint64_t position, std::span<uint8_t> out) const {
  const uint64_t len = bytes_.size();
  uint64_t pos = position % len;
  size_t done = 0;
  while (done < out.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, len - pos));
    std::memcpy(out.data() + done, bytes_.data() + pos, n);
    done += n;
    pos = 0;
  }
}

// Entries are told apart by the "@0x<offset>" every message carries, so the name itself is plain.
std::string LogRing::entry_name(uint64_t /*position*/) const { return "log entry"; }

Location LogRing::entry_location(uint64_t position) const {
  return Location{file_, entry_name(position), file_offset_ + position};
}

namespace {

// Validates an entry; `hashed` grows by the bytes copied and checksummed.
LogEntryCheck check_entry(const LogRing& ring, uint64_t position, const Guid& log_guid, uint64_t& hashed) {
  namespace f = log_field;
  namespace d = descriptor_field;
  LogEntryCheck r;
  auto reject = [&r](std::string problem) {
    r.problem = std::move(problem);
    return r;
  };

  uint8_t header_bytes[kLogEntryHeaderSize];
  ring.copy(position, header_bytes);
  ByteView h(header_bytes, ring.file(), ring.entry_name(position), ring.file_offset() + position);
  if (!h.matches(f::signature, kLogEntrySignature)) return reject("signature is not 'loge'");
  const Guid guid = h.guid(f::log_guid);
  if (guid != log_guid)
    return reject(fmt::format("log guid {} does not match the header's log guid {}", guid.to_string(),
                              log_guid.to_string()));
  r.guid_matches = true;

  LogEntryInfo e;
  e.position = position;
  e.length = h.le32(f::entry_length);
  e.tail = h.le32(f::tail);
  e.sequence_number = h.le64(f::sequence_number);
  e.descriptor_count = h.le32(f::descriptor_count);
  e.flushed_file_offset = h.le64(f::flushed_file_offset);
  e.last_file_offset = h.le64(f::last_file_offset);
  const uint32_t reserved = h.le32(f::reserved);

  if (e.length == 0 || !is_aligned(e.length, kLogSectorSize))
    return reject(fmt::format("entry length {:#x} is not a non-zero multiple of 4 KiB", e.length));
  if (e.length > ring.length())
    return reject(fmt::format("entry length {:#x} exceeds the log length {:#x}", e.length, ring.length()));
  if (!is_aligned(e.tail, kLogSectorSize) || e.tail >= ring.length())
    return reject(fmt::format("tail {:#x} is not a 4 KiB aligned offset inside the log ({:#x} bytes)", e.tail,
                              ring.length()));
  if (e.sequence_number == 0) return reject("sequence number 0 is not allowed");
  if (reserved != 0) return reject(fmt::format("reserved field {:#x} is not zero", reserved));
  if (!is_aligned(e.flushed_file_offset, kMiB))
    return reject(fmt::format("flushed file offset {:#x} is not 1 MiB aligned", e.flushed_file_offset));
  if (!is_aligned(e.last_file_offset, kMiB))
    return reject(fmt::format("last file offset {:#x} is not 1 MiB aligned", e.last_file_offset));
  // The first descriptor sector also holds the 64-byte header, i.e. room for 2 descriptors less.
  const uint64_t descriptor_sectors = ceil_div(uint64_t(e.descriptor_count) + 2, kLogDescriptorsPerSector);
  if (descriptor_sectors * kLogSectorSize > e.length)
    return reject(fmt::format("descriptor count {} needs {} descriptor sectors but the entry length is {:#x}",
                              e.descriptor_count, descriptor_sectors, e.length));

  std::vector<uint8_t> bytes(e.length);
  ring.copy(position, bytes);
  hashed += e.length;
  ByteView v(bytes, ring.file(), ring.entry_name(position), ring.file_offset() + position);

  uint64_t data_sectors = 0;
  for (uint32_t i = 0; i < e.descriptor_count; ++i) {
    const size_t off = kLogEntryHeaderSize + size_t(i) * kLogDescriptorSize;
    const bool is_zero = v.matches(off + d::signature, kZeroDescriptorSignature);
    if (!is_zero && !v.matches(off + d::signature, kDataDescriptorSignature))
      return reject(fmt::format("descriptor {}: signature is not 'zero' or 'desc'", i));
    const uint64_t file_offset = v.le64(off + d::file_offset);
    const uint64_t sequence = v.le64(off + d::sequence_number);
    if (is_zero) {
      const uint32_t zero_reserved = v.le32(off + d::reserved_or_trailing);
      if (zero_reserved != 0)
        return reject(fmt::format("descriptor {}: reserved field {:#x} is not zero", i, zero_reserved));
      const uint64_t zero_length = v.le64(off + d::zero_length_or_leading);
      if (!is_aligned(zero_length, kLogSectorSize))
        return reject(fmt::format("descriptor {}: zero length {:#x} is not a multiple of 4 KiB", i, zero_length));
    } else {
      ++data_sectors;
    }
    if (!is_aligned(file_offset, kLogSectorSize))
      return reject(fmt::format("descriptor {}: file offset {:#x} is not 4 KiB aligned", i, file_offset));
    if (sequence != e.sequence_number)
      return reject(fmt::format("descriptor {}: sequence number {:#x} does not match the entry's {:#x}", i,
                                sequence, e.sequence_number));
  }
  if ((descriptor_sectors + data_sectors) * kLogSectorSize != e.length)
    return reject(fmt::format("entry length {:#x} does not match its {} descriptor sectors and {} data sectors",
                              e.length, descriptor_sectors, data_sectors));
  for (uint64_t j = 0; j < data_sectors; ++j) {
    const size_t off = static_cast<size_t>((descriptor_sectors + j) * kLogSectorSize);
    if (!v.matches(off + data_sector_field::signature, kDataSectorSignature))
      return reject(fmt::format("data sector {}: signature is not 'data'", j));
    const uint64_t sequence = uint64_t(v.le32(off + data_sector_field::sequence_high)) << 32 |
                              v.le32(off + data_sector_field::sequence_low);
    if (sequence != e.sequence_number)
      return reject(fmt::format("data sector {}: sequence number {:#x} does not match the entry's {:#x}", j,
                                sequence, e.sequence_number));
  }
  const uint32_t checksum = v.le32(f::checksum);
  const uint32_t computed = crc32c_with_zeroed_field(bytes, f::checksum);
  if (checksum != computed)
    return reject(fmt::format("checksum {:#x} does not match computed {:#x}", checksum, computed));
  r.entry = e;
  return r;
}

}  // namespace

LogEntryCheck check_log_entry(const LogRing& ring, uint64_t position, const Guid& log_guid) {
  uint64_t hashed = 0;
  return check_entry(ring, position, log_guid, hashed);
}

SequenceSearch find_active_sequence(const LogRing& ring, const Guid& log_guid) {
  const uint64_t length = ring.length();
  const size_t slots = static_cast<size_t>(length / kLogSectorSize);
  enum : uint8_t { kUnchecked, kValid, kInvalid };
  std::vector<uint8_t> state(slots, kUnchecked);
  std::vector<LogEntryInfo> info(slots);
  std::vector<uint8_t> dead_start(slots, 0);  // entry of a run whose head's Tail is outside it
  const uint64_t budget = 8 * length;
  uint64_t hashed = 0;
  std::string first_rejected, tail_problem;

  auto entry_at = [&](uint64_t pos) -> const LogEntryInfo* {
    const size_t slot = static_cast<size_t>(pos / kLogSectorSize);
    if (state[slot] == kUnchecked) {
      LogEntryCheck c = check_entry(ring, pos, log_guid, hashed);
      if (hashed > budget)
        throw FormatError(Location{ring.file(), "log", ring.file_offset()},
                          fmt::format("more than {:#x} bytes of overlapping candidate entries were checked: the log "
                                      "is not a plausible ring of entries",
                                      budget));
      state[slot] = c.entry ? kValid : kInvalid;
      if (c.entry) info[slot] = *c.entry;
      if (!c.entry && c.guid_matches && first_rejected.empty())
        first_rejected = fmt::format("{} @{:#x}: {}", ring.entry_name(pos), ring.file_offset() + pos, c.problem);
    }
    return state[slot] == kValid ? &info[slot] : nullptr;
  };

  SequenceSearch out;
  uint64_t tail = 0;
  for (;;) {
    std::vector<size_t> run;  // slots, tail first
    uint64_t pos = tail, covered = 0;
    bool valid = false, lapped = false;
    if (!dead_start[tail / kLogSectorSize]) {
      while (const LogEntryInfo* e = entry_at(pos)) {
        if (!run.empty() && e->sequence_number != info[run.back()].sequence_number + 1) break;
        if (covered + e->length > length) {  // a run never laps the ring
          lapped = true;
          break;
        }
        run.push_back(static_cast<size_t>(pos / kLogSectorSize));
        covered += e->length;
        pos = (pos + e->length) % length;
      }
    }
    if (!run.empty()) {
      const LogEntryInfo& head = info[run.back()];
      auto first = std::find_if(run.begin(), run.end(), [&](size_t s) { return info[s].position == head.tail; });
      if (first != run.end()) {
        valid = true;
        if (!out.active || head.sequence_number > out.active->head().sequence_number) {
          LogSequence seq;
          for (auto it = first; it != run.end(); ++it) seq.entries.push_back(info[*it]);
          out.active = std::move(seq);
        }
      } else {
        // A run that starts at a later entry of this one ends at the same head, so it cannot be valid
        // either, unless this run was cut short by the lap limit (then a later start may reach further).
        if (!lapped)
          for (size_t s : run) dead_start[s] = 1;
        if (tail_problem.empty())
          tail_problem = fmt::format("{} @{:#x}: tail {:#x} does not point to an entry of its sequence ({}..{})",
                                     ring.entry_name(head.position), ring.file_offset() + head.position, head.tail,
                                     info[run.front()].sequence_number, head.sequence_number);
      }
    }
    const uint64_t next = valid ? pos : (tail + kLogSectorSize) % length;
    if (next <= tail) break;  // wrapped: the whole ring was scanned
    tail = next;
  }
  if (!out.active) {
    if (!tail_problem.empty())
      out.why_none = tail_problem;
    else if (!first_rejected.empty())
      out.why_none = "first rejected entry: " + first_rejected;
    else
      out.why_none = "no log entry carries that log guid";
  }
  return out;
}

}  // namespace vhdchain::vhdx
