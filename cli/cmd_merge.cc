// vhdchain merge CHILD [--into ANCESTOR]: Merge-VHD offline, planned first, crash-safe, resumable.
//
// check runs first on the folders of every disk involved: it finds the snapshot branches a merge
// would break and the children of CHILD to re-point, and a chain it calls critical is not merged.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "copy_estimate.h"
#include "copy_progress.h"
#include "destructive.h"
#include "exit_codes.h"
#include "host_options.h"
#include "io/free_space.h"
#include "io/fs_ops.h"
#include "merge_report.h"
#include "vhdchain/error.h"
#include "vhdchain/merge.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kFooter = R"(CHILD and every disk between it and ANCESTOR (default: CHILD's parent) are merged into
ANCESTOR, which then reads exactly as CHILD did; children of CHILD are re-pointed at ANCESTOR.
The merged files are kept (they are no longer part of a chain) unless --delete-merged.

Before anything is written: check runs on the folders of every disk involved; a chain it finds
critical is not merged, and disks that also link to ANCESTOR or to a merged disk (snapshot
branches, which a merge makes invalid) make it refuse unless --force. The plan says how many
blocks and bytes are copied, how much the target grows against the free space of its volume
(refused when short), and, per source, how much of ANCESTOR's current data it overwrites (after a
Revert that is data you may want to keep). --dry-run prints the plan and stops.

Crash safety: the target's new identity is first stored in the disk above it (parent_linkage2),
then the target takes it; data blocks are appended and flushed before the log makes them part of
the target; the sources are never changed. A merge killed at any point is finished by running
the same command again; check reports the state between as merge.interrupted.

The estimate: 32 MiB read in pieces spread over the source with the most data, around the page
cache where the system allows (so a file just copied does not make it look fast), halved because
every byte is also written; a merge by block cloning (XFS, Btrfs, ReFS) is much faster.

Progress on stderr when it is a terminal (bytes, rate and time left over the last 10 s);
--progress=json writes one JSON object per line to stderr for scripts: bytes_done, bytes_total,
bytes_per_second, eta_seconds (null until known); --progress=none, -q or a pipe: nothing.

VHD chains: the target keeps its unique id; the merge in progress is marked by
ANCESTOR.vhdchain-merge and every batch of blocks goes through a journal (ANCESTOR.vhdchain-journal).

Examples:
  vhdchain merge --dry-run /vms/web/disk_3F2A.avhdx
  vhdchain merge /vms/web/disk_3F2A.avhdx --into /vms/web/disk.vhdx --delete-merged
  vhdchain merge --json --progress=json disk_3F2A.avhdx 2>progress.jsonl
  vhdchain merge --map 'C:\=/mnt/host-c' --volumes mountvol.txt /mnt/host-c/VMs/disk_3F2A.avhdx

--map and --volumes: as in check (the chain and the disks around it are found the same way).

Exit status: 0 merged (or a plan that may run); 2 refused (branches without --force, not enough
space, a critical chain) or an image is broken; 3 bad arguments or a failed write.)";

struct MergeArgs {
  std::string child;
  std::string into;
  bool dry_run = false;
  bool json = false;
  bool force = false;
  bool delete_merged = false;
  bool yes = false;
  std::string progress = "auto";
  HostOptionArgs host;
};

// The plan's estimate: how fast the source with the most data reads (copy_estimate.h).
std::optional<CopyEstimate> estimate_rate(const MergePlan& plan) {
  const MergeSource* largest = nullptr;
  for (const MergeSource& s : plan.sources)
    if (!largest || s.bytes > largest->bytes) largest = &s;
  if (!largest) return std::nullopt;
  return sample_copy_rate(largest->path);
}

