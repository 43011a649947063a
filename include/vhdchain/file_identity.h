// Which file a path or an open handle names, and why the system refused a path: the io layer's
// answer, shared by chain/ (loop detection), hostpath/ (aliases), check/ and the CLI, so every part
// of the tool agrees on "same file" and on "not found".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vhdchain {

class File;

// Which file a path names. Two paths name the same file iff their identities are equal.
// POSIX: volume_id = st_dev, file_id_low = st_ino (high half zero). Windows: FILE_ID_INFO's 64-bit
// VolumeSerialNumber and 128-bit FileId (bytes 0..7 -> file_id_low, 8..15 -> file_id_high, LE).
struct FileIdentity {
  uint64_t volume_id = 0;
  uint64_t file_id_high = 0;
  uint64_t file_id_low = 0;

  // "volume 0xfe00 file 0x0000000000000000000000000000a72c" (for messages and JSON).
  std::string to_string() const;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
  friend auto operator<=>(const FileIdentity&, const FileIdentity&) = default;
};

// Why the system refused a path, independent of the platform's error numbering.
enum class AccessStatus {
  ok,
  // Nothing is there. POSIX: ENOENT, ENOTDIR (a component is a file). Win32: FILE_NOT_FOUND,
  // PATH_NOT_FOUND, DIRECTORY (ENOTDIR's counterpart), INVALID_DRIVE, INVALID_NAME, BAD_PATHNAME,
  // and BAD_NETPATH / BAD_NET_NAME: a server or share a locator names that this host cannot reach
  // is, for a Hyper-V path, a parent that is not there, not a failing disk.
  not_found,
  access_denied,  // EACCES, EPERM; ERROR_ACCESS_DENIED
  other,          // anything else (ELOOP, EIO, ENAMETOOLONG, ERROR_SHARING_VIOLATION, ...)
};
std::string_view to_string(AccessStatus status);  // "ok", "not_found", "access_denied", "other"
// Classifies a raw errno (POSIX) / GetLastError() (Win32) value, as IoError::errno_value() holds it.
AccessStatus classify_access_error(int error);

struct FileIdentityResult {
  FileIdentity identity;                  // valid only when ok()
  int error = 0;                          // errno / GetLastError(); 0 on success
  AccessStatus status = AccessStatus::ok;
  bool ok() const { return error == 0; }
};

// The identity of the file `path` names, following symlinks (stat). Never throws for the path's own
// failure: it is returned.
FileIdentityResult file_identity(const std::string& path);

// The identity of an open file (fstat / FILE_ID_INFO of its handle), so the identity is that of the
// file actually read even if its path is replaced meanwhile. Throws IoError(name, "stat", error).
FileIdentity file_identity(const File& file);

}  // namespace vhdchain
