// `vhdchain check` output contracts: the human tree, Prometheus textfile metrics, --output, bad
// arguments (always exit 3, never CLI11's own codes), and a real Hyper-V checkpoint without its parent.
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/check_schema.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "vhdchain/check.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CheckOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    BuiltImage base = build_image(vhdx_base_spec(1));
    base.write(t_ / "base.vhdx");
    vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(t_ / "base_A.avhdx");
    vhdx_child(base, 3, {{"relative_path", ".\\base.vhdx"}}).write(t_ / "base_B.avhdx");
    vhdx_child(base, 4, {{"relative_path", ".\\gone.vhdx"}}, guid_from_seed(99, 1)).write(t_ / "orphan.avhdx");
  }
  std::string at(const std::string& name) const { return path_of(t_ / name); }
  TempDir t_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(CheckOutput, HumanTreeAndFindings) {
  CliRun r = run_cli({"check", path_of(t_.path())});
  EXPECT_EQ(r.exit_code, 2);
  const std::string d = path_of(t_.path());
  // Free space varies: cut each chain line after "merge ...,".
  std::string out = std::regex_replace(r.out, std::regex("(merge [0-9][^,]*), [^\\n]*"), "$1, ...");
  EXPECT_EQ(out,
            "CRITICAL: 4 disks, 3 chains (1 incomplete); 1 critical, 0 warnings, 1 info\n"
            "\n" +
                d + "/base.vhdx  vhdx dynamic, 64 MiB\n"
                "├── " + d + "/base_A.avhdx  vhdx differencing, 64 MiB\n"
                "└── " + d + "/base_B.avhdx  vhdx differencing, 64 MiB\n" +
                d + "/orphan.avhdx  vhdx differencing, 64 MiB  [CRITICAL]\n"
                "\n"
                "Findings:\n"
                "  CRITICAL parent.missing  [Hyper-V 0xC03A000D ERROR_VHD_PARENT_VHD_NOT_FOUND]\n"
                "    " + d + "/orphan.avhdx: parent not found (linkage " + guid_from_seed(99, 1).to_string() +
                "); tried: " + d + "/gone.vhdx: not found (relative_path \".\\gone.vhdx\")\n"
                "  INFO tree.branches\n"
                "    " + d + "/base.vhdx has 2 children (" + d + "/base_A.avhdx, " + d + "/base_B.avhdx): a snapshot "
                "tree. Merging one branch into " + d + "/base.vhdx changes what every other branch reads and "
                "invalidates it; decide which branch to keep (a \"Revert\" leaves one behind) and remove the others first\n"
                "\n"
                "Chains (leaf: layers, size on disk, can still grow, a merge into the base needs, free):\n"
                "  " + d + "/base_A.avhdx: 2 layers, 12 MiB, +63 MiB, merge 2 MiB, ...\n"
                "  " + d + "/base_B.avhdx: 2 layers, 12 MiB, +63 MiB, merge 2 MiB, ...\n"
                "  " + d + "/orphan.avhdx: 1 layer (incomplete), 6 MiB, +63 MiB, merge 0 bytes, ...\n");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);  // no colour: not a terminal (and NO_COLOR is set)
}

