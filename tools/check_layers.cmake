# Checks every #include "..." in src/, cli/ and include/vhdchain/ against the allowed module
# dependencies (docs/architecture.md, "Layers"). Run by ctest (tests/layers/CMakeLists.txt):
#   cmake -DROOT=<source dir> -P tools/check_layers.cmake
# prints each violation as "<file>: <module> may not include \"<header>\" (<module>)" and fails.
# With -DEXPECT=<file listing the violations expected, one a line>, it checks that exactly those
# are found instead (the self-test on tests/layers/fixture, which proves a violation is caught).
cmake_minimum_required(VERSION 3.20)

# What each module may include besides itself. A module may use what is below it, never above,
# never beside (vhdx and vhd are peers; hostpath knows nothing of image formats).
set(allowed_base "")
set(allowed_io base)
set(allowed_vhdx base io)
set(allowed_vhd base io)
set(allowed_open_image base io vhdx vhd)
set(allowed_hostpath base io)
set(allowed_chain base io open_image hostpath)
set(allowed_write base io vhdx vhd open_image hostpath chain)
set(allowed_check base io vhdx vhd open_image hostpath chain write)  # reads what writers leave: journals, merge markers
set(allowed_merge base io vhdx vhd open_image hostpath chain write check)  # surveys the chain's folders with check
set(allowed_convert base io vhdx vhd open_image hostpath chain write merge)  # flattens through merge's coverage
set(allowed_compact base io vhdx vhd open_image hostpath chain write)
set(allowed_cli base io vhdx vhd open_image hostpath chain write check merge convert compact)
set(modules base io vhdx vhd open_image hostpath chain write check merge convert compact cli)

# The public headers (include/vhdchain/) belong to the module that implements them.
set(public_error.h base)
set(public_guid.h base)
set(public_reader.h base)         # the Reader/Writer seam: interfaces, no I/O
set(public_memory_reader.h base)
set(public_disk_image.h base)
set(public_file.h io)
set(public_file_identity.h io)
set(public_hostpath.h hostpath)
set(public_chain.h chain)
set(public_write.h write)
set(public_preflight.h write)
set(public_merge.h merge)
set(public_check.h check)
set(public_convert.h convert)
set(public_compact.h compact)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> [-DEXPECT=<file>] -P check_layers.cmake")
endif()

# The module a file (path relative to ROOT) belongs to; "" when it is outside the checked tree.
function(module_of_file rel out)
  set(m "")
  if(rel MATCHES "^src/open_image\\.cc$")
    set(m open_image)
  elseif(rel MATCHES "^src/([a-z_]+)/")
    set(m ${CMAKE_MATCH_1})
  elseif(rel MATCHES "^cli/")
    set(m cli)
  elseif(rel MATCHES "^include/vhdchain/([a-z_]+\\.h)$")
    set(m "${public_${CMAKE_MATCH_1}}")
    if(m STREQUAL "")
      set(m "unknown public header")
    endif()
  endif()
  set(${out} "${m}" PARENT_SCOPE)
endfunction()

# The module a quoted include names, seen from a file of module `from`.
function(module_of_include header from out)
  if(header MATCHES "^vhdchain/([a-z_]+\\.h)$")
    set(m "${public_${CMAKE_MATCH_1}}")
  elseif(header MATCHES "^([a-z_]+)/")
    set(m ${CMAKE_MATCH_1})
  else()
    set(m ${from})  # beside the including file
  endif()
  if(m STREQUAL "")
    set(m "unknown")
  endif()
  set(${out} "${m}" PARENT_SCOPE)
endfunction()

set(violations "")
file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/src/*.cc" "${ROOT}/src/*.h" "${ROOT}/cli/*.cc" "${ROOT}/cli/*.h"
     "${ROOT}/include/vhdchain/*.h")
list(SORT files)
foreach(rel IN LISTS files)
  module_of_file("${rel}" from)
  if(from STREQUAL "")
    continue()
  endif()
  if(NOT from IN_LIST modules)
    list(APPEND violations "${rel}: not in any module (${from}); add it to tools/check_layers.cmake")
    continue()
  endif()
  file(STRINGS "${ROOT}/${rel}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "\"([^\"]+)\"")
      continue()
    endif()
    set(header "${CMAKE_MATCH_1}")
    module_of_include("${header}" "${from}" to)
    if(to STREQUAL from OR to IN_LIST allowed_${from})
      continue()
    endif()
    list(APPEND violations "${rel}: ${from} may not include \"${header}\" (${to})")
  endforeach()
endforeach()

if(EXPECT)
  file(STRINGS "${EXPECT}" expected)
  if(NOT violations STREQUAL expected)
    string(REPLACE ";" "\n  " got "${violations}")
    string(REPLACE ";" "\n  " want "${expected}")
    message(FATAL_ERROR "layer check self-test: expected\n  ${want}\nfound\n  ${got}")
  endif()
  list(LENGTH expected n)
  message(STATUS "layer check self-test: the ${n} planted violations were found, nothing else")
  return()
endif()

if(violations)
  string(REPLACE ";" "\n" text "${violations}")
  message(FATAL_ERROR "${text}\nThe allowed dependencies are in docs/architecture.md and tools/check_layers.cmake.")
endif()
list(LENGTH files n)
message(STATUS "layers: ${n} files, every include allowed")
