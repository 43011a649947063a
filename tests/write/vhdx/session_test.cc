// VhdxSession: the header update protocol and one change through the log, crashed at every I/O.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "io/byte_view.h"
#include "support/testdata.h"
#include "vhdx/header.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"
#include "write/vhdx/crash_hook.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx_session.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

struct Headers {
  vhdx::Header h[2];
  bool valid[2] = {false, false};
};

Headers read_headers(const std::string& path) {
  auto f = File::open(path, OpenMode::read_only);
  Headers out;
  for (int i = 0; i < 2; ++i) {
    StructureBuffer b(*f, vhdx::kHeaderOffsets[i], vhdx::kHeaderSize, "header");
    try {
      out.h[i] = vhdx::decode_header(b.view());
      out.valid[i] = true;
    } catch (const FormatError&) {
    }
  }
  return out;
}

std::vector<uint8_t> bytes_at(const Reader& r, uint64_t offset, size_t n) {
  std::vector<uint8_t> out(n);
  r.read_at(offset, out);
  return out;
}

class Session : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = build_image(vhdx_base_spec(3));
    path_ = path_of(t_ / "disk.vhdx");
    built_.write(path_);
    auto image = vhdx::VhdxImage(std::shared_ptr<const Reader>(File::open(path_, OpenMode::read_only)));
    // Free space in the metadata region, straddling a sector boundary, unaligned.
    patch_at_ = image.metadata_region().file_offset + 0x80000 - 100;
    before_ = bytes_at(image.data(), patch_at_, kPatch);
    after_.assign(kPatch, 0);
    for (size_t i = 0; i < kPatch; ++i) after_[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  void write_patch() {
    write::VhdxSession s(path_);
    s.write_through_log({{patch_at_, after_}});
  }
  static constexpr size_t kPatch = 5000;
  TempDir t_;
  BuiltImage built_;
  std::string path_;
  uint64_t patch_at_ = 0;
  std::vector<uint8_t> before_, after_;
};

TEST_F(Session, HeaderUpdateProtocolAroundOneLoggedChange) {
  const Headers old = read_headers(path_);
  ASSERT_TRUE(old.valid[0] && old.valid[1]);
  const uint64_t old_seq = std::max(old.h[0].sequence_number, old.h[1].sequence_number);
  write_patch();
  const Headers now = read_headers(path_);
  ASSERT_TRUE(now.valid[0] && now.valid[1]);
  const int cur = now.h[0].sequence_number > now.h[1].sequence_number ? 0 : 1;
  // Two updates for the new FileWriteGuid, one to name the log, one to empty it.
  EXPECT_EQ(now.h[cur].sequence_number, old_seq + 4);
  EXPECT_EQ(now.h[1 - cur].sequence_number, old_seq + 3);
  EXPECT_NE(now.h[cur].file_write_guid, old.h[0].file_write_guid);
  EXPECT_EQ(now.h[cur].file_write_guid, now.h[1 - cur].file_write_guid);
  EXPECT_EQ(now.h[cur].data_write_guid, old.h[0].data_write_guid);  // nothing a guest sees changed
  EXPECT_TRUE(now.h[cur].log_guid.is_zero());
  EXPECT_FALSE(now.h[1 - cur].log_guid.is_zero());  // the slot that named the log, now stale
  EXPECT_EQ(now.h[cur].log_offset, old.h[0].log_offset);

  auto image = open_image_file(path_);
  EXPECT_FALSE(image->info().log.pending);
  EXPECT_EQ(bytes_at(image->data(), patch_at_, kPatch), after_);
}

TEST_F(Session, EveryCrashPointLeavesBeforeOrAfter) {
  const std::vector<uint8_t> original = read_file_bytes(path_);
  const uint64_t total = count_io_events([&] { write_patch(); });
  // Two header updates (write, flush), the entry and a flush, the header naming the log and a flush,
  // the three sectors the patch touches and a flush, the header emptying the log and a flush.
  EXPECT_EQ(total, 14u);
  int saw_before = 0, saw_pending = 0, saw_after = 0;
  for (uint64_t n = 1; n <= total; ++n) {
    write_file_bytes(path_, original);
    ASSERT_TRUE(run_crashing_after(n, [&] { write_patch(); })) << n;
    // A read-only open replays a pending log in memory and sees before or after, never a mix.
    auto image = open_image_file(path_);
    const std::vector<uint8_t> seen = bytes_at(image->data(), patch_at_, kPatch);
    ASSERT_TRUE(seen == before_ || seen == after_) << "crash after I/O " << n;
    if (image->info().log.pending) {
      ++saw_pending;
      EXPECT_EQ(seen, after_) << n;
    } else {
      (seen == before_ ? saw_before : saw_after)++;
    }
    // The next writable open replays in place; the file then holds the same bytes.
    { write::VhdxSession again(path_); }
    auto reopened = open_image_file(path_);
    EXPECT_FALSE(reopened->info().log.pending) << n;
    EXPECT_EQ(bytes_at(reopened->data(), patch_at_, kPatch), seen) << n;
  }
  EXPECT_EQ(saw_before, 6);   // up to the header that names the log
  EXPECT_EQ(saw_pending, 6);  // from there until the log is emptied
  EXPECT_EQ(saw_after, 2);
}

TEST_F(Session, RefusesChangesTheLogMustNotCarry) {
  write::VhdxSession s(path_);
  EXPECT_THROW(s.write_through_log({{0x10000, {1, 2, 3}}}), Error);  // header 1
  EXPECT_THROW(s.write_through_log({{kMiB + 10, {1}}}), Error);  // the log itself
}

TEST_F(Session, SecondWriterIsRefusedWhileTheFileIsLocked) {
  write::VhdxSession s(path_);
  try {
    write::VhdxSession other(path_);
    FAIL() << "a second writable open succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::locked);
    EXPECT_EQ(std::string(e.what()), path_ + ": is locked by another process");
  }
}

TEST_F(Session, OpeningACleanFileWritesNothing) {
  const std::vector<uint8_t> original = read_file_bytes(path_);
  EXPECT_EQ(count_io_events([&] { write::VhdxSession s(path_); }), 0u);
  EXPECT_EQ(read_file_bytes(path_), original);
}

}  // namespace
}  // namespace vhdchain::test
