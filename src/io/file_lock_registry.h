// The platform half of file_lock.h: open a file and lock it (file_lock_posix.cc, file_lock_win32.cc);
// file_lock.cc keeps the process-wide table of what is held and shares held locks.
#pragma once

#include <cstdint>
#include <string>

#include "io/file_lock.h"

namespace vhdchain::io::detail {

struct NativeLock {
  intptr_t handle = -1;  // fd / HANDLE, kept open while the lock is held
  LockKey key;
};

// The file's key without locking it (an open for reading).
LockKey key_of(const std::string& path);
// Opens `path` (exclusive: for writing) and locks it without waiting; throws as acquire_lock says.
NativeLock open_locked(const std::string& path, LockKind kind);
void close_native(intptr_t handle);

}  // namespace vhdchain::io::detail
