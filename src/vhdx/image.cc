// Opening a VHDX and answering map() (MS-VHDX 2.2-2.6).
//
// Order matters: file identifier, headers, then the log (MS-VHDX 2.3.3: a pending log must be
// replayed before any other structure is read), and only then region tables, metadata and the BAT,
// all read through the replayed view. The replay lives in an OverlayReader, so the file is never
// written. The BAT is not touched at open: info() stays cheap.
#include "vhdx/image.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/byte_view.h"
#include "io/overlay_reader.h"
#include "vhdx/file_identifier.h"
#include "vhdx/header.h"
#include "vhdx/layout.h"
#include "vhdx/log.h"
#include "vhdx/metadata.h"

namespace vhdchain::vhdx {
namespace {

// Replays a pending log into an overlay over `file`; fills `log` and returns the overlay.
std::shared_ptr<const Reader> replay_pending_log(const std::shared_ptr<const Reader>& file, LogInfo& log,
                                                 std::vector<Note>& notes) {
  InMemoryReplay replay = replay_into_overlay(file, log.log_guid, log.offset, log.length);
  const LogSequence& seq = replay.sequence;
  log.replayed = true;
  log.entry_count = static_cast<uint32_t>(seq.entries.size());
  log.first_sequence = seq.entries.front().sequence_number;
  log.last_sequence = seq.head().sequence_number;
  notes.push_back({"vhdx.log_replayed",
                   fmt::format("log @{:#x}: replayed {} entries (sequence {}..{}) in memory; the file was not "
                               "modified",
                               log.offset, log.entry_count, log.first_sequence, log.last_sequence)});
  return replay.overlay;
}

}  // namespace

VhdxImage::VhdxImage(std::shared_ptr<const Reader> file) : file_(std::move(file)), data_(file_) {
  const std::string& name = file_->name();
  info_.format = DiskFormat::vhdx;

  StructureBuffer identifier(*file_, kFileIdentifierOffset, kFileIdentifierDefinedSize, "file identifier");
  info_.creator = decode_file_identifier(identifier.view()).creator;

  StructureBuffer header1(*file_, kHeaderOffsets[0], kHeaderSize, "header 1");
  StructureBuffer header2(*file_, kHeaderOffsets[1], kHeaderSize, "header 2");
  CurrentHeader current = select_current_header(header1.view(), header2.view());
  const Header& h = current.header;
  info_.notes = std::move(current.notes);
  check_current_header(current.index == 1 ? header1.view() : header2.view(), h, file_->size(), info_.notes);
  info_.current_header = current.index;
  info_.header_sequence = h.sequence_number;
  info_.file_write_guid = h.file_write_guid;
  info_.data_write_guid = h.data_write_guid;

  LogInfo& log = info_.log;
  log.present = h.log_length != 0;
  log.pending = !h.log_guid.is_zero();
  log.log_guid = h.log_guid;
  log.offset = log.present ? h.log_offset : 0;
  log.length = h.log_length;
  if (log.pending) data_ = replay_pending_log(file_, log, info_.notes);

  // Everything from here on reads the replayed view.
  const Reader& data = *data_;
  StructureBuffer table1(data, kRegionTableOffsets[0], kRegionTableSize, "region table 1");
  StructureBuffer table2(data, kRegionTableOffsets[1], kRegionTableSize, "region table 2");
  const RegionLimits limits{log.offset, log.length, data.size()};
  ChosenRegionTable regions = select_region_table(table1.view(), table2.view(), limits);
  for (Note& n : regions.notes) info_.notes.push_back(std::move(n));
  bat_region_ = *regions.table.find(known_guid(kBatRegionGuid));
  metadata_region_ = *regions.table.find(known_guid(kMetadataRegionGuid));
  const RegionEntry& metadata_region = metadata_region_;

  Metadata metadata = read_metadata(data, metadata_region);
  for (Note& n : metadata.notes) info_.notes.push_back(std::move(n));
  const FileParameters& fp = metadata.file_parameters;
  info_.block_size = fp.block_size;
  info_.logical_sector_size = metadata.logical_sector_size;
  info_.physical_sector_size = metadata.physical_sector_size;
  info_.virtual_size = metadata.virtual_disk_size;
  info_.virtual_disk_id = metadata.virtual_disk_id;
  info_.leave_blocks_allocated = fp.leave_blocks_allocated;
  info_.type = fp.has_parent ? DiskType::differencing
               : fp.leave_blocks_allocated ? DiskType::fixed
                                           : DiskType::dynamic;
  info_.parent = std::move(metadata.parent);
  info_.file_size = data.size();

  layout_ = compute_bat_layout(info_.virtual_size, fp.block_size, metadata.logical_sector_size, fp.has_parent);
  if (layout_.total_entries > bat_region_.length / 8)
    throw FormatError(Location{name, "BAT", bat_region_.file_offset},
                      fmt::format("region length {:#x} holds {} entries but the disk needs {}", bat_region_.length,
                                  bat_region_.length / 8, layout_.total_entries));

  // What no payload or sector-bitmap block may overlap (MS-VHDX 2.1).
  if (log.present) reserved_.push_back({log.offset, log.length, "the log"});
  for (const RegionEntry& r : regions.table.entries) {
    std::string what = r.guid == bat_region_.guid        ? "the BAT region"
                       : r.guid == metadata_region.guid ? "the metadata region"
                                                        : "region " + r.guid.to_string();
    reserved_.push_back({r.file_offset, r.length, std::move(what)});
  }
}

std::unique_ptr<const Bat> VhdxImage::read_bat(std::vector<Note>& notes) const {
  return std::make_unique<const Bat>(*data_, bat_region_.file_offset, layout_, data_->size(), reserved_, notes);
}

const Bat& VhdxImage::bat() const {
  bat_once_.run([this] {
    std::vector<Note> notes;
    bat_ = read_bat(notes);
    for (Note& n : notes) info_.notes.push_back(std::move(n));
  });
  return *bat_;
}

Extent VhdxImage::map(uint64_t virtual_offset, uint64_t max_length) const {
  if (virtual_offset >= info_.virtual_size)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: offset {:#x} is not inside the virtual disk ({:#x} bytes)", name(), virtual_offset,
                            info_.virtual_size));
  if (max_length == 0)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: map() needs a length of at least 1 byte", name()));
  const Bat& table = bat();

