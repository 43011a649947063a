// vhdchain repair as a process: exact output, refusals and exit codes, libvhdi reading the result,
// and --fix-aliases against a real bind mount (seed 000) in a private mount namespace.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "cli/terminal_runner.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/hostpath.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/libvhdi_reader.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

struct Stamp {
  std::string sha;
  timespec mtime{};
};
Stamp stamp(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return {sha256_hex(read_file_bytes(path)), st.st_mtim};
}
void expect_untouched(const Stamp& before, const std::string& path) {
  const Stamp now = stamp(path);
  EXPECT_EQ(now.sha, before.sha) << path;
  EXPECT_EQ(now.mtime.tv_sec, before.mtime.tv_sec) << path;
  EXPECT_EQ(now.mtime.tv_nsec, before.mtime.tv_nsec) << path;
}

class RepairCli : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = build_image(vhdx_base_spec(1));
    base_.write(t_ / "base.vhdx");
    fs::create_directories(t_ / "moved");
    base_.write(t_ / "moved" / "base.vhdx");
    child_ = path_of(t_ / "child.avhdx");
    ImageSpec spec = vhdx_child(base_, 2,
                                {{"absolute_win32_path", "C:\\VMs\\base.vhdx"},
                                 {"relative_path", ".\\base.vhdx"},
                                 {"parent_linkage2", Guid{}.to_braced_string()}})
                         .spec;
    // As Hyper-V does (and libvhdi needs: docs/peers.md section 5), a sector bitmap block per chunk.
    spec.vhdx.sector_bitmap_for_every_chunk = true;
    build_image(spec).write(child_);
    parent_ = path_of(t_ / "moved" / "base.vhdx");
    linkage_ = data_write_guid(base_).to_string();
  }
  TempDir t_;
  BuiltImage base_;
  std::string child_, parent_, linkage_;
};

