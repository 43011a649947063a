// run_check: scan, open and link, then look at the forest from every side, then grade.
#include <algorithm>
#include <set>

#include "check/check_internal.h"

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

}  // namespace

Report run_check(std::span<const std::string> inputs, const Options& options) {
  Report report;
  detail::ScanResult scan = detail::scan_inputs(inputs);
  report.findings = std::move(scan.findings);
  detail::build_forest(scan.files, options, report);
  if (options.deep) detail::validate_deeply(report);
  detail::find_aliases(options, report);
  detail::build_chains(options, report);
  detail::measure_capacity(options, report);
  drop_repeated_corruption(report.findings);
  grade_chains(report);
  report.status = status_of(report.findings);
  return report;
}

}  // namespace vhdchain::check
