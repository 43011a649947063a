// file_identity on real files: one file through a symlinked folder and a hard link, and the errors
// a path can meet (not found vs access denied).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, std::string_view content) {
  std::ofstream(p, std::ios::binary) << content;
}

TEST(HostpathIdentity, RendersAllBits) {
  EXPECT_EQ((FileIdentity{0xfe01, 0, 0xa72c}).to_string(), "volume 0xfe01 file 0x0000000000000000000000000000a72c");
  EXPECT_EQ((FileIdentity{0x2aaaf10d610c9e71, 0x0001000000000000, 0x00000000000004d2}).to_string(),
            "volume 0x2aaaf10d610c9e71 file 0x000100000000000000000000000004d2");
  EXPECT_NE((FileIdentity{1, 0, 2}), (FileIdentity{1, 1, 2}));
  EXPECT_LT((FileIdentity{1, 0, 2}), (FileIdentity{2, 0, 1}));
}

TEST(HostpathIdentity, ClassifiesErrors) {
  EXPECT_EQ(classify_access_error(0), AccessStatus::ok);
  EXPECT_EQ(classify_access_error(ENOENT), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(ENOTDIR), AccessStatus::not_found);
  EXPECT_EQ(classify_access_error(EACCES), AccessStatus::access_denied);
  EXPECT_EQ(classify_access_error(EPERM), AccessStatus::access_denied);
  EXPECT_EQ(classify_access_error(ELOOP), AccessStatus::other);
  EXPECT_EQ(to_string(AccessStatus::access_denied), "access_denied");
}

TEST(HostpathIdentity, SameFileThroughSymlinkedFolderAndHardLink) {
  vhdchain::test::TempDir t;
  fs::create_directories(t / "real");
  write_file(t / "real" / "Parent.vhdx", "parent");
  write_file(t / "real" / "other.vhdx", "other");
  fs::create_directory_symlink(t / "real", t / "link");
  fs::create_hard_link(t / "real" / "Parent.vhdx", t / "real" / "hard.vhdx");

  FileIdentityResult direct = file_identity((t / "real" / "Parent.vhdx").string());
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct.status, AccessStatus::ok);
  struct stat st {};
  ASSERT_EQ(::stat((t / "real" / "Parent.vhdx").c_str(), &st), 0);
  EXPECT_EQ(direct.identity, (FileIdentity{static_cast<uint64_t>(st.st_dev), 0, static_cast<uint64_t>(st.st_ino)}));

  FileIdentityResult via_link = file_identity((t / "link" / "Parent.vhdx").string());
  FileIdentityResult via_hard = file_identity((t / "real" / "hard.vhdx").string());
  FileIdentityResult dotted = file_identity((t / "link" / ".." / "real" / "." / "Parent.vhdx").string());
  EXPECT_EQ(via_link.identity, direct.identity);
  EXPECT_EQ(via_hard.identity, direct.identity);
  EXPECT_EQ(dotted.identity, direct.identity);
  FileIdentityResult other = file_identity((t / "real" / "other.vhdx").string());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other.identity, direct.identity);
  EXPECT_EQ(other.identity.volume_id, direct.identity.volume_id);
}

TEST(HostpathIdentity, NotFoundIsTold) {
  vhdchain::test::TempDir t;
  write_file(t / "file.vhdx", "x");
  FileIdentityResult missing = file_identity((t / "missing.vhdx").string());
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.error, ENOENT);
  EXPECT_EQ(missing.status, AccessStatus::not_found);
  FileIdentityResult under_file = file_identity((t / "file.vhdx" / "x").string());
  EXPECT_EQ(under_file.error, ENOTDIR);
  EXPECT_EQ(under_file.status, AccessStatus::not_found);
  EXPECT_EQ(file_identity("").error, ENOENT);
}

TEST(HostpathIdentity, AccessDeniedIsTold) {
  vhdchain::test::TempDir t;
  fs::create_directories(t / "locked");
  write_file(t / "locked" / "x.vhdx", "x");
  ASSERT_EQ(::chmod((t / "locked").c_str(), 0), 0);
  // Root ignores permission bits, so ask as nobody in a child process.
  test::ChildResult r = test::run_in_child([&] {
    test::become_nobody_if_root();
    test::require_access(t.path().string());
    FileIdentityResult denied = file_identity((t / "locked" / "x.vhdx").string());
    return std::to_string(denied.error) + " " + std::string(to_string(denied.status));
  });
  ::chmod((t / "locked").c_str(), 0700);
  if (r.kind == test::ChildResult::skipped) GTEST_SKIP() << r.text;
  ASSERT_EQ(r.kind, test::ChildResult::ok) << r.text;
  EXPECT_EQ(r.text, std::to_string(EACCES) + " access_denied");
}

}  // namespace
}  // namespace vhdchain::hostpath
