// Alias analysis: Windows paths against a host's volume list (seed 000 from any machine), host path
// facts from the fixture mount table, and live facts for a symlinked folder and a hard link.
#include <cerrno>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#ifdef _WIN32
#include <winerror.h>
#endif

#include "unit/hostpath/fixtures.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

constexpr size_t kNone = AliasFinding::kNone;

// An identity's error is what the system reported: errno on POSIX, GetLastError() on Windows, where
// the text is FormatMessage's (and differs between Windows versions and wine).
#ifdef _WIN32
constexpr int kNotFound = ERROR_FILE_NOT_FOUND;
constexpr int kDenied = ERROR_ACCESS_DENIED;
const std::string kNotFoundText = std::system_category().message(kNotFound);
const std::string kDeniedText = std::system_category().message(kDenied);
#else
constexpr int kNotFound = ENOENT;
constexpr int kDenied = EACCES;
const std::string kNotFoundText = "No such file or directory";
const std::string kDeniedText = "Permission denied";
#endif
constexpr const char* kD = "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\";

WindowsVolumeSet fixture_volumes() {
  return WindowsVolumeSet::from_mountvol(std::vector<uint8_t>(test::kMountvol.begin(), test::kMountvol.end()),
                                         "mountvol.txt");
}

std::vector<WinPath> parse_all(const std::vector<std::string>& texts) {
  std::vector<WinPath> out;
  for (const std::string& t : texts) out.push_back(parse_windows_path(t));
  return out;
}

TEST(HostpathAliasCodes, NamesAreStable) {
  EXPECT_EQ(to_string(AliasCode::missing), "hostpath.missing");
  EXPECT_EQ(to_string(AliasCode::unreadable), "hostpath.unreadable");
  EXPECT_EQ(to_string(AliasCode::cluster_storage_root), "hostpath.cluster_storage_root");
  EXPECT_EQ(to_string(AliasCode::unknown_volume), "hostpath.unknown_volume");
  EXPECT_EQ(to_string(AliasCode::same_file), "hostpath.same_file");
  EXPECT_EQ(to_string(AliasCode::hard_link), "hostpath.hard_link");
  EXPECT_EQ(to_string(AliasCode::mount_alias), "hostpath.mount_alias");
  EXPECT_EQ(to_string(AliasCode::volume_alias), "hostpath.volume_alias");
  EXPECT_EQ(to_string(AliasCode::different_file), "hostpath.different_file");
}

TEST(HostpathWindowsAliases, Seed000SameFileThroughTwoMountPoints) {
  WindowsVolumeSet volumes = fixture_volumes();
  std::optional<AliasFinding> f = analyze_windows_pair(volumes, parse_windows_path("C:\\Hyper-V\\VMs\\VM.vhdx"), 0,
                                                       parse_windows_path("D:\\VMs\\VM.vhdx"), 1);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, (AliasFinding{AliasCode::mount_alias, 0, 1, "D:\\VMs\\VM.vhdx", "C:\\Hyper-V\\VMs\\VM.vhdx",
                              std::string("mount points C:\\Hyper-V\\ and D:\\ of volume ") + kD}));
}

TEST(HostpathWindowsAliases, Seed000ChildAndItsLocators) {
  WindowsVolumeSet volumes = fixture_volumes();
  WinPath child = parse_windows_path("C:\\Hyper-V\\VMs\\VM_AAAA.avhdx");
  std::vector<WinPath> paths = {child, parse_windows_path("D:\\VMs\\VM.vhdx"),
                                parse_windows_path(std::string(kD) + "VMs\\VM.vhdx"),
                                resolve_relative(child, parse_windows_path(".\\VM.vhdx"))};
  const std::string mounts = std::string("mount points C:\\Hyper-V\\ and D:\\ of volume ") + kD;
  std::vector<AliasFinding> expected = {
      // The child (through C:\Hyper-V\) and its parent (through D:\) are on one volume: Hyper-V's
      // merge will think them unrelated. D:\ is canonical, so the child's path is the alias.
      {AliasCode::volume_alias, 0, 1, "D:\\VMs\\VM_AAAA.avhdx", "C:\\Hyper-V\\VMs\\VM_AAAA.avhdx", mounts},
      {AliasCode::different_file, 0, 2, "", std::string(kD) + "VMs\\VM.vhdx",
       std::string("\\VMs\\VM_AAAA.avhdx and \\VMs\\VM.vhdx on volume ") + kD},
      {AliasCode::different_file, 0, 3, "", "C:\\Hyper-V\\VMs\\VM.vhdx",
       std::string("\\VMs\\VM_AAAA.avhdx and \\VMs\\VM.vhdx on volume ") + kD},
      // absolute_win32_path and volume_path agree: a GUID path is the volume's name, no alias issue.
      {AliasCode::same_file, 1, 2, "D:\\VMs\\VM.vhdx", std::string(kD) + "VMs\\VM.vhdx",
       std::string("\\VMs\\VM.vhdx on volume ") + kD},
      // relative_path (beside the child) and absolute_win32_path: one file through two mount points.
      {AliasCode::mount_alias, 1, 3, "D:\\VMs\\VM.vhdx", "C:\\Hyper-V\\VMs\\VM.vhdx",
       std::string("mount points D:\\ and C:\\Hyper-V\\ of volume ") + kD},
      {AliasCode::same_file, 2, 3, "D:\\VMs\\VM.vhdx", "C:\\Hyper-V\\VMs\\VM.vhdx",
       std::string("\\VMs\\VM.vhdx on volume ") + kD},
  };
  EXPECT_EQ(analyze_windows_paths(volumes, paths), expected);
}

