// Log entries written by encode_log_entry, read back by the reader's own log code (an oracle
// written earlier and tested against real Hyper-V and QEMU logs).
#include <gtest/gtest.h>

#include "vhdchain/memory_reader.h"
#include "io/overlay_reader.h"
#include "vhdx/encode.h"
#include "vhdx/layout.h"
#include "vhdx/log.h"

namespace vhdchain::vhdx {
namespace {

constexpr uint64_t kLogAt = 0x100000;

std::vector<uint8_t> sector_of(uint8_t fill, uint8_t first, uint8_t last) {
  std::vector<uint8_t> s(kLogSectorSize, fill);
  s.front() = first;
  s.back() = last;
  return s;
}

TEST(LogEntryEncode, LengthCountsDescriptorAndDataSectors) {
  EXPECT_EQ(log_entry_length(0, 0), 4096u);
  EXPECT_EQ(log_entry_length(1, 0), 8192u);
  EXPECT_EQ(log_entry_length(126, 0), (1 + 126) * 4096u);  // 126 descriptors fit beside the header
  EXPECT_EQ(log_entry_length(127, 0), (2 + 127) * 4096u);
  EXPECT_EQ(log_entry_length(0, 5), 4096u);                // zero descriptors carry no data sector
}

TEST(LogEntryEncode, ReaderAcceptsAndReplaysIt) {
  const Guid guid = *Guid::parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  std::vector<LogSectorImage> sectors = {{0x200000, sector_of(0x11, 0xA1, 0xA2)},
                                         {0x300000, std::vector<uint8_t>(kLogSectorSize, 0)},
                                         {0x201000, sector_of(0x22, 0xB1, 0xB2)}};
  LogEntryFields f{0x1234'5678'9abcull, 0, guid, 0x400000, 0x500000};
  std::vector<uint8_t> entry = encode_log_entry(f, sectors);
  ASSERT_EQ(entry.size(), 3 * kLogSectorSize);  // one descriptor sector, two data sectors
  EXPECT_EQ(std::string(entry.begin(), entry.begin() + 4), "loge");
  EXPECT_EQ(std::string(entry.begin() + 4096, entry.begin() + 4100), "data");

  std::vector<uint8_t> ring_bytes(kMiB, 0);
  std::copy(entry.begin(), entry.end(), ring_bytes.begin());
  const LogRing ring(ring_bytes, "t.vhdx", kLogAt);
  LogEntryCheck c = check_log_entry(ring, 0, guid);
  ASSERT_TRUE(c.entry) << c.problem;
  EXPECT_EQ(c.entry->sequence_number, 0x1234'5678'9abcull);
  EXPECT_EQ(c.entry->descriptor_count, 3u);
  EXPECT_EQ(c.entry->flushed_file_offset, 0x400000u);
  EXPECT_EQ(c.entry->last_file_offset, 0x500000u);

  SequenceSearch search = find_active_sequence(ring, guid);
  ASSERT_TRUE(search.active) << search.why_none;
  auto base = std::make_shared<MemoryReader>(std::vector<uint8_t>(0x400000, 0x77), "t.vhdx");
  OverlayReader overlay(base);
  replay_log(ring, *search.active, base->size(), overlay);
  EXPECT_EQ(overlay.size(), 0x500000u);  // extended to LastFileOffset
  std::vector<uint8_t> got(kLogSectorSize);
  overlay.read_at(0x200000, got);
  EXPECT_EQ(got, sectors[0].bytes);
  overlay.read_at(0x201000, got);
  EXPECT_EQ(got, sectors[2].bytes);
  overlay.read_at(0x300000, got);
  EXPECT_EQ(got, std::vector<uint8_t>(kLogSectorSize, 0));
  overlay.read_at(0x202000, got);
  EXPECT_EQ(got, std::vector<uint8_t>(kLogSectorSize, 0x77));  // untouched

  // Another LogGuid: the entry is not ours.
  EXPECT_FALSE(check_log_entry(ring, 0, Guid{}).guid_matches);
}

TEST(LogEntryEncode, RefusesUnalignedSectors) {
  LogEntryFields f{1, 0, Guid::random(), kMiB, kMiB};
  EXPECT_THROW(encode_log_entry(f, {{0x200001, std::vector<uint8_t>(kLogSectorSize, 1)}}), Error);
  EXPECT_THROW(encode_log_entry(f, {{0x200000, std::vector<uint8_t>(512, 1)}}), Error);
}

}  // namespace
}  // namespace vhdchain::vhdx
