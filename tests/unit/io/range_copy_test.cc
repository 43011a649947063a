// io::copy_range on real files: the system's way (a kernel copy on the test folder's file system,
// a clone on a reflink file system) and the buffer fallback (forced, and taken because the system
// refuses: across file systems) write the same bytes; each copy is one I/O event for the kill tests.
#include "io/range_copy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/sha256.h"
#include "support/testdata.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain {
namespace {

namespace fs = std::filesystem;
using io::RangeCopyMethod;
using io::RangeCopyPolicy;

constexpr uint64_t kMiB = uint64_t{1} << 20;

// Bytes that differ at every offset (a 4 KiB-periodic pattern would hide a misplaced page).
std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed;
  for (uint8_t& b : out) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  return out;
}

std::unique_ptr<File> file_with(const fs::path& path, const std::vector<uint8_t>& bytes) {
  auto f = File::open(path.string(), OpenMode::create_new);
  f->write_at(0, bytes);
  return f;
}

std::vector<uint8_t> read_all(const File& f) {
  std::vector<uint8_t> out(static_cast<size_t>(f.size()));
  f.read_at(0, out);
  return out;
}

// What the target must hold after copying [from, from+length) of source to `to` of a target that
// held `target`.
std::vector<uint8_t> expected(std::vector<uint8_t> target, const std::vector<uint8_t>& source, uint64_t from,
                              uint64_t to, uint64_t length) {
  std::copy_n(source.begin() + static_cast<ptrdiff_t>(from), length, target.begin() + static_cast<ptrdiff_t>(to));
  return target;
}

int g_writes = 0;
void count_writes(IoEvent event, const std::string&) { g_writes += event == IoEvent::write; }

struct CountWrites {
  CountWrites() {
    g_writes = 0;
    set_io_event_hook(&count_writes);
  }
  ~CountWrites() { set_io_event_hook(nullptr); }
};

