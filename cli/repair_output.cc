// How repair shows a relink decision: text for people, JSON for scripts (docs/repair.md).
#include <chrono>
#include <filesystem>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "repair.h"

namespace vhdchain::cli {
namespace {

std::string modified_time(const std::string& path) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(std::filesystem::u8path(path), ec);
  if (ec) return "unknown";
  const auto sys = std::chrono::file_clock::to_sys(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(
                                                  std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys))));
}

std::string quoted(const std::optional<std::string>& v) { return v ? fmt::format("\"{}\"", *v) : "(absent)"; }

std::string guid_or_empty(const std::optional<Guid>& g) { return g ? g->to_string() : ""; }

nlohmann::ordered_json disk_evidence(const std::string& path, const ImageInfo& info) {
  nlohmann::ordered_json j = {{"path", path},
                      {"format", std::string(to_string(info.format))},
                      {"virtual_size", info.virtual_size},
                      {"logical_sector_size", info.logical_sector_size},
                      {"physical_sector_size", info.physical_sector_size},
                      {"modified", modified_time(path)}};
  if (info.format == DiskFormat::vhdx) {
    j["virtual_disk_id"] = guid_or_empty(info.virtual_disk_id);
    j["data_write_guid"] = guid_or_empty(info.data_write_guid);
  } else {
    j["unique_id"] = guid_or_empty(info.unique_id);
  }
  if (info.parent) {
    j["parent_linkage"] = info.parent->linkage.to_string();
    j["parent_linkage2"] = info.parent->linkage2 ? nlohmann::json(info.parent->linkage2->to_string()) : nullptr;
    if (info.parent->timestamp) j["parent_timestamp"] = *info.parent->timestamp;
  }
  return j;
}

}  // namespace

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::string relink_text(const RelinkDecision& d, bool dry_run, bool applied) {
  const ImageInfo& c = d.child_info;
  const ImageInfo& p = d.parent_info;
  const bool vhdx = c.format == DiskFormat::vhdx;
  std::string out = fmt::format("{}\n  parent      {}\n", d.child, d.parent);
  const std::string parent_id = p.data_write_guid   ? p.data_write_guid->to_string()
                                : p.unique_id       ? p.unique_id->to_string()
                                                    : std::string("?");
  out += fmt::format("  identity    {}: the child links to {}, the parent's {} is {}\n",
                     d.identity_matches ? "matches" : "MISMATCH", c.parent ? c.parent->linkage.to_string() : "?",
                     p.format == DiskFormat::vhdx ? "DataWriteGuid" : "unique id", parent_id);
  out += fmt::format("  evidence    {:<18}{:<38}{}\n", "", "child", "parent");
  out += fmt::format("              {:<18}{:<38}{}\n", "virtual size", c.virtual_size, p.virtual_size);
  out += fmt::format("              {:<18}{:<38}{}\n", "sector sizes",
                     fmt::format("{}/{}", c.logical_sector_size, c.physical_sector_size),
                     fmt::format("{}/{}", p.logical_sector_size, p.physical_sector_size));
  if (vhdx)
    out += fmt::format("              {:<18}{:<38}{}\n", "virtual disk id", guid_or_empty(c.virtual_disk_id),
                       guid_or_empty(p.virtual_disk_id));
  out += fmt::format("              {:<18}{:<38}{}\n", "modified", modified_time(d.child), modified_time(d.parent));
  for (const std::string& r : d.refusals) out += fmt::format("  REFUSED     {}\n", r);
  if (d.plan) {
    out += "  locators\n";
    for (const LocatorChange& l : d.plan->locators) {
      if (l.changed())
        out += fmt::format("    {:<22}{} -> {}\n", l.key, quoted(l.before), l.after ? quoted(l.after) : "(removed)");
      else
        out += fmt::format("    {:<22}{} (unchanged)\n", l.key, quoted(l.before));
    }
    out += fmt::format("  writes{}\n", vhdx ? " (through the VHDX log)" : " (through the journal)");
    if (d.plan->bytes.empty()) out += "    none: the link is already as it would be written\n";
    for (const ByteChange& b : d.plan->bytes)
      out += fmt::format("    @{:#x}  {} bytes  {}\n", b.offset, b.after.size(), b.structure);
  }
  for (const std::string& n : d.notes) out += fmt::format("  note        {}\n", n);
  if (!d.refusals.empty())
    out += "  nothing was written\n";
  else if (dry_run)
    out += "  dry run: nothing was written\n";
  else if (applied)
    out += d.plan && d.plan->changes_anything() ? "  written\n" : "  nothing to write\n";
  return out;
}

nlohmann::ordered_json relink_json(const RelinkDecision& d, bool dry_run, bool applied) {
  nlohmann::ordered_json j = {{"child", d.child},
                              {"parent", d.parent},
                              {"identity_matches", d.identity_matches},
                              {"evidence", {{"child", disk_evidence(d.child, d.child_info)},
                                            {"parent", disk_evidence(d.parent, d.parent_info)}}},
                              {"refusals", d.refusals},
                              {"notes", d.notes},
                              {"dry_run", dry_run},
                              {"written", applied && d.plan && d.plan->changes_anything()}};
  nlohmann::ordered_json locators = nlohmann::ordered_json::array(), writes = nlohmann::ordered_json::array();
  if (d.plan) {
    for (const LocatorChange& l : d.plan->locators)
      locators.push_back({{"key", l.key},
                          {"before", l.before ? nlohmann::json(*l.before) : nullptr},
                          {"after", l.after ? nlohmann::json(*l.after) : nullptr},
                          {"changed", l.changed()}});
    for (const ByteChange& b : d.plan->bytes)
      writes.push_back({{"offset", b.offset},
                        {"length", b.after.size()},
                        {"structure", b.structure},
                        {"before", hex_bytes(b.before)},
                        {"after", hex_bytes(b.after)}});
  }
  j["locators"] = locators;
  j["writes"] = writes;
  return j;
}

}  // namespace vhdchain::cli
