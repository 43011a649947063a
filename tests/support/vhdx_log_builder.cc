// VHDX log writer (MS-VHDX 2.3): turns the difference between the on-disk ("before replay") and
// the final ("after replay") encoding of an image into log entries.
//
// Both files were encoded from the same plan, so they differ only where the log spec says (BAT
// entries, the Virtual Disk Size item, sector bitmaps, zeroed blocks, a truncated tail). Each
// differing 4 KiB sector becomes a data descriptor carrying the final bytes, or a zero descriptor
// when the final sector is all zero (2.3.1.2-2.3.1.4); replaying the active sequence therefore
// reproduces the final file exactly, which is what a replay test compares against. Stale entries
// (wrong LogGuid, older sequence, bad checksum) carry a descriptor that would wreck the first BAT
// sector, so replaying one by mistake is visible.
#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

#include "base/crc32c.h"
#include "support/byte_put.h"
#include "support/data_pattern.h"
#include "support/image_builder.h"
#include "support/vhdx_plan.h"

namespace vhdchain::test {
namespace {

constexpr uint64_t kSector = 4096;  // 2.3.1: log sectors and update granularity

struct Descriptor {
  bool zero = false;
  uint64_t file_offset = 0;
  uint64_t zero_length = 0;     // zero descriptor
  std::vector<uint8_t> update;  // data descriptor: the 4 KiB written at file_offset
};

bool all_zero(const std::vector<uint8_t>& v) {
  return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; });
}

std::vector<Descriptor> diff_descriptors(const SparseFile& before, const SparseFile& after, const VhdxPlan& p,
                                         bool use_zero_descriptors) {
  std::set<uint64_t> pages;
  for (uint64_t off : before.page_offsets()) pages.insert(off);
  for (uint64_t off : after.page_offsets()) pages.insert(off);
  std::vector<Descriptor> out;
  for (uint64_t page : pages) {
    for (uint64_t s = page; s < page + SparseFile::kPageSize && s + kSector <= after.size(); s += kSector) {
      if (s >= p.log_offset && s < p.log_offset + p.log_length) continue;
      std::vector<uint8_t> a = after.read(s, kSector);
      const bool past_end = s + kSector > before.size();
      if (past_end) {
        // The replay's final extension to LastFileOffset zero-fills; only data needs a descriptor.
        if (all_zero(a)) continue;
      } else if (before.read(s, kSector) == a) {
        continue;
      }
      if (use_zero_descriptors && all_zero(a)) {
        if (!out.empty() && out.back().zero && out.back().file_offset + out.back().zero_length == s)
          out.back().zero_length += kSector;
        else
          out.push_back({true, s, kSector, {}});
      } else {
        out.push_back({false, s, 0, std::move(a)});
      }
    }
  }
  return out;
}

struct EntryFields {
  uint64_t sequence = 0;
  uint32_t tail = 0;
  Guid log_guid;
  uint64_t flushed_file_offset = 0;
  uint64_t last_file_offset = 0;
  bool bad_checksum = false;
};

std::vector<uint8_t> encode_entry(const std::vector<Descriptor>& descs, const EntryFields& f) {
  // 2.3.1: descriptor sectors hold the 64-byte header then 32-byte descriptors back to back
  // (126 in the first sector, 128 in later ones); one data sector per data descriptor follows.
  const uint64_t descriptor_sectors = ceil_div(descs.size() + 2, 128);
  const uint64_t data_sectors = std::count_if(descs.begin(), descs.end(), [](const Descriptor& d) { return !d.zero; });
  std::vector<uint8_t> e((descriptor_sectors + data_sectors) * kSector, 0);
  put_ascii(e, 0, "loge");
  put_le32(e, 8, static_cast<uint32_t>(e.size()));
  put_le32(e, 12, f.tail);
  put_le64(e, 16, f.sequence);
  put_le32(e, 24, static_cast<uint32_t>(descs.size()));
  put_guid(e, 32, f.log_guid);
  put_le64(e, 48, f.flushed_file_offset);
  put_le64(e, 56, f.last_file_offset);
  uint64_t data_at = descriptor_sectors * kSector;
  for (size_t i = 0; i < descs.size(); ++i) {
    const Descriptor& d = descs[i];
    const size_t at = 64 + 32 * i;
    if (d.zero) {  // 2.3.1.2
      put_ascii(e, at, "zero");
      put_le64(e, at + 8, d.zero_length);
    } else {  // 2.3.1.3: the first 8 and last 4 bytes of the update live in the descriptor
      put_ascii(e, at, "desc");
      put_bytes(e, at + 4, std::span<const uint8_t>(d.update).subspan(4092, 4));
      put_bytes(e, at + 8, std::span<const uint8_t>(d.update).subspan(0, 8));
      // 2.3.1.4: data sector = "data", SequenceHigh, update bytes 8..4091, SequenceLow.
      put_ascii(e, data_at, "data");
      put_le32(e, data_at + 4, static_cast<uint32_t>(f.sequence >> 32));
      put_bytes(e, data_at + 8, std::span<const uint8_t>(d.update).subspan(8, 4084));
      put_le32(e, data_at + 4092, static_cast<uint32_t>(f.sequence));
      data_at += kSector;
    }
    put_le64(e, at + 16, d.file_offset);
    put_le64(e, at + 24, f.sequence);
  }
  uint32_t crc = crc32c_with_zeroed_field(e, 4);  // 2.3.1.1: over the entire entry
  put_le32(e, 4, f.bad_checksum ? crc ^ 0x00000001u : crc);
  return e;
}

