// The live Windows volume APIs (see volumes_win32.h and docs/ecosystem.md section 1.1 for what
// each returns). Strings cross the boundary as UTF-8; buffers that the API can outgrow are
// retried at the size it asks for.
#include "hostpath/volumes_win32.h"

#include <algorithm>
#include <cwchar>

#include "io/win32.h"

namespace vhdchain::hostpath::live {
namespace {

// A volume GUID path is 49 characters; 50 with the NUL is the documented buffer size.
constexpr DWORD kVolumeNameChars = 50;

std::string lower_guid_path(const std::wstring& name) {
  std::string text = vhdchain::win32::narrow(name);
  std::optional<WinPath> p = try_parse_windows_path(text);
  if (p && p->kind == WinPathKind::volume_guid && p->components.empty()) return p->root();
  return text;
}

std::string display(std::wstring p) { return vhdchain::win32::narrow(vhdchain::win32::without_long_prefix(std::move(p))); }

std::wstring with_trailing_separator(std::wstring p) {
  if (p.empty() || p.back() != L'\\') p.push_back(L'\\');
  return p;
}

}  // namespace

std::optional<std::string> volume_path_name(const std::string& path) {
  const std::wstring wpath = vhdchain::win32::to_win32_path(path);
  // The mount point is never longer than the path plus a separator, or than a GUID root (49
  // characters) or the boot drive, which relative and NT paths silently yield.
  std::wstring out(std::max<size_t>(wpath.size() + 2, MAX_PATH), L'\0');
  if (!::GetVolumePathNameW(wpath.c_str(), out.data(), static_cast<DWORD>(out.size()))) return std::nullopt;
  out.resize(std::wcslen(out.c_str()));
  return display(with_trailing_separator(out));
}

std::optional<std::string> volume_name_for_mount_point(const std::string& mount_point) {
  const std::wstring wmp = with_trailing_separator(vhdchain::win32::to_win32_path(mount_point));
  wchar_t name[kVolumeNameChars] = {};
  if (!::GetVolumeNameForVolumeMountPointW(wmp.c_str(), name, kVolumeNameChars)) return std::nullopt;
  return lower_guid_path(name);
}

std::optional<std::vector<std::string>> mount_points_of_volume(const std::string& guid_path) {
  const std::wstring wguid = with_trailing_separator(vhdchain::win32::widen(guid_path));
  std::wstring buf(MAX_PATH, L'\0');
  DWORD needed = 0;
  while (!::GetVolumePathNamesForVolumeNameW(wguid.c_str(), buf.data(), static_cast<DWORD>(buf.size()), &needed)) {
    if (::GetLastError() != ERROR_MORE_DATA || needed <= buf.size()) return std::nullopt;
    buf.assign(needed, L'\0');
  }
  // A multi-string: names separated by NUL, ended by an empty one.
  std::vector<std::string> out;
  for (size_t i = 0; i < buf.size() && buf[i] != L'\0';) {
    size_t end = buf.find(L'\0', i);
    if (end == std::wstring::npos) end = buf.size();
    out.push_back(vhdchain::win32::narrow(std::wstring_view(buf).substr(i, end - i)));
    i = end + 1;
  }
  return out;
}

std::vector<WindowsVolume> list_volumes() {
  std::vector<WindowsVolume> out;
  wchar_t name[kVolumeNameChars] = {};
  HANDLE find = ::FindFirstVolumeW(name, kVolumeNameChars);
  if (find == INVALID_HANDLE_VALUE) return out;
  do {
    WindowsVolume v;
    v.guid_path = lower_guid_path(name);
    std::optional<WinPath> guid = try_parse_windows_path(v.guid_path);
    if (!guid || guid->kind != WinPathKind::volume_guid || !guid->components.empty()) continue;
    if (std::optional<std::vector<std::string>> mps = mount_points_of_volume(v.guid_path)) {
      for (std::string& mp : *mps) {
        std::optional<WinPath> p = try_parse_windows_path(mp);
        if (p && p->kind == WinPathKind::drive_absolute) v.mount_points.push_back(p->to_string(true));
      }
    }
    out.push_back(std::move(v));
  } while (::FindNextVolumeW(find, name, kVolumeNameChars));
  ::FindVolumeClose(find);
  return out;
}

WindowsVolumeSet read_volume_set() {
  // The set rejects a mount point listed for two volumes. The system never reports one, but if it
  // did, the first volume keeps it rather than every alias being lost.
  std::vector<WindowsVolume> volumes = list_volumes();
  std::vector<WinPath> seen;
  for (WindowsVolume& v : volumes) {
    std::vector<std::string> kept;
    for (std::string& mp : v.mount_points) {
      WinPath p = parse_windows_path(mp);
      bool duplicate = false;
      for (const WinPath& s : seen) duplicate = duplicate || same_windows_path(s, p);
      if (duplicate) continue;
      seen.push_back(std::move(p));
      kept.push_back(std::move(mp));
    }
    v.mount_points = std::move(kept);
  }
  return WindowsVolumeSet(std::move(volumes));
}

std::optional<std::string> final_path_name(const std::string& path, unsigned long volume_flag) {
  vhdchain::win32::Handle h = vhdchain::win32::open_for_query(vhdchain::win32::to_win32_path(path));
  if (!h.valid()) return std::nullopt;
  const DWORD flags = static_cast<DWORD>(volume_flag) | FILE_NAME_NORMALIZED;
  std::wstring buf(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = ::GetFinalPathNameByHandleW(h.get(), buf.data(), static_cast<DWORD>(buf.size()), flags);
    if (n == 0) return std::nullopt;
    if (n < buf.size()) {
      buf.resize(n);
      break;
    }
    buf.assign(n + 1, L'\0');
  }
  return display(std::move(buf));
}

}  // namespace vhdchain::hostpath::live
