// Where the builder put each structure, so corruption tests can target fields by name.
//
// Structure names follow the ones FormatError uses where they exist ("file identifier",
// "header 1", "region table 2", "log entry 0", ...). Field offsets inside each structure are the
// spec's, collected below, so a test reads like the spec table it breaks:
//
//   img.patch_le("header 1", vhdx_field::kHeaderVersion, 2, 2, /*fix_checksum=*/true);
//
// Names in a VHDX image:
//   file identifier, header 1, header 2, region table 1, region table 2, log, log entry <i>
//   (active sequence in order), stale log entry <i>, metadata region, metadata table,
//   metadata item file parameters | virtual disk size | virtual disk id | logical sector size |
//   physical sector size | parent locator | extra <i>, bat, region extra <i>,
//   block <b> (payload block b, also for stale allocations), sector bitmap <k> (chunk k).
// Names in a VHD image:
//   footer (at EOF), footer copy (at 0), dynamic header, bat, locator <slot> (its data),
//   block <b> bitmap, block <b> data; for fixed disks also "data" (the raw disk).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace vhdchain::test {

// How a structure's checksum is computed, for BuiltImage::fix_checksum.
enum class ChecksumKind {
  none,
  crc32c_at_4,     // VHDX header, region table, log entry: CRC-32C of the whole structure, field at 4
  vhd_sum_at_64,   // VHD footer: one's complement of the byte sum, field at 64
  vhd_sum_at_36,   // VHD dynamic header: same, field at 36
};

struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
};

class Layout {
 public:
  struct Entry {
    Extent extent;
    ChecksumKind checksum = ChecksumKind::none;
  };

  void add(std::string name, Extent extent, ChecksumKind checksum = ChecksumKind::none);
  bool has(std::string_view name) const;
  // Throws std::out_of_range naming the structure when absent.
  const Entry& entry(std::string_view name) const;
  uint64_t offset(std::string_view name) const { return entry(name).extent.offset; }
  uint64_t length(std::string_view name) const { return entry(name).extent.length; }
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  // Log entries may wrap around the end of the log: their checksum covers ring positions.
  // Filled for VHDX images with a log.
  Extent log_region;

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

// Field offsets inside VHDX structures (MS-VHDX section in each comment).
namespace vhdx_field {
// 2.2.1 file type identifier
constexpr uint64_t kIdentifierSignature = 0, kIdentifierCreator = 8;
// 2.2.2 header
constexpr uint64_t kHeaderSignature = 0, kHeaderChecksum = 4, kHeaderSequenceNumber = 8, kHeaderFileWriteGuid = 16,
                   kHeaderDataWriteGuid = 32, kHeaderLogGuid = 48, kHeaderLogVersion = 64, kHeaderVersion = 66,
                   kHeaderLogLength = 68, kHeaderLogOffset = 72;
// 2.2.3 region table header and entries (entry i at kRegionEntries + 32 * i)
constexpr uint64_t kRegionSignature = 0, kRegionChecksum = 4, kRegionEntryCount = 8, kRegionReserved = 12,
                   kRegionEntries = 16, kRegionEntrySize = 32;
constexpr uint64_t kRegionEntryGuid = 0, kRegionEntryFileOffset = 16, kRegionEntryLength = 24,
                   kRegionEntryRequired = 28;
// 2.3.1.1 log entry header
constexpr uint64_t kLogSignature = 0, kLogChecksum = 4, kLogEntryLength = 8, kLogTail = 12, kLogSequenceNumber = 16,
                   kLogDescriptorCount = 24, kLogReserved = 28, kLogGuid = 32, kLogFlushedFileOffset = 48,
                   kLogLastFileOffset = 56, kLogDescriptors = 64, kLogDescriptorSize = 32;
// 2.6.1.1 metadata table header, 2.6.1.2 entries (entry i at kMetadataEntries + 32 * i)
constexpr uint64_t kMetadataSignature = 0, kMetadataEntryCount = 10, kMetadataEntries = 32, kMetadataEntrySize = 32;
constexpr uint64_t kMetadataEntryItemId = 0, kMetadataEntryOffset = 16, kMetadataEntryLength = 20,
                   kMetadataEntryFlags = 24;
// 2.6.2.1 file parameters
constexpr uint64_t kFileParamsBlockSize = 0, kFileParamsFlags = 4;
// 2.6.2.6 parent locator header (entry i at kLocatorEntries + 12 * i)
constexpr uint64_t kLocatorType = 0, kLocatorKeyValueCount = 18, kLocatorEntries = 20, kLocatorEntrySize = 12;
}  // namespace vhdx_field

// Metadata table entry order the builder writes (Hyper-V's order, docs/formats.md E3).
namespace vhdx_metadata_index {
constexpr int kFileParameters = 0, kVirtualDiskSize = 1, kVirtualDiskId = 2, kLogicalSectorSize = 3,
              kPhysicalSectorSize = 4, kParentLocator = 5;
}

// Field offsets inside VHD structures (VHD spec "Hard Disk Footer Format", "Dynamic Disk Header").
namespace vhd_field {
constexpr uint64_t kFooterCookie = 0, kFooterFeatures = 8, kFooterVersion = 12, kFooterDataOffset = 16,
                   kFooterTimestamp = 24, kFooterCreatorApp = 28, kFooterCreatorVersion = 32,
                   kFooterCreatorHostOs = 36, kFooterOriginalSize = 40, kFooterCurrentSize = 48,
                   kFooterGeometry = 56, kFooterDiskType = 60, kFooterChecksum = 64, kFooterUniqueId = 68,
                   kFooterSavedState = 84;
constexpr uint64_t kDynCookie = 0, kDynDataOffset = 8, kDynTableOffset = 16, kDynVersion = 24,
                   kDynMaxTableEntries = 28, kDynBlockSize = 32, kDynChecksum = 36, kDynParentUniqueId = 40,
                   kDynParentTimestamp = 56, kDynParentUnicodeName = 64, kDynLocators = 576, kDynLocatorSize = 24;
constexpr uint64_t kLocatorCode = 0, kLocatorDataSpace = 4, kLocatorDataLength = 8, kLocatorDataOffset = 16;
}  // namespace vhd_field

}  // namespace vhdchain::test
