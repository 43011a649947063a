// vhdchain merge CHILD [--into ANCESTOR]: Merge-VHD offline, planned first, crash-safe, resumable.
//
// check runs first on the folders of every disk involved: it finds the snapshot branches a merge
// would break and the children of CHILD to re-point, and a chain it calls critical is not merged.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "exit_codes.h"
#include "host_chain.h"
#include "human.h"
#include "io/free_space.h"
#include "io/fs_ops.h"
#include "io/read_sample.h"
#include "progress.h"
#include "transfer_rate.h"
#include "vhdchain/check.h"
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

Exit status: 0 merged (or a plan that may run); 2 refused (branches without --force, not enough
space, a critical chain) or an image is broken; 3 bad arguments or a failed write.)";

struct MergeArgs {
  std::string child;
  std::string into;
  bool dry_run = false;
  bool json = false;
  bool force = false;
  bool delete_merged = false;
  std::string progress = "auto";
};

// What check knows about the disks of the chain: children and branches, and whether it is whole.
struct Surroundings {
  std::vector<std::string> children_of_child, other_children_of_target, other_children_of_sources;
  std::vector<std::string> critical;  // messages of critical findings about the chain
};

Surroundings survey(const std::vector<std::string>& chain_paths) {
  std::set<std::string> folders;
  for (const std::string& p : chain_paths) {
    folders.insert(io::folder_of(p));
  }
  std::vector<std::string> inputs(folders.begin(), folders.end());
  for (std::string& f : inputs)
    if (f.empty()) f = ".";
  const check::Report report = check::run_check(inputs);
  auto index_of = [&](const std::string& path) -> std::optional<size_t> {
    const OpenedImage opened = open_host_image(path);
    for (size_t i = 0; i < report.disks.size(); ++i)
      if (report.disks[i].image && report.disks[i].key == opened.key) return i;
    return std::nullopt;
  };
  std::vector<std::optional<size_t>> layers;
  for (const std::string& p : chain_paths) layers.push_back(index_of(p));
  Surroundings out;
  for (size_t l = 0; l < layers.size(); ++l) {
    if (!layers[l]) continue;
    for (size_t c : report.disks[*layers[l]].children) {
      if (l > 0 && layers[l - 1] && c == *layers[l - 1]) continue;  // the chain itself
      const std::string& path = report.disks[c].path;
      if (l == 0)
        out.children_of_child.push_back(path);
      else if (l + 1 == layers.size())
        out.other_children_of_target.push_back(path);
      else
        out.other_children_of_sources.push_back(path);
    }
  }
  std::set<size_t> chain_disks;
  for (const auto& l : layers)
    if (l) chain_disks.insert(*l);
  for (const check::Finding& f : report.findings)
    if (f.severity == check::Severity::critical)
      for (size_t d : f.disks)
        if (chain_disks.count(d)) {
          out.critical.push_back(f.message);
          break;
        }
  return out;
}

// The plan's estimate: how fast the source with the most data reads (io/read_sample.h), halved
// because every byte is also written.
struct Estimate {
  std::string sampled;  // the file read
  io::ReadSample sample;
  double copy_bytes_per_second() const { return static_cast<double>(sample.bytes) / sample.seconds / 2; }
  double seconds_for(uint64_t bytes) const { return static_cast<double>(bytes) / copy_bytes_per_second(); }
};

constexpr uint64_t kSampleBudget = 32ull << 20;

std::optional<Estimate> estimate_rate(const MergePlan& plan) {
  const MergeSource* largest = nullptr;
  for (const MergeSource& s : plan.sources)
    if (!largest || s.bytes > largest->bytes) largest = &s;
  if (!largest) return std::nullopt;
  const std::optional<io::ReadSample> sample = io::sample_read_rate(largest->path, kSampleBudget);
  if (!sample || sample->seconds <= 0) return std::nullopt;
  return Estimate{largest->path, *sample};
}

nlohmann::json estimate_json(const MergePlan& p, const std::optional<Estimate>& e) {
  if (!e) return nullptr;
  return {{"seconds", e->seconds_for(p.bytes_to_copy)},
          {"copy_bytes_per_second", e->copy_bytes_per_second()},
          {"sampled", e->sampled},
          {"sample_bytes", e->sample.bytes},
          {"sample_seconds", e->sample.seconds},
          {"sample_uncached", e->sample.uncached}};
}

nlohmann::json plan_json(const MergePlan& p, const std::optional<Estimate>& e, bool dry_run, bool merged) {
  nlohmann::json sources = nlohmann::json::array();
  for (const MergeSource& s : p.sources)
    sources.push_back({{"path", s.path}, {"bytes", s.bytes}, {"overwrites_target_bytes", s.overwrites_target_bytes}});
  return {{"child", p.child},
          {"target", p.target},
          {"format", std::string(to_string(p.format))},
          {"target_type", std::string(to_string(p.target_type))},
          {"virtual_size", p.virtual_size},
          {"sources", sources},
          {"blocks_touched", p.blocks_touched},
          {"blocks_allocated", p.blocks_allocated},
          {"bytes_to_copy", p.bytes_to_copy},
          {"new_space_bytes", p.new_space_bytes},
          {"free_bytes", p.free_bytes ? nlohmann::json(*p.free_bytes) : nullptr},
          {"estimated_seconds", e ? nlohmann::json(e->seconds_for(p.bytes_to_copy)) : nullptr},
          {"estimate", estimate_json(p, e)},
          {"resuming", p.resuming},
          {"refusals", p.refusals},
          {"invalidated", p.invalidated},
          {"children_to_repoint", p.children_to_repoint},
          {"dry_run", dry_run},
          {"merged", merged}};
}

