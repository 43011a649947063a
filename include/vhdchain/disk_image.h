// One disk image file (VHDX or VHD), opened read-only, behind one interface.
//
// Both formats answer the same questions: what kind of disk this is (ImageInfo, cheap: headers
// and metadata only), how each range of the virtual disk is held by *this file* (map(), which reads
// the BAT lazily on first use), and the file's bytes as they are after any pending VHDX log was
// replayed in memory (data()). Reading through a chain of layers is chain/'s job, not the image's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/guid.h"
#include "vhdchain/reader.h"

namespace vhdchain {

enum class DiskFormat { vhdx, vhd };
enum class DiskType { fixed, dynamic, differencing };

std::string_view to_string(DiskFormat format);  // "vhdx" | "vhd"
std::string_view to_string(DiskType type);      // "fixed" | "dynamic" | "differencing"

// A non-fatal observation made while opening (a fallback taken, a tolerated deviation).
// code is stable ("vhdx.header_checksum", ...) and documented in docs/; message names the place.
struct Note {
  std::string code;
  std::string message;
};

// One parent locator entry, exactly as stored.
struct LocatorEntry {
  std::string key;           // VHDX: the key text ("relative_path"); VHD: the platform code ("W2ru")
  std::string value;         // decoded to UTF-8; U+FFFD where the stored encoding was malformed
  bool value_valid = true;   // false when the stored bytes were not valid in their encoding
  // VHD only: where the data lives and how the entry describes it.
  uint64_t data_offset = 0;
  uint32_t data_length = 0;
  uint32_t data_space = 0;
};

// What a differencing disk says about its parent.
struct ParentLink {
  Guid linkage;                      // VHDX parent_linkage; VHD parent unique id
  std::optional<Guid> linkage2;      // VHDX parent_linkage2 when the key is present (may be all-zero)
  std::optional<uint32_t> timestamp; // VHD parent time stamp (seconds since 2000-01-01 UTC)
  std::string name;                  // VHD parent unicode name; empty for VHDX
  std::vector<LocatorEntry> locators;  // every entry in stored order (VHDX: all keys incl. linkage)

  // True when `identity` (the candidate parent's DataWriteGuid / unique id) is one this child
  // accepts: parent_linkage, or a present, non-zero parent_linkage2 (MS-VHDX 2.6.2.6.3).
  bool accepts(const Guid& identity) const {
    return identity == linkage || (linkage2 && !linkage2->is_zero() && identity == *linkage2);
  }
};

struct LogInfo {
  bool present = false;           // VHDX only: a log region exists
  bool pending = false;           // header LogGuid is non-zero: the log must be replayed
  bool replayed = false;          // pending and replayed into memory for this open
  uint32_t entry_count = 0;       // entries in the active sequence
  uint64_t first_sequence = 0;    // sequence numbers of the active sequence's tail and head
  uint64_t last_sequence = 0;
  Guid log_guid;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Geometry {  // VHD CHS
  uint16_t cylinders = 0;
  uint8_t heads = 0;
  uint8_t sectors_per_track = 0;
  uint64_t size() const { return uint64_t(cylinders) * heads * sectors_per_track * 512; }
};

struct ImageInfo {
  DiskFormat format = DiskFormat::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;
  uint64_t file_size = 0;          // the file's length in bytes (after in-memory log replay)
  uint32_t block_size = 0;         // 0 for fixed VHD
  uint32_t logical_sector_size = 512;
  uint32_t physical_sector_size = 512;
  std::string creator;             // VHDX file identifier creator; VHD "app version (host)"

  // VHDX
  std::optional<Guid> virtual_disk_id;
  std::optional<Guid> data_write_guid;
  std::optional<Guid> file_write_guid;
  std::optional<uint64_t> header_sequence;
  std::optional<int> current_header;  // 1 or 2
  bool leave_blocks_allocated = false;
  LogInfo log;

  // VHD
  std::optional<Guid> unique_id;
  std::optional<uint32_t> timestamp;  // footer creation time, VHD epoch
  std::string creator_application;    // 4 chars as stored, trailing NULs trimmed
  std::optional<uint32_t> creator_version;
  std::string creator_host_os;
  std::optional<uint64_t> original_size;
  std::optional<Geometry> geometry;
  bool saved_state = false;

  std::optional<ParentLink> parent;  // set for differencing disks
  std::vector<Note> notes;
};

// How one layer answers a read of a range of the virtual disk.
enum class ExtentSource {
  data,    // the bytes are in this file at file_offset
  zero,    // this layer defines the range as zeros
  parent,  // this layer does not hold the range: the parent's bytes show through
};

struct Extent {
  uint64_t virtual_offset = 0;
  uint64_t length = 0;
  ExtentSource source = ExtentSource::zero;
  uint64_t file_offset = 0;  // valid when source == data
};

// Counts from the block allocation table. Keys are the spec's state names in lowercase:
// payload "not_present", "undefined", "zero", "unmapped", "fully_present", "partially_present";
// sector bitmap "not_present", "present". VHD uses payload "not_present" / "allocated".
struct BlockStats {
  std::map<std::string, uint64_t> payload;
  std::map<std::string, uint64_t> sector_bitmap;
  uint64_t allocated_bytes = 0;        // bytes of payload and bitmap blocks the BAT points to
  double fragmentation_percent = 0.0;  // see docs/info-json.md: share of virtually adjacent
                                       // allocated blocks that are not adjacent in the file
};

class DiskImage {
 public:
  virtual ~DiskImage() = default;

  // Headers and metadata; computed at open.
  virtual const ImageInfo& info() const = 0;

  // The run starting at virtual_offset that this file holds one way. The run never crosses a
  // block boundary and is at most max_length long (and at least 1 byte). Throws FormatError when
  // the BAT or a sector bitmap it needs is corrupt, Error(invalid_argument) past the virtual size.
  virtual Extent map(uint64_t virtual_offset, uint64_t max_length) const = 0;

  // Reads the BAT (once) and counts it.
  virtual BlockStats block_stats() const = 0;

  // The file's bytes, with any pending log replayed in memory.
  virtual const Reader& data() const = 0;

  // The identity children link to: VHDX DataWriteGuid, VHD footer unique id.
  Guid identity() const {
    const ImageInfo& i = info();
    return i.data_write_guid ? *i.data_write_guid : i.unique_id.value_or(Guid{});
  }
  const std::string& name() const { return data().name(); }
};

// What --deep validates of one disk: every BAT entry and sector bitmap (its whole map is walked),
// so a truncated or corrupt block table fails here. Throws the reader's FormatError / Error for the
// first bad structure. Every write's preflight (vhdchain/preflight.h) runs this on each file.
void validate_image_deeply(const DiskImage& image);

// Format detection and opening (open.cc). The Reader is kept alive by the image.
std::optional<DiskFormat> detect_format(const Reader& file);
std::unique_ptr<DiskImage> open_image(std::shared_ptr<const Reader> file);
// Opens a host file read-only.
std::unique_ptr<DiskImage> open_image_file(const std::string& path);

namespace vhdx {
std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> file);
}
namespace vhd {
std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> file);
}

}  // namespace vhdchain
