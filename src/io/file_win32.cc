// Win32 implementation of vhdchain::File (the POSIX one is file_posix.cc).
//
// Read-only opens ask for GENERIC_READ and share read, write and delete, so a disk that Hyper-V or
// a backup holds open can still be inspected; nothing is ever written through them. Writable opens
// share read only: another writer (a running VM) makes the open fail, which we report as "locked".
// They also take an exclusive LockFileEx lock, the counterpart of flock(), on one byte far past any
// real data: Windows byte-range locks are mandatory, so locking the data itself would make other
// processes' reads fail, while a lock out there only meets another vhdchain writer's lock.
//
// Positional I/O is ReadFile/WriteFile with the offset in an OVERLAPPED on a synchronous handle:
// each call carries its own offset, so concurrent read_at calls are safe (the handle's file pointer
// moves, but nothing uses it). Requests are split into chunks because one call takes a DWORD count
// and large requests on network or unbuffered handles can fail with ERROR_NO_SYSTEM_RESOURCES.
//
// Error numbers in IoError are GetLastError() values.
#include <algorithm>

#include <fmt/format.h>

#include "io/win32.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "io/file_lock.h"
#include "io/io_event_hook.h"

namespace vhdchain {
namespace {

constexpr size_t kMaxIoChunk = size_t{64} << 20;
constexpr uint64_t kLockOffset = io::kWin32LockOffset;

// ERROR_DIRECTORY_NOT_SUPPORTED ("An operation is not supported on a directory"); mingw-w64 10's
// winerror.h lacks the name.
constexpr DWORD kErrorDirectoryNotSupported = 336;

HANDLE handle_of(intptr_t h) { return reinterpret_cast<HANDLE>(h); }

OVERLAPPED at_offset(uint64_t offset) {
  OVERLAPPED ov{};
  ov.Offset = static_cast<DWORD>(offset);
  ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
  return ov;
}

[[noreturn]] void throw_locked(const std::string& path) {
  throw Error(ErrorCode::locked, fmt::format("{}: is locked by another process", path));
}

bool is_directory(const std::wstring& path) {
  DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

}  // namespace

std::unique_ptr<File> File::open(const std::string& path, OpenMode mode) {
  const std::wstring wpath = win32::to_win32_path(path);
  DWORD access = GENERIC_READ;
  DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  DWORD disposition = OPEN_EXISTING;
  switch (mode) {
    case OpenMode::read_only: break;
    case OpenMode::read_write:
      access |= GENERIC_WRITE;
      share = FILE_SHARE_READ;
      break;
    case OpenMode::create_new:
      access |= GENERIC_WRITE;
      share = FILE_SHARE_READ;
      disposition = CREATE_NEW;
      break;
  }
  win32::Handle h(::CreateFileW(wpath.c_str(), access, share, nullptr, disposition, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h.valid()) {
    DWORD e = ::GetLastError();
    if (e == ERROR_SHARING_VIOLATION || e == ERROR_LOCK_VIOLATION) throw_locked(path);
    // CreateFileW refuses folders with "access denied"; say what really happened (EISDIR on POSIX).
    if (e == ERROR_ACCESS_DENIED && is_directory(wpath)) e = kErrorDirectoryNotSupported;
    throw IoError(path, "open", static_cast<int>(e));
  }
  LARGE_INTEGER size{};
  if (!::GetFileSizeEx(h.get(), &size)) throw IoError(path, "stat", static_cast<int>(::GetLastError()));
  // The lock is already ours when this process's write preflight holds it (io/file_lock.h).
  BY_HANDLE_FILE_INFORMATION id{};
  const bool ours = mode != OpenMode::read_only && ::GetFileInformationByHandle(h.get(), &id) &&
                    io::held_exclusively_here({id.dwVolumeSerialNumber,
                                               (uint64_t{id.nFileIndexHigh} << 32) | id.nFileIndexLow});
  if (mode != OpenMode::read_only && !ours) {
    OVERLAPPED ov = at_offset(kLockOffset);
    if (!::LockFileEx(h.get(), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) {
      DWORD e = ::GetLastError();
      if (e == ERROR_LOCK_VIOLATION || e == ERROR_SHARING_VIOLATION) throw_locked(path);
      throw IoError(path, "lock", static_cast<int>(e));
    }
  }
  const auto native = reinterpret_cast<intptr_t>(h.release());
  return std::unique_ptr<File>(new File(path, native, mode, static_cast<uint64_t>(size.QuadPart)));
}

File::File(std::string path, intptr_t handle, OpenMode mode, uint64_t size)
    : path_(std::move(path)), handle_(handle), mode_(mode), size_(size) {}

// Closing the handle releases the lock.
File::~File() { ::CloseHandle(handle_of(handle_)); }

void File::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: read of {} bytes @{:#x} is past the end of the file ({:#x} bytes)", path_,
                            out.size(), offset, size_));
  size_t done = 0;
  while (done < out.size()) {
    const DWORD want = static_cast<DWORD>(std::min(out.size() - done, kMaxIoChunk));
    OVERLAPPED ov = at_offset(offset + done);
    DWORD got = 0;
    if (!::ReadFile(handle_of(handle_), out.data() + done, want, &got, &ov)) {
      DWORD e = ::GetLastError();
      // ERROR_HANDLE_EOF: the file shrank under us (another process truncated it).
      throw IoError(path_, "read", static_cast<int>(e), offset + done);
    }
    if (got == 0) throw IoError(path_, "read", ERROR_HANDLE_EOF, offset + done);
    done += got;
  }
}

void File::write_at(uint64_t offset, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    const DWORD want = static_cast<DWORD>(std::min(data.size() - done, kMaxIoChunk));
    OVERLAPPED ov = at_offset(offset + done);
    DWORD put = 0;
    if (!::WriteFile(handle_of(handle_), data.data() + done, want, &put, &ov))
      throw IoError(path_, "write", static_cast<int>(::GetLastError()), offset + done);
    if (put == 0) throw IoError(path_, "write", ERROR_WRITE_FAULT, offset + done);
    done += put;
  }
  if (offset + data.size() > size_) size_ = offset + data.size();
  io::notify_io_event(IoEvent::write, path_);
}

// FlushFileBuffers writes the file's data and metadata through the volume cache.
void File::flush() {
  if (!::FlushFileBuffers(handle_of(handle_))) throw IoError(path_, "flush", static_cast<int>(::GetLastError()));
  io::notify_io_event(IoEvent::flush, path_);
}

// Growing sets the end of file without writing: NTFS reads the new range as zeros (past the valid
// data length). We do not make the file sparse: Hyper-V refuses to attach sparse virtual disks.
void File::resize(uint64_t new_size) {
  FILE_END_OF_FILE_INFO eof{};
  eof.EndOfFile.QuadPart = static_cast<LONGLONG>(new_size);
  if (!::SetFileInformationByHandle(handle_of(handle_), FileEndOfFileInfo, &eof, sizeof eof))
    throw IoError(path_, "resize", static_cast<int>(::GetLastError()));
  size_ = new_size;
  io::notify_io_event(IoEvent::resize, path_);
}

// GetCompressedFileSizeW counts what compressed and sparse files really occupy; it takes a path,
// so the handle's FILE_STANDARD_INFO allocation size is the fallback when the path no longer works.
uint64_t File::allocated_bytes() const {
  DWORD high = 0;
  const std::wstring wpath = win32::to_win32_path(path_);
  ::SetLastError(NO_ERROR);  // a size whose low half is 0xffffffff is told apart by NO_ERROR
  DWORD low = ::GetCompressedFileSizeW(wpath.c_str(), &high);
  if (low != INVALID_FILE_SIZE || ::GetLastError() == NO_ERROR) return (uint64_t{high} << 32) | low;
  FILE_STANDARD_INFO standard{};
  if (!::GetFileInformationByHandleEx(handle_of(handle_), FileStandardInfo, &standard, sizeof standard))
    throw IoError(path_, "stat", static_cast<int>(::GetLastError()));
  return static_cast<uint64_t>(standard.AllocationSize.QuadPart);
}

}  // namespace vhdchain
