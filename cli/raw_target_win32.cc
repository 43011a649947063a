// Win32 implementation of RawTarget (the POSIX one is raw_target_posix.cc); see raw_target.h.
//
// The same promises as on POSIX, with Windows means:
//   - a new or replaced file is written under a temp name in OUT's folder (same volume, so the
//     final MoveFileExW is a rename, not a copy), marked sparse with FSCTL_SET_SPARSE so skipped
//     zero runs stay unallocated, flushed with FlushFileBuffers, then moved over OUT with
//     MOVEFILE_WRITE_THROUGH. Without --force, MoveFileExW is called without
//     MOVEFILE_REPLACE_EXISTING, so an OUT that appeared meanwhile is refused, not replaced.
//   - Ctrl+C, Ctrl+Break and closing the console remove the temp file (SetConsoleCtrlHandler).
//   - '-' is stdout switched to binary mode: the CRT's text mode would turn every 0x0A byte of the
//     disk into 0x0D 0x0A.
//   - NUL, pipes and other character devices are written as streams.
// The descriptor in fd_ is a CRT descriptor wrapping the HANDLE (_open_osfhandle), so the class
// layout stays the POSIX one; positional writes go to the HANDLE with the offset in an OVERLAPPED.
// Writing a raw disk or volume (\\.\PhysicalDriveN) is refused: it needs volume locking and
// sector-aligned writes that nobody has tested yet (docs/windows.md).
#include "raw_target.h"

#include <fcntl.h>
#include <io.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "io/win32.h"
#include "vhdchain/error.h"

#include <winioctl.h>  // FSCTL_SET_SPARSE; after windows.h, which WIN32_LEAN_AND_MEAN keeps it out of

namespace vhdchain::cli {
namespace {

// One WriteFile takes a DWORD count; 64 MiB keeps each call well inside it.
constexpr size_t kMaxWriteChunk = size_t{64} << 20;

// The temp file to remove when the console asks the process to stop. The handler runs on a thread
// of its own, so the name sits in a fixed buffer that is only written while the handler is off.
wchar_t g_cleanup_path[32768];
std::atomic<bool> g_cleanup_armed{false};

BOOL WINAPI remove_temp_on_stop(DWORD /*event*/) {
  // Our handle shares delete, so this marks the file for deletion; it goes when the process ends.
  if (g_cleanup_armed.load()) ::DeleteFileW(g_cleanup_path);
  return FALSE;  // let the default handler end the process
}

void arm_cleanup(const std::wstring& temp) {
  if (temp.size() >= std::size(g_cleanup_path)) return;  // the destructor still removes it on errors
  std::copy(temp.begin(), temp.end(), g_cleanup_path);
  g_cleanup_path[temp.size()] = L'\0';
  g_cleanup_armed = true;
  ::SetConsoleCtrlHandler(remove_temp_on_stop, TRUE);
}

void disarm_cleanup() {
  g_cleanup_armed = false;
  ::SetConsoleCtrlHandler(remove_temp_on_stop, FALSE);
}

Error refuse(const std::string& message) { return Error(ErrorCode::invalid_argument, message); }

int last_error() { return static_cast<int>(::GetLastError()); }

HANDLE handle_of(int fd) { return reinterpret_cast<HANDLE>(::_get_osfhandle(fd)); }

bool is_console(HANDLE h) {
  DWORD mode = 0;
  return ::GetFileType(h) == FILE_TYPE_CHAR && ::GetConsoleMode(h, &mode);
}

// Hands a HANDLE to the CRT; from then on _close(fd) closes it.
int adopt(win32::Handle h, const std::string& name) {
  const int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h.get()), _O_BINARY);
  if (fd < 0) throw IoError(name, "open", ERROR_TOO_MANY_OPEN_FILES);
  h.release();
  return fd;
}

// "dir\name" -> ("dir\", "name"); also '/' and a drive-relative "C:name" (io::last_separator). The
// temp file is the prefix + "." + name + a suffix, so no separator rule is needed to rebuild the folder.
std::pair<std::string, std::string> split_folder(const std::string& path) {
  const size_t name_at = path.size() - io::file_name_of(path).size();
  return {path.substr(0, name_at), path.substr(name_at)};
}

void check_not_an_input(const std::string& out, HANDLE h, const std::vector<FileIdentity>& inputs) {
  std::optional<win32::FileId> id = win32::file_id_of(h);
  if (!id) return;
  const FileIdentity key{id->volume, id->high, id->low};
  for (const FileIdentity& input : inputs)
    if (input == key) throw refuse(fmt::format("{}: is one of the chain's own files; refusing to overwrite an input", out));
}

// Creates the temp file beside OUT. Sharing delete lets the console handler remove it.
win32::Handle create_temp(const std::string& out, std::string& temp) {
  const auto [folder, base] = split_folder(out);
  for (unsigned attempt = 0;; ++attempt) {
    temp = fmt::format("{}.{}.vhdchain-{:x}-{:x}", folder, base, ::GetCurrentProcessId(), ::GetTickCount() + attempt);
    win32::Handle h(::CreateFileW(win32::to_win32_path(temp).c_str(), GENERIC_READ | GENERIC_WRITE,
                                  FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                                  nullptr));
    if (h.valid()) return h;
    const DWORD e = ::GetLastError();
    if ((e != ERROR_FILE_EXISTS && e != ERROR_ALREADY_EXISTS) || attempt == 100)
      throw IoError(out, "create", static_cast<int>(e));
  }
}

}  // namespace

