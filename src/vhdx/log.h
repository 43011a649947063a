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

// What a log may do to the file (docs/vhdx-notes.md, "What a pending log may do to the file").
// MS-VHDX 2.3.1.1 says LastFileOffset is a file size that contains every structure the entry
// describes, and 2.3.3 that replay extends the file to it; it sets no limit. These bounds are ours,
// so that a hostile or damaged log can neither write outside what its own entry claims, nor make
// the file absurdly large, nor grow it by more than its entries can account for:
//  - every descriptor's range ends at or before its entry's LastFileOffset;
//  - no entry's LastFileOffset exceeds kMaxLogFileSize (twice the 64 TiB of payload a VHDX can
//    address: room for any valid layout, with its bitmaps, BAT, log and unused space);
//  - no entry's LastFileOffset lies further past the end of the file (rounded up to 1 MiB) than the
//    descriptors of the sequence up to it can account for: a writer logs a BAT page after
//    allocating the blocks it points at, so one data sector stands for at most 512 new blocks of at
//    most 256 MiB (kLogGrowthPerDataSector), and a zero descriptor for one zeroed new block or
//    sector bitmap (kLogGrowthPerZeroDescriptor).
constexpr uint64_t kMaxLogFileSize = uint64_t(128) << 40;
constexpr uint64_t kLogGrowthPerDataSector = 512 * (uint64_t(256) << 20);
constexpr uint64_t kLogGrowthPerZeroDescriptor = uint64_t(256) << 20;

// One descriptor's update: data (4 KiB image) or zeros.
struct LogUpdate {
  uint64_t file_offset = 0;
  uint64_t length = 0;        // 4 KiB for data, ZeroLength for zeros
  std::vector<uint8_t> data;  // the 4 KiB image; empty for a zero descriptor
};

// The replay of a sequence, validated: every descriptor of every entry from tail to head, in the
// order they must be applied (MS-VHDX 2.3.3, "Log Replay"), and the file's size afterwards.
struct LogReplayPlan {
  std::vector<LogUpdate> updates;
  uint64_t final_size = 0;  // the larger of the file's size and the head's LastFileOffset
};

// Validates the sequence against the file it belongs to (base_file_size: its size before replay)
// and decodes its updates. Throws FormatError for a truncated file (FlushedFileOffset past the
// end), a descriptor that targets the headers or the log itself, and anything past the bounds above.
// Both replays (in memory for readers, in place for repair --replay-log) start here.
LogReplayPlan plan_log_replay(const LogRing& ring, const LogSequence& sequence, uint64_t base_file_size);

// plan_log_replay applied to the overlay (which extends to final_size).
void replay_log(const LogRing& ring, const LogSequence& sequence, uint64_t base_file_size, OverlayReader& overlay);

// Applying a replay (an overlay holding it) to the file itself: first the file is extended to
// new_size (the new range reads as zeros: holes, never written zeros), then the writes, in offset
// order. Zero ranges are written only where they cover the file's old bytes, so their total never
// exceeds the old file size. The data pointers live as long as the overlay.
struct InPlaceWrite {
  uint64_t offset = 0;
  uint64_t length = 0;
  const uint8_t* data = nullptr;  // null: zeros
};
struct InPlaceReplayPlan {
  uint64_t new_size = 0;  // >= the old size
  std::vector<InPlaceWrite> writes;
};
InPlaceReplayPlan plan_in_place_replay(const OverlayReader& replayed, uint64_t file_size);

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
