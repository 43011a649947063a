// The VHD sidecar journal: exact bytes, decoding of damaged journals, and recovery of every state
// a crash can leave (docs/vhd-writes.md "Recovery").
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "io/fs_ops.h"
#include "support/testdata.h"
#include "vhd_test_support.h"
#include "vhdchain/error.h"
#include "write/vhd_journal.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

using test::file_bytes;
using test::write_bytes;

VhdJournal small_journal() {
  VhdJournal j;
  for (uint8_t i = 0; i < 16; ++i) j.unique_id.bytes[i] = i;
  j.size_before = 0x600;
  j.size_after = 0x800;
  j.records.push_back({0x200, {0xAA, 0xBB}});
  return j;
}

TEST(VhdJournal, ExactBytes) {
  const std::vector<uint8_t> want = {
      'V', 'H', 'D', 'C', 'J', 'R', 'N', 'L', 1, 0, 0, 0, 1, 0, 0, 0,          // magic, version 1, 1 record
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,                     // unique id
      0x00, 0x06, 0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0,               // sizes before, after
      0x4a, 0, 0, 0, 0, 0, 0, 0,                                                // journal length 74
      0x00, 0x02, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0xAA, 0xBB,                     // record @0x200, 2 bytes
      0xbf, 0xc5, 0x8c, 0x4e};                                                  // CRC-32C 0x4e8cc5bf
  EXPECT_EQ(encode_vhd_journal(small_journal()), want);
}

TEST(VhdJournal, RoundTrip) {
  VhdJournal j = small_journal();
  j.records.push_back({0x7FE, {1, 2}});
  const VhdJournal back = decode_vhd_journal(encode_vhd_journal(j), "j");
  EXPECT_EQ(back.unique_id, j.unique_id);
  EXPECT_EQ(back.size_before, 0x600u);
  EXPECT_EQ(back.size_after, 0x800u);
  ASSERT_EQ(back.records.size(), 2u);
  EXPECT_EQ(back.records[1].offset, 0x7FEu);
  EXPECT_EQ(back.records[1].bytes, (std::vector<uint8_t>{1, 2}));
}

std::string decode_error(const std::vector<uint8_t>& bytes) {
  try {
    decode_vhd_journal(bytes, "/d/x.vhd.vhdchain-journal");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "decoded";
}

TEST(VhdJournal, DamagedJournalsAreRefusedWithThePlace) {
  std::vector<uint8_t> bytes = encode_vhd_journal(small_journal());
  std::vector<uint8_t> torn(bytes.begin(), bytes.end() - 3);
  EXPECT_EQ(decode_error(torn), "/d/x.vhd.vhdchain-journal: VHD journal header @0x0: journal length 74 is not the "
                                "file's 71 bytes (torn or extended)");
  std::vector<uint8_t> flipped = bytes;
  flipped[68] ^= 1;
  EXPECT_EQ(decode_error(flipped), "/d/x.vhd.vhdchain-journal: VHD journal checksum @0x46: CRC-32C 0x4e8cc5bf does "
                                   "not match computed 0x" +
                                       fmt::format("{:08x}", crc32c(std::span(flipped).first(70))));
  EXPECT_EQ(decode_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10)),
            "/d/x.vhd.vhdchain-journal: VHD journal header @0x0: journal is 10 bytes, less than the smallest journal "
            "(60)");
  VhdJournal outside = small_journal();
  outside.records[0].offset = 0x7FF;
  EXPECT_EQ(decode_error(encode_vhd_journal(outside)),
            "/d/x.vhd.vhdchain-journal: VHD journal record 0 @0x38: 2 bytes at 0x7ff lie outside the 2048 bytes of "
            "the VHD after the change");
}

// A built VHD and a journal that grows it by a sector and moves the footer (as relink does).
struct Fixture {
  test::TempDir dir;
  std::string vhd = (dir / "d.vhd").string();
  std::vector<uint8_t> before;
  std::vector<uint8_t> after;
  VhdJournal journal;

  Fixture() {
    test::build_image(test::small_dynamic_vhd()).write(vhd);
    before = file_bytes(vhd);
    const std::vector<uint8_t> footer(before.end() - 512, before.end());
    journal.unique_id = *open_image_file(vhd)->info().unique_id;
    journal.size_before = before.size();
    journal.size_after = before.size() + 512;
    journal.records.push_back({before.size() - 512, std::vector<uint8_t>(512, 0x5A)});
    journal.records.push_back({before.size(), footer});
    after = before;
    std::fill(after.end() - 512, after.end(), 0x5A);
    after.insert(after.end(), footer.begin(), footer.end());
  }
  std::string journal_path() const { return vhd_journal_path(vhd); }
};

TEST(VhdJournal, CommitAppliesAndRemovesTheJournal) {
  Fixture f;
  auto file = File::open(f.vhd, OpenMode::read_write);
  commit_vhd_change(*file, f.journal);
  file.reset();
  EXPECT_EQ(file_bytes(f.vhd), f.after);
  EXPECT_FALSE(io::path_exists(f.journal_path()));
  EXPECT_FALSE(io::path_exists(vhd_journal_partial_path(f.vhd)));
  EXPECT_EQ(open_image_file(f.vhd)->info().file_size, f.after.size());
}

