# The synthetic image builder as its own library, so both the tests (tests/support) and the
# example generator (tools/) can use it whether or not the other folder is part of the build.
if(NOT TARGET vhdchain_image_builder)
  set(_builder_dir ${PROJECT_SOURCE_DIR}/tests/support)
  add_library(vhdchain_image_builder STATIC
    ${_builder_dir}/chain_builder.cc
    ${_builder_dir}/content_model.cc
    ${_builder_dir}/data_pattern.cc
    ${_builder_dir}/image_builder.cc
    ${_builder_dir}/image_layout.cc
    ${_builder_dir}/sha256.cc
    ${_builder_dir}/sparse_file.cc
    ${_builder_dir}/vhd_builder.cc
    ${_builder_dir}/vhdx_builder.cc
    ${_builder_dir}/vhdx_log_builder.cc)
  target_include_directories(vhdchain_image_builder PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  # Only base/ (CRC-32C, UTF-16, Guid) is used; never a parser.
  target_link_libraries(vhdchain_image_builder PUBLIC vhdchain_lib)
endif()
