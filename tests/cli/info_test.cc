// `vhdchain info` through the built binary: each file on its own (a missing parent does not
// matter), the exit status over several files (2 a broken file, 3 an unreadable one, 2 wins), and
// the JSON document's error objects (docs/info-json.md).
#include <fstream>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Info : public ::testing::Test {
 protected:
  void SetUp() override {
    BuiltImage base = build_image(vhdx_base_spec(1));
    base.write(t_ / "base.vhdx");
    // A child whose parent is not there: info reads it all the same.
    vhdx_child(base, 2, {{"relative_path", ".\\gone.vhdx"}}).write(t_ / "orphan.avhdx");
    std::ofstream(t_ / "junk.vhdx", std::ios::binary) << std::string(4096, 'j');
  }
  std::string at(const std::string& name) const { return path_of(t_ / name); }
  TempDir t_;
};

TEST_F(Info, DescribesEachFileWithoutItsParent) {
  const CliRun r = run_cli({"info", "--json", at("base.vhdx"), at("orphan.avhdx")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json doc = r.json();
  EXPECT_EQ(doc["schema_version"], "1.0");
  ASSERT_EQ(doc["images"].size(), 2u);
  EXPECT_EQ(doc["images"][0]["path"], at("base.vhdx"));
  EXPECT_EQ(doc["images"][0]["format"], "vhdx");
  EXPECT_EQ(doc["images"][0]["type"], "dynamic");
  EXPECT_EQ(doc["images"][0]["virtual_size"], 64 * kMiB);
  EXPECT_EQ(doc["images"][1]["type"], "differencing");
  EXPECT_FALSE(doc["images"][1].contains("error"));
}

TEST_F(Info, ABrokenFileIsCriticalAndTheOthersAreStillReported) {
  const CliRun r = run_cli({"info", "--json", at("junk.vhdx"), at("base.vhdx")});
  EXPECT_EQ(r.exit_code, 2);
  const json doc = r.json();
  ASSERT_EQ(doc["images"].size(), 2u);
  EXPECT_EQ(doc["images"][0]["path"], at("junk.vhdx"));
  EXPECT_EQ(doc["images"][0]["error"]["code"], "format");
  EXPECT_EQ(r.err, "vhdchain: " + doc["images"][0]["error"]["message"].get<std::string>() + "\n");
  EXPECT_EQ(doc["images"][1]["format"], "vhdx");
}

TEST_F(Info, AMissingFileIsUnknownAndABrokenOneWins) {
  const CliRun missing = run_cli({"info", at("nonexist.vhdx")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.err, "vhdchain: " + at("nonexist.vhdx") + ": cannot open: No such file or directory\n");
  const CliRun both = run_cli({"info", at("nonexist.vhdx"), at("junk.vhdx")});
  EXPECT_EQ(both.exit_code, 2);
}

TEST_F(Info, BadArgumentsExitThree) {
  const CliRun none = run_cli({"info"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("Run 'vhdchain info --help' for usage."), std::string::npos) << none.err;
  const CliRun unknown = run_cli({"infoo", at("base.vhdx")});
  EXPECT_EQ(unknown.exit_code, 3);
  // Every command is named (the list is the app's, so a new command joins it by itself).
  EXPECT_TRUE(unknown.err.starts_with("vhdchain: unknown command 'infoo' (commands: info, export, check, create, "
                                      "repair, merge"))
      << unknown.err;
}

}  // namespace
}  // namespace vhdchain::test
