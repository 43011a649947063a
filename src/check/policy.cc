// The admin's policy over the findings (docs/check.md, "Policy"): an empty scan, and severity rules.
//
// Thresholds are applied where their numbers are computed (capacity.cc); what is left here is
// generic: a rule gives the findings of one code (or all) about matching paths another severity, or
// drops them. Dropped findings are counted in Report::ignored, so a report never hides that it was
// told to look away.
#include <algorithm>

#include <fmt/format.h>

#include "check/check_internal.h"

namespace vhdchain::check {
namespace {

// Shell-style: '*' any run of characters ('/' included: one rule covers a folder tree), '?' one.
bool glob_matches(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool rule_matches(const SeverityRule& rule, const Finding& f) {
  if (rule.code != "*" && rule.code != f.code) return false;
  if (rule.path_glob.empty()) return true;
  return std::any_of(f.paths.begin(), f.paths.end(), [&](const std::string& p) { return glob_matches(rule.path_glob, p); });
}

}  // namespace

void apply_rules(const Policy& policy, Report& report) {
  if (policy.rules.empty()) return;
  std::vector<Finding> kept;
  kept.reserve(report.findings.size());
  for (Finding& f : report.findings) {
    const SeverityRule* last = nullptr;
    for (const SeverityRule& rule : policy.rules)
      if (rule_matches(rule, f)) last = &rule;
    if (!last) {
      kept.push_back(std::move(f));
    } else if (!last->severity) {
      ++report.ignored;
    } else {
      f.severity = *last->severity;
      f.policy = "rule: " + last->origin;
      kept.push_back(std::move(f));
    }
  }
  report.findings = std::move(kept);
}

namespace detail {

void apply_policy(const Options& options, Report& report) {
  const bool any_disk = std::any_of(report.disks.begin(), report.disks.end(), [](const Disk& d) { return d.scanned; });
  // A missing or unreadable input already makes the verdict UNKNOWN and says why.
  const bool input_failed = std::any_of(report.findings.begin(), report.findings.end(),
                                        [](const Finding& f) { return f.code == "input.missing" || f.code == "input.unreadable"; });
  if (!any_disk && !input_failed && !options.policy.allow_empty)
    report.findings.push_back(make_finding(
        "input.no_disks",
        report.strays.empty() ? "no disk was found under the given paths; if a volume is not mounted, nothing was "
                                "checked (--allow-empty makes an empty scan OK)"
                              : fmt::format("no disk was found under the given paths, only {} stray file{} (--allow-empty "
                                            "makes an empty scan OK)",
                                            report.strays.size(), report.strays.size() == 1 ? "" : "s"),
        {}));
  apply_rules(options.policy, report);
}

}  // namespace detail
}  // namespace vhdchain::check
