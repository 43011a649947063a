// compose_parent_paths on Windows: every form from the system, as Hyper-V composes them
// (GetFullPathNameW, folder links resolved, GetVolumePathNameW + GetVolumeNameForVolumeMountPointW).
// The map and volume list of the context are for hosts that are not the Windows host; here the
// live volumes answer.
#include <fmt/format.h>

#include "hostpath/volumes_win32.h"
#include "io/win32.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"
#include "hostpath/parent_paths.h"

namespace vhdchain::hostpath {
namespace {

// The full path with the folder's links resolved (when the folder exists) and the name kept.
WinPath full_windows_path(const std::string& path) {
  const std::string full = win32::narrow(win32::without_long_prefix(win32::full_path(win32::to_win32_path(path))));
  WinPath parsed = parse_windows_path(full);
  if (parsed.components.empty()) throw Error(ErrorCode::invalid_argument, fmt::format("{}: not a file name", path));
  WinPath folder = parsed;
  folder.components.pop_back();
  if (std::optional<std::string> final_folder = live::final_path_name(folder.to_string(), VOLUME_NAME_DOS)) {
    const std::string name = parsed.components.back();
    parsed = parse_windows_path(win32::narrow(win32::without_long_prefix(win32::widen(*final_folder))));
    parsed.components.push_back(name);
  }
  parsed.prefix = WinPrefix::none;
  return parsed;
}

std::string root_text(WinPath path) {
  path.prefix = WinPrefix::none;
  return path.root();
}

}  // namespace

ParentPaths compose_parent_paths(const std::string& child, const std::string& parent, const ParentPathContext&) {
  const WinPath child_path = full_windows_path(child), parent_path = full_windows_path(parent);
  ParentPaths out;
  if (equal_ignore_case(root_text(child_path), root_text(parent_path))) {
    const std::vector<std::string> folder(child_path.components.begin(), child_path.components.end() - 1);
    out.relative_path = relative_windows_path(folder, parent_path.components, true);
  }
  out.absolute_win32_path = parent_path.to_string();
  if (std::optional<std::string> mount = live::volume_path_name(*out.absolute_win32_path)) {
    if (std::optional<std::string> guid = live::volume_name_for_mount_point(*mount)) {
      const WinPath mount_path = parse_windows_path(*mount);
      if (windows_path_starts_with(parent_path, mount_path)) {
        std::string volume = *guid;  // "\\?\Volume{...}\"
        for (size_t i = mount_path.components.size(); i < parent_path.components.size(); ++i)
          volume += (i > mount_path.components.size() ? "\\" : "") + parent_path.components[i];
        out.volume_path = volume;
      }
    }
  }
  return out;
}

}  // namespace vhdchain::hostpath
