// io::sample_read_rate, the read behind a merge's estimate: where it reads, how much, that it
// reads around the page cache where the file system allows it, and that it never changes the file.
#include "io/read_sample.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/read_sample_common.h"
#include "support/testdata.h"

namespace vhdchain {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

TEST(ReadSample, PiecesAreSpreadOverTheWholeFile) {
  using io::sample_offsets;
  EXPECT_EQ(sample_offsets(kMiB - 1, 32 * kMiB), std::vector<uint64_t>{});
  EXPECT_EQ(sample_offsets(kMiB, 32 * kMiB), std::vector<uint64_t>{0});
  EXPECT_EQ(sample_offsets(3 * kMiB + 5, 32 * kMiB), (std::vector<uint64_t>{0, kMiB, 2 * kMiB}));
  EXPECT_EQ(sample_offsets(100 * kMiB, 3 * kMiB), (std::vector<uint64_t>{0, 49 * kMiB, 99 * kMiB}));
  EXPECT_EQ(sample_offsets(100 * kMiB, kMiB), std::vector<uint64_t>{0});
  EXPECT_EQ(sample_offsets(100 * kMiB, 0), std::vector<uint64_t>{});
  const std::vector<uint64_t> big = sample_offsets(uint64_t{1} << 30, 32 * kMiB);
  ASSERT_EQ(big.size(), 32u);
  EXPECT_EQ(big.front(), 0u);
  EXPECT_EQ(big[1], 33 * kMiB);  // 1023 / 31
  EXPECT_EQ(big.back(), 1023 * kMiB);
  for (size_t i = 1; i < big.size(); ++i) EXPECT_GT(big[i], big[i - 1]);
}

// Whether this file system reads `path` with O_DIRECT (open and one aligned read).
bool direct_reads_work(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) return false;
  void* buffer = std::aligned_alloc(4096, kMiB);
  const bool ok = ::pread(fd, buffer, kMiB, 0) == static_cast<ssize_t>(kMiB);
  std::free(buffer);
  ::close(fd);
  return ok;
}

TEST(ReadSample, ReadsTheBudgetAroundTheCacheAndChangesNothing) {
  test::TempDir t;
  const std::string path = (t / "source.bin").string();
  std::vector<char> bytes(5 * kMiB + 100);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + i / 4096);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);

  const std::optional<io::ReadSample> all = io::sample_read_rate(path, 32 * kMiB);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->bytes, 5 * kMiB);  // the whole MiBs of the file: the last 100 bytes are no piece
  EXPECT_GT(all->seconds, 0.0);
  // Around the page cache wherever the file system takes O_DIRECT reads.
  EXPECT_EQ(all->uncached, direct_reads_work(path));
  RecordProperty("uncached", all->uncached ? "yes" : "no");

  const std::optional<io::ReadSample> some = io::sample_read_rate(path, 2 * kMiB);
  ASSERT_TRUE(some);
  EXPECT_EQ(some->bytes, 2 * kMiB);

  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(now == bytes);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

TEST(ReadSample, NothingForAFileBelowOneMiBOrMissing) {
  test::TempDir t;
  const std::string small = (t / "small.bin").string();
  std::ofstream(small, std::ios::binary) << std::string(1000, 'x');
  EXPECT_EQ(io::sample_read_rate(small, 32 * kMiB), std::nullopt);
  EXPECT_EQ(io::sample_read_rate((t / "missing.bin").string(), 32 * kMiB), std::nullopt);
}

}  // namespace
}  // namespace vhdchain
