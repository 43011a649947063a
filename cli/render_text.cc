// `info` for people: one "Label: value" line per fact, values aligned, one block per file.
//
// Labels are stable (golden tests and admins' greps rely on them); every value read from the image
// goes through printable() so a crafted locator cannot send escape sequences to the terminal.
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "human.h"
#include "info_report.h"

namespace vhdchain::cli {
namespace {

class Lines {
 public:
  void add(std::string label, std::string value) { rows_.push_back({std::move(label), std::move(value)}); }
  // A further value for the previous label, on its own line.
  void more(std::string value) { rows_.push_back({"", std::move(value)}); }

  std::string render() const {
    size_t width = 0;
    for (const Row& r : rows_) width = std::max(width, r.label.size() + 1);
    std::string out;
    for (const Row& r : rows_) {
      std::string label = r.label.empty() ? "" : r.label + ":";
      out += fmt::format("{:<{}} {}\n", label, width, r.value);
    }
    return out;
  }

 private:
  struct Row {
    std::string label;
    std::string value;
  };
  std::vector<Row> rows_;
};

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::string counts(const std::map<std::string, uint64_t>& by_state) {
  std::string out;
  for (const auto& [state, count] : by_state) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", state, count);
  return out.empty() ? "none" : out;
}

std::string log_text(const LogInfo& log) {
  if (!log.pending) return "clean";
  std::string what = log.replayed ? "pending, replayed in memory" : "pending, not replayed";
  return fmt::format("{} ({} entries, sequence {}..{})", what, log.entry_count, log.first_sequence, log.last_sequence);
}

std::string guid_text(const std::optional<Guid>& guid) { return guid ? guid->to_string() : "-"; }

void vhdx_lines(const ImageInfo& info, Lines& l) {
  l.add("Virtual disk id", guid_text(info.virtual_disk_id));
  l.add("Data write guid", guid_text(info.data_write_guid));
  l.add("File write guid", guid_text(info.file_write_guid));
  if (info.header_sequence)
    l.add("Header sequence", info.current_header ? fmt::format("{} (header {} is current)", *info.header_sequence, *info.current_header)
                                                 : fmt::format("{}", *info.header_sequence));
  l.add("Leave blocks allocated", yes_no(info.leave_blocks_allocated));
  l.add("Log", log_text(info.log));
}

void vhd_lines(const ImageInfo& info, Lines& l) {
  l.add("Unique id", guid_text(info.unique_id));
  if (info.timestamp) l.add("Created", fmt::format("{} (VHD time stamp {})", vhd_time_utc(*info.timestamp), *info.timestamp));
  l.add("Creator application", printable(info.creator_application));
  if (info.creator_version) l.add("Creator version", vhd_version(*info.creator_version));
  l.add("Creator host OS", printable(info.creator_host_os));
  if (info.original_size) l.add("Original size", size_with_bytes(*info.original_size));
  if (info.geometry)
    l.add("Geometry", fmt::format("C/H/S {}/{}/{} = {} bytes", info.geometry->cylinders, info.geometry->heads,
                                  info.geometry->sectors_per_track, info.geometry->size()));
  l.add("Saved state", yes_no(info.saved_state));
}

void block_lines(const InfoReport& report, Lines& l) {
  if (!report.blocks) {
    l.add("Blocks", "unreadable (see the error)");
    return;
  }
  const BlockStats& b = *report.blocks;
  l.add("Payload blocks", counts(b.payload));
  if (!b.sector_bitmap.empty()) l.add("Sector bitmap blocks", counts(b.sector_bitmap));
  l.add("Allocated in image", size_with_bytes(b.allocated_bytes));
  l.add("Fragmentation", fmt::format("{} %", std::round(b.fragmentation_percent * 100.0) / 100.0));
}

void parent_lines(const ImageInfo& info, Lines& l) {
  if (!info.parent) return;
  const ParentLink& p = *info.parent;
  if (info.format == DiskFormat::vhd) {
    l.add("Parent unique id", p.linkage.to_string());
    if (p.timestamp)
      l.add("Parent time stamp", *p.timestamp == 0 ? "0 (not recorded)"
                                                   : fmt::format("{} (VHD time stamp {})", vhd_time_utc(*p.timestamp), *p.timestamp));
    l.add("Parent name", printable(p.name));
  } else {
    l.add("Parent linkage", p.linkage.to_string());
    if (p.linkage2) l.add("Parent linkage2", p.linkage2->to_string());
  }
  bool first = true;
  for (const LocatorEntry& e : p.locators) {
    std::string text = fmt::format("{} = {}", printable(e.key), printable(e.value));
    if (!e.value_valid) text += " (malformed in the file)";
    if (info.format == DiskFormat::vhd)
      text += fmt::format(" (data @{:#x}, {} bytes, space {})", e.data_offset, e.data_length, e.data_space);
    if (first)
      l.add("Parent locator", text);
    else
      l.more(text);
    first = false;
  }
}

}  // namespace

std::string info_text(const InfoReport& report) {
  if (!report.image) return {};  // the error went to stderr; there is nothing to show
  Lines l;
  l.add("Path", printable(report.path));
  const ImageInfo& info = report.image->info();
  l.add("Format", info.format == DiskFormat::vhdx ? "VHDX" : "VHD");
  l.add("Type", std::string(to_string(info.type)));
  l.add("Virtual size", size_with_bytes(info.virtual_size));
  l.add("Block size", info.block_size ? size_with_bytes(info.block_size) : "none (fixed)");
  l.add("Logical sector size", fmt::format("{} bytes", info.logical_sector_size));
  l.add("Physical sector size", fmt::format("{} bytes", info.physical_sector_size));
  l.add("File size", size_with_bytes(info.file_size));
  if (report.allocated_on_host) l.add("Allocated on host", size_with_bytes(*report.allocated_on_host));
  l.add("Creator", printable(info.creator));
  if (info.format == DiskFormat::vhdx)
    vhdx_lines(info, l);
  else
    vhd_lines(info, l);
  block_lines(report, l);
  parent_lines(info, l);
  bool first = true;
  for (const Note& note : info.notes) {
    std::string text = fmt::format("{}: {}", note.code, printable(note.message));
    if (first)
      l.add("Notes", text);
    else
      l.more(text);
    first = false;
  }
  return l.render();
}

}  // namespace vhdchain::cli
