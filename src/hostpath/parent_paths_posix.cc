// compose_parent_paths off Windows: the relative form from the resolved host folders; the Windows
// forms only through the caller's knowledge of the Windows host (--map used in reverse through
// windows_path_of, the same reversal check uses; --volumes).
#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"
#include "hostpath/parent_paths.h"

namespace vhdchain::hostpath {
namespace {

// The host path with its folder's symlinks resolved and its own name kept: a parent that is a
// symlink stays the name the user chose, a child that does not exist yet still has a place.
std::string with_resolved_folder(const std::string& path) {
  const std::string name(io::file_name_of(path));
  if (name.empty() || name == "." || name == "..")
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: not a file name", path));
  const std::string folder = io::folder_of(path);
  const std::string resolved = resolve_host_path(folder);
  return (resolved == "/" ? "" : resolved) + "/" + name;
}

// The root as Windows compares it textually: \\?\C:\ and C:\ are one root.
std::string root_text(WinPath path) {
  path.prefix = WinPrefix::none;
  return path.root();
}

std::string volume_form(const VolumePlace& place) {
  std::string out = place.guid_path;  // ends with '\'
  for (size_t i = 0; i < place.inner.size(); ++i) out += (i ? "\\" : "") + place.inner[i];
  return out;
}

}  // namespace

ParentPaths compose_parent_paths(const std::string& child, const std::string& parent, const ParentPathContext& context) {
  const std::string child_path = with_resolved_folder(child), parent_path = with_resolved_folder(parent);
  std::vector<std::string> child_folder = host_path_components(child_path);
  child_folder.pop_back();
  ParentPaths out;
  out.relative_path = relative_windows_path(child_folder, host_path_components(parent_path), false);
  if (!context.map) return out;

  std::optional<WinPath> parent_win = windows_path_of(*context.map, parent_path);
  if (!parent_win) return out;
  // Hyper-V resolves relative_path against the child's Windows path, textually: across two
  // roots (drives, shares, volumes) there is no relative form.
  if (std::optional<WinPath> child_win = windows_path_of(*context.map, child_path);
      child_win && !equal_ignore_case(root_text(*child_win), root_text(*parent_win)))
    out.relative_path.clear();

  parent_win->prefix = WinPrefix::none;  // Hyper-V writes C:\..., not \\?\C:\...
  std::optional<VolumePlace> place;
  if (context.volumes) place = context.volumes->locate(*parent_win);
  if (parent_win->kind == WinPathKind::volume_guid) {
    out.volume_path = parent_win->to_string();
    if (place) {
      const WinPath canonical = context.volumes->canonical(*place);
      if (canonical.kind != WinPathKind::volume_guid) out.absolute_win32_path = canonical.to_string();
    }
  } else {
    out.absolute_win32_path = parent_win->to_string();
    if (place) out.volume_path = volume_form(*place);
  }
  return out;
}

}  // namespace vhdchain::hostpath
