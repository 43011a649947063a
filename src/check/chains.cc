// From parent links to chains: one chain per leaf, walked to its base; cycles, depth and branches.
//
// A leaf is a disk nothing links to: the disk a VM runs on, a standalone disk, or a differencing
// file a failed backup left behind (seed 004). Chains share their upper layers in a snapshot tree;
// a disk with several children is where merging one branch silently changes the others (seed 002).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "check/check_internal.h"

namespace vhdchain::check::detail {
namespace {

// Hyper-V keeps at most 50 checkpoints per VM; a deeper chain did not come from Hyper-V as is.
constexpr size_t kHyperVCheckpointLimit = 50;

bool is_differencing(const Disk& d) { return d.image && d.image->info().parent.has_value(); }

class ChainBuilder {
 public:
  ChainBuilder(const Options& options, Report& report) : options_(options), report_(report) {}

  void run() {
    find_cycles();
    for (size_t i = 0; i < report_.disks.size(); ++i)
      if (report_.disks[i].children.empty()) report_.chains.push_back(walk(i));
    std::sort(report_.chains.begin(), report_.chains.end(), [&](const Chain& a, const Chain& b) {
      return report_.disks[a.layers.front()].path < report_.disks[b.layers.front()].path;
    });
    for (size_t i = 0; i < report_.disks.size(); ++i) {
      branches(i);
      standalone(i);
    }
  }

 private:
  void add(std::string_view code, std::string message, std::vector<std::string> paths, std::vector<size_t> disks) {
    report_.findings.push_back(make_finding(code, std::move(message), std::move(paths), std::move(disks)));
  }

  // Parent links that come back to a disk already passed. Each cycle is reported once.
  void find_cycles() {
    std::set<std::vector<size_t>> reported;
    for (size_t start = 0; start < report_.disks.size(); ++start) {
      std::vector<size_t> path;
      std::set<size_t> seen;
      std::optional<size_t> at = start;
      while (at && seen.insert(*at).second) {
        path.push_back(*at);
        at = report_.disks[*at].parent;
      }
      if (!at) continue;
      std::vector<size_t> cycle(std::find(path.begin(), path.end(), *at), path.end());
      in_cycle_.insert(cycle.begin(), cycle.end());
      std::vector<size_t> sorted = cycle;
      std::sort(sorted.begin(), sorted.end());
      if (!reported.insert(sorted).second) continue;
      std::string text;
      std::vector<std::string> paths;
      for (size_t i : cycle) {
        text += report_.disks[i].path + " -> ";
        paths.push_back(report_.disks[i].path);
      }
      text += report_.disks[cycle.front()].path;
      add("chain.cycle", fmt::format("parent links form a cycle: {}. No disk in it is a base; Hyper-V cannot open any of them", text),
          paths, cycle);
    }
  }

  Chain walk(size_t leaf) {
    Chain c;
    std::set<size_t> seen;
    std::optional<size_t> at = leaf;
    while (at && !seen.count(*at) && c.layers.size() < options_.max_depth) {
      seen.insert(*at);
      c.layers.push_back(*at);
      at = report_.disks[*at].parent;
    }
    const Disk& last = report_.disks[c.layers.back()];
    c.complete = !at && last.image && !is_differencing(last);
    if (at && !seen.count(*at)) {
      add("chain.too_deep",
          fmt::format("{}: the chain was followed for {} layers (--max-depth) without reaching its base",
                      report_.disks[leaf].path, c.layers.size()),
          {report_.disks[leaf].path}, c.layers);
    } else if (c.complete && c.layers.size() - 1 > kHyperVCheckpointLimit) {
      add("chain.too_deep",
          fmt::format("{}: {} differencing layers above the base; Hyper-V keeps at most {} checkpoints per VM",
                      report_.disks[leaf].path, c.layers.size() - 1, kHyperVCheckpointLimit),
          {report_.disks[leaf].path}, c.layers);
    }
    return c;
  }

  void branches(size_t index) {
    const Disk& d = report_.disks[index];
    if (d.children.size() < 2) return;
    std::vector<size_t> kids = d.children;
    std::sort(kids.begin(), kids.end(), [&](size_t a, size_t b) { return report_.disks[a].path < report_.disks[b].path; });
    std::string list;
    std::vector<std::string> paths{d.path};
    std::vector<size_t> disks{index};
    for (size_t k : kids) {
      list += (list.empty() ? "" : ", ") + report_.disks[k].path;
      paths.push_back(report_.disks[k].path);
      disks.push_back(k);
    }
    add("tree.branches",
        fmt::format("{} has {} children ({}): a snapshot tree. Merging one branch into {} changes what every other "
                    "branch reads and invalidates it; decide which branch to keep (a \"Revert\" leaves one behind) "
                    "and remove the others first",
                    d.path, kids.size(), list, d.path),
        std::move(paths), std::move(disks));
  }

  void standalone(size_t index) {
    const Disk& d = report_.disks[index];
    if (!d.image || is_differencing(d) || !d.children.empty()) return;
    add("disk.standalone",
        fmt::format("{}: a {} {} disk that no scanned differencing disk links to", d.path,
                    to_string(d.image->info().type), to_string(d.image->info().format)),
        {d.path}, {index});
  }

  const Options& options_;
  Report& report_;
  std::set<size_t> in_cycle_;
};

}  // namespace

void build_chains(const Options& options, Report& report) { ChainBuilder(options, report).run(); }

}  // namespace vhdchain::check::detail
