// Encoding log entries (MS-VHDX 2.3.1). The reader's check_log_entry() is the oracle in the tests.
#include <algorithm>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/crc32c.h"
#include "vhdchain/error.h"
#include "vhdx/encode.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {
namespace {

bool all_zero(const std::vector<uint8_t>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// The first descriptor sector has the 64-byte entry header in the room of two descriptors.
uint64_t descriptor_sectors(uint64_t descriptors) {
  return (descriptors + 2 + kLogDescriptorsPerSector - 1) / kLogDescriptorsPerSector;
}

}  // namespace

uint64_t log_entry_length(uint64_t data_sectors, uint64_t zero_sectors) {
  return (descriptor_sectors(data_sectors + zero_sectors) + data_sectors) * kLogSectorSize;
}

std::vector<uint8_t> encode_log_entry(const LogEntryFields& fields, const std::vector<LogSectorImage>& sectors) {
  uint64_t data_count = 0;
  for (const LogSectorImage& s : sectors) {
    if (s.bytes.size() != kLogSectorSize || s.file_offset % kLogSectorSize != 0)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("log entry: sector @{:#x} of {} bytes is not a 4 KiB aligned sector", s.file_offset,
                              s.bytes.size()));
    if (!all_zero(s.bytes)) ++data_count;
  }
  const uint64_t descriptor_count = sectors.size();
  const uint64_t length = log_entry_length(data_count, descriptor_count - data_count);
  std::vector<uint8_t> out(static_cast<size_t>(length), 0);
  std::span<uint8_t> b(out);

  namespace f = log_field;
  store_ascii(b, f::signature, kLogEntrySignature);
  store_le32(b, f::entry_length, static_cast<uint32_t>(length));
  store_le32(b, f::tail, fields.tail);
  store_le64(b, f::sequence_number, fields.sequence_number);
  store_le32(b, f::descriptor_count, static_cast<uint32_t>(descriptor_count));
  store_guid(b, f::log_guid, fields.log_guid);
  store_le64(b, f::flushed_file_offset, fields.flushed_file_offset);
  store_le64(b, f::last_file_offset, fields.last_file_offset);

  size_t data_sector_at = static_cast<size_t>(descriptor_sectors(descriptor_count) * kLogSectorSize);
  for (size_t i = 0; i < sectors.size(); ++i) {
    const LogSectorImage& s = sectors[i];
    const size_t d = kLogEntryHeaderSize + i * kLogDescriptorSize;
    namespace df = descriptor_field;
    store_le64(b, d + df::file_offset, s.file_offset);
    store_le64(b, d + df::sequence_number, fields.sequence_number);
    if (all_zero(s.bytes)) {
      store_ascii(b, d + df::signature, kZeroDescriptorSignature);
      store_le64(b, d + df::zero_length_or_leading, kLogSectorSize);
      continue;
    }
    // A data descriptor keeps the sector's first 8 and last 4 bytes; the data sector carries the
    // rest between its signature and the split sequence number (MS-VHDX 2.3.1.3, 2.3.1.4).
    store_ascii(b, d + df::signature, kDataDescriptorSignature);
    store_bytes(b, d + df::reserved_or_trailing, std::span(s.bytes).subspan(kLogSectorSize - 4, 4));
    store_bytes(b, d + df::zero_length_or_leading, std::span(s.bytes).subspan(0, 8));
    namespace ds = data_sector_field;
    store_ascii(b, data_sector_at + ds::signature, kDataSectorSignature);
    store_le32(b, data_sector_at + ds::sequence_high, static_cast<uint32_t>(fields.sequence_number >> 32));
    store_bytes(b, data_sector_at + ds::data, std::span(s.bytes).subspan(8, ds::data_length));
    store_le32(b, data_sector_at + ds::sequence_low, static_cast<uint32_t>(fields.sequence_number));
    data_sector_at += kLogSectorSize;
  }
  store_le32(b, f::checksum, crc32c(out));
  return out;
}

}  // namespace vhdchain::vhdx
