// The one folder-of-a-path rule (io/fs_ops.h): '/' everywhere; '\' and a drive's ':' on Windows only,
// since on POSIX a backslash is part of a file name (a copied "C:\VMs\a.vhdx" is one name there).
#include <gtest/gtest.h>

#include "io/fs_ops.h"

namespace vhdchain::io {
namespace {

TEST(PathFolder, SplitsAtTheLastSlash) {
  EXPECT_EQ(folder_of("/vms/a/child.avhdx"), "/vms/a");
  EXPECT_EQ(file_name_of("/vms/a/child.avhdx"), "child.avhdx");
  EXPECT_EQ(folder_of("/child.avhdx"), "/");
  EXPECT_EQ(folder_of("child.avhdx"), ".");
  EXPECT_EQ(file_name_of("child.avhdx"), "child.avhdx");
  EXPECT_EQ(folder_of("vms/child.avhdx"), "vms");
  EXPECT_EQ(file_name_of("vms/"), "");
}

#ifdef _WIN32
TEST(PathFolder, WindowsSeparatorsAndDrives) {
  EXPECT_EQ(folder_of("C:\\VMs\\a.vhdx"), "C:\\VMs");
  EXPECT_EQ(file_name_of("C:\\VMs\\a.vhdx"), "a.vhdx");
  EXPECT_EQ(folder_of("C:\\a.vhdx"), "C:\\");
  EXPECT_EQ(folder_of("C:a.vhdx"), "C:");
  EXPECT_EQ(file_name_of("C:a.vhdx"), "a.vhdx");
  EXPECT_EQ(folder_of("\\\\srv\\share\\a.vhdx"), "\\\\srv\\share");
  EXPECT_EQ(folder_of("C:/VMs/a.vhdx"), "C:/VMs");
}
#else
TEST(PathFolder, ABackslashIsPartOfAPosixName) {
  EXPECT_EQ(folder_of("/copy/C:\\VMs\\a.vhdx"), "/copy");
  EXPECT_EQ(file_name_of("/copy/C:\\VMs\\a.vhdx"), "C:\\VMs\\a.vhdx");
  EXPECT_EQ(folder_of("C:\\VMs\\a.vhdx"), ".");
}
#endif

}  // namespace
}  // namespace vhdchain::io
