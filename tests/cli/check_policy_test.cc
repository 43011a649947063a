// `check`'s severity policy (issue 14, "quiet when healthy"): thresholds, rules, strays, empty scans.
// Exit codes and the JSON's policy fields asserted exactly.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/check_fixtures.h"
#include "cli/check_schema.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"

namespace vhdchain::test {
namespace {

using nlohmann::json;

class CheckPolicy : public ::testing::Test {
 protected:
  std::string at(const std::string& name) const { return path_of(t_ / name); }
  std::string dir() const { return path_of(t_.path()); }
  json check(std::vector<std::string> args, int expected_exit) const { return run_check_json(std::move(args), expected_exit); }
  static std::vector<std::string> codes(const json& doc) {
    std::vector<std::string> out;
    for (const json& f : doc.at("findings")) out.push_back(f.at("code"));
    return out;
  }
  void put_disk(const std::string& name, uint64_t seed) const { build_image(vhdx_base_spec(seed)).write(t_ / name); }
  TempDir t_;
};

// The issue's case: one ordinary 100 GiB dynamic disk, no checkpoints, on a volume with 72 GiB free.
// Hosts are overcommitted by design: quiet by default; a stricter threshold makes it a warning.
TEST_F(CheckPolicy, OneDynamicDiskPastFreeSpaceIsQuietUnlessAThresholdSaysOtherwise) {
  std::filesystem::create_directories(t_ / "vol");
  ImageSpec spec = vhdx_base_spec(1, 100ull << 30);
  spec.block_size = 32 * kMiB;
  const BuiltImage disk = build_image(spec);
  const std::vector<std::vector<std::string>> runs = {
      {}, {"--warning", "overcommit=120%"}, {"--critical", "overcommit=130%", "--warning", "overcommit=100%"}};
  hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::tmpfs_in_private_namespace(at("vol"), 72ull << 30);
    disk.write(t_ / "vol" / "vm.vhdx");
    std::string out;
    for (const std::vector<std::string>& extra : runs) {
      std::vector<std::string> args = {"check", "--json"};
      args.insert(args.end(), extra.begin(), extra.end());
      args.push_back(at("vol"));
      CliRun run = run_cli(args);
      out += std::to_string(run.exit_code) + "\n" + json::parse(run.out).dump() + "\n";
      if (std::string errors = check_json_schema_errors(run.out); !errors.empty()) return errors;
    }
    return out;
  });
  if (r.kind == hostpath::test::ChildResult::skipped) GTEST_SKIP() << "no private tmpfs here: " << r.text;
  ASSERT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  std::vector<std::pair<int, json>> results;
  for (size_t at_line = 0; at_line < r.text.size();) {
    const size_t a = r.text.find('\n', at_line), b = r.text.find('\n', a + 1);
    results.emplace_back(std::stoi(r.text.substr(at_line, a - at_line)), json::parse(r.text.substr(a + 1, b - a - 1)));
    at_line = b + 1;
  }
  ASSERT_EQ(results.size(), 3u);

  const auto& [quiet_exit, quiet] = results[0];
  EXPECT_EQ(quiet_exit, 0);
  EXPECT_EQ(codes(quiet), std::vector<std::string>{"disk.standalone"});
  const json& volume = quiet.at("volumes").at(0);
  EXPECT_EQ(volume.at("disks"), 1);
  EXPECT_EQ(volume.at("writable_disks"), 1);
  EXPECT_EQ(volume.at("growth_bytes"), (100ull << 30) - 32 * kMiB);  // every block but block 0
  EXPECT_EQ(volume.at("checkpoint_growth_bytes"), 0);
  EXPECT_EQ(quiet.at("policy").at("checkpoint_growth_warning_percent"), 100.0);
  EXPECT_EQ(quiet.at("policy").at("overcommit_warning_percent"), nullptr);

  const auto& [warn_exit, warn] = results[1];
  EXPECT_EQ(warn_exit, 1);
  EXPECT_EQ(codes(warn), (std::vector<std::string>{"disk.standalone", "capacity.volume_overcommitted"}));
  const json& f = warn.at("findings").at(1);
  EXPECT_EQ(f.at("severity"), "warning");
  EXPECT_EQ(f.at("policy"), "threshold: warning overcommit=120%");
  EXPECT_EQ(f.at("paths"), json{at("vol/vm.vhdx")});
  EXPECT_EQ(warn.at("policy").at("overcommit_warning_percent"), 120.0);

  const auto& [crit_exit, crit] = results[2];
  EXPECT_EQ(crit_exit, 2);
  EXPECT_EQ(crit.at("findings").at(1).at("severity"), "critical");
  EXPECT_EQ(crit.at("findings").at(1).at("policy"), "threshold: critical overcommit=130%");
}

