// --map WINROOT=HOSTPATH: where a Windows host's drives, volumes and shares are visible here.
//
// Locators name parents by drive letter, volume GUID or UNC share; on the machine that analyses a
// copy none of those exist, so the admin says where each Windows root is mounted. Matching is by
// the longest Windows root, case-insensitively as Windows compares. With a volume list a mapping
// only covers paths on its own volume (C:\=/mnt/c must not claim C:\Hyper-V\x when C:\Hyper-V\ is
// another volume's mount point), and a path no mapping covers is retried through its aliases, so
// one mapping per volume is enough whichever mount point a locator went through.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equal_ignore_case(text.substr(0, prefix.size()), prefix);
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw Error(ErrorCode::invalid_argument, fmt::format("map \"{}\": {}", text, why));
}

std::string join_host(const std::string& root, const std::vector<std::string>& rest) {
  std::string out = root == "/" ? "" : root;
  for (const std::string& c : rest) out += "/" + c;
  return out.empty() ? std::string("/") : out;
}

}  // namespace

PathMapping parse_path_mapping(std::string_view text) {
  // A Windows name may contain '=', a host root starts with '/': split at the first "=/".
  size_t eq = text.find("=/");
  if (eq == std::string_view::npos) {
    if (text.find('=') == std::string_view::npos) fail(text, "expected WINROOT=HOSTPATH, e.g. C:\\=/mnt/host-c");
    fail(text, "the host path must be absolute (start with '/')");
  }
  std::string win(text.substr(0, eq));
  if (win.empty()) fail(text, "the Windows root is empty");
  if (starts_with_ignore_case(win, "Volume{")) win = "\\\\?\\" + win;

  PathMapping m;
  try {
    m.windows_root = parse_windows_path(win);
  } catch (const Error& e) {
    fail(text, e.what());
  }
  WinPath& root = m.windows_root;
  if (root.kind == WinPathKind::drive_relative && root.components.empty()) root.kind = WinPathKind::drive_absolute;
  if (!root.is_absolute())
    fail(text, "the Windows root must be a drive (C:\\), a volume (\\\\?\\Volume{GUID}\\), a share (\\\\server\\share) "
         "or a folder on one of them");
  root.prefix = root.kind == WinPathKind::volume_guid ? WinPrefix::long_path : WinPrefix::none;
  m.host_root = normalize_host_path(text.substr(eq + 1));
  return m;
}

void PathMap::add(PathMapping mapping) {
  for (const PathMapping& m : mappings_)
    if (same_windows_path(m.windows_root, mapping.windows_root))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("map: \"{}\" is mapped twice (to {} and {})", mapping.windows_root.to_string(true),
                              m.host_root, mapping.host_root));
  mappings_.push_back(std::move(mapping));
}

std::optional<MappedPath> PathMap::map(const WinPath& path, const WindowsVolumeSet* volumes) const {
  if (!path.is_absolute()) return std::nullopt;
  std::optional<VolumePlace> place = volumes ? volumes->locate(path) : std::nullopt;

  // The candidates: the path as given, then (with a volume list) every alias of it, canonical first.
  std::vector<WinPath> candidates{path};
  if (place)
    for (WinPath& a : volumes->aliases(*place))
      if (!same_windows_path(a, path)) candidates.push_back(std::move(a));

  for (size_t c = 0; c < candidates.size(); ++c) {
    const WinPath& candidate = candidates[c];
    const PathMapping* best = nullptr;
    for (const PathMapping& m : mappings_) {
      if (!windows_path_starts_with(candidate, m.windows_root)) continue;
      if (place) {
        // A mapping of the volume a deeper mount point hides does not reach this file.
        std::optional<VolumePlace> root_place = volumes->locate(m.windows_root);
        if (root_place && root_place->volume != place->volume) continue;
      }
      if (!best || m.windows_root.components.size() > best->windows_root.components.size()) best = &m;
    }
    if (!best) continue;
    MappedPath out;
    out.host_root = best->host_root;
    out.rest.assign(candidate.components.begin() + static_cast<std::ptrdiff_t>(best->windows_root.components.size()),
                    candidate.components.end());
    out.host_path = join_host(out.host_root, out.rest);
    out.mapping_root = best->windows_root.to_string(true);
    out.windows_path = candidate.to_string();
    out.via_alias = c > 0;
    return out;
  }
  return std::nullopt;
}

std::string HostResolution::host_path() const {
  if (!mapped) return "";
  if (lookup.status == LookupStatus::exact || lookup.status == LookupStatus::case_differs) return lookup.path;
  return mapped->host_path;
}

HostResolution resolve_on_host(const WinPath& path, const PathMap& map, const WindowsVolumeSet* volumes) {
  HostResolution r;
  r.mapped = map.map(path, volumes);
  if (r.mapped) r.lookup = lookup_case_insensitive(r.mapped->host_root, r.mapped->rest);
  return r;
}

}  // namespace vhdchain::hostpath