TEST(HostpathWindowsAliases, ClusterStorageUnknownVolumesAndShares) {
  WindowsVolumeSet volumes = fixture_volumes();
  std::vector<WinPath> paths = parse_all({"C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx",
                                          "C:\\ClusterStorage\\Volume1\\VMs\\a.vhdx", "F:\\VMs\\a.vhdx",
                                          "\\\\?\\Volume{00000000-0000-0000-0000-000000000001}\\a.vhdx",
                                          "\\\\fs1\\vms\\a.vhdx", "\\\\FS1\\VMS\\A.VHDX", "E:\\a.vhdx"});
  const std::string csv = "\\\\?\\Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}\\";
  std::vector<AliasFinding> expected = {
      {AliasCode::cluster_storage_root, 0, kNone, "C:\\ClusterStorage\\Volume1\\VMs\\a.vhdx",
       "C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx", "C:\\ClusterStorage.000"},
      {AliasCode::unknown_volume, 2, kNone, "", "F:\\VMs\\a.vhdx", "no listed volume is mounted at F:\\"},
      {AliasCode::unknown_volume, 3, kNone, "", "\\\\?\\Volume{00000000-0000-0000-0000-000000000001}\\a.vhdx",
       "volume \\\\?\\Volume{00000000-0000-0000-0000-000000000001}\\ is not in the list"},
      {AliasCode::mount_alias, 0, 1, "C:\\ClusterStorage\\Volume1\\VMs\\a.vhdx",
       "C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx",
       "mount points C:\\ClusterStorage.000\\Volume1\\ and C:\\ClusterStorage\\Volume1\\ of volume " + csv},
      {AliasCode::different_file, 0, 6, "", "E:\\a.vhdx",
       "volumes " + csv + " and \\\\?\\Volume{e2d1c0b9-0000-0000-0000-000000000000}\\"},
      {AliasCode::different_file, 1, 6, "", "E:\\a.vhdx",
       "volumes " + csv + " and \\\\?\\Volume{e2d1c0b9-0000-0000-0000-000000000000}\\"},
      // Shares are not in a volume list: compared as text, case-insensitively.
      {AliasCode::same_file, 4, 5, "\\\\fs1\\vms\\a.vhdx", "\\\\FS1\\VMS\\A.VHDX", ""},
  };
  EXPECT_EQ(analyze_windows_paths(volumes, paths), expected);
}

TEST(HostpathWindowsAliases, IdenticalPathsSayNothing) {
  WindowsVolumeSet volumes = fixture_volumes();
  WinPath p = parse_windows_path("D:\\VMs\\VM.vhdx");
  EXPECT_FALSE(analyze_windows_pair(volumes, p, 0, p, 1));
  EXPECT_FALSE(analyze_windows_pair(volumes, parse_windows_path("\\\\fs1\\a\\b"), 0, parse_windows_path("\\\\fs2\\a\\b"), 1));
}

// Host facts built from the fixture table, with made-up identities.
PathFacts facts(const MountTable& table, const std::string& given, const std::string& resolved, uint64_t inode,
                int error = 0) {
  PathFacts f;
  f.path = given;
  f.identity.error = error;
  f.identity.status = classify_access_error(error);
  if (error == 0) f.identity.identity = FileIdentity{0x811, 0, inode};
  f.location = locate_host_path(table, resolved);
  return f;
}

