// Seed 000 from both sides: one volume reached through two mount points.
//   - On this host: a real bind mount in a private mount namespace (root or unprivileged user
//     namespaces; otherwise the tests skip and say why; VHDCHAIN_REQUIRE_BIND_MOUNT=1 makes that a
//     failure), with the child's locator reaching the parent through the alias.
//   - On a Windows host analysed from here: --map plus the host's volume list, as `mountvol` prints
//     it and as Win32_Volume JSON (testdata/check/), where C:\Hyper-V\ and D:\ are one volume.
#include <cstdlib>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/check_schema.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Runs the CLI inside a private mount namespace where `alias` is a bind mount of `real`.
struct BoundRun {
  bool skipped = false;
  std::string why;
  int exit_code = -1;
  json doc;
};

BoundRun check_with_bind(const std::string& real, const std::string& alias, const std::vector<std::string>& args) {
  hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::bind_in_private_namespace(real, alias);
    std::vector<std::string> full{"check", "--json"};
    full.insert(full.end(), args.begin(), args.end());
    CliRun run = run_cli(full);
    return std::to_string(run.exit_code) + "\n" + run.out;
  });
  BoundRun out;
  if (r.kind == hostpath::test::ChildResult::skipped) {
    out.skipped = true;
    out.why = r.text;
    return out;
  }
  EXPECT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  size_t nl = r.text.find('\n');
  out.exit_code = std::atoi(r.text.substr(0, nl).c_str());
  out.doc = json::parse(r.text.substr(nl + 1));
  return out;
}

#define SKIP_IF_NO_BIND(run)                                                                  \
  if ((run).skipped) {                                                                        \
    const char* require = std::getenv("VHDCHAIN_REQUIRE_BIND_MOUNT");                         \
    if (require && std::string(require) == "1") FAIL() << "VHDCHAIN_REQUIRE_BIND_MOUNT=1 but " << (run).why; \
    GTEST_SKIP() << "real bind-mount aliasing not tested: " << (run).why;                     \
  }

class CheckAlias : public ::testing::Test {
 protected:
  void SetUp() override {
    real_ = hostpath::resolve_host_path(path_of(t_ / "real"));
    alias_ = hostpath::resolve_host_path(path_of(t_ / "alias x"));
    fs::create_directories(real_);
    fs::create_directories(alias_);
    base_ = build_image(vhdx_base_spec(1));
    base_.write(real_ + "/base.vhdx");
  }
  // The mount point the real folder is on, as the host sees it (before our bind).
  std::string real_mount() const {
    hostpath::MountTable table = hostpath::read_mount_table();
    return hostpath::locate_host_path(table, real_).value().mount_point;
  }
  std::string volume() const {
    hostpath::MountTable table = hostpath::read_mount_table();
    return hostpath::locate_host_path(table, real_).value().volume;
  }

  TempDir t_;
  std::string real_, alias_;
  BuiltImage base_;
};

TEST_F(CheckAlias, ParentReachedThroughABindMountOfTheChildsFolder) {
  // The locator climbs out of the child's folder and back in through the alias.
  vhdx_child(base_, 2, {{"relative_path", "..\\alias x\\base.vhdx"}}).write(real_ + "/base_A.avhdx");
  const std::string mounts = "mount points " + real_mount() + " and " + alias_ + " of volume " + volume();
  BoundRun run = check_with_bind(real_, alias_, {real_});
  SKIP_IF_NO_BIND(run);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(finding_codes(run.doc), std::vector<std::string>{"alias.parent_via_other_mount"}) << run.doc.at("findings").dump(1);
  json f = only_finding(run.doc, "alias.parent_via_other_mount");
  const std::string child = real_ + "/base_A.avhdx", parent = real_ + "/../alias x/base.vhdx";
  EXPECT_EQ(f.at("message"), child + ": child and parent " + parent + " reach one volume through two mount points (" +
                                 mounts + "). Hyper-V resolves them through different paths, decides they are unrelated " +
                                 "and fails the merge. Canonical path " + real_ + "/base.vhdx, alias " + parent +
                                 ": use one mount point and repair the locators");
  EXPECT_EQ(f.at("paths"), (json{child, parent, real_ + "/base.vhdx", parent}));
  EXPECT_EQ(f.at("hyperv_error"), "0xC03A000D");
  // One disk, found as scanned and reached again through the alias.
  json base = disk_entry(run.doc, real_ + "/base.vhdx");
  EXPECT_EQ(base.at("other_paths"), json{parent});
  EXPECT_EQ(run.doc.at("chains")[0].at("complete"), true);
}

