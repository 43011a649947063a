// What a pending log may do to the file (issue 13 cases 1, 2, 3 and 8; the rules: vhdx/log.h and
// docs/vhdx-notes.md). Hostile logs made by the test builder are reported the same way by every
// reader (info, check, export) and refused by repair --replay-log before its first write: exit 2,
// the file byte-identical with its mtime. Within the bounds, a log that extends the file does so
// with a hole, never with written zeros.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/kill_sweep.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

const Guid kGuid = *Guid::parse("5f0c6a1e-2b7d-4c39-8e14-9a6b3d2f7c01");
constexpr uint64_t kEnd = 8 * kMiB;  // the size of dirty_vhdx_spec's file, before and after replay
constexpr uint64_t kBat = 0x300000;  // where its BAT starts
constexpr uint64_t kTiB8 = uint64_t(8) << 40;

// dirty_vhdx_spec (one 8 KiB entry @0x100000: a data descriptor making block 2 present) with
// descriptors appended to that entry and, optionally, another LastFileOffset.
ImageSpec hostile(std::vector<RawLogDescriptor> extra, std::optional<uint64_t> last_file_offset = std::nullopt) {
  ImageSpec spec = dirty_vhdx_spec(1, kGuid);
  spec.vhdx.log->extra_descriptors = std::move(extra);
  spec.vhdx.log->last_file_offset = last_file_offset;
  return spec;
}

RawLogDescriptor zeros_at(uint64_t offset, uint64_t length) { return {true, offset, length, {}}; }
RawLogDescriptor data_at(uint64_t offset, std::vector<uint8_t> bytes) { return {false, offset, 0, std::move(bytes)}; }

struct Stamp {
  std::string sha;
  timespec mtime{};
  uint64_t size = 0;
};
Stamp stamp(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return {sha256_hex(read_file_bytes(path)), st.st_mtim, static_cast<uint64_t>(st.st_size)};
}

class ReplayBounds : public ::testing::Test {
 protected:
  std::string write(const ImageSpec& spec, const std::string& name = "disk.vhdx") {
    const std::string path = path_of(t_ / name);
    build_image(spec).write(path);
    return path;
  }

  // info, check and export report `detail` (the library's message after "<path>: ") and exit 2;
  // repair --replay-log (and its dry run) refuses with the same message and leaves the file as it
  // was. `check_codes`: all of check's findings (a file whose replayed BAT is corrupt still opens).
  void expect_refused_everywhere(const std::string& path, const std::string& detail,
                                 const std::vector<std::string>& check_codes = {"disk.corrupt"}) {
    const Stamp before = stamp(path);
    const std::string message = path + ": " + detail;

    const CliRun info = run_cli({"info", path});
    EXPECT_EQ(info.exit_code, 2);
    EXPECT_EQ(info.err, "vhdchain: " + message + "\n");

    const CliRun check = run_cli({"check", "--json", path});
    EXPECT_EQ(check.exit_code, 2);
    EXPECT_EQ(finding_codes(check.json()), check_codes);
    EXPECT_EQ(only_finding(check.json(), "disk.corrupt").at("message"), message);

    const std::string out = path_of(t_ / "export.raw");
    const CliRun exported = run_cli({"export", path, "--raw", out});
    EXPECT_EQ(exported.exit_code, 2);
    EXPECT_EQ(exported.err, "vhdchain: " + message + "\n");

    for (bool dry_run : {true, false}) {
      std::vector<std::string> args = {"repair", "--replay-log", path};
      if (dry_run) args.push_back("--dry-run");
      const CliRun replay = run_cli(args);
      EXPECT_EQ(replay.exit_code, 2) << dry_run;
      EXPECT_EQ(replay.out, "") << dry_run;
      EXPECT_EQ(replay.err, "vhdchain: " + message + "\n") << dry_run;
    }
    const Stamp after = stamp(path);
    EXPECT_EQ(after.sha, before.sha);
    EXPECT_EQ(after.size, before.size);
    EXPECT_EQ(after.mtime.tv_sec, before.mtime.tv_sec);
    EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
  }

  TempDir t_;
};

// Case 1: a zero descriptor at the end of the file with ZeroLength 0x3fffffff00000000. The replay
// used to write zeros until the disk was full; its range ends far past the entry's LastFileOffset.
TEST_F(ReplayBounds, UnboundedZeroDescriptorIsRefusedBeforeAnyWrite) {
  const std::string path = write(hostile({zeros_at(kEnd, 0x3fffffff00000000)}));
  expect_refused_everywhere(path,
                            "log entry @0x100000: descriptor 1: target 0x800000+0x3fffffff00000000 ends past the "
                            "entry's last file offset 0x800000");
}

// Case 1 with LastFileOffset raised to cover the range: then the range passes the sanity limit.
TEST_F(ReplayBounds, UnboundedZeroDescriptorCoveredByItsLastFileOffsetIsRefused) {
  const std::string path = write(hostile({zeros_at(kEnd, 0x3fffffff00000000)}, 0x3fffffff00800000));
  expect_refused_everywhere(path,
                            "log entry @0x100000: last file offset 0x3fffffff00800000 exceeds 0x800000000000 (128 "
                            "TiB), the largest file a log may describe");
}

// Case 2: a second data descriptor targeting file offset 1<<50. The replay used to rewrite both
// headers and a BAT page before failing with "File too large".
TEST_F(ReplayBounds, DataDescriptorFarPastTheEndIsRefusedBeforeAnyWrite) {
  const std::string path = write(hostile({data_at(uint64_t(1) << 50, std::vector<uint8_t>(4096, 0xab))}));
  expect_refused_everywhere(path,
                            "log entry @0x100000: descriptor 1: target 0x4000000000000+0x1000 ends past the entry's "
                            "last file offset 0x800000");
}

