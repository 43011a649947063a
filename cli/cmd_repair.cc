// vhdchain repair: the CLI11 wiring of the three repair modes (repair_*.cc do the work).
#include <memory>

#include "commands.h"
#include "destructive.h"
#include "exit_codes.h"
#include "host_options.h"
#include "repair.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(Exactly one mode:
  CHILD --set-parent PARENT   re-point CHILD at PARENT, as Set-VHD -ParentPath does, but only when
                              PARENT is the disk CHILD was made from (its DataWriteGuid / unique id
                              is the one CHILD links to) unless --ignore-id-mismatch, and never when
                              the sizes differ. Every locator entry is rewritten to PARENT's path:
                              relative_path from the host paths, absolute_win32_path and volume_path
                              on Windows (elsewhere through --map / --volumes; without them they are
                              removed, and said so). The linkage is kept. The change is shown
                              first; on a terminal you are asked, elsewhere only --yes writes.
  --fix-aliases PATH...       every child that check reports reaching its parent through a second
                              mount point of one volume (alias.parent_via_other_mount,
                              alias.locators_via_two_mounts) is re-pointed at the parent through the
                              child's own mount point (--prefer ROOT: through ROOT; never through a
                              ClusterStorage.NNN root when another path exists). Shows the changes first, then asks on a
                              terminal; when not on one, only reports (exit 3) unless --yes.
  --replay-log FILE...        apply a pending VHDX log in place, as Hyper-V does on open, or finish
                              an interrupted vhdchain write to a VHD (its .vhdchain-journal). A clean
                              file is left untouched.

Every write follows the format's crash-safety rules: VHDX metadata goes through the VHDX log after
the header update protocol; a VHD change goes through a fsynced journal beside it. A crash at any
point leaves the file as before or as after (a pending log or journal is finished by the next
repair or replayed in memory by every read). Files in use by another vhdchain process (or, on
Windows, opened for writing by Hyper-V) are refused.

--dry-run prints exactly what would change: every locator key before and after, and every
structure written with its offset (--json adds the bytes, before and after, in hex).

Examples:
  vhdchain repair /vms/web/disk_3F2A.avhdx --set-parent /vms/web/disk.vhdx --dry-run
  vhdchain repair 'D:\VMs\web\disk_3F2A.avhdx' --set-parent 'D:\VMs\web\disk.vhdx' --yes
  vhdchain repair --fix-aliases /mnt/host-c/Hyper-V --map 'C:\=/mnt/host-c' --yes
  vhdchain repair --replay-log /vms/crashed.vhdx

Exit status: 0 done (or nothing to do; a dry run that could go ahead), 1 not confirmed at the
terminal, or alias links remain (--fix-aliases dry run), 2 refused (identity or size mismatch, an
interrupted merge) or an image is broken, 3 bad arguments, a failed write, or not on a terminal
without --yes (nothing was written).)";

}  // namespace

Command add_repair_command(CLI::App& app) {
  auto o = std::make_shared<RepairOptions>();
  CLI::App* sub = app.add_subcommand("repair", "Re-point a child at its parent, fix alias links, replay a pending log");
  sub->footer(kFooter);
  sub->add_option("PATHS", o->paths, "CHILD (--set-parent), PATHs to scan (--fix-aliases) or FILEs (--replay-log)")
      ->type_name("");
  CLI::Option* set_parent =
      sub->add_option("--set-parent", o->set_parent, "Re-point CHILD at this parent disk")->type_name("PARENT");
  CLI::Option* fix = sub->add_flag("--fix-aliases", o->fix_aliases, "Re-point children whose parent link passes through a mount-point alias");
  CLI::Option* replay = sub->add_flag("--replay-log", o->replay_log, "Apply a pending VHDX log / VHD journal in place");
  set_parent->excludes(fix)->excludes(replay);
  fix->excludes(replay);
  sub->add_flag("--ignore-id-mismatch", o->ignore_id_mismatch,
                "--set-parent: go ahead although PARENT's identity is not the one CHILD links to (the evidence is shown)")
      ->needs(set_parent);
  sub->add_flag("--dry-run", o->dry_run, "Show exactly what would be written; write nothing");
  add_yes_option(sub, o->yes);
  sub->add_option("--prefer", o->prefer, "--fix-aliases: link through the parent's path under ROOT (a mount point)")
      ->type_name("ROOT")
      ->needs(fix);
  sub->add_flag("--json", o->json, "The result as JSON on stdout (docs/repair.md)");
  add_host_options(sub, o->maps, o->volumes);
  return {sub, [o] {
            if (!o->set_parent.empty()) return run_set_parent(*o);
            if (o->fix_aliases) return run_fix_aliases(*o);
            if (o->replay_log) return run_replay_log(*o);
            throw Error(ErrorCode::invalid_argument,
                        "repair: choose one of --set-parent PARENT, --fix-aliases, --replay-log (see repair --help)");
          }};
}

}  // namespace vhdchain::cli
