// The live side on Windows: resolve_host_path and probe_host_path through the volume APIs, and
// alias analysis on real files (the Linux counterpart is probe_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <system_error>

#include "hostpath/volumes_win32.h"
#include "io/win32.h"
#include "unit/hostpath/win32_temp.h"
#include "unit/hostpath/wine.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using test::Win32TempDir;
constexpr size_t kNone = AliasFinding::kNone;

TEST(HostpathProbeWin32, NoMountTableOnWindows) { EXPECT_TRUE(read_mount_table().entries.empty()); }

TEST(HostpathProbeWin32, ResolvesDotsCaseAndMissingTails) {
  Win32TempDir t;
  test::win32_mkdir(t / "VMs");
  test::win32_write(t / "VMs\\Child.avhdx", "c");
  EXPECT_EQ(resolve_host_path(t / "VMs\\Child.avhdx"), t / "VMs\\Child.avhdx");
  // Stored case and "." / ".." / '/' resolved as Windows does (GetFullPathNameW, then the final
  // path of what exists); a missing tail is kept as written.
  EXPECT_EQ(resolve_host_path(t / "vms/./x/../CHILD.avhdx"), t / "VMs\\Child.avhdx");
  EXPECT_EQ(resolve_host_path(t / "vms\\gone\\Parent.vhdx"), t / "VMs\\gone\\Parent.vhdx");
  EXPECT_EQ(resolve_host_path(""), "");
}

// A small file in t, probed: where the two volume tests start.
PathFacts probe_new_disk(const Win32TempDir& t) {
  test::win32_write(t / "disk.vhdx", "d");
  return probe_host_path(MountTable{}, t / "disk.vhdx");
}

TEST(HostpathProbeWin32, LocatesAFileOnItsVolume) {
  Win32TempDir t;
  PathFacts facts = probe_new_disk(t);
  ASSERT_TRUE(facts.identity.ok());
  ASSERT_TRUE(facts.location);
  const HostLocation& loc = *facts.location;
  EXPECT_EQ(loc.path, t / "disk.vhdx");

  std::optional<std::string> mount = live::volume_path_name(t / "disk.vhdx");
  ASSERT_TRUE(mount);
  EXPECT_EQ(loc.mount_point, *mount);
  EXPECT_EQ(loc.mount_root, "\\");
  EXPECT_EQ(loc.inner_path, "\\" + loc.path.substr(mount->size()));
  std::optional<std::string> volume = live::volume_name_for_mount_point(*mount);
  ASSERT_TRUE(volume) << "GetVolumeNameForVolumeMountPointW(" << *mount << ") failed: " << ::GetLastError();
  EXPECT_EQ(loc.volume, *volume);
  ASSERT_FALSE(loc.aliases.empty());
  EXPECT_NE(std::find(loc.aliases.begin(), loc.aliases.end(), loc.path), loc.aliases.end());
}

// Through the volume GUID path: the same file, placed through the volume's canonical mount point.
TEST(HostpathProbeWin32, LocatesAFileThroughItsVolumeGuidPath) {
  Win32TempDir t;
  const PathFacts facts = probe_new_disk(t);
  ASSERT_TRUE(facts.identity.ok() && facts.location) << facts.identity.error;
  const HostLocation& loc = *facts.location;
  const std::string& volume = loc.volume;
  if (std::optional<std::string> wine = test::wine_version();
      wine && ::GetFileAttributesW(win32::widen(volume).c_str()) == INVALID_FILE_ATTRIBUTES)
    GTEST_SKIP() << *wine << " cannot open files by volume GUID path (" << volume << ": error " << ::GetLastError()
                 << "); Windows can";
  const std::string by_guid = volume + loc.inner_path.substr(1);
  PathFacts guid_facts = probe_host_path(MountTable{}, by_guid);
  EXPECT_EQ(guid_facts.identity.identity, facts.identity.identity);
  ASSERT_TRUE(guid_facts.location);
  EXPECT_EQ(guid_facts.location->volume, loc.volume);
  EXPECT_EQ(guid_facts.location->inner_path, loc.inner_path);
  EXPECT_EQ(guid_facts.location->canonical(), loc.canonical());
  const std::vector<PathFacts> pair = {facts, guid_facts};
  std::vector<AliasFinding> findings = analyze_host_paths(pair);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].code, AliasCode::same_file);  // not a second mount point
  EXPECT_EQ(findings[0].alias, by_guid);
}