std::unique_ptr<RawTarget> RawTarget::open(const std::string& out, bool force, uint64_t size,
                                           const std::vector<FileIdentity>& inputs) {
  if (out == "-") {
    const int fd = ::_fileno(stdout);
    if (is_console(handle_of(fd)))
      throw refuse("refusing to write a raw disk image to a terminal; redirect stdout or give a file name");
    std::fflush(stdout);
    ::_setmode(fd, _O_BINARY);
    return std::unique_ptr<RawTarget>(new RawTarget(Kind::stream, fd, "<stdout>", "", size, force));
  }

  const std::wstring wout = win32::to_win32_path(out);
  win32::Handle existing = win32::open_for_query(wout);
  if (existing.valid()) {
    check_not_an_input(out, existing.get(), inputs);
    const DWORD type = ::GetFileType(existing.get());
    if (type == FILE_TYPE_CHAR || type == FILE_TYPE_PIPE) {
      if (is_console(existing.get())) throw refuse(fmt::format("{}: is the console; give a file name", out));
      win32::Handle h(::CreateFileW(wout.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                    OPEN_EXISTING, 0, nullptr));
      if (!h.valid()) throw IoError(out, "open", last_error());
      return std::unique_ptr<RawTarget>(new RawTarget(Kind::stream, adopt(std::move(h), out), out, "", size, force));
    }
    if (win32::has_namespace_prefix(wout) && wout[2] == L'.')
      throw refuse(fmt::format("{}: writing to a disk or volume device is not supported on Windows; give a file name", out));
    FILE_BASIC_INFO basic{};
    if (::GetFileInformationByHandleEx(existing.get(), FileBasicInfo, &basic, sizeof basic) &&
        (basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
      throw refuse(fmt::format("{}: is a folder; give the file name to write", out));
    if (!force) throw refuse(fmt::format("{}: already exists; use --force to replace it", out));
  } else if (const DWORD e = ::GetLastError(); e != ERROR_FILE_NOT_FOUND && e != ERROR_PATH_NOT_FOUND) {
    // A missing folder is reported by the temp file's creation below, as on POSIX.
    throw IoError(out, "open", static_cast<int>(e));
  }
  existing = win32::Handle();

  std::string temp;
  win32::Handle h = create_temp(out, temp);
  arm_cleanup(win32::to_win32_path(temp));
  // Not every file system can be sparse (FAT, some shares): then skipped runs read as zeros anyway,
  // they just take space.
  DWORD returned = 0;
  ::DeviceIoControl(h.get(), FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &returned, nullptr);
  const int fd = adopt(std::move(h), temp);
  return std::unique_ptr<RawTarget>(new RawTarget(Kind::new_file, fd, out, std::move(temp), size, force));
}

RawTarget::~RawTarget() {
  if (fd_ >= 0 && fd_ != ::_fileno(stdout)) ::_close(fd_);
  if (kind_ == Kind::new_file && !committed_) {
    ::DeleteFileW(win32::to_win32_path(temp_).c_str());
    disarm_cleanup();
  }
}

void RawTarget::write_at_position(const uint8_t* data, size_t length) {
  const std::string& name = kind_ == Kind::new_file ? temp_ : out_;
  size_t done = 0;
  while (done < length) {
    const unsigned want = static_cast<unsigned>(std::min(length - done, kMaxWriteChunk));
    DWORD put = 0;
    if (kind_ == Kind::stream) {
      // _write on the binary-mode descriptor: no text translation, and pipes and NUL accept it.
      const int n = ::_write(fd_, data + done, want);
      if (n < 0) throw IoError(name, "write", last_error(), position_ + done);
      put = static_cast<DWORD>(n);
    } else {
      OVERLAPPED at{};
      at.Offset = static_cast<DWORD>(position_ + done);
      at.OffsetHigh = static_cast<DWORD>((position_ + done) >> 32);
      if (!::WriteFile(handle_of(fd_), data + done, want, &put, &at))
        throw IoError(name, "write", last_error(), position_ + done);
    }
    if (put == 0) throw IoError(name, "write", ERROR_WRITE_FAULT, position_ + done);
    done += put;
  }
  position_ += length;
}

void RawTarget::rename_into_place() {
  const DWORD flags = MOVEFILE_WRITE_THROUGH | (force_ ? MOVEFILE_REPLACE_EXISTING : 0);
  if (::MoveFileExW(win32::to_win32_path(temp_).c_str(), win32::to_win32_path(out_).c_str(), flags)) return;
  const DWORD e = ::GetLastError();
  if (!force_ && (e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS))
    throw refuse(fmt::format("{}: appeared while exporting; use --force to replace it", out_));
  throw IoError(out_, "rename the finished temp file to", static_cast<int>(e));
}

void RawTarget::commit() {
  if (position_ != size_)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: {} bytes written, {} expected", out_, position_, size_));
  if (kind_ == Kind::stream) return;
  const std::string& name = temp_;
  // Trailing zero runs were skipped: the size makes them a hole at the end.
  FILE_END_OF_FILE_INFO eof{};
  eof.EndOfFile.QuadPart = static_cast<LONGLONG>(size_);
  if (!::SetFileInformationByHandle(handle_of(fd_), FileEndOfFileInfo, &eof, sizeof eof))
    throw IoError(name, "resize", last_error());
  if (!::FlushFileBuffers(handle_of(fd_))) throw IoError(name, "flush", last_error());
  // MoveFileExW opens the file again for the rename; closing ours first avoids a sharing conflict.
  ::_close(fd_);
  fd_ = -1;
  rename_into_place();
  committed_ = true;
  disarm_cleanup();
}

}  // namespace vhdchain::cli