TEST_F(CheckAlias, OneDiskScannedThroughTwoMountPoints) {
  const std::string mounts = "mount points " + real_mount() + " and " + alias_ + " of volume " + volume();
  BoundRun run = check_with_bind(real_, alias_, {real_, alias_});
  SKIP_IF_NO_BIND(run);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(finding_codes(run.doc), (std::vector<std::string>{"alias.disk_seen_twice", "disk.standalone"})) << run.doc.at("findings").dump(1);
  json f = only_finding(run.doc, "alias.disk_seen_twice");
  EXPECT_EQ(f.at("message"), alias_ + "/base.vhdx: the same file is also reached as " + real_ + "/base.vhdx (" +
                                 "mount points " + alias_ + " and " + real_mount() + " of volume " + volume() +
                                 "); canonical path " + real_ + "/base.vhdx, alias " + alias_ +
                                 "/base.vhdx. Keep one mount point per volume");
  EXPECT_EQ(run.doc.at("disks").size(), 1u);
}

TEST_F(CheckAlias, TwoLocatorsThroughTwoMountPoints) {
  vhdx_child(base_, 2, {{"relative_path", ".\\base.vhdx"}, {"absolute_win32_path", "C:\\VMs\\base.vhdx"}})
      .write(real_ + "/base_A.avhdx");
  BoundRun run = check_with_bind(real_, alias_, {"--map", "C:\\VMs=" + alias_, real_});
  SKIP_IF_NO_BIND(run);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(finding_codes(run.doc), std::vector<std::string>{"alias.locators_via_two_mounts"}) << run.doc.at("findings").dump(1);
  json f = only_finding(run.doc, "alias.locators_via_two_mounts");
  EXPECT_EQ(f.at("message"), real_ + "/base_A.avhdx: locators relative_path and absolute_win32_path reach the parent "
                                     "through two mount points (mount points " + real_mount() + " and " + alias_ +
                                 " of volume " + volume() + "); canonical path " + real_ + "/base.vhdx, alias " +
                                 alias_ + "/base.vhdx");
}

// --- the Windows host's view -----------------------------------------------------------------

class CheckWindowsVolumes : public ::testing::Test {
 protected:
  // The host's C: drive copied to host-c/; the VM folder C:\Hyper-V\VMs is on the volume that is
  // also D:\ (seed 000). The child was created through C:\Hyper-V\, its parent recorded through D:\.
  void SetUp() override {
    host_c_ = path_of(t_ / "host-c");
    vms_ = host_c_ + "/Hyper-V/VMs";
    fs::create_directories(vms_);
    BuiltImage base = build_image(vhdx_base_spec(1));
    base.write(vms_ + "/VM.vhdx");
    vhdx_child(base, 2,
               {{"absolute_win32_path", "D:\\VMs\\VM.vhdx"},
                {"relative_path", ".\\VM.vhdx"},
                {"volume_path", "\\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\VMs\\VM.vhdx"}})
        .write(vms_ + "/VM_AAAA.avhdx");
  }
  json check(const std::string& volumes_file, int expected_exit) {
    CliRun r = run_cli({"check", "--json", "--map", "C:\\=" + host_c_, "--volumes", volumes_file, vms_});
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    EXPECT_EQ(check_json_schema_errors(r.out), "");
    return r.json();
  }
  void expect_seed000(const json& doc) {
    EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"alias.parent_via_other_mount"}) << doc.at("findings").dump(1);
    json f = only_finding(doc, "alias.parent_via_other_mount");
    EXPECT_EQ(f.at("message"),
              vms_ + "/VM_AAAA.avhdx: on the Windows host the child is C:\\Hyper-V\\VMs\\VM_AAAA.avhdx and its locator "
                     "absolute_win32_path names the parent as D:\\VMs\\VM.vhdx: one volume through two mount points "
                     "(mount points C:\\Hyper-V\\ and D:\\ of volume \\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\). "
                     "Hyper-V resolves them through different paths, decides they are unrelated and fails the merge. "
                     "Canonical path D:\\VMs\\VM_AAAA.avhdx, alias C:\\Hyper-V\\VMs\\VM_AAAA.avhdx: use one mount "
                     "point and repair the locators");
    EXPECT_EQ(f.at("paths"), (json{vms_ + "/VM_AAAA.avhdx", "C:\\Hyper-V\\VMs\\VM_AAAA.avhdx", "D:\\VMs\\VM.vhdx",
                                   "D:\\VMs\\VM_AAAA.avhdx", "C:\\Hyper-V\\VMs\\VM_AAAA.avhdx"}));
    EXPECT_EQ(f.at("hyperv_error"), "0xC03A000D");
    EXPECT_EQ(disk_entry(doc, vms_ + "/VM_AAAA.avhdx").at("windows_path"), "C:\\Hyper-V\\VMs\\VM_AAAA.avhdx");
  }

  TempDir t_;
  std::string host_c_, vms_;
};

