// Locator path text: classification and conversion to host paths.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"

#include "chain/stored_path.h"

namespace vhdchain::chain {
namespace {

TEST(StoredPath, Classifies) {
  EXPECT_EQ(classify_stored_path(".\\parent.vhdx"), StoredPathKind::relative);
  EXPECT_EQ(classify_stored_path("..\\base\\parent.vhdx"), StoredPathKind::relative);
  EXPECT_EQ(classify_stored_path("parent.vhdx"), StoredPathKind::relative);
  EXPECT_EQ(classify_stored_path("sub/parent.vhdx"), StoredPathKind::relative);
  EXPECT_EQ(classify_stored_path("/srv/vms/parent.vhdx"), StoredPathKind::posix_absolute);
  EXPECT_EQ(classify_stored_path("C:\\spike\\fixed-min.vhdx"), StoredPathKind::windows_absolute);
  EXPECT_EQ(classify_stored_path("c:/vms/p.vhdx"), StoredPathKind::windows_absolute);
  EXPECT_EQ(classify_stored_path("\\\\?\\C:\\vms\\p.vhdx"), StoredPathKind::windows_absolute);
  EXPECT_EQ(classify_stored_path("\\\\server\\share\\p.vhdx"), StoredPathKind::windows_absolute);
  EXPECT_EQ(classify_stored_path("\\vms\\p.vhdx"), StoredPathKind::windows_absolute);
  EXPECT_EQ(classify_stored_path("\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\vms\\p.vhdx"),
            StoredPathKind::windows_volume);
  EXPECT_EQ(classify_stored_path("\\\\?\\volume{26A21BDA-A627-11D7-9931-806E6F6E6963}\\p.vhdx"),
            StoredPathKind::windows_volume);
  EXPECT_EQ(classify_stored_path(""), StoredPathKind::empty);
  EXPECT_EQ(classify_stored_path(".\\"), StoredPathKind::empty);
}

TEST(StoredPath, RelativeToHost) {
  EXPECT_EQ(relative_to_host(".\\parent.vhdx"), "parent.vhdx");
  EXPECT_EQ(relative_to_host("..\\..\\path2\\sub3\\parent.vhdx"), "../../path2/sub3/parent.vhdx");
  EXPECT_EQ(relative_to_host(".\\sub\\.\\p.vhdx"), "sub/p.vhdx");
  EXPECT_EQ(relative_to_host("sub//p.vhdx"), "sub/p.vhdx");
}

TEST(StoredPath, FileName) {
  EXPECT_EQ(stored_file_name("C:\\vms\\base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name("\\\\?\\Volume{x}\\vms\\base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name(".\\base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name("/srv/base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name("base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name("C:base.vhdx"), "base.vhdx");
  EXPECT_EQ(stored_file_name("C:\\vms\\"), "");
  EXPECT_EQ(stored_file_name("..\\.."), "");
}

TEST(StoredPath, Beside) {
  EXPECT_EQ(beside("/vms/child.avhdx", "parent.vhdx"), "/vms/parent.vhdx");
  EXPECT_EQ(beside("vms/child.avhdx", "../base/parent.vhdx"), "vms/../base/parent.vhdx");
  EXPECT_EQ(beside("child.avhdx", "parent.vhdx"), "parent.vhdx");
  EXPECT_EQ(beside("./child.avhdx", "parent.vhdx"), "parent.vhdx");
  EXPECT_EQ(beside("/child.avhdx", "parent.vhdx"), "/parent.vhdx");
  EXPECT_EQ(tidy_host_path("/a/./b//c/"), "/a/b/c");
}

#ifndef _WIN32
// The one model of a locator's text on this host keeps "..", so the kernel resolves it from the
// child's real folder. A copy of C:\VMs reached through a symlinked folder finds its parent only
// that way: applied textually (as hostpath::resolve_relative does for Windows paths, and as
// GetFullPathNameW does on the Windows host that wrote it) ".." would leave through the link.
TEST(StoredPath, DotDotIsResolvedByTheKernelFromTheChildsRealFolder) {
  namespace fs = std::filesystem;
  vhdchain::test::TempDir t;
  fs::create_directories(t / "copy" / "VMs" / "a");
  fs::create_directories(t / "copy" / "VMs" / "base");
  std::ofstream(t / "copy" / "VMs" / "base" / "p.vhdx") << "parent";
  fs::create_directory_symlink(t / "copy" / "VMs" / "a", t / "a");  // the child reached as t/a/child.avhdx
  const std::string child = (t / "a" / "child.avhdx").string();
  const std::string found = beside(child, relative_to_host("..\\base\\p.vhdx"));
  EXPECT_EQ(found, (t / "a" / ".." / "base" / "p.vhdx").string());
  EXPECT_TRUE(fs::exists(found));
  EXPECT_FALSE(fs::exists(t / "base" / "p.vhdx"));  // where a textual ".." would have looked
}
#endif

#ifdef _WIN32
TEST(StoredPath, BesideAWindowsChildPath) {
  EXPECT_EQ(beside("Z:\\vms\\child.avhdx", "parent.vhdx"), "Z:\\vms\\parent.vhdx");
  EXPECT_EQ(beside("Z:\\vms\\child.avhdx", "../base/parent.vhdx"), "Z:\\vms\\../base/parent.vhdx");
  EXPECT_EQ(beside("\\\\srv\\share\\child.avhdx", "parent.vhdx"), "\\\\srv\\share\\parent.vhdx");
  EXPECT_EQ(beside("C:child.avhdx", "parent.vhdx"), "C:parent.vhdx");
}
#endif

}  // namespace
}  // namespace vhdchain::chain
