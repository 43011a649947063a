#include "write/vhdx_session.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "io/byte_view.h"
#include "io/overlay_reader.h"
#include "vhdx/encode.h"
#include "vhdx/layout.h"
#include "vhdx/log.h"

namespace vhdchain::write {
namespace {

uint64_t round_down(uint64_t value, uint64_t unit) { return value / unit * unit; }
uint64_t round_up(uint64_t value, uint64_t unit) { return (value + unit - 1) / unit * unit; }

}  // namespace

VhdxSession::VhdxSession(const std::string& path) : file_(File::open(path, OpenMode::read_write)) {
  // The reader validates everything (and replays a pending log in memory) before a byte is written.
  image_ = std::make_unique<vhdx::VhdxImage>(file_);
  StructureBuffer header1(*file_, vhdx::kHeaderOffsets[0], vhdx::kHeaderSize, "header 1");
  StructureBuffer header2(*file_, vhdx::kHeaderOffsets[1], vhdx::kHeaderSize, "header 2");
  vhdx::CurrentHeader current = vhdx::select_current_header(header1.view(), header2.view());
  current_ = current.header;
  current_index_ = current.index;
  if (current_.log_length == 0)
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: has no log region; vhdchain writes VHDX metadata only through the log", path));
  if (!current_.log_guid.is_zero()) replay_pending_log();
}

void VhdxSession::update_header(vhdx::Header header) {
  auto next = checked_add(current_.sequence_number, uint64_t{1});
  if (!next) throw Error(ErrorCode::unsupported, fmt::format("{}: header sequence number is exhausted", path()));
  header.sequence_number = *next;
  const int slot = current_index_ == 1 ? 2 : 1;
  file_->write_at(vhdx::kHeaderOffsets[slot - 1], vhdx::encode_header(header));
  file_->flush();
  current_ = header;
  current_index_ = slot;
}

void VhdxSession::ensure_session_started() {
  if (session_started_) return;
  // MS-VHDX 2.2.2.1: a new FileWriteGuid before the first modification, written twice so that both
  // slots describe this session.
  vhdx::Header h = current_;
  h.file_write_guid = Guid::random();
  update_header(h);
  update_header(h);
  session_started_ = true;
}

void VhdxSession::replay_pending_log() {
  vhdx::InMemoryReplay replay =
      vhdx::replay_into_overlay(file_, current_.log_guid, current_.log_offset, current_.log_length);
  // The replayed view must be a valid file before it is made the file: the constructor's reader
  // checked everything up to the metadata, the BAT is checked here (as info and check do), so a
  // log whose result a reader refuses is refused before the first write.
  (void)image_->bat_table();
  const vhdx::InPlaceReplayPlan plan = vhdx::plan_in_place_replay(*replay.overlay, file_->size());
  ensure_session_started();
  // The same bytes the read-only open shows, now written to the file. Replaying twice gives the
  // same result, so a crash here leaves the log pending and the next open replays it again. The
  // file is extended first, so what lies past its old end is a hole unless the log wrote data there.
  if (plan.new_size > file_->size()) file_->resize(plan.new_size);
  std::vector<uint8_t> zeros;
  for (const vhdx::InPlaceWrite& w : plan.writes) {
    if (w.data) {
      file_->write_at(w.offset, std::span(w.data, static_cast<size_t>(w.length)));
      continue;
    }
    zeros.assign(static_cast<size_t>(std::min<uint64_t>(w.length, 1 << 20)), 0);
    for (uint64_t done = 0; done < w.length;) {
      const uint64_t n = std::min<uint64_t>(w.length - done, zeros.size());
      file_->write_at(w.offset + done, std::span(zeros.data(), static_cast<size_t>(n)));
      done += n;
    }
  }
  file_->flush();
  vhdx::Header h = current_;
  h.log_guid = Guid{};
  update_header(h);
  replay_.was_pending = true;
  replay_.entries_replayed = static_cast<uint32_t>(replay.sequence.entries.size());
  reopen_image();
}

void VhdxSession::set_data_write_guid(const Guid& guid) {
  ensure_session_started();
  vhdx::Header h = current_;
  h.data_write_guid = guid;
  update_header(h);
  reopen_image();
}

void VhdxSession::reopen_image() { image_ = std::make_unique<vhdx::VhdxImage>(file_); }

void VhdxSession::write_through_log(const std::vector<Patch>& patches) {
  if (patches.empty()) return;
  const uint64_t log_begin = current_.log_offset, log_end = current_.log_offset + current_.log_length;
  uint64_t end_of_change = 0;
  for (const Patch& p : patches) {
    const uint64_t end = p.offset + p.bytes.size();
    if (p.offset < vhdx::kLogForbiddenTargetEnd)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a change @{:#x} lies in the header section, which the log never writes", path(),
                              p.offset));
    if (p.offset < log_end && end > log_begin)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a change @{:#x} overlaps the log @{:#x}", path(), p.offset, log_begin));
    end_of_change = std::max(end_of_change, end);
  }

  // 1. Whole 4 KiB sectors: later patches win over earlier ones, the file fills the rest.
  std::map<uint64_t, std::vector<uint8_t>> sectors;
  for (const Patch& p : patches) {
    for (uint64_t at = p.offset; at < p.offset + p.bytes.size();) {
      const uint64_t sector = round_down(at, vhdx::kLogSectorSize);
      auto [it, fresh] = sectors.try_emplace(sector, vhdx::kLogSectorSize, uint8_t{0});
      if (fresh && sector < file_->size()) {
        const uint64_t have = std::min<uint64_t>(vhdx::kLogSectorSize, file_->size() - sector);
        file_->read_at(sector, std::span(it->second.data(), static_cast<size_t>(have)));
      }
      const uint64_t n = std::min(sector + vhdx::kLogSectorSize, p.offset + p.bytes.size()) - at;
      std::copy_n(p.bytes.begin() + static_cast<ptrdiff_t>(at - p.offset), n,
                  it->second.begin() + static_cast<ptrdiff_t>(at - sector));
      at += n;
    }
  }
  std::vector<vhdx::LogSectorImage> images;
  for (auto& [offset, bytes] : sectors) images.push_back({offset, std::move(bytes)});

  ensure_session_started();
  // 2. The entry, at the start of the log, while the header still says the log is empty.
  vhdx::LogEntryFields fields;
  fields.sequence_number = next_sequence_++;
  fields.tail = 0;
  fields.log_guid = Guid::random();
  fields.flushed_file_offset = round_down(file_->size(), vhdx::kRegionAlignment);
  fields.last_file_offset = round_up(std::max(file_->size(), end_of_change), vhdx::kRegionAlignment);
  const std::vector<uint8_t> entry = vhdx::encode_log_entry(fields, images);
  if (entry.size() > current_.log_length)
    throw Error(ErrorCode::unsupported, fmt::format("{}: a change of {} sectors needs a {}-byte log entry; the log "
                                                    "holds {} bytes",
                                                    path(), images.size(), entry.size(), current_.log_length));
  file_->write_at(current_.log_offset, entry);
  file_->flush();

  // 3. The header names the log: from now on every reader replays the entry.
  vhdx::Header h = current_;
  h.log_guid = fields.log_guid;
  update_header(h);

  // 4. The change in place, and the file at least as long as the log entry says.
  for (const vhdx::LogSectorImage& s : images) file_->write_at(s.file_offset, s.bytes);
  if (file_->size() < fields.last_file_offset) file_->resize(fields.last_file_offset);
  file_->flush();

  // 5. The log is empty again.
  h.log_guid = Guid{};
  update_header(h);
  reopen_image();
}

}  // namespace vhdchain::write
