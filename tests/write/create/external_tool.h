// Running a program from a test (the vhdchain binary with fault-injection variables, qemu-img,
// /usr/bin/python3 with pyvhdi): exit status or the signal that ended it, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace vhdchain::test {

struct ToolRun {
  int exit_code = -1;  // -1 when the process did not exit normally
  int signal = 0;      // the signal that ended it, 0 if none
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path) with the current environment plus `env` ("NAME=value" entries) and
// NO_COLOR=1, stdin from /dev/null.
ToolRun run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// True when the file exists and is executable.
bool tool_available(const std::string& path);

// VHDCHAIN_REQUIRE_SHARED=1 or CI=true: a missing independent reader fails instead of skipping.
bool external_readers_required();

}  // namespace vhdchain::test

// Skips the test (or fails it when external readers are required) when `path` is not runnable.
#define VHDCHAIN_REQUIRE_TOOL(path)                                                                \
  if (!::vhdchain::test::tool_available(path)) {                                                   \
    if (::vhdchain::test::external_readers_required())                                             \
      FAIL() << (path) << " is missing and VHDCHAIN_REQUIRE_SHARED=1 or CI=true";                  \
    GTEST_SKIP() << (path) << " not found: this independent-reader check is skipped";              \
  }
