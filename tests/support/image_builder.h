// The synthetic image builder: VHDX and VHD files written byte by byte from a description.
//
// Parser tests need images whose every byte is known: block states that real tools rarely produce
// (UNMAPPED, UNDEFINED, PARTIALLY_PRESENT with an exact sector set), 4096-byte logical sectors,
// pending VHDX logs, chains several levels deep, and corruptions of one named field. The builder
// encodes them straight from the specifications (MS-VHDX v8.0 section 2; VHD specification 1.0),
// sharing only CRC-32C, UTF-16 and Guid with the library, never a parser, so the parsers are tested
// against an independent writer. The same description drives the expected-content model
// (content_model.h), which says what every layer must read as, and BuiltImage::layout names where
// every structure landed so tests can mutate fields by name.
//
// Typical use:
//
//   ImageSpec spec;                                   // dynamic VHDX, 64 MiB, 2 MiB blocks
//   spec.blocks[0] = BlockSpec{};                     // FULLY_PRESENT, seeded pattern
//   spec.blocks[3] = BlockSpec::partial({{0, 8}, {100, 1}});
//   BuiltImage img = build_image(spec);
//   img.write(dir / "disk.vhdx");
//   std::vector<uint8_t> want = expected_content({img.spec}, 0);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/checked_math.h"
#include "support/image_layout.h"
#include "support/sparse_file.h"
#include "vhdchain/guid.h"

namespace vhdchain::test {

enum class Format { vhdx, vhd };
enum class DiskType { fixed, dynamic, differencing };

std::string_view to_string(Format f);
std::string_view to_string(DiskType t);

// Payload block states, with the MS-VHDX 2.5.1.1 values. VHD uses three of them: not_present
// (BAT entry 0xFFFFFFFF), fully_present (allocated, every bitmap bit set) and partially_present
// (allocated, bits set for the given sectors); the others are rejected for VHD.
enum class BlockState : uint8_t {
  not_present = 0,
  undefined = 1,
  zero = 2,
  unmapped = 3,
  fully_present = 6,
  partially_present = 7,
};
std::string_view to_string(BlockState s);

// A run of block-relative logical sectors.
struct SectorRange {
  uint64_t first = 0;
  uint64_t count = 0;
};

// One payload block of an image.
struct BlockSpec {
  BlockState state = BlockState::fully_present;
  // partially_present: the sectors whose bitmap bit is 1 (VHDX: LSB-first, MS-VHDX 2.6.4;
  // VHD: MSB-first). Ignored otherwise.
  std::vector<SectorRange> sectors;
  // Seed of the data pattern of this block's present sectors; default: the image's seed.
  std::optional<uint64_t> seed;
  // Present sectors hold zeros instead of the pattern (an allocated block that hides parent data).
  bool zero_data = false;
  // VHDX undefined/unmapped: keep a file offset pointing at a block of garbage. MS-VHDX 2.5.1.1
  // lets FileOffsetMB of these states point at old contents; a correct reader still returns zeros.
  bool stale_allocation = false;
  // partially_present: sectors whose bit is 0 hold garbage instead of zeros, so a reader that
  // ignores the bitmap shows it (VHD dynamic disks require zeros there; this breaks that on purpose).
  bool garbage_in_absent = false;

