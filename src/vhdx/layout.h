// VHDX on-disk layout: fixed offsets, sizes, signatures and well-known GUIDs (MS-VHDX 2.1-2.6).
//
// Everything here is a fact of the format; the parsers in this folder only name these constants,
// so a reviewer can check the numbers against the spec in one place.
//
//   file offset   size     structure                     spec
//   0x00000       64 KiB   file type identifier          MS-VHDX 2.2.1
//   0x10000       64 KiB   header 1 (4 KiB used)         MS-VHDX 2.2.2
//   0x20000       64 KiB   header 2 (4 KiB used)         MS-VHDX 2.2.2
//   0x30000       64 KiB   region table 1                MS-VHDX 2.2.3
//   0x40000       64 KiB   region table 2 (copy)         MS-VHDX 2.2.3
//   0x50000       704 KiB  reserved
//   >= 1 MiB               log, BAT region, metadata region, payload and sector-bitmap blocks,
//                          all 1 MiB aligned, none overlapping (MS-VHDX 2.1)
//
// Signatures are compared as raw ASCII bytes: the spec's hexadecimal renderings of them are
// inconsistent (docs: formats.md 2.1, pitfall 7).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "vhdchain/guid.h"

namespace vhdchain::vhdx {

// Header section (MS-VHDX 2.2).
constexpr uint64_t kHeaderSectionSize = kMiB;
constexpr uint64_t kFileIdentifierOffset = 0;
constexpr size_t kFileIdentifierDefinedSize = 8 + 512;  // signature + creator; the rest is reserved
constexpr std::array<uint64_t, 2> kHeaderOffsets = {0x10000, 0x20000};
constexpr size_t kHeaderSize = 4 * kKiB;               // the checksum covers these 4 KiB only
constexpr std::array<uint64_t, 2> kRegionTableOffsets = {0x30000, 0x40000};
constexpr size_t kRegionTableSize = 64 * kKiB;         // the checksum covers all 64 KiB

// Everything the log may never target: the file identifier and both headers (MS-VHDX 2.3: headers
// are never updated through the log). Region tables, at 192 KiB and above, may be.
constexpr uint64_t kLogForbiddenTargetEnd = 0x30000;

constexpr std::string_view kFileSignature = "vhdxfile";
constexpr std::string_view kHeaderSignature = "head";
constexpr std::string_view kRegionTableSignature = "regi";
constexpr std::string_view kLogEntrySignature = "loge";
constexpr std::string_view kZeroDescriptorSignature = "zero";
constexpr std::string_view kDataDescriptorSignature = "desc";
constexpr std::string_view kDataSectorSignature = "data";
constexpr std::string_view kMetadataSignature = "metadata";

// Header field offsets (MS-VHDX 2.2.2).
namespace header_field {
constexpr size_t signature = 0, checksum = 4, sequence_number = 8, file_write_guid = 16, data_write_guid = 32,
                 log_guid = 48, log_version = 64, version = 66, log_length = 68, log_offset = 72, reserved = 80;
}
constexpr uint16_t kHeaderVersion = 1;
constexpr uint16_t kLogVersion = 0;

// Region table (MS-VHDX 2.2.3).
constexpr size_t kRegionTableHeaderSize = 16;
constexpr size_t kRegionTableEntrySize = 32;
constexpr uint32_t kMaxRegionEntries = 2047;
constexpr uint64_t kRegionAlignment = kMiB;

// Log (MS-VHDX 2.3).
constexpr uint64_t kLogSectorSize = 4 * kKiB;
constexpr size_t kLogEntryHeaderSize = 64;
constexpr size_t kLogDescriptorSize = 32;
constexpr uint64_t kLogDescriptorsPerSector = kLogSectorSize / kLogDescriptorSize;  // 128
namespace log_field {  // entry header
constexpr size_t signature = 0, checksum = 4, entry_length = 8, tail = 12, sequence_number = 16,
                 descriptor_count = 24, reserved = 28, log_guid = 32, flushed_file_offset = 48,
                 last_file_offset = 56;
}
namespace descriptor_field {  // zero and data descriptors share offsets 0, 16 and 24
constexpr size_t signature = 0, reserved_or_trailing = 4, zero_length_or_leading = 8, file_offset = 16,
                 sequence_number = 24;
}
namespace data_sector_field {
constexpr size_t signature = 0, sequence_high = 4, data = 8, sequence_low = 4092;
constexpr size_t data_length = 4084;
}

// Metadata region (MS-VHDX 2.6).
constexpr size_t kMetadataTableSize = 64 * kKiB;
constexpr size_t kMetadataTableHeaderSize = 32;
constexpr size_t kMetadataEntrySize = 32;
constexpr uint16_t kMaxMetadataEntries = 2047;
constexpr uint32_t kMaxUserMetadataEntries = 1024;
constexpr uint64_t kMaxMetadataItemLength = kMiB;
constexpr uint32_t kMetadataFlagIsUser = 1u << 0;
constexpr uint32_t kMetadataFlagIsVirtualDisk = 1u << 1;
constexpr uint32_t kMetadataFlagIsRequired = 1u << 2;
constexpr uint32_t kMetadataFlagsDefined = 0x7;

constexpr uint32_t kFileParamLeaveBlocksAllocated = 1u << 0;
constexpr uint32_t kFileParamHasParent = 1u << 1;
constexpr uint32_t kFileParamFlagsDefined = 0x3;
constexpr uint64_t kMinBlockSize = kMiB;
constexpr uint64_t kMaxBlockSize = 256 * kMiB;
constexpr uint64_t kMaxVirtualDiskSize = 64 * kTiB;

// Parent locator (MS-VHDX 2.6.2.6).
constexpr size_t kLocatorHeaderSize = 20;
constexpr size_t kLocatorEntrySize = 12;

// BAT (MS-VHDX 2.5).
constexpr uint64_t kSectorsPerChunk = uint64_t(1) << 23;  // 2^23 sectors per chunk
constexpr uint64_t kSectorBitmapBlockSize = kMiB;          // 2^23 bits
constexpr uint64_t kBatStateMask = 0x7;
constexpr uint64_t kBatReservedMask = 0xFFFF8;             // bits 3-19
constexpr uint64_t kBatOffsetMask = 0xFFFFFFFFFFF00000;    // bits 20-63: FileOffsetMB << 20

enum PayloadState : uint8_t {
  kPayloadNotPresent = 0,
  kPayloadUndefined = 1,
  kPayloadZero = 2,
  kPayloadUnmapped = 3,
  kPayloadUnmappedV095 = 5,  // the v0.95 draft's UNMAPPED; read as 3 (formats.md pitfall 5)
  kPayloadFullyPresent = 6,
  kPayloadPartiallyPresent = 7,
};
enum SectorBitmapState : uint8_t { kBitmapNotPresent = 0, kBitmapPresent = 6 };

// Well-known GUIDs, in the usual text form (parsed into on-disk byte order by known_guid()).
constexpr std::string_view kBatRegionGuid = "2DC27766-F623-4200-9D64-115E9BFD4A08";
constexpr std::string_view kMetadataRegionGuid = "8B7CA206-4790-4B9A-B8FE-575F050F886E";
constexpr std::string_view kFileParametersGuid = "CAA16737-FA36-4D43-B3B6-33F0AA44E76B";
constexpr std::string_view kVirtualDiskSizeGuid = "2FA54224-CD1B-4876-B211-5DBED83BF4B8";
constexpr std::string_view kVirtualDiskIdGuid = "BECA12AB-B2E6-4523-93EF-C309E000C746";
constexpr std::string_view kLogicalSectorSizeGuid = "8141BF1D-A96F-4709-BA47-F233A8FAAB5F";
constexpr std::string_view kPhysicalSectorSizeGuid = "CDA348C7-445D-4471-9CC9-E9885251C556";
constexpr std::string_view kParentLocatorGuid = "A8D35F2D-B30B-454D-ABF7-D3D84834AB0C";
constexpr std::string_view kVhdxParentLocatorTypeGuid = "B04AEFB7-D19E-4A81-B789-25B8E9445913";

// The on-disk form of one of the constants above (they are valid by construction).
inline Guid known_guid(std::string_view text) { return *Guid::parse(text); }

// "0x1234" for messages.
inline std::string hex(uint64_t value) { return fmt::format("{:#x}", value); }

}  // namespace vhdchain::vhdx
