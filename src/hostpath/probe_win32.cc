// The live side of host path location on Windows. There is no mount table to read: the volume
// APIs answer the same questions (ecosystem.md section 1.5).
//   - resolve_host_path: GetFullPathNameW, then the final path of the longest existing prefix
//     (links resolved, stored case, 8.3 names expanded) joined to the mount point that reached it;
//   - the volume: GetVolumeNameForVolumeMountPointW of that mount point (its first GUID name);
//   - the aliases: the place through every mount point of the volume, from the live volume list
//     (FindFirstVolumeW + GetVolumePathNamesForVolumeNameW) and the same WindowsVolumeSet rules
//     that --volumes applies to mountvol output, so Windows and Linux agree on the canonical path.
// The mount point a path was reached through matters (D:\x and C:\Hyper-V\x are one file, and
// that alias is what we report), so we keep it instead of taking GetFinalPathNameByHandleW's DOS
// form, which picks one mount point of its own.
#include <string>
#include <vector>

#include "hostpath/volumes_win32.h"
#include "io/win32.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

std::string join_components(const std::vector<std::string>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (!out.empty()) out.push_back('\\');
    out += parts[i];
  }
  return out;
}

std::string with_tail(std::string head, const std::string& tail) {
  if (tail.empty()) return head;
  if (!head.empty() && head.back() != '\\') head.push_back('\\');
  return head + tail;
}

bool exists(const std::string& path) {
  return ::GetFileAttributesW(vhdchain::win32::to_win32_path(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

// The final DOS path's place, spelled through the mount point the path was reached by, when that
// names the very same file: the final path picks one drive of its own, and for a drive letter made
// by subst or by wine (X: and Y: onto one folder give X:\f for Y:\f) that would hide the alias we
// look for. A symlink into another volume fails the identity test and keeps its final path.
std::optional<std::string> through_reached_mount(const std::string& path, const std::string& mount,
                                                 const std::string& final_dos) {
  std::optional<WinPath> final_path = try_parse_windows_path(final_dos);
  std::optional<std::string> final_mount_text = live::volume_path_name(final_dos);
  std::optional<WinPath> final_mount = final_mount_text ? try_parse_windows_path(*final_mount_text) : std::nullopt;
  if (!final_path || !final_mount || !windows_path_starts_with(*final_path, *final_mount)) return std::nullopt;
  const std::string candidate = with_tail(mount, join_components(final_path->components, final_mount->components.size()));
  const FileIdentityResult reached = file_identity(path), via_mount = file_identity(candidate);
  if (!reached.ok() || !via_mount.ok() || reached.identity != via_mount.identity) return std::nullopt;
  return candidate;
}

// An existing path, resolved: mount point as reached + the inner path Windows stores. Falls back
// to the final DOS path when the two disagree on the volume (a symlink to another volume), and
// to the path itself when the APIs do not answer (some file systems, wine).
std::string resolve_existing(const std::string& path) {
  std::optional<std::string> mount = live::volume_path_name(path);
  std::optional<std::string> by_guid = live::final_path_name(path, VOLUME_NAME_GUID);
  if (mount && by_guid) {
    std::optional<WinPath> final_path = try_parse_windows_path(*by_guid);
    std::optional<std::string> reached = live::volume_name_for_mount_point(*mount);
    if (final_path && final_path->kind == WinPathKind::volume_guid && reached &&
        live::volume_name_for_mount_point(final_path->root()) == reached)
      return with_tail(*mount, join_components(final_path->components, 0));
  }
  if (std::optional<std::string> by_dos = live::final_path_name(path, VOLUME_NAME_DOS)) {
    if (mount)
      if (std::optional<std::string> kept = through_reached_mount(path, *mount, *by_dos)) return *kept;
    return *by_dos;
  }
  return path;
}

}  // namespace

// Windows has no mount table; probe_host_path asks the volume APIs and ignores the table.
MountTable read_mount_table() { return MountTable{}; }

std::string resolve_host_path(const std::string& path) {
  if (path.empty()) return path;
  const std::string full = vhdchain::win32::narrow(
      vhdchain::win32::without_long_prefix(vhdchain::win32::full_path(vhdchain::win32::to_win32_path(path))));
  std::optional<WinPath> parsed = try_parse_windows_path(full);
  if (!parsed || !parsed->is_absolute()) return full;
  // A missing file still has a place: resolve the longest prefix that exists, append the rest.
  WinPath prefix = *parsed;
  for (size_t keep = parsed->components.size() + 1; keep-- > 0;) {
    prefix.components.resize(keep);
    const std::string text = prefix.to_string();
    if (exists(text)) return with_tail(resolve_existing(text), join_components(parsed->components, keep));
  }
  return full;
}

PathFacts probe_host_path(const MountTable& /*table*/, const std::string& path) {
  PathFacts facts;
  facts.path = path;
  facts.identity = file_identity(path);
  if (path.empty()) return facts;

  HostLocation loc;
  loc.path = resolve_host_path(path);
  std::optional<WinPath> where = try_parse_windows_path(loc.path);
  std::optional<std::string> mount_text = live::volume_path_name(loc.path);
  std::optional<WinPath> mount = mount_text ? try_parse_windows_path(*mount_text) : std::nullopt;
  if (!where || !mount || !windows_path_starts_with(*where, *mount)) return facts;

  // Each mount point exposes its volume's root. A share has no volume GUID: the share is the volume.
  // The two one-backslash strings below are built by size and append, not from a literal
  // (operator= / operator+ on a const char*): at -O3, GCC 12 inlines those into basic_string's
  // overlap-safe replace and reports an impossible memcpy overlap (-Werror=restrict, GCC bug
  // 105329), which stopped the mingw Release build.
  loc.mount_root = std::string(1, '\\');
  loc.mount_point = mount->to_string(true);
  loc.volume = live::volume_name_for_mount_point(*mount_text).value_or(fold_case(loc.mount_point));
  const std::vector<std::string> inner(where->components.begin() + static_cast<std::ptrdiff_t>(mount->components.size()),
                                       where->components.end());
  loc.inner_path = std::string(1, '\\');
  loc.inner_path += join_components(inner, 0);

  const WindowsVolumeSet volumes = live::read_volume_set();
  std::optional<VolumePlace> place = volumes.locate(*where);
  if (place && place->guid_path == loc.volume) {
    for (const WinPath& alias : volumes.aliases(*place)) {
      // The GUID form (always last) names the volume, not a mount point: listed only when the
      // volume has no visible mount point, since it is then the one way to reach the place.
      if (alias.kind == WinPathKind::volume_guid && !loc.aliases.empty()) continue;
      loc.aliases.push_back(alias.to_string());
    }
    // A GUID path reaches no mount point: place it through the canonical one, so that comparing
    // it with a drive path of the same volume is not mistaken for two mount points.
    if (where->kind == WinPathKind::volume_guid && !loc.aliases.empty() &&
        try_parse_windows_path(loc.aliases.front())->kind != WinPathKind::volume_guid) {
      loc.path = loc.aliases.front();
      loc.mount_point = volumes.locate(parse_windows_path(loc.path))->mount_point;
    } else {
      // Spell the path and its mount point as the system lists them.
      if (!place->mount_point.empty()) loc.mount_point = place->mount_point;
      for (const std::string& a : loc.aliases)
        if (same_windows_path(parse_windows_path(a), *where)) loc.path = a;
    }
  }
  bool listed = false;
  for (const std::string& a : loc.aliases) listed = listed || a == loc.path;
  if (!listed) loc.aliases.push_back(loc.path);
  facts.location = std::move(loc);
  return facts;
}

}  // namespace vhdchain::hostpath
