// Scratch folders and files for the Win32 tests, created through the W APIs so long and non-ASCII
// names work the same way the library's own calls see them. Paths are UTF-8 with '\' separators,
// under GetTempPathW (C:\users\<user>\Temp under wine), so they have a drive letter and a volume.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "io/win32.h"

namespace vhdchain::test {

inline std::string win32_join(const std::string& dir, std::string_view name) {
  return dir.back() == '\\' ? dir + std::string(name) : dir + "\\" + std::string(name);
}

// Creates one folder (its parent must exist). Long paths are fine: to_win32_path adds \\?\.
inline void win32_mkdir(const std::string& path) {
  ASSERT_TRUE(::CreateDirectoryW(win32::to_win32_path(path).c_str(), nullptr))
      << path << ": CreateDirectoryW failed with " << ::GetLastError();
}

inline void win32_write(const std::string& path, std::string_view content) {
  win32::Handle h(::CreateFileW(win32::to_win32_path(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                FILE_ATTRIBUTE_NORMAL, nullptr));
  ASSERT_TRUE(h.valid()) << path << ": CreateFileW failed with " << ::GetLastError();
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(h.get(), content.data(), static_cast<DWORD>(content.size()), &written, nullptr));
}

// Removes a tree; \\?\ on every call so folders deeper than MAX_PATH go too.
inline void win32_remove_tree(const std::string& path) {
  const std::wstring wpath = win32::to_win32_path(path);
  DWORD attributes = ::GetFileAttributesW(wpath.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return;
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) && !(attributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
    WIN32_FIND_DATAW found{};
    HANDLE find = ::FindFirstFileW(win32::to_win32_path(win32_join(path, "*")).c_str(), &found);
    if (find != INVALID_HANDLE_VALUE) {
      do {
        std::wstring name = found.cFileName;
        if (name != L"." && name != L"..") win32_remove_tree(win32_join(path, win32::narrow(name)));
      } while (::FindNextFileW(find, &found));
      ::FindClose(find);
    }
    ::RemoveDirectoryW(wpath.c_str());
  } else {
    ::SetFileAttributesW(wpath.c_str(), FILE_ATTRIBUTE_NORMAL);
    ::DeleteFileW(wpath.c_str());
  }
}

// A fresh folder under the user's temp folder, removed by the destructor.
class Win32TempDir {
 public:
  Win32TempDir() {
    wchar_t buf[MAX_PATH + 1] = {};
    DWORD n = ::GetTempPathW(MAX_PATH + 1, buf);
    std::string base = win32::narrow(std::wstring_view(buf, n));
    static int counter = 0;
    path_ = win32_join(base, "vhdchain-w32-" + std::to_string(::GetCurrentProcessId()) + "-" + std::to_string(counter++));
    win32_remove_tree(path_);
    ::CreateDirectoryW(win32::to_win32_path(path_).c_str(), nullptr);
    // GetTempPathW may name the folder by its 8.3 name; the tests compare with final paths.
    path_ = win32::narrow(win32::without_long_prefix(final_name(path_)));
  }
  ~Win32TempDir() { win32_remove_tree(path_); }
  Win32TempDir(const Win32TempDir&) = delete;
  Win32TempDir& operator=(const Win32TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return win32_join(path_, name); }

 private:
  static std::wstring final_name(const std::string& path) {
    win32::Handle h = win32::open_for_query(win32::to_win32_path(path));
    std::wstring out(32768, L'\0');
    DWORD n = h.valid() ? ::GetFinalPathNameByHandleW(h.get(), out.data(), static_cast<DWORD>(out.size()), 0) : 0;
    if (n == 0 || n >= out.size()) return win32::widen(path);
    out.resize(n);
    return out;
  }
  std::string path_;
};

}  // namespace vhdchain::test
