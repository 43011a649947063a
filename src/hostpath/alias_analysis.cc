// Alias analysis: turning identities and locations into coded facts about a set of paths.
//
// The caller (the check command) knows the roles: child, parent via relative_path, parent via
// absolute_win32_path... We only say what holds between the paths, as stable codes with the
// canonical path and the alias named, and leave severity and wording to the caller. Identity
// decides "same file" when both paths exist; when one is missing, the location (volume + path
// inside it) still tells whether they name one place, which is what matters for a stale locator.
#include <system_error>

#include <fmt/format.h>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

AliasFinding pair_finding(AliasCode code, size_t a, size_t b, std::string canonical, std::string alias,
                          std::string detail) {
  return AliasFinding{code, a, b, std::move(canonical), std::move(alias), std::move(detail)};
}

// A Windows mount point ("X:\\", "C:\\Hyper-V\\") joined with a path inside the volume ("\\d\\f").
std::string join_mount(const std::string& mount_point, const std::string& inner_path) {
  std::string out = mount_point;
  while (!out.empty() && out.back() == '\\') out.pop_back();
  return out + inner_path;
}

std::string mounts_detail(const std::string& a, const std::string& b, const std::string& volume) {
  return fmt::format("mount points {} and {} of volume {}", a, b, volume);
}

// A Windows location: its mount point is a drive ("X:\\"), a folder on one, or a share.
bool is_windows_location(const HostLocation& location) {
  return !location.mount_point.empty() && location.mount_point.front() != '/';
}

// Whether two existing files whose volume keys differ still sit on one file system. On Windows a
// drive letter made by subst (DefineDosDeviceW), and every drive letter wine maps to a Unix folder,
// has a volume name of its own (or none) while FileIdInfo reports the same volume serial number
// for the files behind it: the admin reaches one volume through two mount points, which is what we
// report. Linux needs no such rule: its volume key is the device number, the identity's own fact.
// (Two cloned NTFS volumes mounted at once share a serial number too; Windows refuses to bring the
// second clone's disk online until its signature changes, and even then the finding only warns.)
bool one_file_system_by_identity(const PathFacts& a, const PathFacts& b) {
  return a.identity.ok() && b.identity.ok() && a.location && b.location && is_windows_location(*a.location) &&
         is_windows_location(*b.location) && a.identity.identity.volume_id == b.identity.identity.volume_id;
}

}  // namespace

std::string_view to_string(AliasCode code) {
  switch (code) {
    case AliasCode::missing: return "hostpath.missing";
    case AliasCode::unreadable: return "hostpath.unreadable";
    case AliasCode::cluster_storage_root: return "hostpath.cluster_storage_root";
    case AliasCode::unknown_volume: return "hostpath.unknown_volume";
    case AliasCode::same_file: return "hostpath.same_file";
    case AliasCode::hard_link: return "hostpath.hard_link";
    case AliasCode::mount_alias: return "hostpath.mount_alias";
    case AliasCode::volume_alias: return "hostpath.volume_alias";
    case AliasCode::different_file: return "hostpath.different_file";
  }
  return "?";
}

std::vector<AliasFinding> analyze_host_path(const PathFacts& facts, size_t index) {
  std::vector<AliasFinding> out;
  if (!facts.identity.ok()) {
    AliasCode code = facts.identity.status == AccessStatus::not_found ? AliasCode::missing : AliasCode::unreadable;
    out.push_back(pair_finding(code, index, AliasFinding::kNone, "", facts.path,
                               std::system_category().message(facts.identity.error)));
  }
  std::optional<ClusterStorageRoot> cs = find_cluster_storage_root(facts.path);
  if (!cs && facts.location) cs = find_cluster_storage_root(facts.location->path);
  if (cs) {
    // Offer the canonical alias only if it avoids the stale root; otherwise we know no better path.
    std::string canonical;
    if (facts.location && !find_cluster_storage_root(facts.location->canonical()))
      canonical = facts.location->canonical();
    out.push_back(pair_finding(AliasCode::cluster_storage_root, index, AliasFinding::kNone, std::move(canonical),
                               facts.path, cs->root));
  }
  return out;
}

