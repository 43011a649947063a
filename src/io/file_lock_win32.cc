// Win32 locks for file_lock.h: LockFileEx on the byte File::open locks (file_win32.cc says why that
// byte). The handle asks only for reading and shares everything, so the writer's own later open
// (GENERIC_WRITE, sharing read) still succeeds; another process's writable open then fails at its
// LockFileEx, as it would against a vhdchain writer.
#include <fmt/format.h>

#include "io/file_lock_registry.h"
#include "io/win32.h"
#include "vhdchain/error.h"

namespace vhdchain::io::detail {
namespace {

LockKey key_of_handle(HANDLE h, const std::string& path) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(h, &info)) throw IoError(path, "stat", static_cast<int>(::GetLastError()));
  return {info.dwVolumeSerialNumber, (uint64_t{info.nFileIndexHigh} << 32) | info.nFileIndexLow};
}

win32::Handle open_for_lock(const std::string& path) {
  const std::wstring wpath = win32::to_win32_path(path);
  win32::Handle h(::CreateFileW(wpath.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h.valid()) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_SHARING_VIOLATION || e == ERROR_LOCK_VIOLATION)
      throw Error(ErrorCode::locked, fmt::format("{}: is locked by another process", path));
    throw IoError(path, "open", static_cast<int>(e));
  }
  return h;
}

}  // namespace

LockKey key_of(const std::string& path) {
  const win32::Handle h = open_for_lock(path);
  return key_of_handle(h.get(), path);
}

NativeLock open_locked(const std::string& path, LockKind kind) {
  win32::Handle h = open_for_lock(path);
  if (kind == LockKind::exclusive) {
    const DWORD attributes = ::GetFileAttributesW(win32::to_win32_path(path).c_str());
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_READONLY))
      throw IoError(path, "open for writing", ERROR_ACCESS_DENIED);
  }
  OVERLAPPED ov{};
  ov.OffsetHigh = static_cast<DWORD>(kWin32LockOffset >> 32);
  const DWORD flags = LOCKFILE_FAIL_IMMEDIATELY | (kind == LockKind::exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0);
  if (!::LockFileEx(h.get(), flags, 0, 1, 0, &ov)) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_LOCK_VIOLATION || e == ERROR_SHARING_VIOLATION)
      throw Error(ErrorCode::locked, fmt::format("{}: is locked by another process", path));
    throw IoError(path, "lock", static_cast<int>(e));
  }
  const LockKey key = key_of_handle(h.get(), path);
  return {reinterpret_cast<intptr_t>(h.release()), key};
}

void close_native(intptr_t handle) { ::CloseHandle(reinterpret_cast<HANDLE>(handle)); }

}  // namespace vhdchain::io::detail
