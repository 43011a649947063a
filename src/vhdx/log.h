// The VHDX log (MS-VHDX 2.3): validating entries, finding the active sequence, and replaying it
// into an in-memory overlay so that a read-only open sees the file as it must be after replay.
//
// The log region is read into memory once (LogRing) and everything here works on those bytes, so
// entries that wrap around the end of the ring are handled by one copy routine and the unit tests
// can build rings from byte arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/overlay_reader.h"
#include "vhdchain/error.h"
#include "vhdchain/guid.h"

namespace vhdchain::vhdx {

// The largest log this reader replays. Real writers use 1 MiB (Hyper-V, QEMU); the cap bounds the
// memory a hostile file can cost (the ring, plus at most as much again in replayed sectors).
constexpr uint64_t kMaxReplayLogLength = 64ull << 20;

// The bytes of the log region and where they came from.
class LogRing {
 public:
  // bytes.size() must be a non-zero multiple of 4 KiB.
  LogRing(std::span<const uint8_t> bytes, std::string file, uint64_t file_offset)
      : bytes_(bytes), file_(std::move(file)), file_offset_(file_offset) {}

  uint64_t length() const { return bytes_.size(); }
  uint64_t file_offset() const { return file_offset_; }
  const std::string& file() const { return file_; }
  // Copies out.size() (<= length()) bytes starting at a ring position, wrapping at the end.
  void copy(uint64_t position, std::span<uint8_t> out) const;
  // "log entry" and its Location (the absolute offset goes in the message as @0x...).
  std::string entry_name(uint64_t position) const;
  Location entry_location(uint64_t position) const;

 private:
  std::span<const uint8_t> bytes_;
  std::string file_;
  uint64_t file_offset_;
};

struct LogEntryInfo {
  uint64_t position = 0;  // offset from the start of the log
  uint32_t length = 0;    // EntryLength
  uint32_t tail = 0;
  uint64_t sequence_number = 0;
  uint32_t descriptor_count = 0;
  uint64_t flushed_file_offset = 0;
  uint64_t last_file_offset = 0;
};

struct LogEntryCheck {
  std::optional<LogEntryInfo> entry;  // set when the entry is valid
  std::string problem;                // otherwise, why not (a FormatError detail)
  bool guid_matches = false;          // the entry carries the header's LogGuid (it is not stale)
};

// Validates the entry starting at `position` (a multiple of 4 KiB): header fields, LogGuid,
// descriptors, data sectors and the checksum over the whole entry (MS-VHDX 2.3.1).
LogEntryCheck check_log_entry(const LogRing& ring, uint64_t position, const Guid& log_guid);

struct LogSequence {
  std::vector<LogEntryInfo> entries;  // tail first, head last
  const LogEntryInfo& head() const { return entries.back(); }
};

struct SequenceSearch {
  std::optional<LogSequence> active;
  std::string why_none;  // when none was found: the most telling reason
};

// Finds the active sequence (MS-VHDX 2.3.3). Throws FormatError when a hostile ring would make the
// search cost more than a few passes over the log.
SequenceSearch find_active_sequence(const LogRing& ring, const Guid& log_guid);

// Replays the sequence into the overlay (MS-VHDX 2.3.3, "Log Replay"): every descriptor of every
// entry from tail to head, then extends the file to the head's LastFileOffset. base_file_size is the
// file's size before replay (checked against FlushedFileOffset). Throws FormatError for a truncated
// file or a descriptor that targets the headers or the log itself.
void replay_log(const LogRing& ring, const LogSequence& sequence, uint64_t base_file_size, OverlayReader& overlay);

// The whole of a pending log replayed into memory: the active sequence found in the log region
// [log_offset, +log_length) of `file` for `log_guid`, applied to an overlay over `file`. Throws
// FormatError when the log is too long to replay, or no valid sequence carries log_guid.
struct InMemoryReplay {
  std::shared_ptr<OverlayReader> overlay;
  LogSequence sequence;
};
InMemoryReplay replay_into_overlay(const std::shared_ptr<const Reader>& file, const Guid& log_guid,
                                   uint64_t log_offset, uint64_t log_length);

}  // namespace vhdchain::vhdx
