// VHDX corruption: the log (MS-VHDX 2.3). A pending log must be replayed (in memory) before any
// other structure is read; with a non-zero LogGuid and no valid sequence the file is corrupt.
//
// Base: vhdx_pending_log_spec(), one 8 KiB entry @0x100000 (sequence 100) whose data descriptor
// rewrites the BAT's first sector so block 2 becomes FULLY_PRESENT. Entry fields are patched with
// fix_checksum, so the rule under test is reached rather than the entry checksum.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "corruption_support.h"

namespace vhdchain::test {
namespace {

namespace f = vhdx_field;

const char* const kReplayed =
    "log @0x100000: replayed 1 entries (sequence 100..100) in memory; the file was not modified";

StaleLogEntry stale(StaleLogEntry::Kind kind) {
  StaleLogEntry s;
  s.kind = kind;
  return s;
}

std::string no_sequence(const std::string& why) {
  return fmt::format(
      "img.vhdx: log @0x100000: the header's log guid {} is set but no valid log sequence was found ({})",
      kLogGuid.to_string(), why);
}

TEST(VhdxCorruption, PendingLogBaselineIsReplayed) {
  // Not a mutation: without replay block 2 would read as zeros.
  BuiltImage img = build_image(vhdx_pending_log_spec());
  auto image = open_image(reader_of(img));
  EXPECT_TRUE(image->info().log.replayed);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), (NoteList{{"vhdx.log_replayed", kReplayed}}));
}

TEST(VhdxCorruption, LogOnlyEntryBadChecksumIsCorrupt) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  const uint32_t good = read_le32(img, "log entry 0", f::kLogChecksum);
  img.patch_le("log entry 0", f::kLogChecksum, ~good, 4);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, no_sequence(fmt::format("first rejected entry: log entry @0x100000: checksum {:#x} does not "
                                               "match computed {:#x}",
                                               ~good, good)));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogStaleEntryWithBadChecksumIsIgnored) {
  ImageSpec spec = vhdx_pending_log_spec();
  spec.vhdx.log->stale_entries.push_back(stale(StaleLogEntry::Kind::bad_checksum));
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(image->info().log.last_sequence, 100u);
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), (NoteList{{"vhdx.log_replayed", kReplayed}}));
}

TEST(VhdxCorruption, LogStaleEntriesOfOtherSessionsAreIgnored) {
  ImageSpec spec = vhdx_pending_log_spec();
  spec.vhdx.log->stale_entries.push_back(stale(StaleLogEntry::Kind::other_guid));
  spec.vhdx.log->stale_entries.push_back(stale(StaleLogEntry::Kind::older_sequence));
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), (NoteList{{"vhdx.log_replayed", kReplayed}}));
}

TEST(VhdxCorruption, LogEntryWrappingAroundTheRingIsReplayed) {
  // The 8 KiB entry starts 4 KiB before the end of the 1 MiB log and continues at its start.
  ImageSpec spec = vhdx_pending_log_spec();
  spec.vhdx.log->first_entry_offset = kMiB - 4 * kKiB;
  spec.vhdx.log->stale_entries.push_back(stale(StaleLogEntry::Kind::bad_checksum));
  BuiltImage img = build_image(spec);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()), (NoteList{{"vhdx.log_replayed", kReplayed}}));
}

TEST(VhdxCorruption, LogEntryWithOtherLogGuid) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", f::kLogGuid, 0x77, 1, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, no_sequence("no log entry carries that log guid"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogDataSectorSequenceMismatch) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", 4096 + 4092, 101, 4, /*fix_checksum=*/true);  // data sector 0's SequenceLow
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, no_sequence("first rejected entry: log entry @0x100000: data sector 0: sequence number 0x65 "
                                   "does not match the entry's 0x64"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogEntryLengthNotSectorMultiple) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", f::kLogEntryLength, 0x2200, 4, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message, no_sequence("first rejected entry: log entry @0x100000: entry length 0x2200 is not a non-zero "
                                   "multiple of 4 KiB"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogTailOutsideItsSequence) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", f::kLogTail, 0x4000, 4, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            no_sequence("log entry @0x100000: tail 0x4000 does not point to an entry of its sequence (100..100)"));
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogFlushedOffsetBeyondEndOfFile) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", f::kLogFlushedFileOffset, 0x10000000, 8, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: log entry @0x100000: flushed file offset 0x10000000 lies beyond the end of the file (0x600000 "
            "bytes): the file is truncated");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, TruncatedFileWithPendingLog) {
  // The log says the file was 6 MiB when it was written; a copy cut at 5 MiB lost data.
  BuiltImage img = build_image(vhdx_pending_log_spec());
  const Failure e = open_failure(reader_of(img, 5 * kMiB));
  EXPECT_EQ(e.message,
            "img.vhdx: log entry @0x100000: flushed file offset 0x600000 lies beyond the end of the file (0x500000 "
            "bytes): the file is truncated");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogDescriptorTargetsHeaders) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("log entry 0", f::kLogDescriptors + 16, 0x10000, 8, /*fix_checksum=*/true);  // FileOffset
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: log entry @0x100000: descriptor 0: target 0x10000+0x1000 overlaps the file identifier or the "
            "headers, which are never written through the log");
  EXPECT_EQ(e.code, ErrorCode::format);
}

TEST(VhdxCorruption, LogVersionNonZeroWithPendingLogIsUnsupported) {
  BuiltImage img = build_image(vhdx_pending_log_spec());
  img.patch_le("header 2", f::kHeaderLogVersion, 1, 2, /*fix_checksum=*/true);
  const Failure e = open_failure(img);
  EXPECT_EQ(e.message,
            "img.vhdx: header 2 @0x20000: log version 1 is not supported (must be 0) and the log guid is set: the log "
            "cannot be replayed");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
}

TEST(VhdxCorruption, LogVersionNonZeroWithEmptyLogIsNoted) {
  BuiltImage img = build_image(vhdx_dynamic_spec());
  img.patch_le("header 2", f::kHeaderLogVersion, 1, 2, /*fix_checksum=*/true);
  auto image = open_image(reader_of(img));
  EXPECT_EQ(read_disk(*image), expected_disk(img.spec));
  EXPECT_EQ(notes_of(image->info()),
            (NoteList{{"vhdx.log_version_nonzero",
                       "header 2 @0x20000: log version 1 is not 0; ignored because the log is empty"}}));
}

}  // namespace
}  // namespace vhdchain::test
