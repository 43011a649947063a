#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "io/win32.h"
#include "output_file.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // A dot-name in the same folder: windows_exporter reads only *.prom, so it never sees the temp file.
  std::filesystem::path target(win32::widen(path));
  std::filesystem::path temp =
      target.parent_path() / (L"." + target.filename().wstring() + L".tmp." + std::to_wstring(::GetCurrentProcessId()));
  const std::string temp_name = win32::narrow(temp.wstring());
  HANDLE h = ::CreateFileW(temp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) throw IoError(temp_name, "create", int(::GetLastError()));
  auto fail = [&](const std::string& name, const char* action) {
    const int error = int(::GetLastError());
    if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
    ::DeleteFileW(temp.c_str());
    throw IoError(name, action, error);
  };
  for (size_t done = 0; done < text.size();) {
    DWORD n = 0;
    const DWORD chunk = DWORD(std::min<size_t>(text.size() - done, 1u << 30));
    if (!::WriteFile(h, text.data() + done, chunk, &n, nullptr)) fail(temp_name, "write");
    done += n;
  }
  if (!::FlushFileBuffers(h)) fail(temp_name, "flush");
  ::CloseHandle(h);
  h = INVALID_HANDLE_VALUE;
  if (!::MoveFileExW(temp.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    fail(path, "rename into place");
}

}  // namespace vhdchain::cli
