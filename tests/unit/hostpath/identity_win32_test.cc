// file_identity on Windows: FileIdInfo through two names of one file (hard link, ".." and '/'),
// folders, long paths, and the Win32 error numbers classify_access_error (io) sorts.
#include <gtest/gtest.h>

#include "io/win32.h"
#include "unit/hostpath/win32_temp.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using test::Win32TempDir;

TEST(HostpathIdentityWin32, ClassifiesWin32Errors) {
  EXPECT_EQ(classify_access_error(0), AccessStatus::ok);
  EXPECT_EQ(classify_access_error(ERROR_FILE_NOT_FOUND), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_PATH_NOT_FOUND), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_DIRECTORY), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_INVALID_DRIVE), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_BAD_NETPATH), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_BAD_NET_NAME), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_INVALID_NAME), AccessStatus::not_found);  // was chain's alone
  EXPECT_EQ(classify_access_error(ERROR_BAD_PATHNAME), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ERROR_ACCESS_DENIED), AccessStatus::access_denied);
  EXPECT_EQ(classify_access_error(ERROR_SHARING_VIOLATION), AccessStatus::other);
}

TEST(HostpathIdentityWin32, OneFileThroughSeveralNames) {
  Win32TempDir t;
  test::win32_mkdir(t / "real");
  test::win32_write(t / "real\\Parent.vhdx", "parent");
  test::win32_write(t / "real\\other.vhdx", "other");
  ASSERT_TRUE(::CreateHardLinkW(win32::widen(t / "real\\hard.vhdx").c_str(), win32::widen(t / "real\\Parent.vhdx").c_str(),
                                nullptr));

  FileIdentityResult direct = file_identity(t / "real\\Parent.vhdx");
  ASSERT_TRUE(direct.ok()) << direct.error;
  EXPECT_EQ(direct.status, AccessStatus::ok);
  EXPECT_NE(direct.identity, FileIdentity{});
  std::string slashed = t / "real/./x/../PARENT.VHDX";
  EXPECT_EQ(file_identity(t / "real\\hard.vhdx").identity, direct.identity);
  EXPECT_EQ(file_identity(slashed).identity, direct.identity);  // case, '/', "." and ".." too

  FileIdentityResult other = file_identity(t / "real\\other.vhdx");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other.identity, direct.identity);
  EXPECT_EQ(other.identity.volume_id, direct.identity.volume_id);

  // The identity comes from the handle's FILE_ID_INFO (or its fallback); check it is that one.
  win32::Handle h = win32::open_for_query(win32::widen(t / "real\\Parent.vhdx"));
  std::optional<win32::FileId> id = win32::file_id_of(h.get());
  ASSERT_TRUE(id);
  EXPECT_EQ(direct.identity, (FileIdentity{id->volume, id->high, id->low}));
  RecordProperty("file_id_source", id->from_file_id_info ? "FileIdInfo" : "BY_HANDLE_FILE_INFORMATION");
}

TEST(HostpathIdentityWin32, FoldersAndLongPaths) {
  Win32TempDir t;
  test::win32_mkdir(t / "dir");
  FileIdentityResult dir = file_identity(t / "dir");
  ASSERT_TRUE(dir.ok()) << dir.error;  // FILE_FLAG_BACKUP_SEMANTICS opens folders
  EXPECT_EQ(file_identity(t / "dir\\").identity, dir.identity);

  std::string deep = t.path();
  while (deep.size() < 300) {
    deep = test::win32_join(deep, std::string(50, 'n'));
    test::win32_mkdir(deep);
  }
  test::win32_write(test::win32_join(deep, "f.vhdx"), "x");
  FileIdentityResult deep_id = file_identity(test::win32_join(deep, "f.vhdx"));
  EXPECT_TRUE(deep_id.ok()) << deep_id.error;
  EXPECT_NE(deep_id.identity, dir.identity);
}

TEST(HostpathIdentityWin32, FailuresAreReturned) {
  Win32TempDir t;
  test::win32_write(t / "file.vhdx", "x");
  FileIdentityResult missing = file_identity(t / "missing.vhdx");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.error, ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(missing.status, AccessStatus::not_found);
  FileIdentityResult no_folder = file_identity(t / "no-folder\\x.vhdx");
  EXPECT_EQ(no_folder.error, ERROR_PATH_NOT_FOUND);
  EXPECT_EQ(no_folder.status, AccessStatus::not_found);
  // A file used as a folder: Windows says "path not found" (or "directory name invalid").
  FileIdentityResult under_file = file_identity(t / "file.vhdx\\x");
  EXPECT_FALSE(under_file.ok());
  EXPECT_EQ(under_file.status, AccessStatus::not_found) << under_file.error;
  FileIdentityResult empty = file_identity("");
  EXPECT_EQ(empty.error, ERROR_PATH_NOT_FOUND);
  EXPECT_EQ(empty.status, AccessStatus::not_found);
}

}  // namespace
}  // namespace vhdchain::hostpath
