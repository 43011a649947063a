#include "cli/check_schema.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

constexpr const char* kValidator = R"(import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:5]:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
sys.exit(1 if errors else 0)
)";

}  // namespace

bool ci_requires_tools() {
  const char* ci = std::getenv("CI");
  const char* shared = std::getenv("VHDCHAIN_REQUIRE_SHARED");
  return (ci && std::string(ci) == "true") || (shared && std::string(shared) == "1");
}

nlohmann::json run_check_json(std::vector<std::string> args, int expected_exit) {
  args.insert(args.begin(), {"check", "--json"});
  CliRun r = run_cli(args);
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  EXPECT_EQ(check_json_schema_errors(r.out), "");
  return r.json();
}

std::string check_json_schema_errors(const std::string& json_text) {
  static const bool available = std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
  if (!available) {
    if (ci_requires_tools()) return "python3-jsonschema is not installed (scripts/deps.sh installs it)";
    static bool noted = false;
    if (!noted) std::cerr << "note: python3-jsonschema missing; check --json output not validated\n";
    noted = true;
    return "";
  }
  TempDir t;
  const std::string doc = (t / "doc.json").string(), script = (t / "validate.py").string(),
                    out = (t / "out.txt").string();
  std::ofstream(doc) << json_text;
  std::ofstream(script) << kValidator;
  const std::string cmd = "python3 '" + script + "' '" + std::string(VHDCHAIN_SOURCE_DIR) +
                          "/docs/check.schema.json' '" + doc + "' > '" + out + "' 2>&1";
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  std::ifstream in(out);
  return "check --json output does not match docs/check.schema.json: " +
         std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace vhdchain::test
