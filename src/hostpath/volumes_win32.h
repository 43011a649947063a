// The live Windows volume APIs, in the library's UTF-8 strings (Windows builds only).
//
// These are the calls docs/hostpath.md names for the Win32 port; probe_win32.cc builds a
// HostLocation from them, and the Win32 unit tests call them directly to show what the system
// (or wine) answers. Each returns nullopt / empty when the call fails; GetLastError() is left as
// the failing call set it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath::live {

// GetVolumePathNameW: the mount point (drive root, mounted folder, GUID root or \\server\share\)
// of the volume the path ends on, with a trailing '\'. Works for paths that do not exist.
std::optional<std::string> volume_path_name(const std::string& path);

// GetVolumeNameForVolumeMountPointW: "\\?\Volume{guid}\" (GUID lowercase) of a mount point or of a
// volume GUID path (which canonicalises a volume's several GUID names to the first one).
std::optional<std::string> volume_name_for_mount_point(const std::string& mount_point);

// GetVolumePathNamesForVolumeNameW: every drive letter and mounted folder of a volume.
std::optional<std::vector<std::string>> mount_points_of_volume(const std::string& guid_path);

// FindFirstVolumeW/FindNextVolumeW + mount_points_of_volume: the host's volumes as mountvol
// would list them. Volumes whose names do not parse (never seen on Windows; wine's can be odd) are
// skipped, so the result is always a valid set.
std::vector<WindowsVolume> list_volumes();
WindowsVolumeSet read_volume_set();

// GetFinalPathNameByHandleW of an existing file or folder: flags VOLUME_NAME_DOS or
// VOLUME_NAME_GUID, with FILE_NAME_NORMALIZED (stored case, long names, links resolved).
std::optional<std::string> final_path_name(const std::string& path, unsigned long volume_flag);

}  // namespace vhdchain::hostpath::live