TEST_F(CheckWindowsVolumes, Seed000FromMountvolText) {
  expect_seed000(check(std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt", 1));
}

TEST_F(CheckWindowsVolumes, Seed000FromWin32VolumeJson) {
  expect_seed000(check(std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-win32_volume.json", 1));
}

TEST_F(CheckWindowsVolumes, WithoutTheVolumeListNothingCanBeSaid) {
  CliRun r = run_cli({"check", "--json", "--map", "C:\\=" + host_c_, vms_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(finding_codes(r.json()), std::vector<std::string>{});
}

TEST_F(CheckWindowsVolumes, UnknownVolume) {
  BuiltImage base = build_image(vhdx_base_spec(3));
  base.write(vms_ + "/other.vhdx");
  vhdx_child(base, 4, {{"relative_path", ".\\other.vhdx"}, {"absolute_win32_path", "E:\\VMs\\other.vhdx"}})
      .write(vms_ + "/other_B.avhdx");
  json doc = check(std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt", 1);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"alias.parent_via_other_mount", "alias.unknown_volume"})) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "alias.unknown_volume"),
            (json{{"code", "alias.unknown_volume"},
                  {"severity", "info"},
                  {"inconclusive", false},
                  {"message", vms_ + "/other_B.avhdx: locator absolute_win32_path \"E:\\VMs\\other.vhdx\": no listed "
                                     "volume is mounted at E:\\ (--volumes); it cannot be placed on the host's volumes"},
                  {"paths", json{vms_ + "/other_B.avhdx"}},
                  {"hyperv_error", nullptr},
                  {"hyperv_error_name", nullptr}, {"policy", nullptr}}));
}

TEST_F(CheckWindowsVolumes, LocatorsNameTwoVolumes) {
  // volume_path names the seed-000 volume, absolute_win32_path the C: volume: they cannot both be right.
  BuiltImage base = build_image(vhdx_base_spec(5));
  base.write(vms_ + "/two.vhdx");
  vhdx_child(base, 6,
             {{"relative_path", ".\\two.vhdx"},
              {"volume_path", "\\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\VMs\\two.vhdx"},
              {"absolute_win32_path", "C:\\Old\\two.vhdx"}})
      .write(vms_ + "/two_C.avhdx");
  json doc = check(std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt", 1);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"locator.not_found", "alias.parent_via_other_mount",
                                                          "locator.disagree"}))
      << doc.at("findings").dump(1);
  json f = only_finding(doc, "locator.disagree");
  EXPECT_EQ(f.at("message"),
            vms_ + "/two_C.avhdx: locators volume_path \"\\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\VMs\\two.vhdx\" "
                   "and absolute_win32_path \"C:\\Old\\two.vhdx\" name different places on the Windows host (volumes "
                   "\\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\ and \\\\?\\Volume{0c1d2e3f-0000-4000-8000-00000000000c}\\)");
  EXPECT_EQ(f.at("severity"), "warning");
}

}  // namespace
}  // namespace vhdchain::test