TEST_F(ReplayBounds, DataDescriptorFarPastTheEndCoveredByItsLastFileOffsetIsRefused) {
  const uint64_t far = uint64_t(1) << 50;
  const std::string path = write(hostile({data_at(far, std::vector<uint8_t>(4096, 0xab))}, far + kMiB));
  expect_refused_everywhere(path,
                            "log entry @0x100000: last file offset 0x4000000100000 exceeds 0x800000000000 (128 TiB), "
                            "the largest file a log may describe");
}

// Case 3: a valid entry whose BAT page sets reserved bits in entry 0. Every reader refuses the
// replayed view with the BAT's message; the replay used to write it and exit 0.
TEST_F(ReplayBounds, LogWhoseResultDoesNotValidateIsRefusedBeforeAnyWrite) {
  const BuiltImage plain = build_image(dirty_vhdx_spec(1, kGuid));
  ASSERT_EQ(plain.layout.offset("bat"), kBat);
  std::vector<uint8_t> page = plain.replayed->read(kBat, 4096);
  page[1] |= 0x01;  // bit 8 of entry 0: one of the reserved bits 3-19 (MS-VHDX 2.5.1)
  const std::string path = write(hostile({data_at(kBat, page)}));
  expect_refused_everywhere(path,
                            "BAT entry 0 @0x300000: reserved bits 3-19 are not zero (entry 0x0000000000400106)",
                            {"log.pending", "disk.standalone", "disk.corrupt"});
}

// Case 8: a 4 KiB entry (no descriptor) whose LastFileOffset says 8 TiB used to make the file an
// 8 TiB sparse file that check called OK. Nothing in the log accounts for that growth.
TEST_F(ReplayBounds, LastFileOffsetNoDescriptorAccountsForIsRefused) {
  ImageSpec spec = vhdx_base_spec(1);  // a 6 MiB file
  VhdxLogSpec log;  // no change: one entry without descriptors
  log.log_guid = kGuid;
  log.last_file_offset = kTiB8;
  spec.vhdx.log = log;
  const std::string path = write(spec);
  ASSERT_EQ(build_image(spec).layout.length("log entry 0"), 4096u);
  expect_refused_everywhere(path,
                            "log entry @0x100000: last file offset 0x80000000000 lies 0x7ffffa00000 bytes past the "
                            "end of the file (0x600000 bytes), more than the 0x0 its sequence's descriptors can "
                            "account for");
}

// Case 8, one data sector: it accounts for 512 new blocks of at most 256 MiB (128 GiB), not 8 TiB.
TEST_F(ReplayBounds, LastFileOffsetBeyondWhatItsDescriptorsAccountForIsRefused) {
  const std::string path = write(hostile({}, kTiB8));
  expect_refused_everywhere(path,
                            "log entry @0x100000: last file offset 0x80000000000 lies 0x7ffff800000 bytes past the "
                            "end of the file (0x800000 bytes), more than the 0x2000000000 its sequence's "
                            "descriptors can account for");
}

// Within the bounds: as Hyper-V's own logs do (an entry allocating a 32 MiB block names a
// LastFileOffset 32 MiB past the flushed size), the file grows to LastFileOffset, and a zero
// descriptor past the old end is a hole, not written zeros.
TEST_F(ReplayBounds, GrowthWithinTheBoundsExtendsTheFileWithAHole) {
  const uint64_t last = kEnd + 32 * kMiB;
  const std::string path = write(hostile({zeros_at(kEnd + 4 * kMiB, 2 * kMiB)}, last));
  ASSERT_EQ(fs::file_size(path), kEnd);
  const std::string seen_before = chain_sha256(path);

  const CliRun replay = run_cli({"repair", "--replay-log", path});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(replay.out, path + ": replayed 1 log entries; the log is empty\n");
  EXPECT_EQ(fs::file_size(path), last);
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  errno = 0;
  EXPECT_EQ(::lseek(fd, static_cast<off_t>(kEnd), SEEK_DATA), -1) << "data past the old end";
  EXPECT_EQ(errno, ENXIO);
  ::close(fd);
  EXPECT_EQ(chain_sha256(path), seen_before);
  const CliRun check = run_cli({"check", "--json", path});
  EXPECT_EQ(finding_codes(check.json()), (std::vector<std::string>{"disk.standalone"}));
}

// The growing replay killed after each of its I/O events (the extension comes first, then the
// writes, then the header that empties the log): every state reads as the replayed file, and a
// rerun finishes it with the file at its new size.
TEST_F(ReplayBounds, GrowthWithinTheBoundsSurvivesAKillAtEveryIoEvent) {
  const uint64_t last = kEnd + 32 * kMiB;
  const std::string path = write(hostile({zeros_at(kEnd + 4 * kMiB, 2 * kMiB)}, last));
  const std::vector<uint8_t> original = read_file_bytes(path);
  const std::string want = chain_sha256(path);
  const std::vector<std::string> args = {"repair", "--replay-log", path};
  const uint64_t total = sweep_kills(args, [&] { write_file_bytes(path, original); }, [&](uint64_t n) {
    EXPECT_EQ(chain_sha256(path), want) << "killed after I/O " << n;
    EXPECT_EQ(run_cli(args).exit_code, 0) << n;
    EXPECT_EQ(fs::file_size(path), last) << n;
    EXPECT_EQ(chain_sha256(path), want) << n;
  });
  EXPECT_GE(total, 8u);
}

}  // namespace
}  // namespace vhdchain::test