std::optional<AliasFinding> analyze_host_pair(const PathFacts& a, size_t ai, const PathFacts& b, size_t bi) {
  const bool both_exist = a.identity.ok() && b.identity.ok();
  const HostLocation* la = a.location ? &*a.location : nullptr;
  const HostLocation* lb = b.location ? &*b.location : nullptr;
  const bool same_volume_name = la && lb && la->volume == lb->volume;
  const bool same_volume = same_volume_name || one_file_system_by_identity(a, b);
  const bool same_place = same_volume && la->inner_path == lb->inner_path;
  const bool mounts_differ = same_volume && la->mount_point != lb->mount_point;
  // The path to name as the alias: the given path whose location is not the canonical one.
  auto alias_of_pair = [&](const std::string& canonical) { return b.path != canonical ? b.path : a.path; };
  // How the finding names the volume: by its key, or (two names, one file system) by both names
  // and the serial number that joins them.
  const std::string volume_text =
      !same_volume || same_volume_name
          ? (la ? la->volume : std::string())
          : fmt::format("serial {:#x} (names {} and {})", a.identity.identity.volume_id, la->volume, lb->volume);

  if (both_exist && a.identity.identity != b.identity.identity) {
    if (mounts_differ && !same_volume_name) {
      // Each name's own mount point is canonical for it: name b's place through a's mount point.
      return pair_finding(AliasCode::volume_alias, ai, bi, join_mount(la->mount_point, lb->inner_path), b.path,
                          mounts_detail(la->mount_point, lb->mount_point, volume_text));
    }
    if (mounts_differ) {
      bool b_off = !lb->is_canonical();
      return pair_finding(AliasCode::volume_alias, ai, bi, b_off ? lb->canonical() : la->canonical(),
                          b_off ? b.path : a.path, mounts_detail(la->mount_point, lb->mount_point, volume_text));
    }
    return pair_finding(AliasCode::different_file, ai, bi, "", b.path,
                        fmt::format("{} vs {}", a.identity.identity.to_string(), b.identity.identity.to_string()));
  }
  if (both_exist && !same_place) {
    // One file, two names: a hard link (or a filesystem whose mounts we could not place).
    if (la && lb)
      return pair_finding(AliasCode::hard_link, ai, bi, la->canonical(), b.path,
                          fmt::format("{} and {} on volume {}", la->inner_path, lb->inner_path, la->volume));
    if (a.path == b.path) return std::nullopt;
    return pair_finding(AliasCode::same_file, ai, bi, a.path, b.path, a.identity.identity.to_string());
  }
  if (same_place) {
    if (mounts_differ)
      return pair_finding(AliasCode::mount_alias, ai, bi, la->canonical(), alias_of_pair(la->canonical()),
                          mounts_detail(la->mount_point, lb->mount_point, volume_text));
    if (a.path == b.path) return std::nullopt;
    return pair_finding(AliasCode::same_file, ai, bi, la->canonical(), alias_of_pair(la->canonical()),
                        fmt::format("{} on volume {}", la->inner_path, la->volume));
  }
  if (mounts_differ) {  // one of them is missing, both on one volume through two mount points
    bool b_off = !lb->is_canonical();
    return pair_finding(AliasCode::volume_alias, ai, bi, b_off ? lb->canonical() : la->canonical(),
                        b_off ? b.path : a.path, mounts_detail(la->mount_point, lb->mount_point, la->volume));
  }
  return std::nullopt;
}

std::vector<AliasFinding> analyze_host_paths(std::span<const PathFacts> paths) {
  std::vector<AliasFinding> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::vector<AliasFinding> one = analyze_host_path(paths[i], i);
    out.insert(out.end(), one.begin(), one.end());
  }
  for (size_t i = 0; i < paths.size(); ++i)
    for (size_t j = i + 1; j < paths.size(); ++j)
      if (auto f = analyze_host_pair(paths[i], i, paths[j], j)) out.push_back(std::move(*f));
  return out;
}