TEST(HostpathHostAliases, Seed000OnALinuxMountTable) {
  MountTable table = parse_mountinfo(test::kMountInfo);
  std::vector<PathFacts> paths = {
      facts(table, "/mnt/host-c/Hyper-V/VMs/VM_AAAA.avhdx", "/mnt/host-c/Hyper-V/VMs/VM_AAAA.avhdx", 100),
      facts(table, "/mnt/host-c/Hyper-V/VMs/VM.vhdx", "/mnt/host-c/Hyper-V/VMs/VM.vhdx", 200),
      facts(table, "/mnt/host-d/VMs/VM.vhdx", "/mnt/host-d/VMs/VM.vhdx", 200),
  };
  const std::string mounts = "mount points /mnt/host-c/Hyper-V and /mnt/host-d of volume 8:17";
  std::vector<AliasFinding> expected = {
      {AliasCode::different_file, 0, 1, "", "/mnt/host-c/Hyper-V/VMs/VM.vhdx",
       "volume 0x811 file 0x00000000000000000000000000000064 vs volume 0x811 file 0x000000000000000000000000000000c8"},
      {AliasCode::volume_alias, 0, 2, "/mnt/host-d/VMs/VM_AAAA.avhdx", "/mnt/host-c/Hyper-V/VMs/VM_AAAA.avhdx", mounts},
      {AliasCode::mount_alias, 1, 2, "/mnt/host-d/VMs/VM.vhdx", "/mnt/host-c/Hyper-V/VMs/VM.vhdx", mounts},
  };
  EXPECT_EQ(analyze_host_paths(paths), expected);
}

TEST(HostpathHostAliases, SinglePathFindings) {
  MountTable table = parse_mountinfo(test::kMountInfo);
  std::vector<AliasFinding> missing =
      analyze_host_path(facts(table, "/mnt/host-d/VMs/gone.vhdx", "/mnt/host-d/VMs/gone.vhdx", 0, kNotFound), 3);
  EXPECT_EQ(missing, (std::vector<AliasFinding>{
                         {AliasCode::missing, 3, kNone, "", "/mnt/host-d/VMs/gone.vhdx", kNotFoundText}}));
  std::vector<AliasFinding> denied =
      analyze_host_path(facts(table, "/mnt/host-d/VMs/x.vhdx", "/mnt/host-d/VMs/x.vhdx", 0, kDenied), 0);
  EXPECT_EQ(denied, (std::vector<AliasFinding>{
                        {AliasCode::unreadable, 0, kNone, "", "/mnt/host-d/VMs/x.vhdx", kDeniedText}}));
  std::vector<AliasFinding> csv = analyze_host_path(
      facts(table, "/mnt/host-c/ClusterStorage.000/Volume1/VMs/a.vhdx",
            "/mnt/host-c/ClusterStorage.000/Volume1/VMs/a.vhdx", 7),
      1);
  EXPECT_EQ(csv, (std::vector<AliasFinding>{{AliasCode::cluster_storage_root, 1, kNone,
                                             "/mnt/host-c/ClusterStorage/Volume1/VMs/a.vhdx",
                                             "/mnt/host-c/ClusterStorage.000/Volume1/VMs/a.vhdx",
                                             "/mnt/host-c/ClusterStorage.000"}}));
  EXPECT_TRUE(analyze_host_path(facts(table, "/mnt/host-d/VMs/VM.vhdx", "/mnt/host-d/VMs/VM.vhdx", 1), 0).empty());
}

TEST(HostpathHostAliases, PairRules) {
  MountTable table = parse_mountinfo(test::kMountInfo);
  // A symlinked folder: one place, one mount point, two texts.
  EXPECT_EQ(analyze_host_pair(facts(table, "/srv/src/sub/f", "/srv/src/sub/f", 5), 0,
                              facts(table, "/srv/link/f", "/srv/src/sub/f", 5), 1),
            (AliasFinding{AliasCode::same_file, 0, 1, "/srv/src/sub/f", "/srv/link/f", "/srv/src/sub/f on volume 254:1"}));
  // The bind of a subtree: one file through two mount points.
  EXPECT_EQ(analyze_host_pair(facts(table, "/srv/dst x/f", "/srv/dst x/f", 5), 0,
                              facts(table, "/srv/src/sub/f", "/srv/src/sub/f", 5), 1),
            (AliasFinding{AliasCode::mount_alias, 0, 1, "/srv/src/sub/f", "/srv/dst x/f",
                          "mount points /srv/dst x and / of volume 254:1"}));
  // A hard link: one identity, two places.
  EXPECT_EQ(analyze_host_pair(facts(table, "/srv/a.vhdx", "/srv/a.vhdx", 9), 0,
                              facts(table, "/srv/b.vhdx", "/srv/b.vhdx", 9), 1),
            (AliasFinding{AliasCode::hard_link, 0, 1, "/srv/a.vhdx", "/srv/b.vhdx", "/srv/a.vhdx and /srv/b.vhdx on volume 254:1"}));
  // A missing parent still names one place through two mount points.
  EXPECT_EQ(analyze_host_pair(facts(table, "/mnt/host-c/Hyper-V/gone.vhdx", "/mnt/host-c/Hyper-V/gone.vhdx", 0, kNotFound), 0,
                              facts(table, "/mnt/host-d/gone.vhdx", "/mnt/host-d/gone.vhdx", 0, kNotFound), 1),
            (AliasFinding{AliasCode::mount_alias, 0, 1, "/mnt/host-d/gone.vhdx", "/mnt/host-c/Hyper-V/gone.vhdx",
                          "mount points /mnt/host-c/Hyper-V and /mnt/host-d of volume 8:17"}));
  // One of them missing, other places on one volume through two mount points.
  EXPECT_EQ(analyze_host_pair(facts(table, "/mnt/host-d/VMs/c.avhdx", "/mnt/host-d/VMs/c.avhdx", 3), 0,
                              facts(table, "/mnt/host-c/Hyper-V/VMs/p.vhdx", "/mnt/host-c/Hyper-V/VMs/p.vhdx", 0, kNotFound), 1),
            (AliasFinding{AliasCode::volume_alias, 0, 1, "/mnt/host-d/VMs/p.vhdx", "/mnt/host-c/Hyper-V/VMs/p.vhdx",
                          "mount points /mnt/host-d and /mnt/host-c/Hyper-V of volume 8:17"}));
  // Nothing to say: the same path twice; a missing file beside an existing one on one mount.
  EXPECT_FALSE(analyze_host_pair(facts(table, "/srv/a", "/srv/a", 1), 0, facts(table, "/srv/a", "/srv/a", 1), 1));
  EXPECT_FALSE(analyze_host_pair(facts(table, "/srv/a", "/srv/a", 1), 0, facts(table, "/srv/b", "/srv/b", 0, kNotFound), 1));
  // Without locations identity alone decides.
  PathFacts a = facts(table, "x/a", "relative", 4), b = facts(table, "y/a", "relative", 4);
  EXPECT_EQ(analyze_host_pair(a, 0, b, 1),
            (AliasFinding{AliasCode::same_file, 0, 1, "x/a", "y/a", "volume 0x811 file 0x00000000000000000000000000000004"}));
}