TEST_F(CheckOutput, PrometheusTextfileWrittenAtomically) {
  const std::string prom = at("out/vhdchain.prom");
  fs::create_directories(t_ / "out");
  std::ofstream(prom) << "old contents\n";
  CliRun r = run_cli({"check", "--format", "prometheus", "--output", prom, path_of(t_.path())});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  std::string text = read_file(prom);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  // Only the replaced file remains: no temp file left in the folder.
  EXPECT_EQ(std::distance(fs::directory_iterator(t_ / "out"), fs::directory_iterator()), 1);
  text = std::regex_replace(text, std::regex("(vhdchain_last_run_timestamp_seconds) [0-9]+"), "$1 T");
  text = std::regex_replace(text, std::regex("(vhdchain_(chain|volume)_free_bytes\\{[^}]*\\}) [0-9]+"), "$1 F");
  const std::string d = path_of(t_.path());
  std::string expected =
      "# HELP vhdchain_check_status Verdict of the last check: 0 ok, 1 warning, 2 critical, 3 unknown\n"
      "# TYPE vhdchain_check_status gauge\nvhdchain_check_status 2\n"
      "# HELP vhdchain_last_run_timestamp_seconds When the check ran (seconds since the epoch)\n"
      "# TYPE vhdchain_last_run_timestamp_seconds gauge\nvhdchain_last_run_timestamp_seconds T\n"
      "# HELP vhdchain_disks Disk images found or reached as parents\n# TYPE vhdchain_disks gauge\nvhdchain_disks 4\n"
      "# HELP vhdchain_chains Chains (one per leaf disk)\n# TYPE vhdchain_chains gauge\nvhdchain_chains 3\n"
      "# HELP vhdchain_findings Findings by severity\n# TYPE vhdchain_findings gauge\n"
      "vhdchain_findings{severity=\"critical\"} 1\nvhdchain_findings{severity=\"warning\"} 0\n"
      "vhdchain_findings{severity=\"info\"} 1\n"
      "# HELP vhdchain_finding_codes Findings by code (every documented code, 0 when absent)\n"
      "# TYPE vhdchain_finding_codes gauge\n";
  for (const check::FindingKind& k : check::finding_catalogue())
    expected += "vhdchain_finding_codes{code=\"" + std::string(k.code) + "\",severity=\"" +
                std::string(to_string(k.severity)) + "\"} " +
                (k.code == "parent.missing" || k.code == "tree.branches" ? "1" : "0") + "\n";
  struct stat st {};
  ASSERT_EQ(::stat(t_.path().c_str(), &st), 0);
  const std::string volume = std::to_string(st.st_dev);
  auto series = [&](const std::string& name, const std::string& help, const std::vector<std::string>& values) {
    expected += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
    const char* leaves[] = {"base_A.avhdx", "base_B.avhdx", "orphan.avhdx"};
    for (size_t i = 0; i < 3; ++i)
      expected += name + "{leaf=\"" + d + "/" + leaves[i] + "\",volume=\"" + volume + "\"} " + values[i] + "\n";
  };
  const std::string two = std::to_string(fs::file_size(at("base.vhdx")) + fs::file_size(at("base_A.avhdx")));
  // One scale for every status metric: the chains' info findings are ok (0), the orphan critical (2).
  series("vhdchain_chain_status", "Verdict for the chain (findings about its layers): 0 ok, 1 warning, 2 critical, 3 unknown",
         {"0", "0", "2"});
  series("vhdchain_chain_complete", "1 when the chain reaches a base disk", {"1", "1", "0"});
  series("vhdchain_chain_layers", "Layers in the chain, leaf and base included", {"2", "2", "1"});
  series("vhdchain_chain_file_bytes", "Sum of the chain's file sizes",
         {two, std::to_string(fs::file_size(at("base.vhdx")) + fs::file_size(at("base_B.avhdx"))),
          std::to_string(fs::file_size(at("orphan.avhdx")))});
  series("vhdchain_chain_growth_bytes", "How much the chain's writable layer can still grow",
         {"66060288", "66060288", "66060288"});
  series("vhdchain_chain_merge_bytes", "New space a merge of the chain into its base needs", {"2097152", "2097152", "0"});
  series("vhdchain_chain_free_bytes", "Free space of the volume holding the leaf", {"F", "F", "F"});
  const std::string on_volume = "{volume=\"" + volume + "\",path=\"" + at("base.vhdx") + "\"} ";
  const uint64_t all_files = fs::file_size(at("base.vhdx")) + fs::file_size(at("base_A.avhdx")) +
                             fs::file_size(at("base_B.avhdx")) + fs::file_size(at("orphan.avhdx"));
  expected += "# HELP vhdchain_volume_file_bytes Sum of the sizes of the disks on the volume\n"
              "# TYPE vhdchain_volume_file_bytes gauge\nvhdchain_volume_file_bytes" + on_volume +
              std::to_string(all_files) + "\n"
              "# HELP vhdchain_volume_growth_bytes How much the writable disks on the volume can still grow\n"
              "# TYPE vhdchain_volume_growth_bytes gauge\nvhdchain_volume_growth_bytes" + on_volume + "198180864\n"
              "# HELP vhdchain_volume_checkpoint_growth_bytes Of that, the checkpoints (differencing leaves)\n"
              "# TYPE vhdchain_volume_checkpoint_growth_bytes gauge\nvhdchain_volume_checkpoint_growth_bytes" +
              on_volume + "198180864\n"
              "# HELP vhdchain_volume_free_bytes Free space of the volume\n"
              "# TYPE vhdchain_volume_free_bytes gauge\nvhdchain_volume_free_bytes" + on_volume + "F\n"
              "# HELP vhdchain_finding One series per finding (the first 500): 1, labelled with its code, severity "
              "and the path it is about\n# TYPE vhdchain_finding gauge\n"
              "vhdchain_finding{code=\"parent.missing\",severity=\"critical\",path=\"" + at("orphan.avhdx") +
              "\",index=\"1\"} 1\n"
              "vhdchain_finding{code=\"tree.branches\",severity=\"info\",path=\"" + at("base.vhdx") +
              "\",index=\"2\"} 1\n"
              "# HELP vhdchain_findings_unlisted Findings past the 500 that vhdchain_finding lists\n"
              "# TYPE vhdchain_findings_unlisted gauge\nvhdchain_findings_unlisted 0\n";
  EXPECT_EQ(text, expected);
}