TEST(HostpathProbeWin32, AnalysisOfRealPaths) {
  Win32TempDir t;
  test::win32_mkdir(t / "real");
  test::win32_write(t / "real\\Parent.vhdx", "parent");
  test::win32_write(t / "real\\other.vhdx", "other");
  ASSERT_TRUE(::CreateHardLinkW(win32::widen(t / "real\\hard.vhdx").c_str(),
                                win32::widen(t / "real\\Parent.vhdx").c_str(), nullptr));
  const std::vector<std::string> given = {t / "real\\Parent.vhdx", t / "REAL\\sub\\..\\parent.VHDX",
                                          t / "real\\hard.vhdx", t / "real\\other.vhdx", t / "real\\missing.vhdx"};
  std::vector<PathFacts> paths;
  for (const std::string& g : given) paths.push_back(probe_host_path(MountTable{}, g));
  for (size_t i = 0; i < paths.size(); ++i) ASSERT_TRUE(paths[i].location) << given[i];
  EXPECT_EQ(paths[1].location->path, given[0]);
  EXPECT_EQ(paths[4].location->path, given[4]);  // missing, still placed

  const HostLocation& parent = *paths[0].location;
  const HostLocation& hard = *paths[2].location;
  const std::string id_parent = paths[0].identity.identity.to_string();
  const std::string id_other = paths[3].identity.identity.to_string();
  const std::string volume = parent.volume;
  const std::vector<AliasFinding> expected = {
      {AliasCode::missing, 4, kNone, "", given[4], std::system_category().message(ERROR_FILE_NOT_FOUND)},
      {AliasCode::same_file, 0, 1, parent.canonical(), given[1], parent.inner_path + " on volume " + volume},
      {AliasCode::hard_link, 0, 2, parent.canonical(), given[2],
       parent.inner_path + " and " + hard.inner_path + " on volume " + volume},
      {AliasCode::different_file, 0, 3, "", given[3], id_parent + " vs " + id_other},
      {AliasCode::hard_link, 1, 2, parent.canonical(), given[2],
       parent.inner_path + " and " + hard.inner_path + " on volume " + volume},
      {AliasCode::different_file, 1, 3, "", given[3], id_parent + " vs " + id_other},
      {AliasCode::different_file, 2, 3, "", given[3], id_parent + " vs " + id_other},
  };
  EXPECT_EQ(analyze_host_paths(paths), expected);
}

TEST(HostpathProbeWin32, TheLiveVolumeList) {
  // Whatever the machine has, the system drive is a mount point of one listed volume, and the
  // list is a valid set (every name parsed, no mount point twice).
  wchar_t windows[MAX_PATH] = {};
  ASSERT_GT(::GetWindowsDirectoryW(windows, MAX_PATH), 2u);
  const std::string system_root = win32::narrow(std::wstring(windows, 2)) + "\\";
  WindowsVolumeSet set = live::read_volume_set();
  std::optional<VolumePlace> place = set.locate(parse_windows_path(system_root + "x"));
  ASSERT_TRUE(place) << "no volume lists " << system_root;
  EXPECT_EQ(place->guid_path, live::volume_name_for_mount_point(system_root));
  std::optional<std::vector<std::string>> mounts = live::mount_points_of_volume(place->guid_path);
  ASSERT_TRUE(mounts);
  EXPECT_NE(std::find(mounts->begin(), mounts->end(), system_root), mounts->end());
}

}  // namespace
}  // namespace vhdchain::hostpath
