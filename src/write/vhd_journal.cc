// The VHD sidecar redo journal (vhd_journal.h; format and rules in docs/vhd-writes.md).
#include "write/vhd_journal.h"

#include <cstring>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/crc32c.h"
#include "io/byte_view.h"
#include "io/fs_ops.h"
#include "vhd/layout.h"
#include "vhdchain/error.h"
#include "write/new_file.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

// Journal layout, little-endian (our own format; docs/vhd-writes.md):
//   0  8  magic "VHDCJRNL"      8  4  version 1        12  4  record count
//  16 16  VHD footer unique id  32  8  size before      40  8  size after
//  48  8  journal length (every byte, CRC included)
//  56     records: u64 offset, u32 length, then length bytes
//  end 4  CRC-32C of every byte before it
constexpr std::string_view kMagic = "VHDCJRNL";
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 56;
constexpr size_t kRecordHeaderSize = 12;
constexpr size_t kCrcSize = 4;
// A relink journal is a few KiB; a merge's BAT of 2040 GiB in 512 KiB blocks is 16 MiB. Anything
// far larger is not one of ours, and is not read into memory.
constexpr uint64_t kMaxJournalSize = 256ull * 1024 * 1024;

std::vector<uint8_t> read_whole(const File& file) {
  if (file.size() > kMaxJournalSize)
    throw FormatError({file.name(), "VHD journal", 0},
                      fmt::format("{} bytes is more than a journal can be ({})", file.size(), kMaxJournalSize));
  std::vector<uint8_t> bytes(file.size());
  file.read_at(0, bytes);
  return bytes;
}

// True when a footer of the VHD the journal names (cookie and unique id) starts at `offset`.
bool footer_of(const File& vhd, uint64_t offset, const Guid& unique_id) {
  if (offset > vhd.size() || vhd.size() - offset < vhd::kFooterSize) return false;
  std::array<uint8_t, vhd::kFooterSize> footer{};
  vhd.read_at(offset, footer);
  return std::memcmp(footer.data(), vhd::kFooterCookie.data(), vhd::kFooterCookie.size()) == 0 &&
         std::memcmp(footer.data() + vhd::footer_field::kUniqueId, unique_id.bytes.data(), 16) == 0;
}

// A journal belongs to a VHD when the file has one of the sizes the change goes between and one of
// the places a footer can be at any moment of the change (the copy at 0, the end before, the end
// after) holds a footer with the journal's unique id. Commit resizes before any record is written
// and records are whole-sector structures, so every crash point satisfies this.
void check_belongs(const File& vhd, const VhdJournal& journal, const std::string& journal_path) {
  const bool size_ok = vhd.size() == journal.size_before || vhd.size() == journal.size_after;
  const bool id_ok = footer_of(vhd, 0, journal.unique_id) ||
                     (journal.size_before >= vhd::kFooterSize &&
                      footer_of(vhd, journal.size_before - vhd::kFooterSize, journal.unique_id)) ||
                     (journal.size_after >= vhd::kFooterSize &&
                      footer_of(vhd, journal.size_after - vhd::kFooterSize, journal.unique_id));
  if (size_ok && id_ok) return;
  throw Error(ErrorCode::invalid_argument,
              fmt::format("{}: journal belongs to another file (VHD unique id {}, {} bytes before / {} after the "
                          "change), not {} ({} bytes{}); it was not applied and is left in place",
                          journal_path, journal.unique_id.to_string(), journal.size_before, journal.size_after,
                          vhd.name(), vhd.size(), id_ok ? "" : ", no footer with that unique id"));
}

void apply(File& vhd, const VhdJournal& journal) {
  if (vhd.size() != journal.size_after) vhd.resize(journal.size_after);
  for (const Patch& record : journal.records) vhd.write_at(record.offset, record.bytes);
  vhd.flush();
}

}  // namespace

std::string vhd_journal_partial_path(const std::string& vhd_path) {
  return NewFile::partial_path_for(vhd_journal_path(vhd_path));
}

std::vector<uint8_t> encode_vhd_journal(const VhdJournal& journal) {
  uint64_t total = kHeaderSize + kCrcSize;
  for (const Patch& record : journal.records) total += kRecordHeaderSize + record.bytes.size();
  std::array<uint8_t, kHeaderSize> header{};
  store_ascii(header, 0, kMagic);
  store_le32(header, 8, kVersion);
  store_le32(header, 12, static_cast<uint32_t>(journal.records.size()));
  store_guid(header, 16, journal.unique_id);
  store_le64(header, 32, journal.size_before);
  store_le64(header, 40, journal.size_after);
  store_le64(header, 48, total);
  std::vector<uint8_t> out(header.begin(), header.end());
  out.reserve(total);
  for (const Patch& record : journal.records) {
    std::array<uint8_t, kRecordHeaderSize> record_header{};
    store_le64(record_header, 0, record.offset);
    store_le32(record_header, 8, static_cast<uint32_t>(record.bytes.size()));
    out.insert(out.end(), record_header.begin(), record_header.end());
    out.insert(out.end(), record.bytes.begin(), record.bytes.end());
  }
  std::array<uint8_t, kCrcSize> crc{};
  store_le32(crc, 0, crc32c(out));
  out.insert(out.end(), crc.begin(), crc.end());
  return out;
}