// A folder of this test's own on another file system, removed with its files at the end.
struct OwnFolder {
  fs::path path;
  explicit OwnFolder(const fs::path& parent)
      : path(parent / ("vhdchain-range-copy-" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  ~OwnFolder() { fs::remove_all(path); }
};

struct Copied {
  RangeCopyMethod method;
  std::vector<uint8_t> bytes;
  int write_events;
};

// Copies source[from, +length) into a fresh target of `target_size` pattern bytes in `dir`.
Copied copy_into(const fs::path& dir, const std::string& name, const File& source, uint64_t from, uint64_t to,
                 uint64_t length, RangeCopyPolicy& policy) {
  auto target = file_with(dir / name, pattern(12 * kMiB, 7));
  std::vector<uint8_t> buffer(kMiB);
  CountWrites counter;
  const RangeCopyMethod method = io::copy_range(source, from, *target, to, length, buffer, policy);
  return {method, read_all(*target), g_writes};
}

TEST(RangeCopy, SystemCopyAndBufferWriteTheSameBytes) {
  test::TempDir t;
  const std::vector<uint8_t> bytes = pattern(10 * kMiB, 1);
  auto source = file_with(t / "source.bin", bytes);
  const std::vector<uint8_t> want = expected(pattern(12 * kMiB, 7), bytes, 2 * kMiB, 5 * kMiB, 6 * kMiB);

  RangeCopyPolicy system;
  const Copied fast = copy_into(t.path(), "fast.bin", *source, 2 * kMiB, 5 * kMiB, 6 * kMiB, system);
  RangeCopyPolicy buffer_only{false, false};
  const Copied slow = copy_into(t.path(), "slow.bin", *source, 2 * kMiB, 5 * kMiB, 6 * kMiB, buffer_only);

  // Linux copies within one file system in the kernel (or clones, on XFS and Btrfs).
  EXPECT_NE(fast.method, RangeCopyMethod::buffer);
  EXPECT_EQ(fast.write_events, 1);
  EXPECT_EQ(slow.method, RangeCopyMethod::buffer);
  EXPECT_EQ(slow.write_events, 6);  // 6 MiB through a 1 MiB buffer
  EXPECT_EQ(test::sha256_hex(fast.bytes), test::sha256_hex(want));
  EXPECT_EQ(test::sha256_hex(slow.bytes), test::sha256_hex(want));
  EXPECT_EQ(read_all(*source), bytes);  // the source is only read
}

TEST(RangeCopy, UnalignedRangesAreCopiedExactly) {
  test::TempDir t;
  const std::vector<uint8_t> bytes = pattern(3 * kMiB + 333, 2);
  auto source = file_with(t / "source.bin", bytes);
  // Offsets and length off the 4 KiB grid: never cloned, still copied by the kernel.
  RangeCopyPolicy system;
  const Copied c = copy_into(t.path(), "target.bin", *source, 512 + 3, 4096 * 5 + 17, 2 * kMiB + 301, system);
  EXPECT_EQ(c.method, RangeCopyMethod::kernel_copy);
  EXPECT_EQ(test::sha256_hex(c.bytes),
            test::sha256_hex(expected(pattern(12 * kMiB, 7), bytes, 512 + 3, 4096 * 5 + 17, 2 * kMiB + 301)));
  EXPECT_TRUE(system.try_clone);  // a range it could not offer does not switch cloning off
}

// The system refuses (different file systems: EXDEV): the buffer gives the same bytes, and the
// policy remembers so the next copy does not ask again.
TEST(RangeCopy, AcrossFileSystemsFallsBackToTheBuffer) {
  test::TempDir t;
  struct stat a {}, b {};
  if (::stat("/dev/shm", &b) != 0 || ::stat(t.path().c_str(), &a) != 0 || a.st_dev == b.st_dev)
    GTEST_SKIP() << "no second file system (/dev/shm) beside " << t.path();
  const OwnFolder other("/dev/shm");

  const std::vector<uint8_t> bytes = pattern(8 * kMiB, 3);
  auto source = file_with(other.path / "source.bin", bytes);
  RangeCopyPolicy policy;
  const Copied c = copy_into(t.path(), "target.bin", *source, 4 * kMiB, 0, 4 * kMiB, policy);
  EXPECT_EQ(c.method, RangeCopyMethod::buffer);
  EXPECT_FALSE(policy.try_clone);
  EXPECT_FALSE(policy.try_kernel_copy);
  EXPECT_EQ(c.write_events, 4);
  EXPECT_EQ(test::sha256_hex(c.bytes), test::sha256_hex(expected(pattern(12 * kMiB, 7), bytes, 4 * kMiB, 0, 4 * kMiB)));
}

TEST(RangeCopy, RangesOutsideTheFilesAreRefused) {
  test::TempDir t;
  auto source = file_with(t / "source.bin", pattern(kMiB, 4));
  auto target = file_with(t / "target.bin", pattern(kMiB, 5));
  std::vector<uint8_t> buffer(4096);
  RangeCopyPolicy policy;
  EXPECT_THROW(io::copy_range(*source, kMiB - 4096, *target, 0, 8192, buffer, policy), Error);
  EXPECT_THROW(io::copy_range(*source, 0, *target, kMiB - 4096, 8192, buffer, policy), Error);  // never extends
  EXPECT_EQ(read_all(*target), pattern(kMiB, 5));
}

// A reflink file system (XFS with reflink=1, Btrfs) given by VHDCHAIN_TEST_REFLINK_DIR: aligned
// ranges are cloned, with the same bytes as the buffer.
TEST(RangeCopy, ReflinkFileSystemClones) {
  const char* dir = std::getenv("VHDCHAIN_TEST_REFLINK_DIR");
  if (!dir) GTEST_SKIP() << "VHDCHAIN_TEST_REFLINK_DIR (a folder on XFS or Btrfs) is not set";
  const OwnFolder d(dir);
  const std::vector<uint8_t> bytes = pattern(8 * kMiB, 6);
  auto source = file_with(d.path / "source.bin", bytes);
  RangeCopyPolicy policy;
  const Copied c = copy_into(d.path, "target.bin", *source, kMiB, 3 * kMiB, 4 * kMiB, policy);
  EXPECT_EQ(c.method, RangeCopyMethod::clone);
  EXPECT_EQ(c.write_events, 1);
  EXPECT_EQ(test::sha256_hex(c.bytes), test::sha256_hex(expected(pattern(12 * kMiB, 7), bytes, kMiB, 3 * kMiB, 4 * kMiB)));
}

}  // namespace
}  // namespace vhdchain