  const uint64_t block = virtual_offset / layout_.block_size;
  const uint64_t block_start = block * layout_.block_size;
  const uint64_t block_end = std::min(block_start + layout_.block_size, layout_.virtual_size);
  const uint64_t end = virtual_offset + std::min(max_length, block_end - virtual_offset);

  Extent x;
  x.virtual_offset = virtual_offset;
  x.length = end - virtual_offset;
  const BatEntry e = table.payload(block);
  switch (e.state) {
    case kPayloadNotPresent:
      // MS-VHDX 2.5.1.1: NOT_PRESENT means "ask the parent" only in a differencing disk.
      x.source = layout_.differencing ? ExtentSource::parent : ExtentSource::zero;
      break;
    case kPayloadFullyPresent:
      x.source = ExtentSource::data;
      x.file_offset = e.file_offset + (virtual_offset - block_start);
      break;
    case kPayloadPartiallyPresent: {
      const uint64_t chunk = block / layout_.chunk_ratio;
      const auto bits = bitmaps_.get(*data_, chunk, table.bitmap(chunk).file_offset);
      const uint64_t sector_size = layout_.logical_sector_size;
      const uint64_t first_sector = (virtual_offset - block_start) / sector_size;
      const uint64_t last_sector = (end - 1 - block_start) / sector_size;
      const uint64_t block_bit = (block % layout_.chunk_ratio) * layout_.sectors_per_block();
      bool present = false;
      const uint64_t run = lsb_run_length(*bits, block_bit + first_sector, last_sector - first_sector + 1, present);
      x.length = std::min(end, block_start + (first_sector + run) * sector_size) - virtual_offset;
      if (present) {
        x.source = ExtentSource::data;
        x.file_offset = e.file_offset + (virtual_offset - block_start);
      } else {
        x.source = ExtentSource::parent;
      }
      break;
    }
    default:
      // UNDEFINED, ZERO, UNMAPPED (3, and 5 from the v0.95 draft) read as zeros, in differencing
      // disks too: these states say what this layer holds, so the parent does not show through.
      x.source = ExtentSource::zero;
      break;
  }
  return x;
}

std::unique_ptr<DiskImage> open(std::shared_ptr<const Reader> file) { return std::make_unique<VhdxImage>(std::move(file)); }

}  // namespace vhdchain::vhdx