TEST(VhdJournal, CommitRefusesAPendingJournal) {
  Fixture f;
  write_bytes(f.journal_path(), encode_vhd_journal(f.journal));
  auto file = File::open(f.vhd, OpenMode::read_write);
  try {
    commit_vhd_change(*file, f.journal);
    FAIL() << "committed";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), f.vhd + ": a change is pending (" + f.journal_path() +
                                         "); recover it first (vhdchain repair --replay-log)");
  }
  EXPECT_EQ(file_bytes(f.vhd), f.before);
}

TEST(VhdJournal, NothingPendingWritesNothing) {
  Fixture f;
  const ReplayResult r = replay_pending(f.vhd);
  EXPECT_FALSE(r.was_pending);
  EXPECT_EQ(file_bytes(f.vhd), f.before);
}

TEST(VhdJournal, PartialJournalIsDiscarded) {
  Fixture f;
  const std::vector<uint8_t> bytes = encode_vhd_journal(f.journal);
  write_bytes(vhd_journal_partial_path(f.vhd), std::vector<uint8_t>(bytes.begin(), bytes.begin() + 30));
  const ReplayResult r = replay_vhd_journal(f.vhd);
  EXPECT_TRUE(r.was_pending);
  EXPECT_TRUE(r.journal_discarded);
  EXPECT_EQ(r.entries_replayed, 0u);
  EXPECT_FALSE(io::path_exists(vhd_journal_partial_path(f.vhd)));
  EXPECT_EQ(file_bytes(f.vhd), f.before);
}

// The journal published, then a crash after 0, 1, 2 or all of the apply steps (resize, record 1,
// record 2, flush): replay gives the after file every time.
TEST(VhdJournal, PublishedJournalIsReplayedFromEveryApplyState) {
  for (int applied = 0; applied <= 3; ++applied) {
    SCOPED_TRACE(applied);
    Fixture f;
    write_bytes(f.journal_path(), encode_vhd_journal(f.journal));
    {
      auto file = File::open(f.vhd, OpenMode::read_write);
      if (applied >= 1) file->resize(f.journal.size_after);
      for (int i = 0; i + 1 < applied; ++i) file->write_at(f.journal.records[i].offset, f.journal.records[i].bytes);
    }
    const ReplayResult r = replay_pending(f.vhd);
    EXPECT_TRUE(r.was_pending);
    EXPECT_FALSE(r.journal_discarded);
    EXPECT_EQ(r.entries_replayed, 2u);
    EXPECT_FALSE(io::path_exists(f.journal_path()));
    EXPECT_EQ(file_bytes(f.vhd), f.after);
  }
}

TEST(VhdJournal, JournalOfAnotherFileIsRefusedAndKept) {
  Fixture f;
  VhdJournal other = f.journal;
  other.unique_id.bytes[0] ^= 0xFF;
  write_bytes(f.journal_path(), encode_vhd_journal(other));
  try {
    replay_pending(f.vhd);
    FAIL() << "replayed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{}: journal belongs to another file (VHD unique id {}, {} bytes before / {} after the "
                          "change), not {} ({} bytes, no footer with that unique id); it was not applied and is "
                          "left in place",
                          f.journal_path(), other.unique_id.to_string(), f.before.size(), f.before.size() + 512, f.vhd,
                          f.before.size()));
  }
  EXPECT_TRUE(io::path_exists(f.journal_path()));
  EXPECT_EQ(file_bytes(f.vhd), f.before);

  // Right id, but a size the change never goes through: another copy of the disk.
  VhdJournal resized = f.journal;
  resized.size_before += 4096;
  resized.size_after += 4096;
  write_bytes(f.journal_path(), encode_vhd_journal(resized));
  EXPECT_THROW(replay_pending(f.vhd), Error);
  EXPECT_EQ(file_bytes(f.vhd), f.before);
}

TEST(VhdJournal, DamagedPublishedJournalIsRefusedAndKept) {
  Fixture f;
  std::vector<uint8_t> bytes = encode_vhd_journal(f.journal);
  bytes.resize(bytes.size() - 100);
  write_bytes(f.journal_path(), bytes);
  try {
    replay_pending(f.vhd);
    FAIL() << "replayed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::format);
    EXPECT_EQ(std::string(e.what()),
              fmt::format("{}: VHD journal header @0x0: journal length {} is not the file's {} bytes (torn or "
                          "extended); the journal was not applied and is left in place: check the VHD (vhdchain "
                          "check) before removing it",
                          f.journal_path(), bytes.size() + 100, bytes.size()));
  }
  EXPECT_TRUE(io::path_exists(f.journal_path()));
  EXPECT_EQ(file_bytes(f.vhd), f.before);
}

}  // namespace
}  // namespace vhdchain::write
