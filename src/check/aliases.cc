// Paths and volumes: the seed-000 failure, seen from this host and from a Windows host's volume list.
//
// On this host (Linux: /proc/self/mountinfo), every parent link is checked for child and parent
// reaching one volume through two mount points, every file found through two paths for being one
// volume mounted twice, and every path for a stale ClusterStorage.NNN root. With --volumes, the
// same questions are asked of the Windows paths themselves: the child's own Windows path (from
// --map, in reverse) against the absolute paths its locators store, and those locators against
// each other. The hostpath module says what holds between paths; this file decides what an admin
// is told.
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "check/check_internal.h"

namespace vhdchain::check::detail {
namespace {

using hostpath::AliasCode;
using hostpath::AliasFinding;
using hostpath::WinPath;

bool is_absolute_locator(const std::string& key) {
  return key == "absolute_win32_path" || key == "volume_path" || key == "W2ku" || key == "Wi2k";
}

class AliasChecker {
 public:
  AliasChecker(const Options& options, Report& report) : options_(options), report_(report) {
    if (options.mounts) {
      table_ = *options.mounts;
      have_table_ = true;
    } else {
      // Linux: /proc/self/mountinfo. Windows: an empty table; probe_host_path asks the volume APIs.
      try {
        table_ = hostpath::read_mount_table();
        have_table_ = true;
      } catch (const Error&) {
        // No mount table (a container without /proc): identity still works, aliases are not seen.
      }
    }
  }

  void run() {
    for (size_t i = 0; i < report_.disks.size(); ++i) {
      Disk& d = report_.disks[i];
      if (!options_.map.mappings().empty())
        if (std::optional<WinPath> w = hostpath::windows_path_of(options_.map, hostpath::resolve_host_path(d.path)))
          d.windows_path = w->to_string();
      cluster_storage(i);
      seen_twice(i);
      if (d.parent) parent_link(i);
      if (options_.volumes && d.image && d.image->info().parent) windows_locators(i);
    }
  }

 private:
  // Two files named through one folder path, neither a symlink: one mount point by construction, so
  // the costly probe (realpath, stat, mount lookup) can be skipped. This is the common case
  // (Hyper-V keeps a disk's checkpoints beside it) and what keeps 10,000 disks under 2 seconds.
  static bool plainly_same_folder(const std::string& a, const std::string& b) {
    const std::filesystem::path pa(a), pb(b);
    if (pa.parent_path() != pb.parent_path() || a.find("/..") != std::string::npos || b.find("/..") != std::string::npos)
      return false;
    std::error_code ec;
    return !std::filesystem::is_symlink(pa, ec) && !std::filesystem::is_symlink(pb, ec);
  }

  const hostpath::PathFacts& facts(const std::string& path) {
    auto it = facts_.find(path);
    if (it == facts_.end()) it = facts_.emplace(path, hostpath::probe_host_path(table_, path)).first;
    return it->second;
  }

  void add(std::string_view code, std::string message, std::vector<std::string> paths, std::vector<size_t> disks) {
    report_.findings.push_back(make_finding(code, std::move(message), std::move(paths), std::move(disks)));
  }

  // A disk's own path, or a stored locator, through a ClusterStorage.NNN root. Once per path text.
  void cluster_storage(size_t index) {
    const Disk& d = report_.disks[index];
    std::vector<std::pair<std::string, std::string>> texts;  // (text, what it is)
    texts.emplace_back(d.path, "the disk's path");
    for (const std::string& p : d.other_paths) texts.emplace_back(p, "a path the disk was found through");
    if (d.image && d.image->info().parent)
      for (const LocatorEntry& e : d.image->info().parent->locators) texts.emplace_back(e.value, "locator " + e.key);
    for (const auto& [text, what] : texts) {
      std::optional<hostpath::ClusterStorageRoot> cs = hostpath::find_cluster_storage_root(text);
      if (!cs || !reported_cluster_.insert(d.path + "\n" + text).second) continue;
      std::string canonical;
      if (have_table_ && text.find('\\') == std::string::npos) {
        const hostpath::PathFacts& f = facts(text);
        if (f.location && !hostpath::find_cluster_storage_root(f.location->canonical())) canonical = f.location->canonical();
      }
      add("alias.cluster_storage_root",
          fmt::format("{}: {} \"{}\" passes through {}, the root a cluster leaves behind when it remounts a Cluster "
                      "Shared Volume a second time{}. Remove the stale mount point (mount points first, then the "
                      "folder) and keep every path under C:\\ClusterStorage",
                      d.path, what, text, cs->root, canonical.empty() ? "" : "; use " + canonical),
          {d.path, text}, {index});
    }
  }

  // One file found through two mount points of one volume (the volume is mounted twice).
  void seen_twice(size_t index) {
    const Disk& d = report_.disks[index];
    if (!have_table_ || d.scanned_as.size() < 2) return;
    for (size_t i = 1; i < d.scanned_as.size(); ++i) {
      const std::string& other = d.scanned_as[i];
      std::optional<AliasFinding> f = hostpath::analyze_host_pair(facts(d.scanned_as[0]), 0, facts(other), 1);
      if (!f || f->code != AliasCode::mount_alias) continue;
      add("alias.disk_seen_twice",
          fmt::format("{}: the same file is also reached as {} ({}); canonical path {}, alias {}. Keep one mount "
                      "point per volume",
                      d.scanned_as[0], other, f->detail, f->canonical, f->alias),
          {f->canonical, f->alias}, {index});
    }
  }

