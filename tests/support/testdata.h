// Where tests find real images and scratch space.
#pragma once

#include <filesystem>
#include <string>

namespace vhdchain::test {

// ../shared/testdata, or empty when it is absent.
std::filesystem::path shared_testdata();

// In a gtest body: returns the shared testdata folder, or skips the test with a clear message when it
// is missing. With VHDCHAIN_REQUIRE_SHARED=1 (CI), a missing folder fails the test instead.
#define VHDCHAIN_REQUIRE_SHARED_TESTDATA(var)                                                        \
  const std::filesystem::path var = ::vhdchain::test::shared_testdata();                              \
  if (var.empty()) {                                                                                  \
    if (::vhdchain::test::shared_testdata_required())                                                 \
      FAIL() << "../shared/testdata is missing and VHDCHAIN_REQUIRE_SHARED=1";                        \
    GTEST_SKIP() << "../shared/testdata not found beside the checkout: real-image tests skipped";     \
  }

bool shared_testdata_required();

// A fresh empty folder under the build tree's temp area, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace vhdchain::test
