// `check --format prometheus` is a valid textfile whatever the paths hold (issue 14: one folder name
// that is not UTF-8 made node_exporter drop every vhdchain metric). Validated by `promtool check
// metrics`, Prometheus's own parser (Debian package prometheus); without it the test is skipped,
// except in CI (CI=true or VHDCHAIN_REQUIRE_SHARED=1), where a missing promtool is a failure.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/check_schema.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

// promtool's exit status and output for a file, or nullopt when promtool is not installed.
std::optional<std::pair<int, std::string>> promtool_check(const fs::path& file, const fs::path& out) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) return std::nullopt;
  const std::string cmd = "promtool check metrics < '" + file.string() + "' > '" + out.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out);
  return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        std::string((std::istreambuf_iterator<char>(in)), {}));
}

TEST(CheckPrometheus, AnyPathGivesAValidTextfile) {
  TempDir t;
  const std::string bad = "vm\xff\x01\xc3(", newline = "new\nline", quote = "q\"uo\\te";
  for (const std::string& folder : {bad, newline, quote}) {
    fs::create_directories(t / folder);
    BuiltImage base = build_image(vhdx_base_spec(1));
    base.write(t / folder / "base.vhdx");
    vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(t / folder / "base_A.avhdx");
  }
  const std::string prom = path_of(t / "vhdchain.prom");
  CliRun r = run_cli({"check", "--format", "prometheus", "--output", prom, path_of(t / bad), path_of(t / newline),
                      path_of(t / quote)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(prom);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  // Bytes that are not UTF-8, and control bytes, as the four characters \xHH; newline, quote and
  // backslash with the format's own escapes.
  EXPECT_NE(text.find("leaf=\"" + path_of(t.path()) + "/vm\\\\xFF\\\\x01\\\\xC3(/base_A.avhdx\""), std::string::npos) << text;
  EXPECT_NE(text.find("leaf=\"" + path_of(t.path()) + "/new\\nline/base_A.avhdx\""), std::string::npos) << text;
  EXPECT_NE(text.find("leaf=\"" + path_of(t.path()) + "/q\\\"uo\\\\te/base_A.avhdx\""), std::string::npos) << text;

  std::optional<std::pair<int, std::string>> checked = promtool_check(prom, t / "promtool.out");
  if (!checked) {
    if (ci_requires_tools()) FAIL() << "promtool is not installed (Debian package prometheus; scripts/deps.sh installs it)";
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus); set CI=true to make this a failure";
  }
  EXPECT_EQ(checked->first, 0) << checked->second;
  EXPECT_EQ(checked->second, "") << "promtool lint findings";
}

}  // namespace
}  // namespace vhdchain::test
