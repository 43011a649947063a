// compose_parent_paths: the relative form from resolved folders, the Windows forms from --map used
// in reverse and --volumes (POSIX), or from the system (Windows).
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "hostpath/parent_paths.h"

namespace vhdchain {
namespace {

using test::TempDir;

std::string rel(std::vector<std::string> from, std::vector<std::string> to, bool ignore_case = false) {
  return hostpath::relative_windows_path(from, to, ignore_case);
}

TEST(RelativeWindowsPath, AsHyperVWritesIt) {
  EXPECT_EQ(rel({"VMs"}, {"VMs", "base.vhdx"}), ".\\base.vhdx");
  EXPECT_EQ(rel({}, {"base.vhdx"}), ".\\base.vhdx");
  EXPECT_EQ(rel({"VMs", "kids"}, {"VMs", "base", "p.vhdx"}), "..\\base\\p.vhdx");
  EXPECT_EQ(rel({"a", "b", "c"}, {"x", "p.vhdx"}), "..\\..\\..\\x\\p.vhdx");
  EXPECT_EQ(rel({"VMs"}, {"VMs", "sub", "p.vhdx"}), ".\\sub\\p.vhdx");
  // A folder named like the file is still a folder: the file name never joins the common part.
  EXPECT_EQ(rel({"p.vhdx"}, {"p.vhdx"}), "..\\p.vhdx");
  // NTFS compares names ignoring case; a Linux folder does not.
  EXPECT_EQ(rel({"VMs"}, {"vms", "p.vhdx"}, true), ".\\p.vhdx");
  EXPECT_EQ(rel({"VMs"}, {"vms", "p.vhdx"}, false), "..\\vms\\p.vhdx");
}

TEST(RelativeWindowsPath, RefusesABackslashInAName) {
  try {
    rel({"VMs"}, {"VMs", "a\\b.vhdx"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_STREQ(e.what(), "parent path: the name \"a\\b.vhdx\" holds a '\\', which Windows reads as a separator");
  }
}

#ifndef _WIN32

void touch(const std::filesystem::path& p) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

hostpath::PathMap mapping(std::initializer_list<std::string> texts) {
  hostpath::PathMap map;
  for (const std::string& t : texts) map.add(hostpath::parse_path_mapping(t));
  return map;
}

const std::string kGuid = "0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9";
const std::string kGuidRoot = "\\\\?\\Volume{" + kGuid + "}\\";

TEST(ComposeParentPathsPosix, RelativeOnlyWithoutContext) {
  TempDir dir;
  touch(dir / "VMs" / "base.vhdx");
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string());
  EXPECT_EQ(p.relative_path, ".\\base.vhdx");
  EXPECT_FALSE(p.absolute_win32_path);
  EXPECT_FALSE(p.volume_path);
  EXPECT_EQ(compose_parent_paths((dir / "kids" / "new" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string())
                .relative_path,
            "..\\..\\VMs\\base.vhdx");
}

TEST(ComposeParentPathsPosix, FoldersResolvedNamesKept) {
  TempDir dir;
  touch(dir / "real" / "base.vhdx");
  std::filesystem::create_directory_symlink(dir / "real", dir / "link");
  std::filesystem::create_symlink(dir / "real" / "base.vhdx", dir / "real" / "alias.vhdx");
  // The child's folder is a symlink to the parent's: same folder once resolved.
  EXPECT_EQ(compose_parent_paths((dir / "link" / "c.avhdx").string(), (dir / "real" / "base.vhdx").string()).relative_path,
            ".\\base.vhdx");
  // The parent named through the symlinked folder: relative to where it really is.
  touch(dir / "kids" / "keep");
  EXPECT_EQ(compose_parent_paths((dir / "kids" / "c.avhdx").string(), (dir / "link" / "base.vhdx").string()).relative_path,
            "..\\real\\base.vhdx");
  // A parent that is itself a symlink keeps the name the user gave.
  EXPECT_EQ(compose_parent_paths((dir / "real" / "c.avhdx").string(), (dir / "real" / "alias.vhdx").string()).relative_path,
            ".\\alias.vhdx");
}

TEST(ComposeParentPathsPosix, MapUsedInReverse) {
  TempDir dir;
  touch(dir / "VMs" / "base.vhdx");
  const std::string root = dir.path().string();
  const hostpath::PathMap map = mapping({"C:\\=" + root});
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string(),
                                             {&map, nullptr});
  EXPECT_EQ(p.relative_path, ".\\base.vhdx");
  EXPECT_EQ(p.absolute_win32_path, "C:\\VMs\\base.vhdx");
  EXPECT_FALSE(p.volume_path);

  // With the volume list, the GUID form too.
  const hostpath::WindowsVolumeSet volumes({{kGuidRoot, {"C:\\"}}});
  const ParentPaths q = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string(),
                                             {&map, &volumes});
  EXPECT_EQ(q.absolute_win32_path, "C:\\VMs\\base.vhdx");
  EXPECT_EQ(q.volume_path, kGuidRoot + "VMs\\base.vhdx");
}

TEST(ComposeParentPathsPosix, LongestMappingAndSymlinkedRoots) {
  TempDir dir;
  touch(dir / "real" / "VMs" / "base.vhdx");
  std::filesystem::create_directory_symlink(dir / "real", dir / "mnt");
  const std::string root = (dir / "mnt").string();
  // The mapping names the symlink; the parent is given by its resolved path.
  const hostpath::PathMap map = mapping({"C:\\=" + root, "E:\\=" + root + "/VMs"});
  const ParentPaths p = compose_parent_paths((dir / "real" / "VMs" / "c.avhdx").string(),
                                             (dir / "real" / "VMs" / "base.vhdx").string(), {&map, nullptr});
  EXPECT_EQ(p.absolute_win32_path, "E:\\base.vhdx");
  EXPECT_EQ(p.relative_path, ".\\base.vhdx");
}

TEST(ComposeParentPathsPosix, VolumeGuidMappingGivesTheDrivePathFromTheVolumes) {
  TempDir dir;
  touch(dir / "VMs" / "base.vhdx");
  const hostpath::PathMap map = mapping({kGuidRoot + "=" + dir.path().string()});
  const ParentPaths bare = compose_parent_paths((dir / "VMs" / "c.avhdx").string(),
                                                (dir / "VMs" / "base.vhdx").string(), {&map, nullptr});
  EXPECT_EQ(bare.volume_path, kGuidRoot + "VMs\\base.vhdx");
  EXPECT_FALSE(bare.absolute_win32_path);
  const hostpath::WindowsVolumeSet volumes({{kGuidRoot, {"D:\\", "C:\\Hyper-V\\"}}});
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string(),
                                             {&map, &volumes});
  EXPECT_EQ(p.volume_path, kGuidRoot + "VMs\\base.vhdx");
  EXPECT_EQ(p.absolute_win32_path, "D:\\VMs\\base.vhdx");
}

TEST(ComposeParentPathsPosix, NoRelativeFormAcrossWindowsRoots) {
  TempDir dir;
  touch(dir / "d" / "base.vhdx");
  touch(dir / "c" / "keep");
  const hostpath::PathMap map = mapping({"C:\\=" + (dir / "c").string(), "D:\\=" + (dir / "d").string()});
  const ParentPaths p = compose_parent_paths((dir / "c" / "x.avhdx").string(), (dir / "d" / "base.vhdx").string(),
                                             {&map, nullptr});
  EXPECT_EQ(p.relative_path, "");
  EXPECT_EQ(p.absolute_win32_path, "D:\\base.vhdx");
}

TEST(ComposeParentPathsPosix, UncShare) {
  TempDir dir;
  touch(dir / "VMs" / "base.vhdx");
  const hostpath::PathMap map = mapping({"\\\\srv\\share=" + dir.path().string()});
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string(),
                                             {&map, nullptr});
  EXPECT_EQ(p.absolute_win32_path, "\\\\srv\\share\\VMs\\base.vhdx");
  EXPECT_FALSE(p.volume_path);
}

