// VHD (Virtual Hard Disk Image Format Specification 1.0) on-disk constants and layouts.
//
// Everything here is a fact of the format: field offsets, cookies, sizes and codes. Parsers read
// fields through ByteView at these offsets (big-endian everywhere, VHD spec "Hard Disk Footer
// Format" and "Dynamic Disk Header Format"); nothing is reinterpreted through a packed struct.
// Section references are to the VHD spec and to shared/docs/formats.md section 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vhdchain::vhd {

constexpr uint64_t kSectorSize = 512;

// ---------------------------------------------------------------------------------------------
// Hard disk footer (VHD spec "Hard Disk Footer Format"; formats.md 3.2). 512 bytes at the end of
// every VHD; dynamic and differencing disks keep a copy at offset 0. Images made before Virtual PC
// 2004 end with a 511-byte footer (the last, reserved byte is missing and reads as 0).
//
//   off size field
//     0    8 cookie "conectix"
//     8    4 features              bit 0 temporary, bit 1 reserved (always 1)
//    12    4 file format version   0x00010000
//    16    8 data offset           dynamic header offset; fixed: all ones (32- or 64-bit)
//    24    4 time stamp            seconds since 2000-01-01 00:00:00 UTC
//    28    4 creator application   4 ASCII bytes ("vpc ", "win ", "qemu", "d2v\0"...)
//    32    4 creator version       major << 16 | minor
//    36    4 creator host os       "Wi2k", "Mac "
//    40    8 original size
//    48    8 current size          the virtual size (see docs/vhd-notes.md)
//    56    4 disk geometry         u16 cylinders, u8 heads, u8 sectors per track
//    60    4 disk type             2 fixed, 3 dynamic, 4 differencing
//    64    4 checksum              ~(byte sum of the 512 bytes with this field zeroed)
//    68   16 unique id             raw bytes, never byte-swapped
//    84    1 saved state
//    85  427 reserved
// ---------------------------------------------------------------------------------------------
constexpr size_t kFooterSize = 512;
constexpr size_t kOldFooterSize = 511;
constexpr std::string_view kFooterCookie = "conectix";

namespace footer_field {
constexpr size_t kCookie = 0;
constexpr size_t kFeatures = 8;
constexpr size_t kFormatVersion = 12;
constexpr size_t kDataOffset = 16;
constexpr size_t kTimeStamp = 24;
constexpr size_t kCreatorApplication = 28;
constexpr size_t kCreatorVersion = 32;
constexpr size_t kCreatorHostOs = 36;
constexpr size_t kOriginalSize = 40;
constexpr size_t kCurrentSize = 48;
constexpr size_t kCylinders = 56;
constexpr size_t kHeads = 58;
constexpr size_t kSectorsPerTrack = 59;
constexpr size_t kDiskType = 60;
constexpr size_t kChecksum = 64;
constexpr size_t kUniqueId = 68;
constexpr size_t kSavedState = 84;
}  // namespace footer_field

constexpr uint32_t kFeatureTemporary = 0x1;
constexpr uint32_t kFeatureReserved = 0x2;
constexpr uint32_t kFormatVersion = 0x00010000;

constexpr uint32_t kDiskTypeFixed = 2;
constexpr uint32_t kDiskTypeDynamic = 3;
constexpr uint32_t kDiskTypeDifferencing = 4;

// The spec shows 0xFFFFFFFF for a fixed disk's data offset; writers store 64 bits of ones
// (formats.md pitfall 25). Both mean "no dynamic header".
constexpr uint64_t kNoDataOffset32 = 0xFFFFFFFFull;
constexpr uint64_t kNoDataOffset64 = 0xFFFFFFFFFFFFFFFFull;

