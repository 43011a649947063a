// Win32 side of fs_ops.h. MOVEFILE_WRITE_THROUGH makes MoveFileExW return only once the move is
// on disk, so no directory flush is needed (or possible) here.
#include "io/fs_ops.h"

#include "io/io_event_hook.h"
#include "io/win32.h"
#include "vhdchain/error.h"

namespace vhdchain::io {

void sync_parent_directory(const std::string&) {}

void rename_no_replace(const std::string& from, const std::string& to) {
  // Without MOVEFILE_REPLACE_EXISTING the move fails with ERROR_ALREADY_EXISTS.
  if (!::MoveFileExW(win32::to_win32_path(from).c_str(), win32::to_win32_path(to).c_str(), MOVEFILE_WRITE_THROUGH)) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS)
      throw IoError(to, "create (a file of that name exists)", static_cast<int>(e));
    throw IoError(to, "rename", static_cast<int>(e));
  }
  notify_io_event(IoEvent::rename, to);
}

void rename_replace(const std::string& from, const std::string& to) {
  if (!::MoveFileExW(win32::to_win32_path(from).c_str(), win32::to_win32_path(to).c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    throw IoError(to, "rename", static_cast<int>(::GetLastError()));
  notify_io_event(IoEvent::rename, to);
}

void remove_file(const std::string& path) {
  if (!::DeleteFileW(win32::to_win32_path(path).c_str())) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) return;
    throw IoError(path, "remove", static_cast<int>(e));
  }
  notify_io_event(IoEvent::remove, path);
}

bool path_exists(const std::string& path) {
  return ::GetFileAttributesW(win32::to_win32_path(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

}  // namespace vhdchain::io