VhdJournal decode_vhd_journal(std::span<const uint8_t> bytes, const std::string& journal_path) {
  const ByteView header(bytes.first(std::min(bytes.size(), kHeaderSize)), journal_path, "VHD journal header", 0);
  if (bytes.size() < kHeaderSize + kCrcSize)
    header.fail(fmt::format("journal is {} bytes, less than the smallest journal ({})", bytes.size(),
                            kHeaderSize + kCrcSize));
  if (!header.matches(0, kMagic)) header.fail("magic is not \"VHDCJRNL\"");
  if (header.le32(8) != kVersion) header.fail(fmt::format("version {} is not {}", header.le32(8), kVersion));
  if (header.le64(48) != bytes.size())
    header.fail(fmt::format("journal length {} is not the file's {} bytes (torn or extended)", header.le64(48),
                            bytes.size()));
  const size_t crc_at = bytes.size() - kCrcSize;
  const uint32_t stored_crc = ByteView(bytes.subspan(crc_at), journal_path, "VHD journal checksum", crc_at).le32(0);
  const uint32_t computed_crc = crc32c(bytes.first(crc_at));
  if (stored_crc != computed_crc)
    throw FormatError({journal_path, "VHD journal checksum", crc_at},
                      fmt::format("CRC-32C {:#010x} does not match computed {:#010x}", stored_crc, computed_crc));

  VhdJournal journal;
  journal.unique_id = header.guid(16);
  journal.size_before = header.le64(32);
  journal.size_after = header.le64(40);
  const uint32_t count = header.le32(12);
  size_t at = kHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    const std::string name = fmt::format("VHD journal record {}", i);
    if (crc_at - at < kRecordHeaderSize)
      throw FormatError({journal_path, name, at}, "record header runs past the end of the journal");
    const ByteView record_header(bytes.subspan(at, kRecordHeaderSize), journal_path, name, at);
    Patch record;
    record.offset = record_header.le64(0);
    const uint32_t length = record_header.le32(8);
    if (crc_at - at - kRecordHeaderSize < length)
      record_header.fail(fmt::format("{} bytes run past the end of the journal", length));
    if (record.offset > journal.size_after || journal.size_after - record.offset < length)
      record_header.fail(fmt::format("{} bytes at {:#x} lie outside the {} bytes of the VHD after the change",
                                     length, record.offset, journal.size_after));
    const auto data = bytes.subspan(at + kRecordHeaderSize, length);
    record.bytes.assign(data.begin(), data.end());
    journal.records.push_back(std::move(record));
    at += kRecordHeaderSize + length;
  }
  if (at != crc_at)
    throw FormatError({journal_path, "VHD journal", at},
                      fmt::format("{} bytes after the {} records", crc_at - at, count));
  return journal;
}

void commit_vhd_change(File& vhd, const VhdJournal& journal) {
  const std::string journal_path = vhd_journal_path(vhd.name());
  if (vhd.size() != journal.size_before)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} bytes, but the change was planned for {} bytes", vhd.name(), vhd.size(),
                            journal.size_before));
  if (io::path_exists(journal_path))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: a change is pending ({}); recover it first (vhdchain repair --replay-log)",
                            vhd.name(), journal_path));
  {
    // Written under a temporary name; publish() flushes, renames without replacing (so a journal
    // appearing meanwhile is never overwritten) and syncs the folder.
    NewFile sidecar(journal_path);
    const std::vector<uint8_t> bytes = encode_vhd_journal(journal);
    sidecar.file().write_at(0, bytes);
    sidecar.publish();
  }
  apply(vhd, journal);
  io::remove_file(journal_path);
}

ReplayResult recover_vhd_journal(File& vhd) {
  ReplayResult result;
  const std::string partial = vhd_journal_partial_path(vhd.name());
  if (io::path_exists(partial)) {
    // Never published, so never applied: the VHD is as before the change.
    io::remove_file(partial);
    result.was_pending = true;
    result.journal_discarded = true;
  }
  const std::string journal_path = vhd_journal_path(vhd.name());
  if (!io::path_exists(journal_path)) return result;

  VhdJournal journal;
  {
    auto file = File::open(journal_path, OpenMode::read_only);
    try {
      journal = decode_vhd_journal(read_whole(*file), journal_path);
    } catch (const FormatError& e) {
      // Published journals are complete by construction (flushed before the rename), so damage
      // here is not a crash we can reason about: the VHD may be part-way through the change.
      throw Error(ErrorCode::format, std::string(e.what()) +
                                         "; the journal was not applied and is left in place: check the VHD "
                                         "(vhdchain check) before removing it");
    }
  }
  check_belongs(vhd, journal, journal_path);
  apply(vhd, journal);
  io::remove_file(journal_path);
  result.was_pending = true;
  result.entries_replayed = static_cast<uint32_t>(journal.records.size());
  return result;
}

std::unique_ptr<File> open_vhd_for_writing(const std::string& path, ReplayResult* replayed) {
  auto file = File::open(path, OpenMode::read_write);
  const ReplayResult result = recover_vhd_journal(*file);
  if (replayed) *replayed = result;
  return file;
}

ReplayResult replay_vhd_journal(const std::string& path) {
  ReplayResult result;
  open_vhd_for_writing(path, &result);
  return result;
}

}  // namespace vhdchain::write
