#include "create_report.h"

#include <fmt/format.h>

#include "human.h"

namespace vhdchain::cli {

CreateReport created_report(const std::string& path, const std::string& parent, const ImageInfo& info) {
  CreateReport r;
  r.created = true;
  r.disk.path = path;
  r.disk.parent = parent;
  r.disk.format = info.format;
  r.disk.type = info.type;
  r.disk.virtual_size = info.virtual_size;
  r.disk.block_size = info.block_size;
  r.disk.logical_sector_size = info.logical_sector_size;
  r.disk.physical_sector_size = info.physical_sector_size;
  r.disk.file_size = info.file_size;
  r.disk.virtual_disk_id = info.virtual_disk_id;
  if (info.parent) {
    r.disk.parent_identity = info.parent->linkage;
    r.disk.parent_locator = info.parent->locators;
  }
  r.identity = info.data_write_guid ? info.data_write_guid : info.unique_id;
  return r;
}

std::string create_text(const CreateReport& report) {
  const CreatePlan& d = report.disk;
  std::string out = fmt::format("{} {}\n", report.created ? "created" : "would create", d.path);
  auto line = [&](std::string_view name, const std::string& value) { out += fmt::format("  {:<22}{}\n", name, value); };
  line("format", std::string(to_string(d.format)));
  line("type", std::string(to_string(d.type)));
  line("virtual size", size_with_bytes(d.virtual_size));
  if (d.block_size != 0) line("block size", binary_size(d.block_size));
  line("logical sector size", std::to_string(d.logical_sector_size));
  line("physical sector size", std::to_string(d.physical_sector_size));
  line("file size", size_with_bytes(d.file_size));
  if (d.format == DiskFormat::vhdx)  // VHD has no virtual disk id
    line("virtual disk id", d.virtual_disk_id ? d.virtual_disk_id->to_string()
                                              : std::string(report.created ? "none" : "new (random)"));
  if (report.created && report.identity) line("identity", report.identity->to_string());
  if (d.type == DiskType::differencing) {
    line("parent", d.parent);
    line("parent identity", d.parent_identity ? d.parent_identity->to_string() : "");
    out += "  parent locator:\n";
    for (const LocatorEntry& e : d.parent_locator) out += fmt::format("    {} = {}\n", e.key, e.value);
  }
  if (!report.created) out += "nothing written (--dry-run)\n";
  return out;
}

nlohmann::ordered_json create_json(const CreateReport& report) {
  const CreatePlan& d = report.disk;
  auto guid = [](const std::optional<Guid>& g) -> nlohmann::ordered_json {
    return g ? nlohmann::ordered_json(g->to_string()) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j;
  j["path"] = d.path;
  j["created"] = report.created;
  j["format"] = to_string(d.format);
  j["type"] = to_string(d.type);
  j["virtual_size"] = d.virtual_size;
  j["block_size"] = d.block_size;
  j["logical_sector_size"] = d.logical_sector_size;
  j["physical_sector_size"] = d.physical_sector_size;
  j["file_size"] = d.file_size;
  j["virtual_disk_id"] = guid(d.virtual_disk_id);
  j["identity"] = guid(report.created ? report.identity : std::nullopt);
  if (d.type != DiskType::differencing) {
    j["parent"] = nullptr;
    return j;
  }
  nlohmann::ordered_json locator = nlohmann::ordered_json::array();
  for (const LocatorEntry& e : d.parent_locator) locator.push_back({{"key", e.key}, {"value", e.value}});
  j["parent"] = {{"path", d.parent}, {"identity", guid(d.parent_identity)}, {"locator", locator}};
  return j;
}

}  // namespace vhdchain::cli
