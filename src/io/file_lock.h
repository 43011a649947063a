// Locks held on files without writing them: what a write's preflight (src/write/preflight.h) holds
// from before its first check until after its last byte, so no other process can change a file
// between "validated" and "written", nor write one this process is reading.
//
// The lock is the one File::open takes for writing (flock + an OFD byte-range lock on POSIX,
// LockFileEx on Windows), so a concurrent vhdchain writer, or QEMU, is kept out. A writable
// File::open of a file this process already holds exclusively here takes that lock as its own:
// flock and LockFileEx locks belong to one open file description / handle, so a second open in the
// same process would otherwise conflict with its own preflight.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace vhdchain::io {

enum class LockKind {
  shared,     // the file is read: others may read, nobody may write
  exclusive,  // the file will be written: nobody else may open it for writing or lock it
};

// Windows: the byte File::open and acquire_lock lock (2^62: beyond the largest VHDX and VHD, below
// the signed 64-bit offsets NTFS accepts; file_win32.cc says why a byte out there).
constexpr uint64_t kWin32LockOffset = uint64_t{1} << 62;

// Which file a lock is on (POSIX: st_dev, st_ino; Windows: volume serial number, file index).
struct LockKey {
  uint64_t volume = 0;
  uint64_t file = 0;
  friend bool operator==(const LockKey&, const LockKey&) = default;
};

class HeldLock {
 public:
  virtual ~HeldLock() = default;
};

// Takes `kind` on `path` without waiting. A file already held by this process with the same or a
// stronger kind is shared (counted), not locked again. Throws Error(locked) "<path>: is locked by
// another process" when another process holds a conflicting lock, IoError when the file cannot be
// opened (exclusive opens it for writing, so a read-only or immutable file fails here), and
// Error(locked) when this process holds it shared and asks for exclusive (never upgraded).
std::unique_ptr<HeldLock> acquire_lock(const std::string& path, LockKind kind);

// True while acquire_lock(..., exclusive) holds the file with this key (File::open asks).
bool held_exclusively_here(const LockKey& key);

}  // namespace vhdchain::io