TEST_F(CheckOutput, JsonShapeAndStatusFirst) {
  CliRun r = run_cli({"check", "--format", "json", path_of(t_.path())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out.substr(0, 28), "{\n  \"schema_version\": \"2.0\",");
  EXPECT_EQ(check_json_schema_errors(r.out), "");
  json doc = r.json();
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  // nlohmann::json sorts keys on parse; the order on the wire is asserted by the prefix above.
  EXPECT_EQ(keys, (std::vector<std::string>{"chains", "disks", "exit_code", "findings", "policy", "schema_version",
                                            "status", "strays", "summary", "volumes"}));
  EXPECT_EQ(doc.at("summary"), (json{{"disks", 4}, {"chains", 3}, {"incomplete_chains", 1},
                                     {"findings", {{"critical", 1}, {"warning", 0}, {"info", 1}}},
                                     {"ignored_findings", 0}, {"stray_files", 0}}));
  EXPECT_EQ(doc.at("exit_code"), 2);
}

TEST(CheckArguments, BadArgumentsExitUnknown) {
  EXPECT_EQ(run_cli({"check"}).exit_code, 3);
  EXPECT_EQ(run_cli({"check", "--format", "xml", "."}).exit_code, 3);
  EXPECT_EQ(run_cli({"check", "--json", "--format", "json", "."}).exit_code, 3);
  CliRun map = run_cli({"check", "--map", "nonsense", "."});
  EXPECT_EQ(map.exit_code, 3);
  EXPECT_NE(map.err.find("map \"nonsense\""), std::string::npos) << map.err;
  CliRun volumes = run_cli({"check", "--volumes", "/nonexistent/volumes.txt", "."});
  EXPECT_EQ(volumes.exit_code, 3);
  EXPECT_EQ(volumes.err, "vhdchain: --volumes /nonexistent/volumes.txt: cannot be read\n");
  EXPECT_EQ(run_cli({"check", "--max-depth", "0", "."}).exit_code, 3);
}

TEST(CheckArguments, HelpTeachesExitCodes) {
  CliRun r = run_cli({"check", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("0 OK; 1 WARNING"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 UNKNOWN"), std::string::npos);
  EXPECT_NE(r.out.find("--volumes FILE"), std::string::npos);
}

TEST(CheckRealImages, HyperVCheckpointWithoutItsParentIsAnOrphan) {
  VHDCHAIN_REQUIRE_SHARED_TESTDATA(shared);
  // ../shared/testdata/dissect/differencing.avhdx is stored compressed; the golden tests decompress it.
  TempDir t;
  const fs::path packed = shared / "dissect" / "differencing.avhdx.gz";
  const fs::path plain = shared / "dissect" / "differencing.avhdx";
  const std::string disk = path_of(t / "differencing.avhdx");
  if (fs::exists(plain)) {
    fs::copy_file(plain, disk);
  } else {
    ASSERT_TRUE(fs::exists(packed)) << packed;
    ASSERT_EQ(std::system(("gzip -dc '" + packed.string() + "' > '" + disk + "'").c_str()), 0);
  }
  CliRun r = run_cli({"check", "--json", disk});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(check_json_schema_errors(r.out), "");
  json doc = r.json();
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"parent.missing"});
  json entry = disk_entry(doc, disk);
  const std::string name = "Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385.avhdx";
  const std::string volume_path =
      "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\Users\\Public\\Documents\\Hyper-V\\Virtual hard disks\\" + name;
  const std::string absolute = "C:\\Users\\Public\\Documents\\Hyper-V\\Virtual hard disks\\" + name;
  // All five locator entries as stored.
  EXPECT_EQ(entry.at("parent").at("locators"),
            (json{{"parent_linkage", "{ff34003b-11ed-4cf8-a166-b2be05e20b80}"},
                  {"parent_linkage2", "{00000000-0000-0000-0000-000000000000}"},
                  {"relative_path", ".\\" + name},
                  {"volume_path", volume_path},
                  {"absolute_win32_path", absolute}}));
  // Every path tried, in the spec's order, with its outcome.
  json candidates = entry.at("parent").at("candidates");
  ASSERT_EQ(candidates.size(), 3u) << candidates.dump(2);
  EXPECT_EQ(candidates[0].at("locator"), "relative_path");
  EXPECT_EQ(candidates[0].at("path"), path_of(t / name));
  EXPECT_EQ(candidates[0].at("outcome"), "not_found");
  EXPECT_EQ(candidates[1].at("locator"), "volume_path");
  EXPECT_EQ(candidates[1].at("outcome"), "unresolvable");
  EXPECT_EQ(candidates[2].at("locator"), "absolute_win32_path");
  EXPECT_EQ(candidates[2].at("outcome"), "unresolvable");
  json f = only_finding(doc, "parent.missing");
  EXPECT_EQ(f.at("message"), disk + ": parent not found (linkage ff34003b-11ed-4cf8-a166-b2be05e20b80); tried: " +
                                 path_of(t / name) + ": not found (relative_path \".\\" + name + "\"); " + volume_path +
                                 ": volume path, not resolvable on this host (no volume map) (volume_path); " + absolute +
                                 ": Windows path, no mapping to this host (absolute_win32_path)");
  // With the host's C: drive mapped, the absolute path is tried too, and its place named.
  CliRun mapped = run_cli({"check", "--json", "--map", "C:\\=" + path_of(t.path()), disk});
  json mc = disk_entry(mapped.json(), disk).at("parent").at("candidates");
  EXPECT_EQ(mc[2].at("path"), path_of(t / "Users/Public/Documents/Hyper-V/Virtual hard disks" / name));
  EXPECT_EQ(mc[2].at("outcome"), "not_found");
}

}  // namespace
}  // namespace vhdchain::test