// ---------------------------------------------------------------------------------------------
// Dynamic disk header (VHD spec "Dynamic Disk Header Format"; formats.md 3.3). 1024 bytes at the
// footer's data offset (normally 512).
//
//   off size field
//     0    8 cookie "cxsparse"
//     8    8 data offset           unused, all ones
//    16    8 table offset          absolute offset of the BAT
//    24    4 header version        0x00010000
//    28    4 max table entries     BAT entries
//    32    4 block size            data bytes per block (power-of-two sectors), no bitmap
//    36    4 checksum              ~(byte sum of the 1024 bytes with this field zeroed)
//    40   16 parent unique id      = parent footer unique id (differencing)
//    56    4 parent time stamp
//    60    4 reserved
//    64  512 parent unicode name   UTF-16 big-endian, zero-padded
//   576  192 parent locator entries, 8 x 24 bytes:
//              +0 u32 platform code  +4 u32 platform data space  +8 u32 platform data length
//              +12 u32 reserved      +16 u64 platform data offset (absolute)
//   768  256 reserved
// ---------------------------------------------------------------------------------------------
constexpr size_t kDynamicHeaderSize = 1024;
constexpr std::string_view kDynamicHeaderCookie = "cxsparse";

namespace header_field {
constexpr size_t kCookie = 0;
constexpr size_t kDataOffset = 8;
constexpr size_t kTableOffset = 16;
constexpr size_t kHeaderVersion = 24;
constexpr size_t kMaxTableEntries = 28;
constexpr size_t kBlockSize = 32;
constexpr size_t kChecksum = 36;
constexpr size_t kParentUniqueId = 40;
constexpr size_t kParentTimeStamp = 56;
constexpr size_t kParentUnicodeName = 64;
constexpr size_t kParentUnicodeNameSize = 512;
constexpr size_t kParentLocators = 576;
}  // namespace header_field

constexpr uint32_t kHeaderVersion = 0x00010000;
constexpr size_t kLocatorCount = 8;
constexpr size_t kLocatorEntrySize = 24;

namespace locator_field {
constexpr size_t kPlatformCode = 0;
constexpr size_t kPlatformDataSpace = 4;
constexpr size_t kPlatformDataLength = 8;
constexpr size_t kReserved = 12;
constexpr size_t kPlatformDataOffset = 16;
}  // namespace locator_field

// Platform codes (VHD spec "Dynamic Disk Header Format", platform code table; formats.md 3.3).
// The Mac codes are the ASCII values; one reader defines them with a typo (pitfall 24).
constexpr uint32_t kPlatformNone = 0;
constexpr uint32_t kPlatformWi2r = 0x57693272;  // relative path, single-byte characters (deprecated)
constexpr uint32_t kPlatformWi2k = 0x5769326B;  // absolute path, single-byte characters (deprecated)
constexpr uint32_t kPlatformW2ru = 0x57327275;  // relative path, UTF-16LE
constexpr uint32_t kPlatformW2ku = 0x57326B75;  // absolute path, UTF-16LE
constexpr uint32_t kPlatformMac = 0x4D616320;   // Mac OS alias blob
constexpr uint32_t kPlatformMacX = 0x4D616358;  // file:// URL, UTF-8

// Locator data longer than this is refused: a Windows path is at most 32,767 UTF-16 units
// (65,534 bytes), and the data is read at open for every entry.
constexpr uint32_t kMaxLocatorDataLength = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Block allocation table (VHD spec "Block Allocation Table and Data Blocks"; formats.md 3.4).
// Max table entries big-endian u32 at the table offset; each is the sector number of a block's
// bitmap, or all ones when the block is not allocated. A block is its sector bitmap (one bit per
// sector, MSB first, padded to a whole number of sectors) followed by block-size data bytes.
// ---------------------------------------------------------------------------------------------
constexpr size_t kBatEntrySize = 4;
constexpr uint32_t kBatUnallocated = 0xFFFFFFFF;

// The most BAT entries this reader loads: a 64 MiB table (plus 16 bytes per allocated entry while
// overlaps are checked). 2040 GiB, the largest dynamic disk Virtual PC and Hyper-V make, needs
// 1,044,480 entries of 2 MiB blocks or 4,177,920 of 512 KiB; without a cap a sparse file of a few
// KiB on disk could claim 2^32 entries (16 GiB of table) just by being large.
constexpr uint64_t kMaxBatEntries = uint64_t{1} << 24;

// A byte range of the file that one structure occupies, for the overlap checks of locator data
// and blocks. `name` is how messages call it ("BAT @0x600", "dynamic header @0x200").
struct Region {
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string name;
};

}  // namespace vhdchain::vhd