  // Child and parent through two mount points of one volume; two locators through two mount points.
  void parent_link(size_t index) {
    const Disk& d = report_.disks[index];
    if (!have_table_) return;
    std::optional<AliasFinding> f;
    if (!plainly_same_folder(d.path, d.parent_path))
      f = hostpath::analyze_host_pair(facts(d.path), 0, facts(d.parent_path), 1);
    if (f && (f->code == AliasCode::volume_alias || f->code == AliasCode::mount_alias)) {
      child_parent_alias_.insert(index);
      add("alias.parent_via_other_mount",
          fmt::format("{}: child and parent {} reach one volume through two mount points ({}). Hyper-V resolves them "
                      "through different paths, decides they are unrelated and fails the merge. Canonical path {}, "
                      "alias {}: use one mount point and repair the locators",
                      d.path, d.parent_path, f->detail, f->canonical, f->alias),
          {d.path, d.parent_path, f->canonical, f->alias}, {index, *d.parent});
    }
    // Locators that reached the parent (outcome ok) through different mount points.
    std::vector<const ParentCandidate*> ok;
    for (const ParentCandidate& c : d.resolution.candidates)
      if (c.outcome == CandidateOutcome::ok && !c.beside_child) ok.push_back(&c);
    for (size_t i = 0; i < ok.size(); ++i)
      for (size_t j = i + 1; j < ok.size(); ++j) {
        std::optional<AliasFinding> g = hostpath::analyze_host_pair(facts(ok[i]->path), 0, facts(ok[j]->path), 1);
        if (!g || g->code != AliasCode::mount_alias) continue;
        add("alias.locators_via_two_mounts",
            fmt::format("{}: locators {} and {} reach the parent through two mount points ({}); canonical path {}, "
                        "alias {}",
                        d.path, ok[i]->locator, ok[j]->locator, g->detail, g->canonical, g->alias),
            {d.path, g->canonical, g->alias}, {index});
      }
  }

  // With --volumes: the Windows paths as the Windows host sees them.
  void windows_locators(size_t index) {
    const Disk& d = report_.disks[index];
    const hostpath::WindowsVolumeSet& volumes = *options_.volumes;
    std::vector<std::pair<std::string, WinPath>> stored;  // (locator key, path)
    for (const LocatorEntry& e : d.image->info().parent->locators) {
      if (!is_absolute_locator(e.key)) continue;
      if (std::optional<WinPath> p = hostpath::try_parse_windows_path(e.value); p && p->is_absolute())
        stored.emplace_back(e.key, *p);
    }
    for (const auto& [key, path] : stored)
      for (const AliasFinding& f : hostpath::analyze_windows_path(volumes, path, 0))
        if (f.code == AliasCode::unknown_volume)
          add("alias.unknown_volume",
              fmt::format("{}: locator {} \"{}\": {} (--volumes); it cannot be placed on the host's volumes", d.path,
                          key, f.alias, f.detail),
              {d.path}, {index});

    if (d.windows_path && !child_parent_alias_.count(index)) {
      WinPath child = hostpath::parse_windows_path(*d.windows_path);
      for (const auto& [key, path] : stored) {
        if (path.kind == hostpath::WinPathKind::volume_guid) continue;  // a volume's name, not a mount point
        std::optional<AliasFinding> f = hostpath::analyze_windows_pair(volumes, child, 0, path, 1);
        if (!f || f->code != AliasCode::volume_alias) continue;
        add("alias.parent_via_other_mount",
            fmt::format("{}: on the Windows host the child is {} and its locator {} names the parent as {}: one volume "
                        "through two mount points ({}). Hyper-V resolves them through different paths, decides they "
                        "are unrelated and fails the merge. Canonical path {}, alias {}: use one mount point and "
                        "repair the locators",
                        d.path, *d.windows_path, key, path.to_string(), f->detail, f->canonical, f->alias),
            {d.path, *d.windows_path, path.to_string(), f->canonical, f->alias},
            d.parent ? std::vector<size_t>{index, *d.parent} : std::vector<size_t>{index});
        break;  // one finding per child: every absolute locator names the same place
      }
    }
    for (size_t i = 0; i < stored.size(); ++i)
      for (size_t j = i + 1; j < stored.size(); ++j) {
        std::optional<AliasFinding> f = hostpath::analyze_windows_pair(volumes, stored[i].second, 0, stored[j].second, 1);
        if (!f || f->code != AliasCode::different_file) continue;
        add("locator.disagree",
            fmt::format("{}: locators {} \"{}\" and {} \"{}\" name different places on the Windows host ({})", d.path,
                        stored[i].first, stored[i].second.to_string(), stored[j].first, stored[j].second.to_string(),
                        f->detail),
            {d.path}, {index});
      }
  }

  const Options& options_;
  Report& report_;
  hostpath::MountTable table_;
  bool have_table_ = false;
  std::map<std::string, hostpath::PathFacts> facts_;
  std::set<std::string> reported_cluster_;
  std::set<size_t> child_parent_alias_;
};

}  // namespace

void find_aliases(const Options& options, Report& report) { AliasChecker(options, report).run(); }

}  // namespace vhdchain::check::detail
