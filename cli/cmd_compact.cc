// vhdchain compact DISK: Optimize-VHD's Prezeroed and Pretrimmed modes, offline and in place
// (include/vhdchain/compact.h). Planned first from one read pass (the plan is printed before
// anything is written), then asked for, then written crash-safely through the VHDX log.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "destructive.h"
#include "copy_progress.h"
#include "exit_codes.h"
#include "human.h"
#include "vhdchain/compact.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(DISK is a dynamic or differencing VHDX (a VHD is not supported yet). Offline, in place:
  - a block whose data is all zeros, and a block the guest unmapped (trimmed) that still holds
    space, become ZERO blocks that hold no space (in a differencing disk they keep hiding the
    parent, so the disk reads exactly as before);
  - blocks from the end of the file move into the holes, and the file is truncated.
Every byte the disk shows and its identity (DataWriteGuid) stay the same, so its children stay
valid. Crash-safe: each change goes through the VHDX log; killed at any point, the disk reads the
same and running compact again finishes the job.

The plan is printed first (blocks reclaimed, blocks moved, the file size after); --dry-run stops
there. On a terminal compact asks before writing; elsewhere it writes only with --yes (else exit 3,
nothing written). A log holding unapplied changes is replayed first, as Hyper-V does on open.

Progress on stderr when it is a terminal; --progress=json writes JSON lines; -q or a pipe: nothing.

Examples:
  vhdchain compact --dry-run /vms/web/web.vhdx
  vhdchain compact --yes /vms/web/web.vhdx

Exit status: 0 compacted (or a plan that may run); 2 refused, or DISK is corrupt; 3 bad arguments,
not confirmed, or a failed write (the disk reads as before; run compact again).)";

struct CompactArgs {
  std::string disk, progress = "auto";
  bool dry_run = false, json = false, yes = false;
};

nlohmann::ordered_json plan_json(const CompactPlan& p) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["disk"] = p.disk;
  j["format"] = std::string(to_string(p.format));
  j["type"] = std::string(to_string(p.type));
  j["virtual_size"] = p.virtual_size;
  j["block_size"] = p.block_size;
  j["blocks"] = p.blocks;
  j["blocks_zero"] = p.blocks_zero;
  j["blocks_unmapped"] = p.blocks_unmapped;
  j["blocks_partial_kept"] = p.blocks_partial_kept;
  j["blocks_moved"] = p.blocks_moved;
  j["bytes_read"] = p.bytes_read;
  j["file_size"] = p.file_size;
  j["file_size_after"] = p.file_size_after;
  j["bytes_reclaimed"] = p.bytes_reclaimed;
  j["log_replayed_first"] = p.log_replayed_first;
  j["refusals"] = p.refusals;
  return j;
}

std::string plan_text(const CompactPlan& p) {
  std::string out = fmt::format("compact {} ({} {})\n", p.disk, to_string(p.format), to_string(p.type));
  if (p.refusals.empty()) {
    out += fmt::format("  blocks      {} of {}\n", p.blocks, binary_size(p.block_size));
    out += fmt::format("  reclaim     {} all-zero, {} unmapped (they become ZERO blocks)\n", p.blocks_zero, p.blocks_unmapped);
    if (p.blocks_partial_kept)
      out += fmt::format("  kept        {} partially present (they show the parent in places)\n", p.blocks_partial_kept);
    out += fmt::format("  move        {} blocks into the holes\n", p.blocks_moved);
    if (p.log_replayed_first) out += "  log         holds changes not yet applied: replayed first (as Hyper-V does on open)\n";
    out += fmt::format("  file size   {} -> {} ({} reclaimed)\n", size_with_bytes(p.file_size),
                       size_with_bytes(p.file_size_after), binary_size(p.bytes_reclaimed));
  }
  for (const std::string& r : p.refusals) out += fmt::format("  REFUSED     {}\n", r);
  return out;
}

int run_compact_command(const CompactArgs& a) {
  const CompactPlan plan = plan_compact(a.disk);
  if (a.dry_run || !plan.refusals.empty()) {
    if (a.json) {
      nlohmann::ordered_json j = plan_json(plan);
      j["dry_run"] = a.dry_run;
      j["compacted"] = false;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << plan_text(plan) << (plan.refusals.empty() ? "  dry run: nothing was written\n" : "  nothing was written\n");
    }
    return plan.refusals.empty() ? kExitOk : kExitCritical;
  }
  if (!a.json) std::cout << plan_text(plan) << std::flush;  // plan first, then the question
  // The rule of every command that changes disks (destructive.h): ask on a terminal, --yes elsewhere.
  if (const Consent consent = ask_consent(fmt::format("Compact {}?", plan.disk), a.yes); consent != Consent::granted)
    return exit_without_consent(consent);
  CompactResult result;
  try {
    CopyProgress bar("compacting", plan.bytes_read, a.progress);
    result = run_compact(plan, [&](const CompactProgress& p) { bar.update(p.bytes_done, p.bytes_total); });
    bar.finish();
  } catch (const Error& e) {
    // A lock held by another process, or a disk found broken under the lock: nothing was written.
    if (e.code() != ErrorCode::io && e.code() != ErrorCode::no_space) throw;
    // Every step is committed through the log or not at all, so the disk shows what it showed.
    report_error(fmt::format("{}; {} reads as before (part of the compact may be done): run `vhdchain compact` "
                             "on it again to finish",
                             e.what(), plan.disk));
    return kExitUnknown;
  }
  if (a.json) {
    nlohmann::ordered_json j = plan_json(plan);
    j["dry_run"] = false;
    j["compacted"] = true;
    j["result"] = {{"blocks_zero", result.blocks_zero},
                   {"blocks_unmapped", result.blocks_unmapped},
                   {"blocks_moved", result.blocks_moved},
                   {"file_size", result.file_size}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("  compacted   {} all-zero and {} unmapped blocks reclaimed, {} moved; {} is {}\n",
                             result.blocks_zero, result.blocks_unmapped, result.blocks_moved, plan.disk,
                             size_with_bytes(result.file_size));
  }
  return kExitOk;
}

}  // namespace

Command add_compact_command(CLI::App& app) {
  auto a = std::make_shared<CompactArgs>();
  CLI::App* sub = app.add_subcommand("compact", "Reclaim the space of all-zero and unmapped blocks of a VHDX in place and shrink the file");
  sub->footer(kFooter);
  sub->add_option("DISK", a->disk, "The dynamic or differencing VHDX to compact")->required()->type_name("");
  sub->add_flag("--dry-run", a->dry_run, "Print the plan; write nothing");
  sub->add_flag("--yes,-y", a->yes, "Do not ask (the only way to write when not on a terminal)");
  sub->add_flag("--json", a->json, "The plan and result as JSON on stdout");
  sub->add_option("--progress", a->progress, "auto (a line on a terminal), json (JSON lines on stderr), none")
      ->check(CLI::IsMember({"auto", "json", "none"}))
      ->type_name("MODE");
  return {sub, [a] { return run_compact_command(*a); }};
}

}  // namespace vhdchain::cli