int run_merge_command(const MergeArgs& a) {
  MergeOptions options;
  options.child = a.child;
  if (!a.into.empty()) options.into = a.into;
  options.force = a.force;
  // Benchmarks and comparisons: the payload through our buffers, no reflink, no copy_file_range.
  if (const char* no_clone = std::getenv("VHDCHAIN_MERGE_NO_CLONE"); no_clone && std::string(no_clone) == "1")
    options.system_copy = false;
  const auto host = std::make_shared<const HostMapping>(load_host_mapping(a.host));
  options.chain_options = host_chain_options(host);

  // The target (for its volume's free space). The survey of the chain's folders (children to
  // re-point, branches, critical findings) is plan_merge's own: the library refuses what it finds.
  const Chain chain = open_chain(a.child, options.chain_options);
  size_t target_index = chain.layers().size() > 1 ? 1 : 0;
  if (!a.into.empty()) {
    const FileIdentity into = open_host_image(a.into).key;
    for (size_t i = 0; i < chain.layers().size(); ++i)
      if (chain.layers()[i].key == into) target_index = i;
  }

  // Free space where the target lives; plan_merge compares it with what the target must grow.
  if (target_index > 0) {
    options.free_bytes = io::volume_free_bytes(chain.layers()[target_index].path);
  }

  const MergePlan plan = plan_merge(options);
  const std::optional<CopyEstimate> estimate = estimate_rate(plan);

  auto print_json = [&](const MergeOutcome& outcome) {
    std::cout << merge_json(plan, estimate, a.dry_run, outcome).dump(2) << "\n";
  };
  if (a.dry_run || !plan.refusals.empty()) {
    if (a.json)
      print_json({});
    else
      std::cout << merge_plan_text(plan, estimate)
                << (plan.refusals.empty() ? "  dry run: nothing was written\n" : "  nothing was written\n");
    return plan.refusals.empty() ? kExitOk : kExitCritical;
  }

  // The plan first, then the question (docs/cli.md "Commands that write"). With --json the plan
  // goes to stderr for the person answering; stdout keeps the one JSON document.
  if (!a.json)
    std::cout << merge_plan_text(plan, estimate) << std::flush;
  else if (!a.yes && interactive())
    std::cerr << merge_plan_text(plan, estimate) << std::flush;
  const Consent consent = ask_consent(
      fmt::format("Merge {} into {}?", plan.sources.size() == 1 ? plan.sources[0].path
                                                                : fmt::format("{} disks", plan.sources.size()),
                  plan.target),
      a.yes);
  if (consent != Consent::granted) {
    if (a.json) print_json({});
    return exit_without_consent(consent);
  }

  CopyProgress bar("merging", plan.bytes_to_copy, a.progress);
  const StopOnSignal stop;
  options.stop_requested = [&stop] { return stop.requested(); };
  options.record_kept_sources = !a.delete_merged;
  const WriteClock clock;
  const MergeRunResult result =
      run_merge(options, plan, [&](const MergeProgress& p) { bar.update(p.bytes_done, p.bytes_total); });
  bar.finish();

  MergeOutcome outcome;
  outcome.ran = true;
  outcome.completed = result.completed;
  outcome.bytes_copied = result.done.bytes_done;
  outcome.seconds = clock.seconds();
  if (!result.completed) {
    outcome.stopped_by = stop.signal_name();
    outcome.finish_command = command_line();
    if (a.json)
      print_json(outcome);
    else
      std::cout << merge_outcome_text(plan, outcome);
    report_error(fmt::format("stopped by {} at a safe point: the merge into {} is interrupted; the chain reads as "
                             "before and check reports merge.interrupted. Run this to finish it:\n  {}",
                             outcome.stopped_by, plan.target, outcome.finish_command));
    return stop.exit_code();
  }
  for (const MergeSource& s : plan.sources) {
    if (a.delete_merged) {
      io::remove_file(s.path);
      outcome.deleted.push_back(s.path);
    } else {
      outcome.kept.push_back(s.path);
    }
  }
  if (a.json)
    print_json(outcome);
  else
    std::cout << merge_outcome_text(plan, outcome);
  return kExitOk;
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand("merge", "Merge a differencing chain into an ancestor, offline and crash-safe");
  sub->footer(kFooter);
  sub->add_option("CHILD", a->child, "The differencing disk to merge (with everything down to ANCESTOR)")
      ->required()
      ->type_name("");
  sub->add_option("--into", a->into, "The ancestor receiving the data (default: CHILD's parent)")->type_name("ANCESTOR");
  sub->add_flag("--dry-run", a->dry_run, "Print the plan; write nothing");
  sub->add_flag("--json", a->json, "The plan and result as JSON on stdout");
  sub->add_flag("--force", a->force, "Merge although other disks link to the target or a merged disk (they become invalid)");
  add_yes_option(sub, a->yes);
  sub->add_flag("--delete-merged", a->delete_merged, "Delete the merged files afterwards (default: keep them)");
  sub->add_option("--progress", a->progress, "auto (a line on a terminal), json (JSON lines on stderr), none")
      ->check(CLI::IsMember({"auto", "json", "none"}))
      ->type_name("MODE");
  add_host_options(sub, a->host);
  return {sub, [a] { return run_merge_command(*a); }};
}

}  // namespace vhdchain::cli