  static BlockSpec full(std::optional<uint64_t> seed = std::nullopt) {
    BlockSpec b;
    b.seed = seed;
    return b;
  }
  static BlockSpec partial(std::vector<SectorRange> sectors, std::optional<uint64_t> seed = std::nullopt) {
    BlockSpec b;
    b.state = BlockState::partially_present;
    b.sectors = std::move(sectors);
    b.seed = seed;
    return b;
  }
  static BlockSpec with_state(BlockState s) {
    BlockSpec b;
    b.state = s;
    return b;
  }
};

// A key/value pair of a VHDX parent locator, UTF-8 here, UTF-16LE on disk (MS-VHDX 2.6.2.6).
// raw_key/raw_value, when set, are written verbatim instead (odd lengths, NULs, unpaired
// surrogates, for corruption tests); an empty raw value gives a zero length.
struct LocatorEntry {
  std::string key;
  std::string value;
  std::optional<std::vector<uint8_t>> raw_key = std::nullopt;
  std::optional<std::vector<uint8_t>> raw_value = std::nullopt;
};

// A metadata item beyond the six known ones (MS-VHDX 2.6.1.2), e.g. an unknown required item.
struct ExtraMetadataItem {
  Guid item_id;
  uint32_t flags = 0;  // bit 0 IsUser, bit 1 IsVirtualDisk, bit 2 IsRequired
  std::vector<uint8_t> data;
};

// A region beyond BAT and metadata (MS-VHDX 2.2.3), e.g. an unknown optional region.
struct ExtraRegion {
  Guid region_id;
  bool required = false;
  uint64_t length = kMiB;  // multiple of 1 MiB
  uint8_t fill = 0;
};

// A log entry that must NOT be replayed (MS-VHDX 2.3.3), placed after the active sequence. Each
// carries a data descriptor that would overwrite the first BAT sector with garbage, so a reader
// that wrongly replays it reads visibly wrong data.
struct StaleLogEntry {
  enum class Kind {
    other_guid,      // next sequence number, valid checksum, but a LogGuid other than the header's
    older_sequence,  // header's LogGuid, valid on its own (its Tail points at itself), lower sequence
    bad_checksum,    // next sequence number and the right LogGuid, but a wrong CRC-32C
  };
  Kind kind = Kind::other_guid;
  std::optional<uint32_t> position;  // log-relative, 4 KiB multiple; default: the next free place
};

// A log descriptor written as given (MS-VHDX 2.3.1.2-2.3.1.3), for hostile logs: a target past the
// end of the file, a huge zero range, a BAT page with reserved bits set.
struct RawLogDescriptor {
  bool zero = false;
  uint64_t file_offset = 0;
  uint64_t zero_length = 0;   // zero descriptor
  std::vector<uint8_t> data;  // data descriptor: the 4 KiB update
};

// A pending VHDX log (MS-VHDX 2.3). The ImageSpec describes the state AFTER replay; this says what
// is different on disk BEFORE replay. The builder writes the final file, derives the "before" file
// from it, and logs every 4 KiB sector that differs as a data descriptor (or a zero descriptor
// when the final sector is all zero), so replaying the log turns the on-disk file into the final one.
struct VhdxLogSpec {
  Guid log_guid;  // written to both headers; must be non-zero for the log to be pending

  // On disk before replay, these blocks' BAT entries hold the given state (keeping the block's
  // file offset when it has one; fully/partially_present allocate the block if needed, filled
  // with its pattern).
  std::map<uint64_t, BlockState> pending_blocks;
  // On disk before replay, the Virtual Disk Size item holds this value.
  std::optional<uint64_t> virtual_size_before;
  // Blocks whose payload is zeroed by zero descriptors (they must be fully_present with
  // zero_data set); before replay they hold their pattern. Readers that skip replay show data.
  std::vector<uint64_t> zeroed_blocks;
  // The file is truncated to this size (1 MiB multiple) before replay; the replay recreates what
  // lies beyond (data descriptors for non-zero sectors, LastFileOffset for the rest).
  std::optional<uint64_t> file_size_before;

