// Where a host path lives in the mount table, and every other path that reaches the same place.
//
// A location's identity is (device, path inside the filesystem): the mount root plus what follows
// the mount point. Every mount of the same device whose root contains that inner path exposes the
// location again, at mount point + (inner path - root); that is how bind mounts and a second mount
// of one NTFS volume alias each other. A candidate only counts if it is visible, i.e. looking it up
// again lands on the same mount (a deeper mount or an overmount can hide it). All of this is pure so
// the tests can state exact tables; probe_linux.cc feeds it the live table and resolved paths.
// Entries come normalised from parse_mountinfo, so lookups compare them as they are.
#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

// True when `prefix` is `path` or a directory above it (both normalised, absolute).
bool path_under(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return !path.empty() && path.front() == '/';
  return path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// What follows `prefix` in `path`: "" or "/x/y".
std::string_view remainder(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return path == "/" ? std::string_view() : path;
  return path.substr(prefix.size());
}

std::string join(std::string_view dir, std::string_view rest) {
  if (dir == "/") return rest.empty() ? std::string("/") : std::string(rest);
  return std::string(dir) + std::string(rest);
}

}  // namespace

std::string normalize_host_path(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    i = j + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute) continue;  // "/.." is "/"
    }
    parts.push_back(seg);
  }
  std::string out = absolute ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('/');
    out += parts[k];
  }
  return out.empty() ? std::string(".") : out;
}

std::optional<MountMatch> match_mount(const MountTable& table, std::string_view absolute_path) {
  if (absolute_path.empty() || absolute_path.front() != '/') return std::nullopt;
  const std::string path = normalize_host_path(absolute_path);
  // The longest mount point covering the path, then, among mounts stacked on that same point, the
  // one no other of them is mounted on (the top of the stack); the last listed if still tied.
  size_t best_len = 0;
  std::vector<size_t> group;
  for (size_t i = 0; i < table.entries.size(); ++i) {
    const std::string& mp = table.entries[i].mount_point;
    if (!path_under(path, mp)) continue;
    if (group.empty() || mp.size() > best_len) {
      group.assign(1, i);
      best_len = mp.size();
    } else if (mp.size() == best_len) {
      group.push_back(i);
    }
  }
  if (group.empty()) return std::nullopt;
  size_t top = group.back();
  for (auto it = group.rbegin(); it != group.rend(); ++it) {
    bool covered = std::any_of(group.begin(), group.end(), [&](size_t other) {
      return other != *it && table.entries[other].parent_id == table.entries[*it].mount_id;
    });
    if (!covered) {
      top = *it;
      break;
    }
  }
  const MountEntry& e = table.entries[top];
  return MountMatch{top, join(e.root, remainder(path, e.mount_point))};
}

std::optional<HostLocation> locate_host_path(const MountTable& table, std::string_view absolute_path) {
  std::optional<MountMatch> m = match_mount(table, absolute_path);
  if (!m) return std::nullopt;
  const MountEntry& own = table.entries[m->entry];
  HostLocation loc;
  loc.path = normalize_host_path(absolute_path);
  loc.mount_point = own.mount_point;
  loc.volume = own.device();
  loc.mount_root = own.root;
  loc.inner_path = m->inner_path;

  // Candidates through every mount of the device whose root contains the inner path, ranked so
  // the canonical one comes first: the whole filesystem (root "/") before a bind of a subtree, a
  // live path before one under a stale ClusterStorage.NNN root, then the shorter mount point, then
  // text order and mount id so the choice never depends on the order the kernel lists mounts in.
  using Rank = std::tuple<bool, bool, size_t, std::string, uint32_t>;
  std::vector<std::pair<Rank, std::string>> found;
  for (size_t i = 0; i < table.entries.size(); ++i) {
    const MountEntry& e = table.entries[i];
    if (e.major != own.major || e.minor != own.minor) continue;
    const std::string& root = e.root;
    if (!path_under(loc.inner_path, root)) continue;
    const std::string& mp = e.mount_point;
    std::string candidate = join(mp, remainder(loc.inner_path, root));
    std::optional<MountMatch> back = match_mount(table, candidate);
    if (!back || back->entry != i) continue;  // hidden by another mount
    Rank rank{root != "/", find_cluster_storage_root(mp).has_value(), mp.size(), mp, e.mount_id};
    found.emplace_back(std::move(rank), std::move(candidate));
  }
  std::sort(found.begin(), found.end());
  for (auto& [rank, candidate] : found)
    if (std::find(loc.aliases.begin(), loc.aliases.end(), candidate) == loc.aliases.end())
      loc.aliases.push_back(std::move(candidate));
  if (std::find(loc.aliases.begin(), loc.aliases.end(), loc.path) == loc.aliases.end())
    loc.aliases.push_back(loc.path);  // cannot happen with a consistent table; keeps the invariant
  return loc;
}

}  // namespace vhdchain::hostpath
