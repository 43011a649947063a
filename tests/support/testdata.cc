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
#ifdef _WIN32
  // GetTempPathW (%TMP%, %TEMP%): a folder with a drive letter, as Windows paths in tests expect.
  const std::filesystem::path base = std::filesystem::temp_directory_path();
#else
  const char* env = std::getenv("TMPDIR");
  const std::filesystem::path base = env ? env : "/tmp";
#endif
  path_ = base / ("vhdchain-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace vhdchain::test
