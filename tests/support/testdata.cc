#include "support/testdata.h"

#include <atomic>
#include <cstdlib>
#include <unistd.h>

namespace vhdchain::test {

std::filesystem::path shared_testdata() {
  if (const char* env = std::getenv("VHDCHAIN_SHARED")) {
    std::filesystem::path p = std::filesystem::path(env) / "testdata";
    return std::filesystem::is_directory(p) ? p : std::filesystem::path();
  }
  std::filesystem::path p = std::filesystem::path(VHDCHAIN_SHARED_DIR) / "testdata";
  return std::filesystem::is_directory(p) ? p : std::filesystem::path();
}

bool shared_testdata_required() {
  const char* env = std::getenv("VHDCHAIN_REQUIRE_SHARED");
  return env && std::string(env) == "1";
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TMPDIR");
  path_ = std::filesystem::path(base ? base : "/tmp") /
          ("vhdchain-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace vhdchain::test