std::vector<AliasFinding> analyze_windows_path(const WindowsVolumeSet& volumes, const WinPath& path, size_t index) {
  std::vector<AliasFinding> out;
  const std::string text = path.to_string();
  std::optional<VolumePlace> place = volumes.locate(path);
  if (!place && (path.kind == WinPathKind::drive_absolute || path.kind == WinPathKind::volume_guid)) {
    std::string detail = path.kind == WinPathKind::volume_guid
                             ? fmt::format("volume {} is not in the list", path.root())
                             : fmt::format("no listed volume is mounted at {}", path.root());
    out.push_back(pair_finding(AliasCode::unknown_volume, index, AliasFinding::kNone, "", text, std::move(detail)));
  }
  if (std::optional<ClusterStorageRoot> cs = find_cluster_storage_root(text)) {
    std::string canonical;
    if (place) {
      std::string c = volumes.canonical(*place).to_string();
      if (!find_cluster_storage_root(c)) canonical = std::move(c);
    }
    out.push_back(pair_finding(AliasCode::cluster_storage_root, index, AliasFinding::kNone, std::move(canonical),
                               text, cs->root));
  }
  return out;
}

std::optional<AliasFinding> analyze_windows_pair(const WindowsVolumeSet& volumes, const WinPath& a, size_t ai,
                                                 const WinPath& b, size_t bi) {
  const std::string at = a.to_string(), bt = b.to_string();
  std::optional<VolumePlace> pa = volumes.locate(a), pb = volumes.locate(b);
  if (!pa || !pb) {
    // Without both volumes we can only compare text (UNC shares, relative paths, unknown volumes).
    if (at != bt && same_windows_path(a, b)) return pair_finding(AliasCode::same_file, ai, bi, at, bt, "");
    return std::nullopt;
  }
  if (pa->volume != pb->volume)
    return pair_finding(AliasCode::different_file, ai, bi, "", bt,
                        fmt::format("volumes {} and {}", pa->guid_path, pb->guid_path));

  const WinPath ca = volumes.canonical(*pa), cb = volumes.canonical(*pb);
  const bool same_inner = same_windows_path(ca, cb);
  // A GUID path is the volume's name, not a mount point: comparing one with a drive path is normal
  // (volume_path vs absolute_win32_path), not an alias problem.
  const bool mounts_differ = !pa->mount_point.empty() && !pb->mount_point.empty() &&
                             !equal_ignore_case(pa->mount_point, pb->mount_point);
  const std::string detail = mounts_differ ? mounts_detail(pa->mount_point, pb->mount_point, pa->guid_path) : "";
  if (same_inner) {
    const std::string canonical = ca.to_string();
    const std::string& alias = same_windows_path(b, ca) ? at : bt;
    if (mounts_differ) return pair_finding(AliasCode::mount_alias, ai, bi, canonical, alias, detail);
    if (at == bt) return std::nullopt;
    return pair_finding(AliasCode::same_file, ai, bi, canonical, alias,
                        fmt::format("{} on volume {}", pa->inner_path(), pa->guid_path));
  }
  if (mounts_differ) {
    const bool b_off = !same_windows_path(b, cb);
    return pair_finding(AliasCode::volume_alias, ai, bi, (b_off ? cb : ca).to_string(), b_off ? bt : at, detail);
  }
  return pair_finding(AliasCode::different_file, ai, bi, "", bt,
                      fmt::format("{} and {} on volume {}", pa->inner_path(), pb->inner_path(), pa->guid_path));
}

std::vector<AliasFinding> analyze_windows_paths(const WindowsVolumeSet& volumes, std::span<const WinPath> paths) {
  std::vector<AliasFinding> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::vector<AliasFinding> one = analyze_windows_path(volumes, paths[i], i);
    out.insert(out.end(), one.begin(), one.end());
  }
  for (size_t i = 0; i < paths.size(); ++i)
    for (size_t j = i + 1; j < paths.size(); ++j)
      if (auto f = analyze_windows_pair(volumes, paths[i], i, paths[j], j)) out.push_back(std::move(*f));
  return out;
}

}  // namespace vhdchain::hostpath
