// run_check: scan, open and link, then look at the forest from every side, then grade.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "check/check_internal.h"
#include "io/fs_ops.h"
#include "vhdchain/file.h"
#include "write/merge_marker.h"

namespace vhdchain::check {
namespace {

// A disk found corrupt twice (deep walk, then a capacity read) is reported once.
void drop_repeated_corruption(std::vector<Finding>& findings) {
  std::set<std::string> seen;
  std::erase_if(findings, [&](const Finding& f) {
    return f.code == "disk.corrupt" && !f.paths.empty() && !seen.insert(f.paths.front()).second;
  });
}

// A chain is as bad as the worst finding about any of its layers.
void grade_chains(Report& report) {
  for (Chain& c : report.chains) {
    std::set<size_t> layers(c.layers.begin(), c.layers.end());
    for (const Finding& f : report.findings) {
      bool involved = std::any_of(f.disks.begin(), f.disks.end(), [&](size_t d) { return layers.count(d) > 0; });
      if (!involved) continue;
      c.severity = std::max(c.severity, f.severity);
      c.inconclusive = c.inconclusive || f.inconclusive;
    }
  }
}

// A merge stores the target's new DataWriteGuid in parent_linkage2 of the disk above it before it
// changes the target (MS-VHDX footnote 12). A child accepted only through parent_linkage2 is that
// state: a merge was interrupted and the chain still reads as before it; rerunning finishes it.
void find_interrupted_merges(Report& report) {
  for (size_t i = 0; i < report.disks.size(); ++i) {
    const Disk& d = report.disks[i];
    if (!d.image || !d.parent || !d.image->info().parent) continue;
    const Disk& parent = report.disks[*d.parent];
    if (!parent.image) continue;
    const ParentLink& link = *d.image->info().parent;
    const Guid identity = parent.image->identity();
    if (link.linkage == identity || !link.linkage2 || *link.linkage2 != identity) continue;
    report.findings.push_back(detail::make_finding(
        "merge.interrupted",
        fmt::format("{}: a merge into its parent {} was interrupted (the parent already has the new identity {} "
                    "that only parent_linkage2 names); the chain still reads as before the merge. Finish it by "
                    "running the same vhdchain merge again",
                    d.path, parent.path, identity.to_string()),
        {d.path, parent.path}, {i, *d.parent}));
  }
}

// A VHD merge keeps the target's unique id, so the files do not show one in progress; its marker
// beside the target does (write/merge_marker.h). The chain reads as before until the merge is done.
void find_interrupted_vhd_merges(Report& report) {
  for (size_t i = 0; i < report.disks.size(); ++i) {
    const Disk& d = report.disks[i];
    if (!d.image || d.image->info().format != DiskFormat::vhd) continue;
    const std::string marker_path = write::merge_marker_path(d.path);
    if (!io::path_exists(marker_path)) continue;
    std::string what;
    try {
      const std::optional<write::MergeMarker> marker = write::read_merge_marker(d.path);
      if (marker) what = fmt::format("a merge of {} into it", marker->child);
    } catch (const Error& e) {
      what = fmt::format("a merge into it (its marker is unreadable: {})", e.what());
    }
    report.findings.push_back(detail::make_finding(
        "merge.interrupted",
        fmt::format("{}: {} was interrupted and left {}; the chain still reads as before the merge. Finish it by "
                    "running the same vhdchain merge again",
                    d.path, what, marker_path),
        {d.path, marker_path}, {i}));
  }
}

// What the host says about each file: where the report is read, mtime and allocation decide what
// to delete first (issue 14). A file that cannot be looked at keeps the fields empty.
void host_facts(const std::map<std::string, std::string>& given_as, Report& report) {
  for (Disk& d : report.disks) {
    if (auto it = given_as.find(d.path); it != given_as.end()) d.given_path = it->second;
    const std::string& path = d.image ? d.image->name() : d.path;
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(std::filesystem::path(std::u8string(path.begin(), path.end())), ec);
    if (!ec)
      d.mtime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::file_clock::to_sys(written).time_since_epoch())
                    .count();
    try {
      d.allocated_bytes = File::open(path, OpenMode::read_only)->allocated_bytes();
    } catch (const Error&) {
      // Unreadable: the disk's own finding says so.
    }
  }
}

}  // namespace

Report run_check(std::span<const std::string> inputs, const Options& options) {
  Report report;
  report.policy = options.policy;
  detail::ScanResult scan = detail::scan_inputs(inputs);
  report.findings = std::move(scan.findings);
  detail::build_forest(scan.files, options, report);
  host_facts(scan.given_as, report);
  if (options.deep) detail::validate_deeply(options, report);
  find_interrupted_merges(report);
  find_interrupted_vhd_merges(report);
  detail::find_kept_merge_sources(report);
  detail::find_aliases(options, report);
  detail::build_chains(options, report);
  detail::measure_capacity(options, report);
  drop_repeated_corruption(report.findings);
  detail::apply_policy(options, report);
  grade_chains(report);
  report.status = status_of(report.findings);
  return report;
}

}  // namespace vhdchain::check
