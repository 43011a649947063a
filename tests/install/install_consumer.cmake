# ctest install_consumer: installs this build into a scratch prefix (cmake --install), builds
# tests/install/consumer against it with find_package(vhdchain) alone, and runs the consumer on the
# example's base disk; also checks the installed tree has the binary, man page and completion.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK=... -DMKEXAMPLE=... -DGENERATOR=... -P install_consumer.cmake
file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(file bin/vhdchain share/man/man1/vhdchain.1 share/bash-completion/completions/vhdchain
             include/vhdchain/disk_image.h)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()
file(GLOB config "${prefix}/lib*/cmake/vhdchain/vhdchainConfig.cmake" "${prefix}/lib/*/cmake/vhdchain/vhdchainConfig.cmake")
if(NOT config)
  message(FATAL_ERROR "cmake --install did not install lib/cmake/vhdchain/vhdchainConfig.cmake")
endif()

# The consumer sees the install prefix, not this source tree or build.
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${WORK}/consumer" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${WORK}/consumer")

run("${MKEXAMPLE}" "${WORK}/example")
run("${WORK}/consumer/vhdchain_consumer" "${WORK}/example/base.vhdx")
set(consumer_out "${out}")
if(NOT consumer_out MATCHES "^vhdx dynamic [0-9]+\n$")
  message(FATAL_ERROR "the consumer printed: ${consumer_out}")
endif()
run("${prefix}/bin/vhdchain" --version)
if(NOT out MATCHES "^vhdchain [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "the installed vhdchain --version printed: ${out}")
endif()
message(STATUS "installed into ${prefix}; the consumer read base.vhdx: ${consumer_out}")
file(REMOVE_RECURSE "${WORK}")