// Windows drive letters that Windows (subst) or wine names as volumes of their own while FileIdInfo
// gives their files one volume serial number: one file system through two mount points.
PathFacts windows_facts(const std::string& drive, const std::string& volume, const std::string& inner,
                        uint64_t serial, uint64_t file_id) {
  PathFacts f;
  f.path = drive + ":" + inner;
  f.identity.identity = FileIdentity{serial, 0, file_id};
  HostLocation l;
  l.path = f.path;
  l.mount_point = drive + ":\\";
  l.volume = volume;
  l.mount_root = "\\";
  l.inner_path = inner;
  l.aliases = {f.path};
  f.location = l;
  return f;
}

TEST(HostpathHostAliases, WindowsDriveLettersOfOneFileSystem) {
  const std::string vx = "\\\\?\\Volume{00000000-0000-0000-0000-0000000000aa}\\";
  const std::string vy = "\\\\?\\Volume{00000000-0000-0000-0000-0000000000bb}\\";
  const std::string names = "serial 0x7c2 (names " + vx + " and " + vy + ")";
  // The seed-000 shape: the child on X:, its parent reached through Y:.
  EXPECT_EQ(analyze_host_pair(windows_facts("X", vx, "\\alias\\c.avhdx", 0x7c2, 1), 0,
                              windows_facts("Y", vy, "\\alias\\base.vhdx", 0x7c2, 2), 1),
            (AliasFinding{AliasCode::volume_alias, 0, 1, "X:\\alias\\base.vhdx", "Y:\\alias\\base.vhdx",
                          "mount points X:\\ and Y:\\ of volume " + names}));
  // One file through both letters.
  EXPECT_EQ(analyze_host_pair(windows_facts("X", vx, "\\alias\\base.vhdx", 0x7c2, 2), 0,
                              windows_facts("Y", vy, "\\alias\\base.vhdx", 0x7c2, 2), 1),
            (AliasFinding{AliasCode::mount_alias, 0, 1, "X:\\alias\\base.vhdx", "Y:\\alias\\base.vhdx",
                          "mount points X:\\ and Y:\\ of volume " + names}));
  // Two serial numbers: two volumes, whatever the paths.
  EXPECT_EQ(analyze_host_pair(windows_facts("X", vx, "\\alias\\c.avhdx", 0x7c2, 1), 0,
                              windows_facts("Y", vy, "\\alias\\base.vhdx", 0x7c3, 2), 1)->code,
            AliasCode::different_file);
  // Linux locations keep their device-number volume keys as the only rule.
  PathFacts a = windows_facts("X", "8:1", "/a", 0x801, 1), b = windows_facts("Y", "8:2", "/b", 0x801, 2);
  a.location->mount_point = "/mnt/a";
  b.location->mount_point = "/mnt/b";
  EXPECT_EQ(analyze_host_pair(a, 0, b, 1)->code, AliasCode::different_file);
}

}  // namespace
}  // namespace vhdchain::hostpath