namespace vhdchain::test {
namespace {

// Issue 14: paths relative to the working folder did not join across reports; every path is now
// absolute and normalised, the path as given kept beside it; per disk the host's allocation and mtime.
TEST_F(CheckOutput, PathsAreAbsoluteAndJoinWithTheGivenPathBeside) {
  const std::string given = fs::relative(t_.path() / "sub" / ".." / "base_A.avhdx").string();
  ASSERT_NE(given.front(), '/');
  CliRun r = run_cli({"check", "--json", given});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(check_json_schema_errors(r.out), "");
  json doc = r.json();
  ASSERT_EQ(doc.at("disks").size(), 2u);
  const json& leaf = doc.at("disks")[0];
  EXPECT_EQ(leaf.at("path"), at("base_A.avhdx"));
  EXPECT_EQ(leaf.at("given_path"), fs::path(given).lexically_normal().string());
  EXPECT_EQ(doc.at("disks")[1].at("path"), at("base.vhdx"));
  EXPECT_EQ(doc.at("disks")[1].at("given_path"), nullptr);  // reached as the parent, not given
  EXPECT_EQ(doc.at("chains")[0].at("leaf"), at("base_A.avhdx"));
  for (const json& f : doc.at("findings"))
    for (const json& p : f.at("paths")) {
      bool joins = false;
      for (const json& d : doc.at("disks")) joins = joins || d.at("path") == p;
      EXPECT_TRUE(joins) << f.dump();
    }
  struct stat st {};
  ASSERT_EQ(::stat(at("base_A.avhdx").c_str(), &st), 0);
  EXPECT_EQ(leaf.at("allocated_bytes"), uint64_t(st.st_blocks) * 512);
  EXPECT_EQ(leaf.at("file_size"), uint64_t(st.st_size));
  char mtime[32];
  std::strftime(mtime, sizeof mtime, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&st.st_mtime));
  EXPECT_EQ(leaf.at("mtime"), mtime);
}

}  // namespace
}  // namespace vhdchain::test

