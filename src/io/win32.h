// Win32 helpers shared by the *_win32.cc files (io, hostpath; chain's host opener): text and
// path conversion at the API boundary, a handle owner, and a file's identity from a handle.
//
// The library speaks UTF-8 everywhere; Win32 speaks UTF-16. Converting at each call keeps one
// string type in every interface. Paths are passed to the W functions, and ones too long for the
// classic MAX_PATH limit get the \\?\ prefix, which lifts it without needing the
// LongPathsEnabled registry switch and an application manifest.
#pragma once

#ifndef _WIN32
#error "win32.h is for Windows builds only"
#endif

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vhdchain::win32 {

// UTF-8 -> UTF-16. Invalid UTF-8 becomes U+FFFD (what MultiByteToWideChar does without
// MB_ERR_INVALID_CHARS), so a malformed name fails to open instead of throwing here.
inline std::wstring widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

// UTF-16 -> UTF-8. NTFS names may hold unpaired surrogates; they become U+FFFD (such a name
// cannot be reopened from the result, which is the price of one UTF-8 string type).
inline std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), nullptr, 0,
                                      nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n, nullptr,
                        nullptr);
  return out;
}

// GetFullPathNameW: the absolute, lexically normalised form ("." and ".." applied, '/' -> '\').
// Works on any length. Returns the input when the call fails (an empty path).
inline std::wstring full_path(const std::wstring& path) {
  std::wstring out(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = ::GetFullPathNameW(path.c_str(), static_cast<DWORD>(out.size()), out.data(), nullptr);
    if (n == 0) return path;
    if (n < out.size()) {
      out.resize(n);
      return out;
    }
    out.resize(n);  // n counts the terminating NUL when the buffer was too small
  }
}

// True for \\?\ (no normalisation, no length limit) and \\.\ (device namespace) paths.
inline bool has_namespace_prefix(std::wstring_view p) {
  return p.size() >= 4 && p[0] == L'\\' && p[1] == L'\\' && (p[2] == L'?' || p[2] == L'.') && p[3] == L'\\';
}

// "\\?\C:\x" -> "C:\x", "\\?\UNC\srv\share\x" -> "\\srv\share\x": the form users type and
// locators hold, for what the APIs return (GetFinalPathNameByHandleW always adds the prefix).
// Volume GUID paths keep theirs: it is part of the name.
inline std::wstring without_long_prefix(std::wstring p) {
  if (p.rfind(L"\\\\?\\UNC\\", 0) == 0) {
    p.erase(2, 6);
  } else if (p.size() >= 6 && p.rfind(L"\\\\?\\", 0) == 0 && p[5] == L':') {
    p.erase(0, 4);
  }
  return p;
}

// A UTF-8 path in the form CreateFileW and friends accept. '/' becomes '\'. Short paths are
// passed as written, so relative paths, device names and Windows' own normalisation behave as
// users expect. A path at or past the limit is made absolute (GetFullPathNameW, which also
// applies "." and "..", since \\?\ turns normalisation off) and prefixed: \\?\C:\... or
// \\?\UNC\server\share\.... The limit is MAX_PATH - 12 because CreateDirectoryW keeps room for
// an 8.3 name; files get the same threshold for simplicity.
inline std::wstring to_win32_path(std::string_view utf8) {
  std::wstring p = widen(utf8);
  for (wchar_t& c : p)
    if (c == L'/') c = L'\\';
  if (has_namespace_prefix(p) || p.size() < MAX_PATH - 12) return p;
  std::wstring full = full_path(p);
  if (has_namespace_prefix(full)) return full;
  if (full.size() >= 2 && full[0] == L'\\' && full[1] == L'\\') return L"\\\\?\\UNC\\" + full.substr(2);
  if (full.size() >= 3 && full[1] == L':' && full[2] == L'\\') return L"\\\\?\\" + full;
  return full;
}

// Owns a HANDLE from CreateFileW (INVALID_HANDLE_VALUE when empty).
class Handle {
 public:
  explicit Handle(HANDLE h = INVALID_HANDLE_VALUE) : h_(h) {}
  ~Handle() {
    if (valid()) ::CloseHandle(h_);
  }
  Handle(Handle&& o) noexcept : h_(o.release()) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      if (valid()) ::CloseHandle(h_);
      h_ = o.release();
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  bool valid() const { return h_ != INVALID_HANDLE_VALUE && h_ != nullptr; }
  HANDLE get() const { return h_; }
  HANDLE release() {
    HANDLE h = h_;
    h_ = INVALID_HANDLE_VALUE;
    return h;
  }

 private:
  HANDLE h_;
};

// Opens a file or folder only to ask about it: no data access, every sharing mode allowed (a disk
// Hyper-V holds open is still asked), folders allowed (FILE_FLAG_BACKUP_SEMANTICS), symlinks and
// junctions followed like stat() does.
inline Handle open_for_query(const std::wstring& path) {
  return Handle(::CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
}

// The identity of an open file: FILE_ID_INFO's 64-bit volume serial number and 128-bit file id
// (documented as unique on one machine; what ReFS needs). Where the file system or the OS does
// not answer FileIdInfo (FAT, older wine) it falls back to BY_HANDLE_FILE_INFORMATION: a 32-bit
// serial and a 64-bit index. One file system always answers the same way, so identities of two
// files on it compare; `from_file_id_info` says which source was used. nullopt: GetLastError().
struct FileId {
  uint64_t volume = 0;
  uint64_t high = 0;  // FileId bytes 8..15 (little-endian)
  uint64_t low = 0;   // FileId bytes 0..7
  bool from_file_id_info = true;
};

inline std::optional<FileId> file_id_of(HANDLE h) {
  FILE_ID_INFO info{};
  if (::GetFileInformationByHandleEx(h, FileIdInfo, &info, sizeof info)) {
    FileId id;
    id.volume = info.VolumeSerialNumber;
    for (int i = 7; i >= 0; --i) {
      id.low = (id.low << 8) | info.FileId.Identifier[i];
      id.high = (id.high << 8) | info.FileId.Identifier[8 + i];
    }
    return id;
  }
  BY_HANDLE_FILE_INFORMATION basic{};
  if (!::GetFileInformationByHandle(h, &basic)) return std::nullopt;
  FileId id;
  id.volume = basic.dwVolumeSerialNumber;
  id.low = (uint64_t{basic.nFileIndexHigh} << 32) | basic.nFileIndexLow;
  id.from_file_id_info = false;
  return id;
}

}  // namespace vhdchain::win32