  bool zero_descriptors = true;  // log all-zero final sectors as zero descriptors
  uint32_t first_entry_offset = 0;  // log-relative; near the log's end the sequence wraps
  uint32_t entry_count = 1;         // descriptors are spread over this many entries
  uint64_t first_sequence = 100;
  std::vector<StaleLogEntry> stale_entries;
  // Appended to the head entry's descriptors; BuiltImage::replayed does not include them.
  std::vector<RawLogDescriptor> extra_descriptors;
  // Every entry's LastFileOffset (default: the size of the file after replay).
  std::optional<uint64_t> last_file_offset;
};

struct VhdxOptions {
  uint32_t logical_sector_size = 512;    // 512 or 4096 (MS-VHDX 2.6.2.4)
  uint32_t physical_sector_size = 4096;  // 512 or 4096 (MS-VHDX 2.6.2.5)
  // Default: derived from the image seed, so builds are reproducible.
  std::optional<Guid> file_write_guid, data_write_guid, virtual_disk_id;
  std::string creator = "vhdchain image builder";
  uint64_t header1_sequence = 1, header2_sequence = 2;
  uint32_t log_length = kMiB;
  // Hyper-V puts the metadata region before the BAT; false does the same, true swaps them.
  bool bat_before_metadata = false;
  // Differencing: the parent locator's key/values, in this order (see hyperv_vhdx_locator()).
  std::vector<LocatorEntry> parent_locator;
  Guid parent_locator_type;  // default (zero): the VHDX type B04AEFB7-D19E-4A81-B789-25B8E9445913
  // Differencing: allocate a sector-bitmap block for every chunk, not only for chunks with a
  // partially_present block. Bits of fully_present blocks are set in any allocated bitmap.
  bool sector_bitmap_for_every_chunk = false;
  bool place_blocks_descending = false;  // file order of payload blocks (readers must not care)
  std::vector<ExtraMetadataItem> extra_metadata;
  std::vector<ExtraRegion> extra_regions;
  std::optional<VhdxLogSpec> log;
};

// A VHD parent locator entry (VHD spec, "Parent Locator Entries").
struct VhdLocator {
  uint32_t platform_code = 0;     // fourcc("W2ku"), fourcc("W2ru"), ...
  std::vector<uint8_t> data;      // already encoded (W2ku/W2ru: UTF-16LE)
  uint32_t space = 0;             // bytes reserved in the file; 0: data rounded up to 512
  // The "platform data space" field: by default the byte count Hyper-V writes; the 2006 spec text
  // says sectors (docs/formats.md 3.3).
  bool space_in_sectors = false;
};

struct VhdOptions {
  std::optional<Guid> unique_id;       // default: derived from the seed
  uint32_t timestamp = 0x2D000000;     // seconds since 2000-01-01 UTC (2023-12-07)
  char creator_app[5] = "win ";        // Hyper-V: QEMU then takes Current Size as the disk size
  uint32_t creator_version = 0x000A0000;
  char creator_host_os[5] = "Wi2k";
  uint64_t bat_offset = 1536;          // dynamic/differencing: BAT right after the dynamic header
  std::optional<uint32_t> max_table_entries;  // default: ceil(virtual size / block size)
  uint32_t block_alignment = 512;      // file alignment of each block's bitmap
  // Differencing.
  Guid parent_unique_id;
  uint32_t parent_timestamp = 0;       // Hyper-V writes 0 (docs/formats.md 3.6)
  std::string parent_unicode_name;     // UTF-8 here, UTF-16BE on disk
  std::optional<std::vector<uint8_t>> parent_unicode_name_raw;  // verbatim instead (at most 512 bytes)
  std::vector<VhdLocator> locators;    // slots 0..7 in this order
};

struct ImageSpec {
  Format format = Format::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 64 * kMiB;  // in build_chain, 0 in a child means "the parent's"
  uint32_t block_size = 2 * kMiB;      // VHDX 1..256 MiB power of two; VHD power-of-two sectors
  uint64_t seed = 1;                   // data pattern and derived identities
  // Block index -> content. Missing blocks are not_present, except in fixed images, where they
  // are present and zero.
  std::map<uint64_t, BlockSpec> blocks;
  VhdxOptions vhdx;
  VhdOptions vhd;

  uint32_t logical_sector_size() const { return format == Format::vhdx ? vhdx.logical_sector_size : 512; }
  uint64_t block_count() const { return ceil_div(virtual_size, block_size); }
};

// A built image: the spec with every default filled in, the file, and where everything is.
struct BuiltImage {
  ImageSpec spec;
  SparseFile file;                     // the bytes on disk (for a pending log: before replay)
  std::optional<SparseFile> replayed;  // pending log only: the file bytes after replay
  Layout layout;