namespace vhdchain::test {
namespace {

// Monitoring-plugin output: the status line carries perfdata after '|'; the long output follows,
// one line per finding, worst first; -q keeps the first line only (and quiets the human format too).
TEST_F(CheckOutput, NagiosStatusLineWithPerfdataThenLongOutput) {
  CliRun r = run_cli({"check", "--format", "nagios", path_of(t_.path())});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(t_.path().c_str(), &st), 0);
  const std::string v = "volume_" + std::to_string(st.st_dev);
  const std::string out = std::regex_replace(r.out, std::regex("(" + v + "_free)=[0-9]+B"), "$1=FB");
  const std::string first =
      "VHDCHAIN CRITICAL: 4 disks, 3 chains (1 incomplete); 1 critical, 0 warnings, 1 info | disks=4;;;0 chains=3;;;0 "
      "incomplete_chains=1;;;0 critical=1;;;0 warning=0;;;0 info=1;;;0 ignored=0;;;0 " + v + "_growth=198180864B;;;0 " +
      v + "_checkpoint_growth=198180864B;;;0 " + v + "_free=FB;;;0\n";
  ASSERT_GT(out.size(), first.size());
  EXPECT_EQ(out.substr(0, first.size()), first);
  const std::string rest = out.substr(first.size());
  EXPECT_EQ(rest.substr(0, 24), "CRITICAL parent.missing:") << rest;
  EXPECT_NE(rest.find("\nINFO tree.branches: "), std::string::npos) << rest;
  EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 2);

  CliRun quiet = run_cli({"-q", "check", "--format", "nagios", path_of(t_.path())});
  EXPECT_EQ(quiet.exit_code, 2);
  EXPECT_EQ(std::regex_replace(quiet.out, std::regex("(" + v + "_free)=[0-9]+B"), "$1=FB"), first);

  CliRun human = run_cli({"-q", "check", path_of(t_.path())});
  EXPECT_EQ(human.exit_code, 2);
  EXPECT_EQ(human.out, "CRITICAL: 4 disks, 3 chains (1 incomplete); 1 critical, 0 warnings, 1 info\n");
}

}  // namespace
}  // namespace vhdchain::test
