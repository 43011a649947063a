// File identity on Windows: FILE_ID_INFO (64-bit volume serial number + 128-bit file id), which
// Microsoft documents as identifying a file uniquely on one machine: the same file reached
// through D:\ and through C:\Hyper-V\ (one volume, two mount points) has one identity. The handle
// is opened for attributes only, with full sharing (disks in use are still identified), folders
// allowed and reparse points followed, as stat() follows symlinks on POSIX.
#include "io/win32.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/file_identity.h"

namespace vhdchain {
namespace {

FileIdentity identity_of(const win32::FileId& id) { return FileIdentity{id.volume, id.high, id.low}; }

}  // namespace

// Win32 error codes; the POSIX table is in file_identity_posix.cc. Besides "file" and "path not
// found", a drive letter, a server or a share that does not exist, or a name this host cannot hold,
// means nothing is there (file_identity.h says why for network paths), and ERROR_DIRECTORY (a file
// used as a folder) is ENOTDIR's counterpart.
AccessStatus classify_access_error(int error) {
  switch (error) {
    case 0: return AccessStatus::ok;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_DIRECTORY:
    case ERROR_INVALID_DRIVE:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME: return AccessStatus::not_found;
    case ERROR_ACCESS_DENIED: return AccessStatus::access_denied;
    default: return AccessStatus::other;
  }
}

FileIdentityResult file_identity(const std::string& path) {
  FileIdentityResult r;
  // CreateFileW("") fails with ERROR_PATH_NOT_FOUND; say so without asking.
  win32::Handle h = path.empty() ? win32::Handle() : win32::open_for_query(win32::to_win32_path(path));
  std::optional<win32::FileId> id;
  if (h.valid()) id = win32::file_id_of(h.get());
  if (!id) {
    r.error = path.empty() ? ERROR_PATH_NOT_FOUND : static_cast<int>(::GetLastError());
    if (r.error == 0) r.error = ERROR_GEN_FAILURE;  // never report failure as success
    r.status = classify_access_error(r.error);
    return r;
  }
  r.identity = identity_of(*id);
  return r;
}

FileIdentity file_identity(const File& file) {
  std::optional<win32::FileId> id = win32::file_id_of(reinterpret_cast<HANDLE>(file.native_handle()));
  if (!id) throw IoError(file.name(), "stat", static_cast<int>(::GetLastError()));
  return identity_of(*id);
}

}  // namespace vhdchain
