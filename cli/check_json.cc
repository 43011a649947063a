// `check --json`: a published contract (docs/check-json.md). schema_version first; keys are added in
// minor versions, never renamed or removed without a major one.
#include <ctime>

#include <fmt/chrono.h>

#include "check_output.h"
#include "check_policy.h"
#include "info_report.h"

namespace vhdchain::cli {
namespace {

using Json = nlohmann::ordered_json;
using check::Report;

constexpr const char* kSchemaVersion = "2.0";

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
  j["given_path"] = d.given_path.empty() ? Json(nullptr) : Json(d.given_path);
  j["other_paths"] = d.other_paths;
  j["windows_path"] = d.windows_path ? Json(*d.windows_path) : Json(nullptr);
  j["scanned"] = d.scanned;
  // The shape of `info --json`'s error (docs/info-json.md): one shape across commands.
  j["error"] = d.error.empty() ? Json(nullptr) : Json{{"code", std::string(to_string(d.error_code))}, {"message", d.error}};
  j["allocated_bytes"] = d.allocated_bytes ? Json(*d.allocated_bytes) : Json(nullptr);
  j["mtime"] = d.mtime ? Json(fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time_t(*d.mtime)))) : Json(nullptr);
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

Json volume_json(const check::Volume& v) {
  Json j;
  j["volume_id"] = v.id;
  j["path"] = v.path;
  j["disks"] = v.disks;
  j["writable_disks"] = v.writable_disks;
  j["file_bytes"] = v.file_bytes;
  j["growth_bytes"] = v.growth_bytes;
  j["checkpoint_growth_bytes"] = v.checkpoint_growth_bytes;
  j["free_bytes"] = v.free_bytes ? Json(*v.free_bytes) : Json(nullptr);
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
  j["policy"] = f.policy.empty() ? Json(nullptr) : Json(f.policy);
  if (f.reclaimable_bytes > 0) j["reclaimable_bytes"] = f.reclaimable_bytes;  // merge.kept_source
  return j;
}

// Each member and array element is serialised on its own and appended, in dump(2)'s layout: the
// whole document as one nlohmann tree cost several times the text's size (issue 14: 100,000 disks
// must fit in 1 GiB with the report itself).
class JsonWriter {
 public:
  void open_object() { out_ += "{"; }
  void member(std::string_view key, const Json& value) {
    next_member(key);
    append(value, 1);
  }
  template <typename Range, typename ToJson>
  void array_member(std::string_view key, const Range& items, ToJson to_json) {
    next_member(key);
    if (std::begin(items) == std::end(items)) {
      out_ += "[]";
      return;
    }
    out_ += "[";
    bool first = true;
    for (const auto& item : items) {
      out_ += first ? "\n    " : ",\n    ";
      first = false;
      append(to_json(item), 2);
    }
    out_ += "\n  ]";
  }
  std::string finish() {
    out_ += members_ ? "\n}\n" : "}\n";
    return std::move(out_);
  }

 private:
  void next_member(std::string_view key) {
    out_ += members_++ ? ",\n  " : "\n  ";
    append(Json(std::string(key)), 0);
    out_ += ": ";
  }
  // value.dump(2) with every line after the first indented by `depth` levels.
  void append(const Json& value, int depth) {
    const std::string text = value.dump(2, ' ', false, Json::error_handler_t::replace);  // paths may not be UTF-8
    for (char c : text) {
      out_ += c;
      if (c == '\n') out_.append(size_t(depth) * 2, ' ');
    }
  }

  std::string out_;
  size_t members_ = 0;
};

}  // namespace

std::string check_json(const Report& report) {
  JsonWriter doc;
  doc.open_object();
  doc.member("schema_version", kSchemaVersion);
  doc.member("status", std::string(to_string(report.status)));
  doc.member("exit_code", int(exit_code_for(report.status)));
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
  summary["ignored_findings"] = report.ignored;
  summary["stray_files"] = report.strays.size();
  doc.member("summary", summary);
  doc.member("policy", policy_json(report.policy));
  doc.array_member("chains", report.chains, [&](const check::Chain& c) { return chain_json(report, c); });
  doc.array_member("findings", report.findings, finding_json);
  doc.array_member("volumes", report.volumes, volume_json);
  doc.array_member("strays", report.strays, [](const std::string& p) { return Json(p); });
  doc.array_member("disks", report.disks, [&](const check::Disk& d) { return disk_json(report, d); });
  return doc.finish();
}

}  // namespace vhdchain::cli
