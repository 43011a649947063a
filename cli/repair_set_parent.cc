// repair CHILD --set-parent PARENT: Set-VHD -ParentPath, with the identity verified first, the
// evidence shown, and the chain opened again afterwards to prove the new link resolves.
#include <iostream>

#include <fmt/format.h>

#include "destructive.h"
#include "exit_codes.h"
#include "host_chain.h"
#include "repair.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

// After writing: the child's chain must reach PARENT (the same file) through the new locators.
void verify_chain_reaches(const std::string& child, const std::string& parent) {
  const Chain chain = open_chain(child, host_chain_options());
  const FileIdentityResult want = file_identity(parent);
  if (chain.layers().size() < 2 || !want.ok() ||
      file_identity(chain.layers()[1].path).identity != want.identity)
    throw Error(ErrorCode::parent_missing,
                fmt::format("{}: written, but opening the chain again did not reach {} (it reached {})", child,
                            parent, chain.layers().size() < 2 ? "no parent" : chain.layers()[1].path));
}

}  // namespace

int run_set_parent(const RepairOptions& o) {
  if (o.paths.size() != 1)
    throw Error(ErrorCode::invalid_argument, "repair --set-parent takes exactly one CHILD");
  const HostKnowledge host = load_host_knowledge(o);
  const RelinkDecision d = decide_relink(o.paths[0], o.set_parent, host, o.ignore_id_mismatch);
  auto print_json = [&](bool applied) {
    nlohmann::ordered_json doc = {{"schema_version", kWriteJsonSchemaVersion}};
    doc.update(relink_json(d, o.dry_run, applied));
    std::cout << doc.dump(2) << "\n";
  };
  // The plan first, then consent (destructive.h): asked on a terminal, --yes elsewhere.
  const bool writes = d.refusals.empty() && !o.dry_run && d.plan->changes_anything();
  if (writes) {
    if (!o.json)
      std::cout << relink_text(d, false, false) << std::flush;
    else if (!o.yes && interactive())
      std::cerr << relink_text(d, false, false) << std::flush;
    const Consent consent = ask_consent(fmt::format("Re-point {} at {}?", d.child, d.parent), o.yes);
    if (consent != Consent::granted) {
      if (o.json) print_json(false);
      return exit_without_consent(consent);
    }
  }
  bool applied = false;
  if (d.refusals.empty() && !o.dry_run) {
    apply_relink(*d.plan);
    applied = true;
    verify_chain_reaches(d.child, d.parent);
  }
  if (o.json)
    print_json(applied);
  else if (writes)
    std::cout << "  written\n";
  else
    std::cout << relink_text(d, o.dry_run, applied);
  return d.refusals.empty() ? kExitOk : kExitCritical;
}

}  // namespace vhdchain::cli
