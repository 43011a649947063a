# `cmake --install` and CPack (included from the top-level CMakeLists.txt after the targets exist).
#   component "cli": bin/vhdchain, its man page (docs/vhdchain.1) and bash completion
#                    (scripts/vhdchain.bash-completion)
#   component "dev": the library (libvhdchain.a), include/vhdchain/*.h and the CMake package
#                    (lib/cmake/vhdchain: find_package(vhdchain) gives vhdchain::vhdchain)
# Packages (cpack in the build folder): a Debian 12 .deb on Linux, a zip with vhdchain.exe from the
# mingw build (scripts/package.sh, scripts/windows-test.sh).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# `cmake --install` and cpack install what is built and do not first build every target (the test
# suite): scripts/package.sh and scripts/windows-test.sh build what they package.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS vhdchain RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT cli)
if(NOT WIN32)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/vhdchain.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
  install(FILES ${PROJECT_SOURCE_DIR}/scripts/vhdchain.bash-completion
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME vhdchain COMPONENT cli)
endif()

# The library for other C++ tools. Off in the Windows zip, which is the tool alone.
if(WIN32)
  set(_vhdchain_install_dev_default OFF)
else()
  set(_vhdchain_install_dev_default ON)
endif()
option(VHDCHAIN_INSTALL_DEV "Install the library, its headers and the CMake package" ${_vhdchain_install_dev_default})
if(VHDCHAIN_INSTALL_DEV)
  set(_vhdchain_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/vhdchain)
  set_target_properties(vhdchain_lib PROPERTIES EXPORT_NAME vhdchain)
  install(TARGETS vhdchain_lib EXPORT vhdchainTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vhdchain DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
          FILES_MATCHING PATTERN "*.h")
  install(EXPORT vhdchainTargets NAMESPACE vhdchain:: DESTINATION ${_vhdchain_cmake_dir} COMPONENT dev)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vhdchainConfig.cmake.in
    ${PROJECT_BINARY_DIR}/vhdchainConfig.cmake INSTALL_DESTINATION ${_vhdchain_cmake_dir})
  # 0.x: a minor version may break the API, so only the same minor version is compatible.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/vhdchainConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/vhdchainConfig.cmake ${PROJECT_BINARY_DIR}/vhdchainConfigVersion.cmake
          DESTINATION ${_vhdchain_cmake_dir} COMPONENT dev)
endif()

# CPack: one package with every installed component.
set(CPACK_PACKAGE_NAME vhdchain)
set(CPACK_PACKAGE_VENDOR "vhdchain")
set(CPACK_PACKAGE_CONTACT "vhdchain maintainers <vhdchain@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "vhdchain reads Hyper-V VHDX, AVHDX and VHD files and their differencing chains exactly, checks them (with Nagios/Icinga exit codes, JSON and Prometheus output), repairs their parent links and logs, merges checkpoints and exports the virtual disk. Includes the C++ library and its CMake package (find_package(vhdchain)).")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_STRIP_FILES ON)
if(WIN32)
  set(CPACK_GENERATOR ZIP)
  set(CPACK_SYSTEM_NAME win64)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
else()
  set(CPACK_GENERATOR DEB)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # vhdchain_<version>_<arch>.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION utils)
  # The binary's shared libraries (libfmt9, libstdc++, ...) from dpkg-shlibdeps; the headers need
  # fmt's at build time, so a tool built against the library needs libfmt-dev.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libfmt-dev")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
endif()
include(CPack)