// An ignore rule silences exactly one code on one path; a severity rule raises one; both from
// options and from a policy file, and the JSON says which rule applied.
TEST_F(CheckPolicy, RulesSilenceOrRaiseOneCodeOnOnePath) {
  put_disk("a.vhdx", 1);
  put_disk("b.vhdx", 2);
  json plain = check({dir()}, 0);
  EXPECT_EQ(codes(plain), (std::vector<std::string>{"disk.standalone", "disk.standalone"}));

  json ignored = check({"--ignore", "disk.standalone:*/a.vhdx", dir()}, 0);
  EXPECT_EQ(codes(ignored), std::vector<std::string>{"disk.standalone"});
  EXPECT_EQ(ignored.at("findings").at(0).at("paths"), json{at("b.vhdx")});
  EXPECT_EQ(ignored.at("summary").at("ignored_findings"), 1);
  EXPECT_EQ(ignored.at("policy").at("rules"),
            json::parse(R"([{"code":"disk.standalone","path_glob":"*/a.vhdx","severity":"ignore",)"
                        R"("origin":"--ignore disk.standalone:*/a.vhdx"}])"));

  json raised = check({"--severity", "disk.standalone:warning:*/b.vhdx", dir()}, 1);
  EXPECT_EQ(raised.at("findings").at(0).at("severity"), "info");
  EXPECT_EQ(raised.at("findings").at(0).at("policy"), nullptr);
  EXPECT_EQ(raised.at("findings").at(1).at("severity"), "warning");
  EXPECT_EQ(raised.at("findings").at(1).at("policy"), "rule: --severity disk.standalone:warning:*/b.vhdx");

  const std::string policy = at("policy.conf");
  std::ofstream(policy) << "# quiet lab\nignore disk.standalone " << at("a.vhdx") << "\nseverity * critical */b.vhdx\n";
  json from_file = check({"--policy", policy, dir()}, 2);
  EXPECT_EQ(codes(from_file), std::vector<std::string>{"disk.standalone"});
  EXPECT_EQ(from_file.at("findings").at(0).at("severity"), "critical");
  EXPECT_EQ(from_file.at("findings").at(0).at("policy"), "rule: " + policy + ":3");
}

TEST_F(CheckPolicy, BadRulesAreBadArguments) {
  put_disk("a.vhdx", 1);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--warning", "bogus=1"}, {"--warning", "overcommit=12"}, {"--critical", "free=lots"},
        {"--ignore", "no.such_code"}, {"--severity", "disk.standalone:loud"}, {"--policy", at("missing.conf")}}) {
    std::vector<std::string> full = {"check"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back(dir());
    CliRun r = run_cli(full);
    EXPECT_EQ(r.exit_code, 3) << args[0] << " " << args[1] << ": " << r.err;
  }
  std::ofstream(at("bad.conf")) << "warning overcommit=150%\nsilence everything\n";
  CliRun r = run_cli({"check", "--policy", at("bad.conf"), dir()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(at("bad.conf") + ":2 \"silence everything\": expected warning, critical, ignore, severity or "
                       "allow-empty"),
            std::string::npos)
      << r.err;
}

// A zero-byte or non-disk file is a stray, not a chain; finding no disk is UNKNOWN unless allowed.
TEST_F(CheckPolicy, StraysAreNoChainsAndAnEmptyScanIsUnknown) {
  std::ofstream(at("empty.vhdx")).flush();
  std::ofstream(at("notes.avhdx")) << "not a disk\n";
  json strays = check({dir()}, 3);
  EXPECT_EQ(strays.at("status"), "unknown");
  EXPECT_EQ(codes(strays), (std::vector<std::string>{"input.stray_file", "input.stray_file", "input.no_disks"}));
  EXPECT_EQ(strays.at("findings").at(0).at("message"),
            at("empty.vhdx") + ": named like a disk but empty or without a VHD/VHDX signature; not counted as a disk");
  EXPECT_EQ(strays.at("findings").at(2).at("message"),
            "no disk was found under the given paths, only 2 stray files (--allow-empty makes an empty scan OK)");
  EXPECT_EQ(strays.at("strays"), (json{at("empty.vhdx"), at("notes.avhdx")}));
  EXPECT_EQ(strays.at("summary").at("stray_files"), 2);
  EXPECT_EQ(strays.at("chains"), json::array());
  EXPECT_EQ(strays.at("disks"), json::array());

  json allowed = check({"--allow-empty", dir()}, 0);
  EXPECT_EQ(codes(allowed), (std::vector<std::string>{"input.stray_file", "input.stray_file"}));

  put_disk("vm.vhdx", 1);
  json beside = check({dir()}, 0);
  EXPECT_EQ(beside.at("summary").at("chains"), 1);
  EXPECT_EQ(beside.at("summary").at("disks"), 1);

  std::filesystem::create_directories(t_ / "unmounted");
  json empty = check({at("unmounted")}, 3);
  EXPECT_EQ(codes(empty), std::vector<std::string>{"input.no_disks"});
  EXPECT_EQ(empty.at("findings").at(0).at("inconclusive"), true);
  check({"--allow-empty", at("unmounted")}, 0);
}

}  // namespace
}  // namespace vhdchain::test