  void write(const std::filesystem::path& path) const { file.write_file(path); }
  std::vector<uint8_t> bytes() const { return file.to_vector(); }

  // Mutation hooks for corruption tests. Offsets are relative to the named structure (see
  // image_layout.h for the names and field offsets). With fix_checksum the structure's checksum
  // is recomputed afterwards, so a test can make a field wrong while the checksum stays right.
  void patch(std::string_view structure, uint64_t field_offset, std::span<const uint8_t> bytes,
             bool fix_checksum = false);
  void patch_le(std::string_view structure, uint64_t field_offset, uint64_t value, size_t width,
                bool fix_checksum = false);
  void patch_be(std::string_view structure, uint64_t field_offset, uint64_t value, size_t width,
                bool fix_checksum = false);
  // Recomputes the checksum of a structure that has one (VHDX header, region table, log entry;
  // VHD footer, footer copy, dynamic header).
  void fix_checksum(std::string_view structure);
};

// Builds one image. Throws std::invalid_argument when the spec is impossible to encode (a state
// not valid for the format, sizes out of range).
BuiltImage build_image(const ImageSpec& spec);

// The spec as a reader that does NOT replay the log sees the image: pending block states, old
// virtual size, zeroed blocks still holding data. For crosschecks with readers that ignore logs.
ImageSpec before_log_replay(const ImageSpec& spec);

// Derives a reproducible GUID from a seed (version-4 and variant bits set like a random one).
Guid guid_from_seed(uint64_t seed, uint64_t salt);

// Hyper-V's parent locator for a VHDX child: keys in Hyper-V's order parent_linkage,
// absolute_win32_path, relative_path, volume_path, parent_linkage2 (docs/formats.md 2.9), with
// parent_linkage2 the zero GUID and absolute_win32_path without the \\?\ prefix, as Hyper-V writes.
std::vector<LocatorEntry> hyperv_vhdx_locator(const Guid& parent_data_write_guid, std::string_view parent_file_name,
                                              std::string_view windows_dir, const Guid& volume_guid);

// Hyper-V's VHD parent fields: W2ku (absolute, 4096-byte space) then W2ru (.\name, 65536-byte
// space), UTF-16LE; parent unicode name = the absolute path (docs/formats.md 3.3 and E2).
void set_hyperv_vhd_parent(VhdOptions& vhd, const Guid& parent_unique_id, std::string_view parent_file_name,
                           std::string_view windows_dir);

// A chain: layers[0] is the base, each later layer a differencing child of the one before.
struct ChainLayerSpec {
  ImageSpec spec;
  std::string file_name;  // e.g. "base.vhdx", "base_0A1B....avhdx"
};
struct ChainSpec {
  std::vector<ChainLayerSpec> layers;
  std::string windows_dir = "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks";
  Guid volume_guid = guid_from_seed(0x766f6c, 1);  // for volume_path
};
struct BuiltChain {
  std::vector<BuiltImage> layers;
  std::vector<std::string> file_names;

  // Writes every layer into dir under its file name.
  void write(const std::filesystem::path& dir) const;
  // The specs (defaults filled in), base first, for the content model.
  std::vector<ImageSpec> specs() const;
};

// Builds base and children in order. A child inherits the parent's virtual size (when 0),
// logical sector size and Virtual Disk ID (Hyper-V copies it, docs/formats.md 2.8), becomes
// differencing, and, unless its spec already holds a parent locator (VHDX) or locators (VHD), is
// linked Hyper-V style: VHDX parent_linkage = the parent's DataWriteGuid, relative_path
// ".\<parent>"; VHD parent unique id = the parent's footer unique id, W2ku + W2ru.
BuiltChain build_chain(const ChainSpec& chain);

}  // namespace vhdchain::test
