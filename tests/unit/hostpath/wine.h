// Whether the Win32 tests run under wine, and which one: the tests of what wine cannot do (open a
// file by volume GUID path, one volume at two mount points) skip there, naming wine, and must pass
// on Windows. Wine's ntdll exports wine_get_version; Windows' does not.
#pragma once

#include <optional>
#include <string>

#include "io/win32.h"

namespace vhdchain::test {

inline std::optional<std::string> wine_version() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  if (!ntdll) return std::nullopt;
  using GetVersion = const char*(__cdecl*)();
  // GetProcAddress returns FARPROC; the cast through void* says we know its real type.
  auto get = reinterpret_cast<GetVersion>(reinterpret_cast<void*>(::GetProcAddress(ntdll, "wine_get_version")));
  if (!get) return std::nullopt;
  return std::string("wine ") + get();
}

}  // namespace vhdchain::test
