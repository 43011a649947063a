// `check --json`: a published contract (docs/check-json.md). schema_version first; keys are added in
// minor versions, never renamed or removed without a major one.
#include "check_output.h"
#include "info_report.h"

namespace vhdchain::cli {
namespace {

using Json = nlohmann::ordered_json;
using check::Report;

constexpr const char* kSchemaVersion = "1.0";

Json candidate_json(const ParentCandidate& c) {
  Json j;
  j["locator"] = c.locator;
  j["stored"] = c.stored;
  j["path"] = c.path.empty() ? Json(nullptr) : Json(c.path);
  j["beside_child"] = c.beside_child;
  j["outcome"] = std::string(to_string(c.outcome));
  j["detail"] = c.detail;
  j["found_identity"] = c.found_identity ? Json(c.found_identity->to_string()) : Json(nullptr);
  return j;
}

Json disk_json(const Report& report, const check::Disk& d) {
  Json j;
  j["path"] = d.path;
  j["other_paths"] = d.other_paths;
  j["windows_path"] = d.windows_path ? Json(*d.windows_path) : Json(nullptr);
  j["scanned"] = d.scanned;
  j["error"] = d.error.empty() ? Json(nullptr) : Json(d.error);
  if (d.image) {
    const ImageInfo& info = d.image->info();
    j["format"] = std::string(to_string(info.format));
    j["type"] = std::string(to_string(info.type));
    j["virtual_size"] = info.virtual_size;
    j["file_size"] = info.file_size;
    j["identity"] = d.image->identity().to_string();
    j["log_pending"] = info.log.pending;
  } else {
    for (const char* key : {"format", "type", "virtual_size", "file_size", "identity", "log_pending"}) j[key] = nullptr;
  }
  Json parent = d.image ? parent_json(d.image->info()) : Json(nullptr);
  if (!parent.is_null()) {
    // Each entry's offsets and validity are for `info --json`; here they would only make a 10,000-disk
    // report slower to write and read. The key -> value map stays.
    parent.erase("locator_entries");
    parent["path"] = d.parent ? Json(d.parent_path) : Json(nullptr);
    Json candidates = Json::array();
    for (const ParentCandidate& c : d.resolution.candidates) candidates.push_back(candidate_json(c));
    parent["candidates"] = std::move(candidates);
  }
  j["parent"] = std::move(parent);
  Json children = Json::array();
  for (size_t c : d.children) children.push_back(report.disks[c].path);
  j["children"] = std::move(children);
  j["growth_bytes"] = d.growth_bytes;
  return j;
}

Json chain_json(const Report& report, const check::Chain& c) {
  Json j;
  j["leaf"] = report.disks[c.layers.front()].path;
  j["base"] = c.complete ? Json(report.disks[c.layers.back()].path) : Json(nullptr);
  j["complete"] = c.complete;
  j["severity"] = std::string(to_string(c.severity));
  j["inconclusive"] = c.inconclusive;
  j["depth"] = c.layers.size();
  Json layers = Json::array();
  for (size_t l : c.layers) layers.push_back(report.disks[l].path);
  j["layers"] = std::move(layers);
  Json cap;
  cap["file_bytes"] = c.capacity.file_bytes;
  cap["growth_bytes"] = c.capacity.growth_bytes;
  cap["merge_bytes"] = c.capacity.merge_bytes;
  cap["free_bytes"] = c.capacity.free_bytes ? Json(*c.capacity.free_bytes) : Json(nullptr);
  cap["known"] = c.capacity.known;
  j["capacity"] = std::move(cap);
  return j;
}

Json finding_json(const check::Finding& f) {
  Json j;
  j["code"] = f.code;
  j["severity"] = std::string(to_string(f.severity));
  j["inconclusive"] = f.inconclusive;
  j["message"] = f.message;
  j["paths"] = f.paths;
  j["hyperv_error"] = f.hyperv_error.empty() ? Json(nullptr) : Json(f.hyperv_error);
  j["hyperv_error_name"] = f.hyperv_error_name.empty() ? Json(nullptr) : Json(f.hyperv_error_name);
  if (f.reclaimable_bytes > 0) j["reclaimable_bytes"] = f.reclaimable_bytes;  // merge.kept_source
  return j;
}

}  // namespace

nlohmann::ordered_json check_json(const Report& report) {
  Json doc;
  doc["schema_version"] = kSchemaVersion;
  doc["status"] = std::string(to_string(report.status));
  doc["exit_code"] = int(exit_code_for(report.status));
  Json summary;
  summary["disks"] = report.disks.size();
  summary["chains"] = report.chains.size();
  size_t incomplete = 0;
  for (const check::Chain& c : report.chains) incomplete += c.complete ? 0 : 1;
  summary["incomplete_chains"] = incomplete;
  Json counts;
  for (check::Severity s : {check::Severity::critical, check::Severity::warning, check::Severity::info}) {
    size_t n = 0;
    for (const check::Finding& f : report.findings) n += f.severity == s ? 1 : 0;
    counts[std::string(to_string(s))] = n;
  }
  summary["findings"] = std::move(counts);
  doc["summary"] = std::move(summary);
  doc["chains"] = Json::array();
  for (const check::Chain& c : report.chains) doc["chains"].push_back(chain_json(report, c));
  doc["findings"] = Json::array();
  for (const check::Finding& f : report.findings) doc["findings"].push_back(finding_json(f));
  doc["disks"] = Json::array();
  for (const check::Disk& d : report.disks) doc["disks"].push_back(disk_json(report, d));
  return doc;
}

}  // namespace vhdchain::cli
