// `info --json`: one object per file. The shape is a published contract (docs/info-json.md): keys
// are added in minor schema versions, never renamed or removed without a major one. Keys that do
// not apply to a file's format are present with null, so consumers need no per-format key checks.
#include <cmath>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "exit_codes.h"
#include "human.h"
#include "info_report.h"

namespace vhdchain::cli {
namespace {

using Json = nlohmann::ordered_json;

Json guid_or_null(const std::optional<Guid>& guid) { return guid ? Json(guid->to_string()) : Json(nullptr); }

template <typename T>
Json value_or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json vhd_time_or_null(const std::optional<uint32_t>& seconds) {
  // Hyper-V stores 0 for the parent time stamp: that means "not recorded", not 2000-01-01.
  return seconds && *seconds != 0 ? Json(vhd_time_utc(*seconds)) : Json(nullptr);
}

Json vhdx_json(const ImageInfo& info) {
  if (info.format != DiskFormat::vhdx) return nullptr;
  Json j;
  j["virtual_disk_id"] = guid_or_null(info.virtual_disk_id);
  j["data_write_guid"] = guid_or_null(info.data_write_guid);
  j["file_write_guid"] = guid_or_null(info.file_write_guid);
  j["header_sequence"] = value_or_null(info.header_sequence);
  j["current_header"] = value_or_null(info.current_header);
  j["leave_blocks_allocated"] = info.leave_blocks_allocated;
  return j;
}

Json vhd_json(const ImageInfo& info) {
  if (info.format != DiskFormat::vhd) return nullptr;
  Json j;
  j["unique_id"] = guid_or_null(info.unique_id);
  j["timestamp"] = value_or_null(info.timestamp);
  j["timestamp_utc"] = vhd_time_or_null(info.timestamp);
  j["creator_application"] = info.creator_application;
  j["creator_version"] = info.creator_version ? Json(vhd_version(*info.creator_version)) : Json(nullptr);
  j["creator_host_os"] = info.creator_host_os;
  j["original_size"] = value_or_null(info.original_size);
  if (info.geometry) {
    j["geometry"] = {{"cylinders", info.geometry->cylinders},
                     {"heads", info.geometry->heads},
                     {"sectors_per_track", info.geometry->sectors_per_track},
                     {"size", info.geometry->size()}};
  } else {
    j["geometry"] = nullptr;
  }
  j["saved_state"] = info.saved_state;
  return j;
}

Json log_json(const LogInfo& log) {
  Json j;
  j["present"] = log.present;
  j["pending"] = log.pending;
  j["replayed"] = log.replayed;
  j["entry_count"] = log.entry_count;
  j["first_sequence"] = log.first_sequence;
  j["last_sequence"] = log.last_sequence;
  j["log_guid"] = log.log_guid.to_string();
  j["offset"] = log.offset;
  j["length"] = log.length;
  return j;
}

Json blocks_json(const std::optional<BlockStats>& blocks) {
  if (!blocks) return nullptr;
  Json j;
  j["payload"] = Json::object();
  for (const auto& [state, count] : blocks->payload) j["payload"][state] = count;
  j["sector_bitmap"] = Json::object();
  for (const auto& [state, count] : blocks->sector_bitmap) j["sector_bitmap"][state] = count;
  j["allocated_bytes"] = blocks->allocated_bytes;
  // Two decimals are all a percentage needs, and keep golden files stable across libm versions.
  j["fragmentation_percent"] = std::round(blocks->fragmentation_percent * 100.0) / 100.0;
  return j;
}

Json error_json(const InfoFailure& error) {
  Json j;
  j["code"] = std::string(to_string(error.code));
  j["message"] = error.message;
  return j;
}

}  // namespace

nlohmann::ordered_json parent_json(const ImageInfo& info) {
  if (!info.parent) return nullptr;
  const ParentLink& p = *info.parent;
  const bool vhd = info.format == DiskFormat::vhd;
  Json j;
  j["linkage"] = p.linkage.to_string();
  if (vhd) {
    j["parent_unique_id"] = p.linkage.to_string();
    j["timestamp"] = value_or_null(p.timestamp);
    j["timestamp_utc"] = vhd_time_or_null(p.timestamp);
    j["name"] = p.name;
  } else {
    j["linkage2"] = guid_or_null(p.linkage2);
  }
  // First of a repeated key, as resolution tries it. ordered_json finds (and inserts) a key by a
  // linear scan, which made a 65,535-key locator cost a minute here (issue 13 case 7): the keys seen
  // are kept in a hash set and each new one appended to the object's vector of pairs (ordered_map
  // is a std::vector of them).
  Json locators = Json::object();
  auto& pairs = static_cast<std::vector<std::pair<const std::string, Json>>&>(locators.get_ref<Json::object_t&>());
  std::unordered_set<std::string_view> seen;
  for (const LocatorEntry& e : p.locators)
    if (seen.insert(e.key).second) pairs.emplace_back(e.key, e.value);
  j["locators"] = std::move(locators);
  Json entries = Json::array();
  for (const LocatorEntry& e : p.locators) {
    Json entry;
    entry["key"] = e.key;
    entry["value"] = e.value;
    entry["value_valid"] = e.value_valid;
    if (vhd) {
      entry["data_offset"] = e.data_offset;
      entry["data_length"] = e.data_length;
      entry["data_space"] = e.data_space;
    }
    entries.push_back(std::move(entry));
  }
  j["locator_entries"] = std::move(entries);
  return j;
}

nlohmann::ordered_json info_json(const InfoReport& report) {
  Json j;
  j["path"] = report.path;
  if (report.image) {
    const ImageInfo& info = report.image->info();
    j["format"] = std::string(to_string(info.format));
    j["type"] = std::string(to_string(info.type));
    j["virtual_size"] = info.virtual_size;
    j["block_size"] = info.block_size;
    j["logical_sector_size"] = info.logical_sector_size;
    j["physical_sector_size"] = info.physical_sector_size;
    j["file_size"] = info.file_size;
    j["allocated_on_host"] = value_or_null(report.allocated_on_host);
    j["creator"] = info.creator;
    j["identity"] = report.image->identity().to_string();
    j["vhdx"] = vhdx_json(info);
    j["vhd"] = vhd_json(info);
    j["log"] = log_json(info.log);
    j["blocks"] = blocks_json(report.blocks);
    j["parent"] = parent_json(info);
    j["notes"] = Json::array();
    for (const Note& note : info.notes) j["notes"].push_back(Json{{"code", note.code}, {"message", note.message}});
  }
  if (report.error) j["error"] = error_json(*report.error);
  return j;
}

}  // namespace vhdchain::cli
