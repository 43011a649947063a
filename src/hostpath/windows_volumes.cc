// A Windows host's volumes and their mount points, and what that says about Windows paths.
//
// GetVolumePathNamesForVolumeNameW is the call that reveals aliases: one volume at D:\ and at
// C:\Hyper-V\ (seed 000), or a CSV at C:\ClusterStorage\Volume1\ and again under a stale
// C:\ClusterStorage.000\. Here the same knowledge comes from a list (mountvol output or Win32_Volume
// pairs read on the Windows host), so a Linux machine analysing copied disks can apply it. A path
// resolves through its longest mount point, as the Windows object manager does when it crosses a
// mounted-folder reparse point; a volume GUID path names its volume directly.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

[[noreturn]] void fail(std::string_view what) {
  throw Error(ErrorCode::invalid_argument, fmt::format("windows volume list: {}", what));
}

WinPath parse_guid_path(std::string_view text) {
  std::optional<WinPath> p = try_parse_windows_path(text);
  if (!p || p->kind != WinPathKind::volume_guid || !p->components.empty())
    fail(fmt::format("\"{}\" is not a \\\\?\\Volume{{GUID}}\\ path", text));
  p->prefix = WinPrefix::long_path;
  return *p;
}

WinPath parse_mount_point(std::string_view text) {
  std::optional<WinPath> p = try_parse_windows_path(text);
  if (!p || p->kind != WinPathKind::drive_absolute)
    fail(fmt::format("mount point \"{}\" is not a drive letter or folder path", text));
  p->prefix = WinPrefix::none;
  return *p;
}

}  // namespace

std::string VolumePlace::inner_path() const {
  std::string out;
  for (const std::string& c : inner) out += "\\" + c;
  return out.empty() ? std::string("\\") : out;
}

WindowsVolumeSet::WindowsVolumeSet(std::vector<WindowsVolume> volumes) {
  for (WindowsVolume& v : volumes) {
    WinPath guid = parse_guid_path(v.guid_path);
    auto known = std::find(guids_.begin(), guids_.end(), guid.volume);
    size_t index = static_cast<size_t>(known - guids_.begin());
    if (known == guids_.end()) {
      guids_.push_back(guid.volume);
      volumes_.push_back(WindowsVolume{guid.to_string(), {}});
    }
    for (const std::string& text : v.mount_points) {
      WinPath mp = parse_mount_point(text);
      auto same = std::find_if(mounts_.begin(), mounts_.end(),
                               [&](const Mount& m) { return same_windows_path(m.root, mp); });
      if (same != mounts_.end()) {
        if (same->volume == index) continue;
        fail(fmt::format("mount point \"{}\" is listed for two volumes", mp.to_string(true)));
      }
      volumes_[index].mount_points.push_back(mp.to_string(true));
      mounts_.push_back(Mount{std::move(mp), index});
    }
  }
}

WindowsVolumeSet WindowsVolumeSet::from_device_names(std::span<const std::pair<std::string, std::string>> pairs) {
  std::vector<WindowsVolume> volumes;
  std::vector<Guid> order;
  for (const auto& [device_id, name] : pairs) {
    WinPath guid = parse_guid_path(device_id);
    auto it = std::find(order.begin(), order.end(), guid.volume);
    if (it == order.end()) {
      order.push_back(guid.volume);
      volumes.push_back(WindowsVolume{device_id, {}});
      it = order.end() - 1;
    }
    WindowsVolume& v = volumes[static_cast<size_t>(it - order.begin())];
    if (name.empty()) continue;
    // Win32_Volume reports the GUID path as Name when a volume has no drive letter or folder.
    std::optional<WinPath> as_path = try_parse_windows_path(name);
    if (as_path && as_path->kind == WinPathKind::volume_guid) {
      if (as_path->volume != guid.volume || !as_path->components.empty())
        fail(fmt::format("Name \"{}\" of {} names another volume", name, device_id));
      continue;
    }
    v.mount_points.push_back(name);
  }
  return WindowsVolumeSet(std::move(volumes));
}

std::optional<VolumePlace> WindowsVolumeSet::locate(const WinPath& path) const {
  VolumePlace place;
  if (path.kind == WinPathKind::volume_guid) {
    auto it = std::find(guids_.begin(), guids_.end(), path.volume);
    if (it == guids_.end()) return std::nullopt;
    place.volume = static_cast<size_t>(it - guids_.begin());
    place.inner = path.components;
  } else if (path.kind == WinPathKind::drive_absolute) {
    const Mount* best = nullptr;
    for (const Mount& m : mounts_)
      if (windows_path_starts_with(path, m.root) &&
          (!best || m.root.components.size() > best->root.components.size()))
        best = &m;
    if (!best) return std::nullopt;
    place.volume = best->volume;
    place.mount_point = best->root.to_string(true);
    place.inner.assign(path.components.begin() + static_cast<std::ptrdiff_t>(best->root.components.size()),
                       path.components.end());
  } else {
    return std::nullopt;  // relative and root-relative paths need a base; UNC shares are not volumes
  }
  place.guid_path = volumes_[place.volume].guid_path;
  return place;
}

std::vector<WinPath> WindowsVolumeSet::aliases(const VolumePlace& place) const {
  // Canonical first: a live path before one under a stale ClusterStorage.NNN root, a drive letter
  // before a mounted folder, the shorter text, then case-insensitive text order (deterministic
  // whatever order the list came in). The GUID path is always last: it is the volume's name, not a
  // mount point, and only useful when the volume has no other.
  using Rank = std::tuple<bool, bool, size_t, std::string>;
  std::vector<std::pair<Rank, WinPath>> found;
  for (const Mount& m : mounts_) {
    if (m.volume != place.volume) continue;
    WinPath candidate = m.root;
    candidate.components.insert(candidate.components.end(), place.inner.begin(), place.inner.end());
    std::optional<VolumePlace> back = locate(candidate);
    if (!back || back->volume != place.volume) continue;  // another volume is mounted on the way
    const std::string mp = m.root.to_string(true);
    Rank rank{find_cluster_storage_root(mp).has_value(), !m.root.components.empty(), mp.size(), fold_case(mp)};
    found.emplace_back(std::move(rank), std::move(candidate));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<WinPath> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  WinPath by_guid;
  by_guid.kind = WinPathKind::volume_guid;
  by_guid.prefix = WinPrefix::long_path;
  by_guid.volume = guids_[place.volume];
  by_guid.components = place.inner;
  out.push_back(std::move(by_guid));
  return out;
}

}  // namespace vhdchain::hostpath