void write_ring(SparseFile& file, const VhdxPlan& p, uint64_t position, std::span<const uint8_t> bytes) {
  const uint64_t first = std::min<uint64_t>(bytes.size(), p.log_length - position);
  file.write(p.log_offset + position, bytes.first(first));
  if (first < bytes.size()) file.write(p.log_offset, bytes.subspan(first));
}

}  // namespace

void write_vhdx_log(SparseFile& before, SparseFile& after, const ImageSpec& spec, const VhdxPlan& p,
                    Layout& layout) {
  const VhdxLogSpec& log = *spec.vhdx.log;
  if (log.first_entry_offset % kSector != 0 || log.first_entry_offset >= p.log_length)
    throw std::invalid_argument("VHDX log: first_entry_offset must be a 4 KiB multiple inside the log");
  if (log.entry_count == 0) throw std::invalid_argument("VHDX log: entry_count must be at least 1");

  std::vector<Descriptor> descs = diff_descriptors(before, after, p, log.zero_descriptors);
  EntryFields f;
  f.log_guid = log.log_guid;
  f.tail = log.first_entry_offset;  // every entry of the active sequence points at its first entry
  f.flushed_file_offset = before.size();
  f.last_file_offset = log.last_file_offset.value_or(after.size());

  uint64_t position = log.first_entry_offset;
  uint64_t used = 0;
  auto place = [&](const std::vector<uint8_t>& entry, std::string name) {
    used += entry.size();
    if (used > p.log_length) throw std::invalid_argument("VHDX log: entries do not fit in the log");
    write_ring(before, p, position, entry);
    write_ring(after, p, position, entry);
    layout.add(std::move(name), {p.log_offset + position, entry.size()}, ChecksumKind::crc32c_at_4);
    position = (position + entry.size()) % p.log_length;
  };

  // Spread descriptors over the entries in file-offset order, as consecutive sequence numbers.
  size_t next = 0;
  for (uint32_t i = 0; i < log.entry_count; ++i) {
    const size_t take = (descs.size() - next) / (log.entry_count - i);
    std::vector<Descriptor> part(descs.begin() + next, descs.begin() + next + take);
    next += take;
    if (i + 1 == log.entry_count)
      for (const RawLogDescriptor& r : log.extra_descriptors) {
        if (!r.zero && r.data.size() != kSector)
          throw std::invalid_argument("VHDX log: a raw data descriptor carries exactly 4 KiB");
        part.push_back({r.zero, r.file_offset, r.zero_length, r.data});
      }
    f.sequence = log.first_sequence + i;
    place(encode_entry(part, f), "log entry " + std::to_string(i));
  }

  const uint64_t head_sequence = log.first_sequence + log.entry_count - 1;
  for (size_t i = 0; i < log.stale_entries.size(); ++i) {
    const StaleLogEntry& s = log.stale_entries[i];
    if (s.position) {
      if (*s.position % kSector != 0 || *s.position >= p.log_length)
        throw std::invalid_argument("VHDX log: stale entry position must be a 4 KiB multiple inside the log");
      position = *s.position;
    }
    Descriptor wreck{false, p.bat_offset, 0, std::vector<uint8_t>(kSector)};
    fill_pattern(garbage_seed(spec.seed + i), p.bat_offset, wreck.update);
    EntryFields sf = f;
    sf.sequence = head_sequence + 1;
    switch (s.kind) {
      case StaleLogEntry::Kind::other_guid:
        sf.log_guid = guid_from_seed(spec.seed ^ 0x6c6f67, i);
        break;
      case StaleLogEntry::Kind::older_sequence:
        // A complete sequence of its own (Tail = itself), just older than the active one.
        sf.sequence = log.first_sequence > 50 ? log.first_sequence - 50 : 0;
        if (sf.sequence == 0) throw std::invalid_argument("VHDX log: older_sequence needs first_sequence > 50");
        sf.tail = static_cast<uint32_t>(position);
        break;
      case StaleLogEntry::Kind::bad_checksum:
        sf.bad_checksum = true;
        break;
    }
    place(encode_entry({wreck}, sf), "stale log entry " + std::to_string(i));
  }
}

}  // namespace vhdchain::test