std::string plan_text(const MergePlan& p, const std::optional<Estimate>& e) {
  std::string out = fmt::format("merge {}\n  into        {} ({} {})\n", p.child, p.target, to_string(p.format),
                                to_string(p.target_type));
  if (p.resuming) out += "  resuming    an interrupted merge of this chain is finished\n";
  for (const MergeSource& s : p.sources)
    out += fmt::format("  source      {}: {} of data, overwrites {} the target holds now\n", s.path,
                       binary_size(s.bytes), binary_size(s.overwrites_target_bytes));
  out += fmt::format("  blocks      {} touched, {} new\n", p.blocks_touched, p.blocks_allocated);
  out += fmt::format("  copy        {}\n", binary_size(p.bytes_to_copy));
  out += fmt::format("  new space   {}{}\n", binary_size(p.new_space_bytes),
                     p.free_bytes ? fmt::format(" of {} free", binary_size(*p.free_bytes)) : std::string());
  if (e)
    out += fmt::format("  estimate    {} at {}/s (half the read rate of {} of {}{})\n",
                       human_duration(e->seconds_for(p.bytes_to_copy)),
                       binary_size(static_cast<uint64_t>(e->copy_bytes_per_second())), binary_size(e->sample.bytes),
                       e->sampled, e->sample.uncached ? "" : ", through the page cache");
  for (const std::string& c : p.children_to_repoint) out += fmt::format("  re-point    {}\n", c);
  for (const std::string& i : p.invalidated) out += fmt::format("  INVALIDATED {}\n", i);
  for (const std::string& r : p.refusals) out += fmt::format("  REFUSED     {}\n", r);
  return out;
}

int run_merge_command(const MergeArgs& a) {
  MergeOptions options;
  options.child = a.child;
  if (!a.into.empty()) options.into = a.into;
  options.force = a.force;
  // Benchmarks and comparisons: the payload through our buffers, no reflink, no copy_file_range.
  if (const char* no_clone = std::getenv("VHDCHAIN_MERGE_NO_CLONE"); no_clone && std::string(no_clone) == "1")
    options.system_copy = false;
  options.chain_options = host_chain_options();

  // The chain's files from CHILD down to the target, then what check says around them. Disks below
  // the target are not written, so their other children are no concern of this merge.
  const Chain chain = open_chain(a.child, options.chain_options);
  size_t target_index = chain.layers().size() > 1 ? 1 : 0;
  if (!a.into.empty()) {
    const FileIdentity into = open_host_image(a.into).key;
    for (size_t i = 0; i < chain.layers().size(); ++i)
      if (chain.layers()[i].key == into) target_index = i;
  }
  std::vector<std::string> paths;
  for (size_t i = 0; i <= target_index; ++i) paths.push_back(chain.layers()[i].path);
  const Surroundings around = survey(paths);
  options.children_of_child = around.children_of_child;
  options.other_children_of_target = around.other_children_of_target;
  options.other_children_of_sources = around.other_children_of_sources;

  // Free space where the target lives; plan_merge compares it with what the target must grow.
  if (target_index > 0) {
    options.free_bytes = io::volume_free_bytes(chain.layers()[target_index].path);
  }

  MergePlan plan = plan_merge(options);
  for (const std::string& c : around.critical) plan.refusals.push_back("check: " + c);
  const std::optional<Estimate> estimate = estimate_rate(plan);

  if (a.dry_run || !plan.refusals.empty()) {
    if (a.json)
      std::cout << plan_json(plan, estimate, a.dry_run, false).dump(2) << "\n";
    else
      std::cout << plan_text(plan, estimate)
                << (plan.refusals.empty() ? "  dry run: nothing was written\n" : "  nothing was written\n");
    return plan.refusals.empty() ? kExitOk : kExitCritical;
  }

  const bool json_progress = a.progress == "json";
  Progress bar("merging", plan.bytes_to_copy, a.progress == "auto" && stderr_is_terminal() && console_chatty());
  TransferRate measured(std::chrono::steady_clock::now());
  run_merge(options, plan, [&](const MergeProgress& p) {
    bar.update(p.bytes_done);
    if (!json_progress) return;
    measured.add(std::chrono::steady_clock::now(), p.bytes_done);
    const std::optional<double> left = measured.seconds_left(p.bytes_total);
    std::cerr << nlohmann::json{{"bytes_done", p.bytes_done},
                                {"bytes_total", p.bytes_total},
                                {"bytes_per_second", measured.bytes_per_second()},
                                {"eta_seconds", left ? nlohmann::json(*left) : nullptr}}
                     .dump()
              << std::endl;
  });
  bar.finish();

  std::vector<std::string> removed;
  if (a.delete_merged)
    for (const MergeSource& s : plan.sources) {
      io::remove_file(s.path);
      removed.push_back(s.path);
    }
  if (a.json) {
    nlohmann::json j = plan_json(plan, estimate, false, true);
    j["deleted"] = removed;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << plan_text(plan, estimate) << "  merged\n";
    for (const MergeSource& s : plan.sources)
      std::cout << fmt::format("  {} {}\n", a.delete_merged ? "deleted    " : "kept        ", s.path)
                << (a.delete_merged ? "" : "              (no longer part of a chain)\n");
  }
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
  sub->add_flag("--delete-merged", a->delete_merged, "Delete the merged files afterwards (default: keep them)");
  sub->add_option("--progress", a->progress, "auto (a line on a terminal), json (JSON lines on stderr), none")
      ->check(CLI::IsMember({"auto", "json", "none"}))
      ->type_name("MODE");
  return {sub, [a] { return run_merge_command(*a); }};
}

}  // namespace vhdchain::cli
