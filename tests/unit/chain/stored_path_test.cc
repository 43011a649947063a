// Locator path text: classification and conversion to host paths.
#include <gtest/gtest.h>

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
