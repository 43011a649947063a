// repair --fix-aliases PATH...: every child whose link check reports as passing through a second
// mount point of the parent's volume (seed 000) is re-pointed at the parent as seen through the
// child's own mount point (or --prefer ROOT; never a ClusterStorage.NNN root: choose_parent_path in vhdchain/write.h), so
// Hyper-V finds child and parent by one path family again.
//
// Without --yes it asks on a terminal and, when not on one, only reports and exits 3: a nightly
// script that runs it by mistake never writes.
#include <cstdio>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "destructive.h"
#include "exit_codes.h"
#include "repair.h"
#include "vhdchain/check.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"

namespace vhdchain::cli {
namespace {

const std::set<std::string>& alias_link_codes() {
  static const std::set<std::string> codes = {"alias.parent_via_other_mount", "alias.locators_via_two_mounts"};
  return codes;
}

size_t alias_findings(const check::Report& report) {
  size_t n = 0;
  for (const check::Finding& f : report.findings) n += alias_link_codes().count(f.code);
  return n;
}

}  // namespace

int run_fix_aliases(const RepairOptions& o) {
  if (o.paths.empty()) throw Error(ErrorCode::invalid_argument, "repair --fix-aliases needs at least one PATH");
  const HostKnowledge host = load_host_knowledge(o);
  check::Options options;
  options.map = host.map;
  options.volumes = host.volumes;
  const check::Report report = check::run_check(o.paths, options);

  std::set<size_t> children;
  for (const check::Finding& f : report.findings)
    if (alias_link_codes().count(f.code) && !f.disks.empty() && report.disks[f.disks[0]].parent)
      children.insert(f.disks[0]);

  const hostpath::MountTable table = hostpath::read_mount_table();
  std::vector<RelinkDecision> decisions;
  for (size_t i : children) {
    const check::Disk& child = report.disks[i];
    const std::string parent = alias_fix_parent(table, child.path, report.disks[*child.parent].path, o.prefer);
    decisions.push_back(decide_relink(child.path, parent, host, false));
  }
  size_t refused = 0, to_write = 0;
  for (const RelinkDecision& d : decisions) {
    if (!d.refusals.empty()) ++refused;
    else if (d.plan->changes_anything()) ++to_write;
  }

  // The plan first, then consent (destructive.h): asked on a terminal, --yes elsewhere.
  bool go = o.yes && !o.dry_run;
  std::string why_not;
  Consent consent = Consent::granted;
  if (to_write > 0 && !o.dry_run && !o.yes) {
    if (interactive())
      for (const RelinkDecision& d : decisions) (o.json ? std::cerr : std::cout) << relink_text(d, true, false) << "\n";
    consent = ask_consent(fmt::format("Rewrite the parent links of {} disk{}?", to_write, to_write == 1 ? "" : "s"), false);
    go = consent == Consent::granted;
    if (!go) why_not = std::string(without_consent_message(consent));
  }
  if (go)
    for (const RelinkDecision& d : decisions)
      if (d.refusals.empty()) apply_relink(*d.plan);

  size_t left = alias_findings(report);
  if (go) left = alias_findings(check::run_check(o.paths, options));

  if (o.json) {
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    for (const RelinkDecision& d : decisions) links.push_back(relink_json(d, !go, go));
    std::cout << nlohmann::ordered_json{{"schema_version", kWriteJsonSchemaVersion},
                                        {"links", links},
                                        {"written", go && to_write > 0},
                                        {"alias_findings_left", left},
                                        {"message", why_not}}
                     .dump(2)
              << "\n";
  } else {
    if (decisions.empty()) std::cout << "no alias links found: nothing to do\n";
    for (const RelinkDecision& d : decisions) std::cout << relink_text(d, !go, go) << "\n";
    if (!why_not.empty()) std::cout << why_not << "\n";
    if (go) std::cout << fmt::format("check now reports {} alias link finding{}\n", left, left == 1 ? "" : "s");
  }
  if (refused > 0) return kExitCritical;
  if (consent == Consent::needs_yes) return kExitUnknown;  // the rule: off a terminal only --yes writes
  return left == 0 ? kExitOk : kExitWarning;
}

}  // namespace vhdchain::cli
