# Libraries for the mingw-w64 cross build, without downloading anything (docs/windows.md).
#
# Loaded through CMAKE_PROJECT_TOP_LEVEL_INCLUDES (the "mingw" preset sets it). It installs a
# dependency provider (CMake >= 3.24) that answers the project's own find_package() calls, so the
# CMakeLists files stay the same for Linux, mingw and vcpkg:
#   fmt, spdlog      Debian's headers in header-only mode (FMT_HEADER_ONLY; spdlog is header-only
#                    unless SPDLOG_COMPILED_LIB, and Debian's tweakme.h selects the external fmt)
#   CLI11, nlohmann_json   Debian's headers (header-only libraries)
#   GTest            built from Debian's googletest sources (/usr/src/googletest)
# Debian's compiled libfmt/libspdlog/libgtest are Linux ELF objects and cannot be linked into a
# Windows executable. Everything else falls through to CMake's normal search.
#
# /usr/include itself must not reach the mingw compiler (glibc headers would shadow mingw's), so
# only the four library folders are exposed, through symlinks in the build tree.
# Not cmake_minimum_required(): in a top-level include it would reset the project's policies.
if(CMAKE_VERSION VERSION_LESS 3.24)
  message(FATAL_ERROR "the mingw build needs CMake 3.24 or newer (dependency providers)")
endif()

set(VHDCHAIN_DEBIAN_INCLUDE_DIR /usr/include CACHE PATH "Where Debian's header-only libraries are")
set(VHDCHAIN_GOOGLETEST_SOURCE_DIR /usr/src/googletest CACHE PATH "googletest sources (Debian package googletest)")

# Test discovery runs the test executable; under wine that belongs to ctest time, not build time.
if(NOT DEFINED CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE)
  set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
endif()

function(_vhdchain_header_dir out)
  set(staged ${CMAKE_BINARY_DIR}/_deps/include)
  foreach(dir fmt spdlog CLI nlohmann)
    if(NOT EXISTS ${VHDCHAIN_DEBIAN_INCLUDE_DIR}/${dir})
      message(FATAL_ERROR "${VHDCHAIN_DEBIAN_INCLUDE_DIR}/${dir} is missing: install libfmt-dev libspdlog-dev "
                          "libcli11-dev nlohmann-json3-dev (scripts/deps.sh)")
    endif()
    if(NOT EXISTS ${staged}/${dir})
      file(MAKE_DIRECTORY ${staged})
      file(CREATE_LINK ${VHDCHAIN_DEBIAN_INCLUDE_DIR}/${dir} ${staged}/${dir} SYMBOLIC)
    endif()
  endforeach()
  set(${out} ${staged} PARENT_SCOPE)
endfunction()

function(_vhdchain_interface_target name)
  if(NOT TARGET ${name})
    _vhdchain_header_dir(include_dir)
    add_library(${name} INTERFACE IMPORTED GLOBAL)
    # Imported include folders count as system headers: their warnings are not ours.
    set_target_properties(${name} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${include_dir})
  endif()
endfunction()

function(_vhdchain_googletest)
  if(TARGET GTest::gtest)
    return()
  endif()
  if(NOT EXISTS ${VHDCHAIN_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt)
    message(FATAL_ERROR "${VHDCHAIN_GOOGLETEST_SOURCE_DIR} is missing: install googletest (scripts/deps.sh)")
  endif()
  set(BUILD_GMOCK OFF)
  set(INSTALL_GTEST OFF)
  add_subdirectory(${VHDCHAIN_GOOGLETEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/_deps/googletest EXCLUDE_FROM_ALL)
  # googletest is added from the directory that called find_package(), so it inherited the
  # project's -Wall -Wextra (and -Werror): its own warnings under mingw are not ours to fix.
  set_property(TARGET gtest gtest_main PROPERTY COMPILE_OPTIONS -w)
endfunction()

function(vhdchain_mingw_provide_dependency method package)
  if(package STREQUAL "fmt")
    _vhdchain_interface_target(fmt::fmt)
    set_property(TARGET fmt::fmt PROPERTY INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
  elseif(package STREQUAL "spdlog")
    _vhdchain_interface_target(fmt::fmt)
    set_property(TARGET fmt::fmt PROPERTY INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
    _vhdchain_interface_target(spdlog::spdlog)
    set_property(TARGET spdlog::spdlog PROPERTY INTERFACE_COMPILE_DEFINITIONS SPDLOG_FMT_EXTERNAL=1)
    set_property(TARGET spdlog::spdlog PROPERTY INTERFACE_LINK_LIBRARIES fmt::fmt)
  elseif(package STREQUAL "CLI11")
    _vhdchain_interface_target(CLI11::CLI11)
  elseif(package STREQUAL "nlohmann_json")
    _vhdchain_interface_target(nlohmann_json::nlohmann_json)
  elseif(package STREQUAL "GTest")
    _vhdchain_googletest()
  else()
    return()  # not ours: CMake goes on with its normal search
  endif()
  set(${package}_FOUND TRUE PARENT_SCOPE)
endfunction()

cmake_language(SET_DEPENDENCY_PROVIDER vhdchain_mingw_provide_dependency SUPPORTED_METHODS FIND_PACKAGE)
