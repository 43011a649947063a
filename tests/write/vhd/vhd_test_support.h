// Shared helpers of the VHD write tests: whole-file bytes, external readers, small test images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/image_builder.h"

namespace vhdchain::test {

inline std::vector<uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A dynamic VHD of 8 MiB (2 MiB blocks) with blocks 0 and 2 holding the seeded pattern.
inline ImageSpec small_dynamic_vhd(uint64_t seed = 7) {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.type = DiskType::dynamic;
  spec.virtual_size = 8 * kMiB;
  spec.seed = seed;
  spec.blocks[0] = BlockSpec{};
  spec.blocks[2] = BlockSpec::partial({{0, 8}, {100, 3}});
  return spec;
}

#ifndef _WIN32
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs a shell command (sh -c), capturing its output.
CommandResult run_command(const std::string& command);
// True when `program` is found on PATH (or is an existing absolute path).
bool have_program(const std::string& program);
// True when /usr/bin/python3 can import pyvhdi.
bool have_pyvhdi();
// Missing tools skip, unless VHDCHAIN_REQUIRE_SHARED=1 or CI=true, where they fail.
bool tools_required();
// The SHA-256 of the virtual disk of `leaf` read by libvhdi, with `parents` (leaf's parent first)
// attached through set_parent. Empty on failure; `error` then says why.
std::string libvhdi_sha256(const std::string& leaf, const std::vector<std::string>& parents, std::string& error);
// The SHA-256 of the virtual disk of `leaf` read through vhdchain's chain code.
std::string chain_sha256(const std::string& leaf);
// `check --deep` on a folder: every finding as "<severity> <code>: <message>".
std::vector<std::string> deep_check_findings(const std::filesystem::path& dir);
// The one finding check has for an 8 MiB disk of ours or the builder's: CHS 240/4/17 is not its size.
std::string chs_note_finding(const std::filesystem::path& disk);
#endif

}  // namespace vhdchain::test

#define VHD_REQUIRE_TOOL(available, what)                                                          \
  if (!(available)) {                                                                              \
    if (::vhdchain::test::tools_required()) FAIL() << what << " is missing (required: CI)";        \
    GTEST_SKIP() << what << " is not installed: cross-check skipped";                              \
  }
