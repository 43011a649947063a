// The survey and the preflight of a merge (merge_preflight.h).
//
// The survey is check's: every disk in the folders of the chain's files is opened and its parent
// resolved, so the disks that link to CHILD (re-pointed at the target afterwards), to the target or
// to a merged disk (snapshot branches, which the merge makes invalid) are known, whatever the caller
// passed in MergeOptions. Disks elsewhere are not found; docs/merge.md says so.
#include "merge/merge_preflight.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/check.h"
#include "vhdchain/write.h"

namespace vhdchain::write {
namespace {

std::string folder_of(const std::string& path) {
  const size_t slash = path.find_last_of("/\\");
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void add_once(std::vector<std::string>& list, const std::string& path) {
  if (std::find(list.begin(), list.end(), path) == list.end()) list.push_back(path);
}

bool contains(const std::vector<std::string>& list, const std::string& path) {
  return std::find(list.begin(), list.end(), path) != list.end();
}

// Every disk below disk `d` in check's forest, depth first, each once: they read through the
// branch `d` and become invalid with it.
void add_descendants(const check::Report& report, size_t d, std::vector<std::string>& out) {
  for (size_t c : report.disks[d].children) {
    if (contains(out, report.disks[c].path)) continue;
    out.push_back(report.disks[c].path);
    add_descendants(report, c, out);
  }
}

}  // namespace

SurveyedOptions surveyed(const MergeOptions& options, const MergeChain& chain) {
  std::set<std::string> folders;
  for (const ChainLayer& l : chain.layers) folders.insert(folder_of(l.path));
  const std::vector<std::string> inputs(folders.begin(), folders.end());
  // Parents are found as the chain's were (the CLI's --map and --volumes), so a branch whose
  // parent is stored as a Windows path is found too.
  check::Options check_options;
  check_options.map_windows_path = options.chain_options.map_windows_path;
  const check::Report report = check::run_check(inputs, check_options);
  auto index_of = [&](const ChainLayer& layer) -> std::optional<size_t> {
    for (size_t i = 0; i < report.disks.size(); ++i)
      if (report.disks[i].image && report.disks[i].key == layer.key) return i;
    return std::nullopt;
  };
  std::vector<std::optional<size_t>> layers;
  for (const ChainLayer& l : chain.layers) layers.push_back(index_of(l));

  SurveyedOptions out{options, {}, {}};
  MergeOptions& o = out.options;
  for (size_t l = 0; l < layers.size(); ++l) {
    if (!layers[l]) continue;
    for (size_t c : report.disks[*layers[l]].children) {
      if (l > 0 && layers[l - 1] && c == *layers[l - 1]) continue;  // the chain itself
      const std::string& path = report.disks[c].path;
      if (l == 0)
        add_once(o.children_of_child, path);
      else if (l + 1 == layers.size())
        add_once(o.other_children_of_target, path);
      else
        add_once(o.other_children_of_sources, path);
      if (l > 0) add_descendants(report, c, o.descendants_of_branch[path]);
    }
  }
  for (const check::Disk& d : report.disks)
    if (!d.image) out.unreadable.push_back(d.error);
  std::set<size_t> chain_disks;
  for (const auto& l : layers)
    if (l) chain_disks.insert(*l);
  for (const check::Finding& f : report.findings)
    if (f.severity == check::Severity::critical &&
        std::any_of(f.disks.begin(), f.disks.end(), [&](size_t d) { return chain_disks.count(d) > 0; }))
      out.critical.push_back(f.message);
  return out;
}

WriteLease merge_preflight(const SurveyedOptions& surveyed, const MergeChain& chain, const MergePlan& plan) {
  const MergeOptions& options = surveyed.options;
  PreflightRequest request;
  request.chain_options = options.chain_options;
  // A VHD whose vhdchain journal is pending may not parse until the journal is finished, which the
  // merge's writable open does first: locked, not validated.
  auto write = [&](const std::string& path) {
    const bool journal = io::path_exists(vhd_journal_path(path));
    add_once(journal ? request.writes_unvalidated : request.writes, path);
  };
  write(chain.target().path);
  if (plan.format == DiskFormat::vhdx) write(chain.above_target().path);
  for (const std::string& c : plan.children_to_repoint) {
    write(c);
    request.links.push_back({c, chain.target().path, /*ignore_id_mismatch=*/true});  // the merge sets it
  }
  for (size_t i = 0; i < chain.target_index; ++i)
    if (!contains(request.writes, chain.layers[i].path) && !contains(request.writes_unvalidated, chain.layers[i].path))
      request.reads.push_back(chain.layers[i].path);

  WriteLease lease = preflight_write(request);
  for (const std::string& c : surveyed.critical) lease.add_refusal("check: " + c);
  // The plan must be one made with the survey's findings (plan_merge makes such plans; a caller's
  // own plan may not be).
  for (const std::string& c : options.children_of_child)
    if (!contains(plan.children_to_repoint, c))
      lease.add_refusal(fmt::format("{}: is a child of {} that the plan does not re-point: plan the merge again",
                                    c, plan.child));
  if (!options.force) {
    for (const std::string& error : surveyed.unreadable)
      lease.add_refusal(fmt::format("{}: a disk beside the chain that does not open may link to a merged disk, "
                                    "which the merge makes invalid. Rerun with --force to merge anyway",
                                    error));
    for (const std::string& b : options.other_children_of_target)
      if (!contains(plan.children_to_repoint, b) && !contains(plan.invalidated, b))
        lease.add_refusal(fmt::format("{}: links to the target {} and the plan does not say it becomes invalid: plan "
                                      "the merge again", b, plan.target));
    for (const std::string& b : options.other_children_of_sources)
      if (!contains(plan.invalidated, b))
        lease.add_refusal(fmt::format("{}: links to a merged disk and the plan does not say it becomes invalid: plan "
                                      "the merge again", b));
  }
  return lease;
}

}  // namespace vhdchain::write