TEST(ComposeParentPathsPosix, ParentOutsideEveryMapping) {
  TempDir dir;
  touch(dir / "VMs" / "base.vhdx");
  const hostpath::PathMap map = mapping({"C:\\=/nonexistent/elsewhere"});
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string(),
                                             {&map, nullptr});
  EXPECT_EQ(p.relative_path, ".\\base.vhdx");
  EXPECT_FALSE(p.absolute_win32_path);
  EXPECT_FALSE(p.volume_path);
}

#else  // _WIN32

TEST(ComposeParentPathsWin32, FromTheSystem) {
  TempDir dir;
  std::filesystem::create_directories(dir / "VMs");
  std::ofstream(dir / "VMs" / "base.vhdx") << "x";
  const ParentPaths p = compose_parent_paths((dir / "VMs" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string());
  EXPECT_EQ(p.relative_path, ".\\base.vhdx");
  ASSERT_TRUE(p.absolute_win32_path);
  EXPECT_EQ(p.absolute_win32_path->substr(1, 2), ":\\");
  EXPECT_TRUE(p.absolute_win32_path->ends_with("\\VMs\\base.vhdx"));
  if (p.volume_path) {
    EXPECT_EQ(p.volume_path->rfind("\\\\?\\Volume{", 0), 0u);
    EXPECT_TRUE(p.volume_path->ends_with("\\VMs\\base.vhdx"));
  }
  EXPECT_EQ(compose_parent_paths((dir / "kids" / "c.avhdx").string(), (dir / "VMs" / "base.vhdx").string()).relative_path,
            "..\\VMs\\base.vhdx");
}

#endif

}  // namespace
}  // namespace vhdchain