TEST_F(RepairCli, SetParentDryRunShowsEveryKeyAndWritesNothing) {
  const Stamp before = stamp(child_);
  CliRun r = run_cli({"repair", child_, "--set-parent", parent_, "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> l = lines_of(r.out);
  ASSERT_GE(l.size(), 17u) << r.out;
  EXPECT_EQ(l[0], child_);
  EXPECT_EQ(l[1], "  parent      " + parent_);
  EXPECT_EQ(l[2], "  identity    matches: the child links to " + linkage_ + ", the parent's DataWriteGuid is " + linkage_);
  EXPECT_EQ(l[4], "              virtual size      67108864                              67108864");
  EXPECT_EQ(l[5], "              sector sizes      512/4096                              512/4096");
  EXPECT_EQ(l[8], "  locators");
  EXPECT_EQ(l[9], "    parent_linkage        \"{" + linkage_ + "}\" (unchanged)");
  EXPECT_EQ(l[10], "    relative_path         \".\\base.vhdx\" -> \".\\moved\\base.vhdx\"");
  EXPECT_EQ(l[11], "    parent_linkage2       \"{00000000-0000-0000-0000-000000000000}\" (unchanged)");
  EXPECT_EQ(l[12], "    absolute_win32_path   \"C:\\VMs\\base.vhdx\" -> (removed)");
  EXPECT_EQ(l[13], "  writes (through the VHDX log)");
  EXPECT_EQ(l.back(), "  dry run: nothing was written");
  expect_untouched(before, child_);
}

TEST_F(RepairCli, SetParentJsonHasTheBytesBeforeAndAfter) {
  CliRun r = run_cli({"repair", child_, "--set-parent", parent_, "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = r.json();
  EXPECT_EQ(j.at("identity_matches"), true);
  EXPECT_EQ(j.at("written"), false);
  EXPECT_EQ(j.at("refusals"), json::array());
  EXPECT_EQ(j.at("locators")[1], (json{{"key", "relative_path"}, {"before", ".\\base.vhdx"}, {"after", ".\\moved\\base.vhdx"}, {"changed", true}}));
  EXPECT_EQ(j.at("locators")[3], (json{{"key", "absolute_win32_path"}, {"before", "C:\\VMs\\base.vhdx"}, {"after", nullptr}, {"changed", true}}));
  for (const json& w : j.at("writes")) {
    EXPECT_EQ(w.at("after").get<std::string>().size(), 2 * w.at("length").get<size_t>());
    EXPECT_EQ(w.at("before").get<std::string>().size(), w.at("after").get<std::string>().size());
  }
  EXPECT_EQ(j.at("evidence").at("parent").at("data_write_guid"), linkage_);
  EXPECT_EQ(j.at("evidence").at("child").at("parent_linkage"), linkage_);
}

TEST_F(RepairCli, SetParentWritesAndLibvhdiReadsTheSameChain) {
  CliRun before = run_cli({"export", child_, "--raw", "-"});
  ASSERT_EQ(before.exit_code, 0);
  CliRun r = run_cli({"repair", "--yes", child_, "--set-parent", parent_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).back(), "  written");
  fs::remove(t_ / "base.vhdx");  // only the new locator finds the parent now
  CliRun after = run_cli({"export", child_, "--raw", "-"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_TRUE(after.out == before.out);
  CliRun check = run_cli({"check", "--json", path_of(t_.path())});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(finding_codes(check.json()), std::vector<std::string>{});

  const std::optional<std::string> lib = libvhdi_sha256({parent_, child_});
  if (!lib) {
    if (independent_readers_required()) FAIL() << "pyvhdi (python3-libvhdi) is missing";
    GTEST_SKIP() << "pyvhdi (Debian python3-libvhdi) not installed: libvhdi cross-check skipped";
  }
  EXPECT_EQ(*lib, sha256_hex(std::span(reinterpret_cast<const uint8_t*>(after.out.data()), after.out.size())));
}

// Issue 16, the rule of every command that writes: the plan (evidence, locators, writes) first,
// then a question on a terminal; "n" writes nothing (the child keeps its bytes and mtime), "y"
// writes. Not on a terminal, only --yes writes: without it exit 3 and nothing written.
TEST_F(RepairCli, SetParentOnATerminalShowsThePlanThenAsks) {
  const Stamp before = stamp(child_);
  const std::string question = "Re-point " + child_ + " at " + parent_ + "? [y/N] ";
  const TerminalRun no = run_on_terminal({"repair", child_, "--set-parent", parent_}, "n\n");
  EXPECT_EQ(no.exit_code, 1) << no.screen;
  const size_t plan = no.screen.find("    relative_path         \".\\base.vhdx\" -> \".\\moved\\base.vhdx\"");
  ASSERT_NE(plan, std::string::npos) << no.screen;
  ASSERT_NE(no.screen.find(question), std::string::npos) << no.screen;
  EXPECT_LT(plan, no.screen.find(question));
  EXPECT_NE(no.screen.find("vhdchain: not confirmed: nothing was written\r\n"), std::string::npos) << no.screen;
  expect_untouched(before, child_);

  const TerminalRun yes = run_on_terminal({"repair", child_, "--set-parent", parent_}, "y\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.screen;
  EXPECT_LT(yes.screen.find(question), yes.screen.find("  written\r\n")) << yes.screen;
  EXPECT_NE(stamp(child_).sha, before.sha);
  const json dry = run_cli({"repair", child_, "--set-parent", parent_, "--dry-run", "--json"}).json();
  EXPECT_EQ(dry.at("locators")[1].at("before"), ".\\moved\\base.vhdx");  // written: nothing left to change
}

TEST_F(RepairCli, SetParentNotOnATerminalWithoutYesWritesNothingAndExits3) {
  const Stamp before = stamp(child_);
  const CliRun r = run_cli({"repair", child_, "--set-parent", parent_});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "vhdchain: not on a terminal: nothing was written; rerun with --yes to write\n");
  EXPECT_EQ(lines_of(r.out)[0], child_);  // the plan was shown
  expect_untouched(before, child_);
  const CliRun j = run_cli({"repair", child_, "--set-parent", parent_, "--json"});
  EXPECT_EQ(j.exit_code, 3);
  EXPECT_EQ(j.out.rfind("{\n  \"schema_version\": 1,\n  \"child\": ", 0), 0u) << j.out;
  EXPECT_EQ(j.json().at("written"), false);
  expect_untouched(before, child_);
}

TEST_F(RepairCli, IdentityMismatchIsRefusedUnlessIgnoredWithEvidence) {
  ImageSpec other_spec = vhdx_base_spec(7);
  const BuiltImage other = build_image(other_spec);
  const std::string other_path = path_of(t_ / "moved" / "other.vhdx");
  other.write(other_path);
  const Stamp before = stamp(child_);
  CliRun r = run_cli({"repair", child_, "--set-parent", other_path});
  EXPECT_EQ(r.exit_code, 2);
  const std::string other_id = data_write_guid(other).to_string();
  EXPECT_NE(r.out.find("  identity    MISMATCH: the child links to " + linkage_ + ", the parent's DataWriteGuid is " + other_id), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  REFUSED     identity mismatch: the child links to " + linkage_), std::string::npos) << r.out;
  EXPECT_EQ(lines_of(r.out).back(), "  nothing was written");
  expect_untouched(before, child_);

  CliRun forced = run_cli({"repair", "--yes", child_, "--set-parent", other_path, "--ignore-id-mismatch", "--json"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(forced.json().at("identity_matches"), false);
  EXPECT_EQ(forced.json().at("written"), true);
  EXPECT_EQ(forced.json().at("locators")[0].at("after"), "{" + other_id + "}");
  const json info = run_cli({"info", "--json", child_}).json().at("images")[0];
  EXPECT_EQ(info.at("parent").at("linkage"), other_id);
}

TEST_F(RepairCli, SizeMismatchIsRefusedEvenWhenForced) {
  const std::string small = path_of(t_ / "moved" / "small.vhdx");
  build_image(vhdx_base_spec(8, 32 * kMiB)).write(small);
  CliRun r = run_cli({"repair", child_, "--set-parent", small, "--ignore-id-mismatch"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("  REFUSED     virtual sizes differ: child 67108864 bytes, parent 33554432 bytes"), std::string::npos) << r.out;
}

TEST_F(RepairCli, BadUsageExitsThree) {
  CliRun none = run_cli({"repair", child_});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_EQ(none.err, "vhdchain: repair: choose one of --set-parent PARENT, --fix-aliases, --replay-log (see repair --help)\n");
  CliRun base = run_cli({"repair", parent_, "--set-parent", parent_});
  EXPECT_EQ(base.exit_code, 3);
  EXPECT_EQ(base.err, "vhdchain: " + parent_ + ": is a dynamic disk, not a differencing disk: it has no parent to set\n");
  EXPECT_EQ(run_cli({"repair", "--fix-aliases", "--replay-log", child_}).exit_code, 3);
}

TEST_F(RepairCli, ReplayLogOnACleanFileSaysSoAndWritesNothing) {
  const Stamp before = stamp(child_);
  CliRun r = run_cli({"repair", "--replay-log", child_});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, child_ + ": clean: nothing to replay, nothing written\n");
  expect_untouched(before, child_);
}

// Seed 000 on this host: the child's locator reaches the parent through a bind mount of the
// child's own folder. --fix-aliases re-points it through the child's mount point.
TEST(RepairFixAliases, ParentThroughABindMountIsRepointed) {
  TempDir t;
  const std::string real = hostpath::resolve_host_path(path_of(t / "real"));
  const std::string alias = hostpath::resolve_host_path(path_of(t / "alias x"));
  fs::create_directories(real);
  fs::create_directories(alias);
  const BuiltImage base = build_image(vhdx_base_spec(1));
  base.write(real + "/base.vhdx");
  const std::string child = real + "/base_A.avhdx";
  vhdx_child(base, 2, {{"relative_path", "..\\alias x\\base.vhdx"}}).write(child);

  const std::string original = sha256_hex(read_file_bytes(child));
  hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::bind_in_private_namespace(real, alias);
    CliRun report = run_cli({"repair", "--fix-aliases", real, "--json"});  // not a terminal: report only
    const std::string untouched = sha256_hex(read_file_bytes(child));
    CliRun fixed = run_cli({"repair", "--fix-aliases", real, "--yes", "--json"});
    CliRun check = run_cli({"check", "--json", real});
    return json{{"report_exit", report.exit_code},
                {"report", json::parse(report.out)},
                {"untouched", untouched},
                {"fixed_exit", fixed.exit_code},
                {"fixed", json::parse(fixed.out)},
                {"check_exit", check.exit_code},
                {"check_codes", finding_codes(json::parse(check.out))}}
        .dump();
  });
  if (r.kind == hostpath::test::ChildResult::skipped) {
    const char* require = std::getenv("VHDCHAIN_REQUIRE_BIND_MOUNT");
    if (require && std::string(require) == "1") FAIL() << r.text;
    GTEST_SKIP() << "real bind-mount aliasing not tested: " << r.text;
  }
  ASSERT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  const json j = json::parse(r.text);
  EXPECT_EQ(j.at("report_exit"), 3);  // issue 16: off a terminal without --yes
  EXPECT_EQ(j.at("report").at("written"), false);
  EXPECT_EQ(j.at("report").at("message"), "not on a terminal: nothing was written; rerun with --yes to write");
  EXPECT_EQ(j.at("report").at("alias_findings_left"), 1);
  EXPECT_EQ(j.at("report").at("links")[0].at("locators")[1],
            (json{{"key", "relative_path"}, {"before", "..\\alias x\\base.vhdx"}, {"after", ".\\base.vhdx"}, {"changed", true}}));
  EXPECT_EQ(j.at("fixed_exit"), 0) << j.dump(1);
  EXPECT_EQ(j.at("fixed").at("written"), true);
  EXPECT_EQ(j.at("fixed").at("alias_findings_left"), 0);
  EXPECT_EQ(j.at("check_exit"), 0);
  EXPECT_EQ(j.at("check_codes"), json::array());
  EXPECT_EQ(j.at("untouched"), original);  // the report-only run wrote nothing
  EXPECT_NE(sha256_hex(read_file_bytes(child)), original);
}

// Seed 000 seen from Linux through the Windows host's volume list: the child is C:\Hyper-V\VMs\...,
// its locator names the parent as D:\VMs\VM.vhdx, and C:\Hyper-V\ and D:\ are one volume.
struct Seed000Host {
  TempDir t;
  std::string host_c = path_of(t / "host-c");
  std::string vms = host_c + "/Hyper-V/VMs";
  std::string child = vms + "/VM_AAAA.avhdx";
  std::string volume_path = "\\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\VMs\\VM.vhdx";
  // What every command gets: where C:\ is here, the host's volume list, the folder.
  std::vector<std::string> context;

  Seed000Host() {
    fs::create_directories(vms);
    const BuiltImage base = build_image(vhdx_base_spec(1));
    base.write(vms + "/VM.vhdx");
    vhdx_child(base, 2,
               {{"absolute_win32_path", "D:\\VMs\\VM.vhdx"}, {"relative_path", ".\\VM.vhdx"}, {"volume_path", volume_path}})
        .write(child);
    const std::string volumes = std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt";
    context = {"--map", "C:\\=" + host_c, "--volumes", volumes, vms};
  }
  std::vector<std::string> with_context(std::vector<std::string> args) const {
    args.insert(args.end(), context.begin(), context.end());
    return args;
  }
};

TEST(RepairFixAliases, Seed000FromTheWindowsVolumeList) {
  Seed000Host h;
  CliRun r = run_cli(h.with_context({"repair", "--fix-aliases", "--yes", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = r.json();
  EXPECT_EQ(j.at("written"), true);
  EXPECT_EQ(j.at("alias_findings_left"), 0);
  ASSERT_EQ(j.at("links").size(), 1u);
  const json& locators = j.at("links")[0].at("locators");
  EXPECT_EQ(locators[1], (json{{"key", "absolute_win32_path"}, {"before", "D:\\VMs\\VM.vhdx"},
                               {"after", "C:\\Hyper-V\\VMs\\VM.vhdx"}, {"changed", true}}));
  EXPECT_EQ(locators[2].at("changed"), false);  // relative_path
  EXPECT_EQ(locators[3], (json{{"key", "volume_path"}, {"before", h.volume_path}, {"after", h.volume_path}, {"changed", false}}));

  CliRun after = run_cli(h.with_context({"check", "--json"}));
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_EQ(finding_codes(after.json()), std::vector<std::string>{});
}

// Without --yes, on a terminal: the planned change is shown and a question asked; anything but
// y/yes writes nothing, y writes and check is clean after.
TEST(RepairFixAliases, OnATerminalItAsksFirst) {
  Seed000Host h;
  const std::string original = sha256_hex(read_file_bytes(h.child));
  const std::string question = "Rewrite the parent links of 1 disk? [y/N] ";

  for (const std::string answer : {"n\n", "\n", "no\n"}) {
    const TerminalRun no = run_on_terminal(h.with_context({"repair", "--fix-aliases"}), answer);
    EXPECT_EQ(no.exit_code, 1) << no.screen;  // the alias finding is still there: a warning
    EXPECT_NE(no.screen.find("D:\\VMs\\VM.vhdx"), std::string::npos) << no.screen;  // the change, shown first
    EXPECT_NE(no.screen.find(question), std::string::npos) << no.screen;
    EXPECT_NE(no.screen.find("not confirmed: nothing was written"), std::string::npos) << no.screen;
    EXPECT_EQ(sha256_hex(read_file_bytes(h.child)), original) << "answer " << answer;
  }

  const TerminalRun yes = run_on_terminal(h.with_context({"repair", "--fix-aliases"}), "y\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.screen;
  EXPECT_NE(yes.screen.find(question), std::string::npos) << yes.screen;
  EXPECT_NE(yes.screen.find("check now reports 0 alias link findings"), std::string::npos) << yes.screen;
  EXPECT_NE(sha256_hex(read_file_bytes(h.child)), original);
  CliRun after = run_cli(h.with_context({"check", "--json"}));
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_EQ(finding_codes(after.json()), std::vector<std::string>{});
}

}  // namespace
}  // namespace vhdchain::test
