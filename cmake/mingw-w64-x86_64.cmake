# Cross-compiling vhdchain for 64-bit Windows from Debian with mingw-w64 (docs/windows.md).
#
# Uses the "-posix" flavour of Debian's g++-mingw-w64-x86-64 (the win32-threads flavour has no
# std::thread/std::mutex in g++ 12). Executables are linked statically (libstdc++, libgcc,
# winpthread) so one .exe runs on a Hyper-V host, or under wine, without shipping DLLs.
#
# Libraries come from cmake/mingw-deps.cmake (the "mingw" preset loads it): Debian's header-only
# packages plus googletest built from /usr/src/googletest.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(VHDCHAIN_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${VHDCHAIN_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${VHDCHAIN_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${VHDCHAIN_MINGW_TRIPLE}-windres)

# Headers and libraries of the target only; build tools (python3, wine) from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${VHDCHAIN_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Test executables run under wine when ctest (or gtest_discover_tests) starts them. Debian's wine64
# package installs the loader as /usr/lib/wine/wine64, not on PATH; /usr/bin/wine is a wrapper
# that prefers a 32-bit wine and prints a hint when it is missing.
find_program(VHDCHAIN_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(VHDCHAIN_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${VHDCHAIN_WINE})
endif()
